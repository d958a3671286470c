"""Entry point of the ``hybrid-toolkit`` console script.

Every subcommand runs in two phases: *setup* (parse the command line, check its values, build
the environment and the model) and the *job* (train, evaluate …). A ``ValueError``,
``TypeError`` or ``FileNotFoundError`` raised during setup is the user's error: it is printed
as one line, ``error: --flag: got VALUE; expected …``, and the exit status is 2. Errors raised
by the job keep their traceback, because they are bugs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from hybrid_toolkit.cli.bench import run_bench
from hybrid_toolkit.cli.errors import USER_ERRORS, parse_quietly, user_error_line
from hybrid_toolkit.cli.evaluate import run_eval
from hybrid_toolkit.cli.listing import run_list
from hybrid_toolkit.cli.options import EvalArgs, ListArgs, PlotArgs, ResumeArgs, SweepArgs
from hybrid_toolkit.cli.parser import Unselectable, parse
from hybrid_toolkit.cli.plot import prepare_plot
from hybrid_toolkit.cli.resume import prepare_resume
from hybrid_toolkit.cli.sweep import prepare_sweep
from hybrid_toolkit.cli.train import prepare_train


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        job = _prepare(parse_quietly(lambda: parse(argv), argv))
    except USER_ERRORS as err:
        print(f"error: {user_error_line(err, argv)}", file=sys.stderr)
        return 2
    return job()


def _prepare(args: object) -> Callable[[], int]:
    """Set up the subcommand ``args`` selects; returns the job that runs it."""
    if isinstance(args, ListArgs):
        return lambda: run_list(args)
    if isinstance(args, Unselectable):
        raise ValueError("'_' is not a subcommand; see hybrid-toolkit --help")
    if isinstance(args, EvalArgs):
        return lambda: run_eval(args)
    if isinstance(args, ResumeArgs):
        return prepare_resume(args)
    if isinstance(args, PlotArgs):
        return prepare_plot(args)
    if isinstance(args, SweepArgs):
        return prepare_sweep(args)
    if hasattr(args, "suite_name"):
        return lambda: run_bench(args)
    return prepare_train(args)


if __name__ == "__main__":
    sys.exit(main())

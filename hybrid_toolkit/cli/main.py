"""Entry point of the ``hybrid-toolkit`` console script."""

from __future__ import annotations

import sys

from hybrid_toolkit.cli.bench import run_bench
from hybrid_toolkit.cli.evaluate import run_eval
from hybrid_toolkit.cli.listing import run_list
from hybrid_toolkit.cli.options import EvalArgs, ListArgs
from hybrid_toolkit.cli.parser import Unselectable, parse
from hybrid_toolkit.cli.train import run_train


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand; returns the exit status."""
    args = parse(argv)
    if isinstance(args, ListArgs):
        return run_list(args)
    if isinstance(args, Unselectable):
        print("error: '_' is not a subcommand; see hybrid-toolkit --help", file=sys.stderr)
        return 2
    if isinstance(args, EvalArgs):
        return run_eval(args)
    if hasattr(args, "suite_name"):
        return run_bench(args)
    return run_train(args)


if __name__ == "__main__":
    sys.exit(main())

"""User errors of the command line: one line naming the flag, the value and what is expected.

The library raises ``ValueError``/``TypeError`` naming the parameter (``PPOConfig.gamma must be
in [0, 1], got 2.0``, ``activation must be one of [...], got 'nope'``). While the CLI sets a run
up from its arguments, those errors are the user's, so :func:`user_error_line` turns them into
``--algo.gamma: got 2.0; expected in [0, 1]``. Errors raised later (while training) are not
converted: they are bugs and keep their traceback.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from hybrid_toolkit.cli.did_you_mean import unrecognized_line
from hybrid_toolkit.utils.optional_deps import MissingOptionalDependencyError

USER_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    FileNotFoundError,
    MissingOptionalDependencyError,
)
"""Exception types that mean "bad input" when argument-driven setup raises them (a missing
optional extra included: its message is the ``pip install`` command)."""

_MESSAGE = re.compile(
    r"^(?:(?P<owner>[A-Za-z_]\w*)\.)?(?P<field>[a-z_]\w*) must (?:be )?(?P<expected>.+?),"
    r" got (?P<value>.+)$",
    re.DOTALL,
)


class UserError(ValueError):
    """A command-line value the run cannot use; ``main`` prints it as one line and exits 2.

    Args:
        flag: The flag (``--run.total-timesteps``) or positional (``RUN_DIR``) at fault.
        value: What the user gave, as they would recognise it.
        expected: What would have been accepted.
    """

    def __init__(self, flag: str, value: str, expected: str) -> None:
        super().__init__(f"{flag}: got {value}; expected {expected}")
        self.flag, self.value, self.expected = flag, value, expected


class ParseError(ValueError):
    """tyro refused the command line; the message is its error box as one line, which already
    names the flag at fault (so :func:`user_error_line` adds nothing to it)."""


@cache
def _group_of_class() -> dict[str, str]:
    """``{config class name: flag group}`` over every registered algorithm and environment."""
    from hybrid_toolkit.algorithms import get_algorithm, list_algorithms
    from hybrid_toolkit.envs import env_spec, list_envs

    groups = {"RunOptions": "run"}
    groups.update({env_spec(name).config_class.__name__: "env" for name in list_envs()})
    groups.update({get_algorithm(n).config_class.__name__: "algo" for n in list_algorithms()})
    return groups


def _flag_from_argv(field: str, argv: Sequence[str]) -> str | None:
    """The ``--group.field`` flag the user typed for ``field`` (``None`` when none matches)."""
    name = field.replace("_", "-")
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag.startswith("--") and (flag.endswith("." + name) or flag == "--" + name):
            return flag
    return None


def _typed_options(argv: Sequence[str]) -> str:
    """The ``--algo.*``/``--env.*`` options on the command line, as typed."""
    shown: list[str] = []
    for i, arg in enumerate(argv):
        if arg.startswith(("--algo.", "--env.")):
            value = argv[i + 1] if "=" not in arg and i + 1 < len(argv) else ""
            shown.append(f"{arg} {value}".strip())
    return ", ".join(shown)


def _file_note(flag: str, argv: Sequence[str]) -> str:
    """Where a refused value came from when the user did not type its flag: the config file
    of ``train --config FILE`` (empty otherwise)."""
    typed = {arg.split("=", 1)[0].replace("_", "-") for arg in argv}
    from_file = any(arg == "--config" or arg.startswith("--config=") for arg in argv)
    return " (the value in the --config file)" if from_file and flag not in typed else ""


def user_error_line(err: BaseException, argv: Sequence[str]) -> str:
    """The one line (without ``error:``) that tells the user what to change.

    Args:
        err: What argument-driven setup raised (a :class:`UserError`, ``ValueError``…).
        argv: The command line, used to name the flag the user typed.
    """
    if isinstance(err, (UserError, ParseError)):
        return str(err)
    message = " ".join(str(err).split()) or type(err).__name__
    match = _MESSAGE.match(message)
    if match is not None:
        field = match["field"]
        group = _group_of_class().get(match["owner"] or "")
        flag = f"--{group}.{field.replace('_', '-')}" if group else _flag_from_argv(field, argv)
        if flag is not None:
            return str(UserError(flag, match["value"], match["expected"])) + _file_note(flag, argv)
    options = _typed_options(argv)
    return f"{message} (options given: {options})" if options else message


_BOX = re.compile(r"[│╭╮╰╯─━┃┏┓┗┛╷╵┌┐└┘|]+|-{3,}")
_CONSTRUCTOR_ERROR = re.compile(r"^Value error Error parsing [A-Za-z_][\w.-]*: (?P<message>.+)$")
"""How tyro reports a ``ValueError`` that an options class raised while it was being built
(``bench dgrl-paper --steps -1``): the library's own message behind tyro's prefix."""


def parse_error_line(box: str, argv: Sequence[str] = ()) -> str:
    """tyro's framed parse-error message (``Invalid choice … Expected one of …``) as one line.

    tyro reports a wrong type, an unknown flag or a value outside a ``Literal``'s choices in a
    box of several lines on stderr (drawn with ``-`` runs when stderr is not a terminal); the
    CLI promises one line per user error, so the frame and the help pointer are dropped and the
    words kept. A value an options class refused while tyro built it gets the flag-naming form of
    :func:`user_error_line`. An unknown flag of ``argv`` becomes
    ``unrecognized option --algo.lr; did you mean --algo.learning-rate?`` (see
    :mod:`~hybrid_toolkit.cli.did_you_mean`).
    """
    text = " ".join(_BOX.sub(" ", box).split())
    text = text.split(" For full helptext", 1)[0].strip()
    refused = _CONSTRUCTOR_ERROR.match(text)
    if refused is not None:
        return user_error_line(ValueError(refused["message"]), argv)
    return (
        unrecognized_line(text, argv) or text or "invalid command line; see hybrid-toolkit --help"
    )


def parse_quietly(parse: Callable[[], Any], argv: Sequence[str] = ()) -> Any:
    """Run ``parse`` (of the command line ``argv``) with tyro's error box held back.

    A failed parse raises :class:`ParseError` with the box as one line; anything else printed
    while parsing (``--help``, a ``warning:`` line) is printed as usual.
    """
    captured = io.StringIO()
    failed = False
    try:
        with contextlib.redirect_stderr(captured):
            return parse()
    except SystemExit as exit_:
        failed = exit_.code not in (0, None)
        if failed:
            raise ParseError(parse_error_line(captured.getvalue(), argv)) from None
        raise
    finally:  # what parsing printed besides tyro's error box (help, a warning) reaches the user
        if not failed:
            sys.stderr.write(captured.getvalue())

"""``hybrid-toolkit train --config FILE [ALGO ENV] [flags]``: a run described by a file.

The file is a run directory's ``config.json`` (see :mod:`hybrid_toolkit.cli.run_record`), or
one written by hand in the same form. It names the algorithm and the environment and gives
every option; its values become the defaults of the ``train ALGO ENV`` leaf (as ``--preset``
does for ``--algo.*``), so flags on the command line still override single fields:
``train --config cfg.json --algo.learning-rate 1e-3 --run.seed 3``.

``ALGO ENV`` may be left out; when given they must be the file's. ``--preset`` is refused
with ``--config``: the file records its preset and the preset's values as it changed them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.run_record import RunRecord, read_config_file

FLAG = "--config"


def config_option(argv: list[str]) -> tuple[str | None, list[str]]:
    """The ``--config FILE`` a command line gives (``None`` when absent) and the command line
    without it.

    Raises:
        UserError: ``--config`` without a file, or given twice.
    """
    found: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == FLAG:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                raise UserError(FLAG, "no file", "a path to a config file (a run's config.json)")
            found.append(argv[i + 1])
            i += 2
            continue
        if arg.startswith(FLAG + "="):
            found.append(arg.split("=", 1)[1])
        else:
            rest.append(arg)
        i += 1
    if len(found) > 1:
        raise UserError(FLAG, " and ".join(map(repr, found)), "one config file")
    return (found[0] if found else None), rest


def apply_config_file(
    argv: list[str], as_class: Callable[[type], type]
) -> tuple[list[str], RunRecord | None]:
    """Read the ``--config`` file of a ``train`` command line.

    Args:
        argv: The command line (``train …``).
        as_class: Maps each config class to the class the record is built of (see
            :func:`~hybrid_toolkit.cli.run_record.read_config_file`).

    Returns:
        The command line as ``train ALGO ENV [flags]`` (``--config`` removed, the file's names
        put in where they were left out) and the file's run; ``argv`` unchanged and ``None``
        without ``--config``.

    Raises:
        UserError: An unreadable file, ``ALGO``/``ENV`` other than the file's, or ``--preset``.
    """
    file, rest = config_option(argv)
    if file is None:
        return argv, None
    record = read_config_file(Path(file), as_class=as_class)
    if any(arg == "--preset" or arg.startswith("--preset=") for arg in rest):
        raise UserError(
            "--preset",
            "a preset with --config",
            f"no --preset: {file} gives the --algo.* values (preset {record.preset!r}); "
            "change them with --algo.* flags",
        )
    return _with_names(rest, record, file), record


def _with_names(argv: list[str], record: RunRecord, file: str) -> list[str]:
    """``argv`` (``train [ALGO [ENV]] [flags]``) with the file's names in the positions."""
    count = 0
    for arg in argv[1:]:
        if arg.startswith("-"):
            break
        count += 1
    given = argv[1 : 1 + count]
    names = [record.algo_name, record.env_name]
    for position, (typed, recorded) in enumerate(zip(given, names, strict=False)):
        if typed != recorded:
            raise UserError(
                ("ALGO", "ENV")[position],
                repr(typed),
                f"{recorded!r}, the {('algorithm', 'environment')[position]} of {file} "
                "(or leave ALGO ENV out)",
            )
    if count > 2:
        raise UserError(
            "train --config", repr(" ".join(given)), "at most ALGO ENV before the flags"
        )
    return [argv[0], *names, *argv[1 + count :]]

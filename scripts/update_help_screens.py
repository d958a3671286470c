"""Regenerate the ``--help`` screens that docs/cli.md shows and tests/cli/test_help_screens.py pins.

Usage: ``python scripts/update_help_screens.py``. Each screen is ``hybrid-toolkit ARGS --help``
run in-process at a fixed width (:data:`COLUMNS`), written to ``docs/cli-help/<name>.txt``.
Run it after changing anything the first screens show (a subcommand, an algorithm's docstring,
a PPO or TargetRegime option), then commit the files.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "cli-help"
COLUMNS = 100
SCREENS: dict[str, list[str]] = {
    "top.txt": [],
    "train.txt": ["train"],
    "train-ppo-targetregime.txt": ["train", "ppo", "TargetRegime-v0"],
}
"""File name under ``docs/cli-help/`` → the arguments before ``--help``."""


def render(args: list[str]) -> str:
    """What ``hybrid-toolkit ARGS --help`` prints, ``COLUMNS`` wide, lines right-stripped."""
    from hybrid_toolkit.cli.main import main

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(COLUMNS)
    # A UTF-8 stream like a terminal's, so tyro draws its boxes as a user sees them (it falls
    # back to plain rules for streams of unknown encoding), without colour (not a TTY).
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*args, "--help"])
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    out.flush()
    text = out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def main() -> int:
    """Write every screen; returns the exit status."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, args in SCREENS.items():
        (OUT / name).write_text(render(args), encoding="utf-8")
        print(f"wrote {(OUT / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

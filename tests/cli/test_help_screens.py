"""The first screens a user sees (``--help``, ``train --help``, ``train ppo TargetRegime-v0
--help``) are pinned in docs/cli-help/, which docs/cli.md shows: a change to them is deliberate
and the docs keep up."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = runpy.run_path(str(ROOT / "scripts" / "update_help_screens.py"))


@pytest.mark.parametrize("name", list(SCRIPT["SCREENS"]))
def test_help_screen_matches_the_committed_one(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(SCRIPT["COLUMNS"]))
    committed = (ROOT / "docs" / "cli-help" / name).read_text(encoding="utf-8")
    shown = SCRIPT["render"](SCRIPT["SCREENS"][name])
    assert shown == committed, (
        f"hybrid-toolkit {' '.join(SCRIPT['SCREENS'][name])} --help changed; if that is "
        f"intended, run `python scripts/update_help_screens.py` and commit docs/cli-help/{name}"
    )


def test_the_top_screen_lists_each_subcommand_on_one_line() -> None:
    lines = (ROOT / "docs" / "cli-help" / "top.txt").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if "(required)" in line) + 1
    last = next(i for i in range(first, len(lines)) if lines[i].startswith("╰"))
    listed = lines[first:last]
    assert all("•" in line for line in listed), "a subcommand's description wraps"
    assert [line.split("•")[1].split()[0] for line in listed] == [
        "list",
        "train",
        "eval",
        "bench",
        "plot",
        "sweep",
    ]
    assert max(map(len, lines)) <= 80, "the top screen must fit an 80-column terminal"


def test_the_docs_page_includes_every_screen() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in SCRIPT["SCREENS"]:
        assert f'--8<-- "docs/cli-help/{name}"' in page

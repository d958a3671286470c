"""The code on docs/concepts/spaces.md runs (blocks in order, one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "spaces.md"


def test_spaces_page_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 6  # one per section with an example
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{PAGE.name}[block {i}]", "exec"), namespace)
    printed = capsys.readouterr().out
    # The validation messages shown on the page are the ones users get.
    assert "action.discrete[1, 0] (component 0 ('mode')) is 3; expected an integer in [0, 2]" in (
        printed
    )
    assert "is 1.5; expected a value in [0.0, 1.0]" in printed

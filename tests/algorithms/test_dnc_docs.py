"""The code on the DNC, Cacla and baselines pages runs (each page's blocks in order)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "algorithms"


@pytest.mark.parametrize("page", ["dnc.md", "cacla.md", "baselines.md"])
def test_algorithm_page_examples_run(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{page} has no Python example"
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page}[block {i}]", "exec"), namespace)
    if page == "baselines.md":
        assert "83,521 of them, above the limit max_actions=10,000" in capsys.readouterr().out

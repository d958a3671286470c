"""The code on docs/algorithms/hpo.md runs (blocks in order, one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "algorithms" / "hpo.md"


def test_hpo_page_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 2  # the estimator on its own, then training
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{PAGE.name}[block {i}]", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "'cross'" in printed and "'pathwise'" in printed
    model = namespace["model"]
    assert [u for u, _ in model.dev_curve] == [8]  # type: ignore[attr-defined]

"""scripts/fuzz_report.py runs the fuzz suite with a chosen number of inputs and writes the
outcome table the Reliability page includes (exercised on one small property file)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_report_counts_every_input_and_writes_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    main = runpy.run_path(str(ROOT / "scripts" / "fuzz_report.py"))["main"]
    table = tmp_path / "fuzz.md"
    args = ["--examples", "3", "--tests", "tests/fuzz/test_fuzz_spaces.py", "--write", str(table)]
    assert main([*args, "--out", str(tmp_path / "fuzz.json")]) == 0
    text = table.read_text()
    assert text.startswith("3 inputs per property") and "| **all** |" in text
    assert "rejected with a clear error" in text

"""Every registered suite runs end to end in ``--mode smoke``, so no benchmark can rot unseen.

Each suite runs through the real front end (``hybrid-toolkit bench NAME --mode smoke``) in this
process, at toy budgets; the test checks the exit status and the result files a user reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliRunner

from hybrid_toolkit.bench import list_suites
from hybrid_toolkit.bench.ppo_vs_sb3 import PPOvsSB3Options


@pytest.mark.parametrize("name", list_suites())
def test_smoke_mode_runs_the_suite_and_writes_its_results(
    name: str, tmp_path: Path, run_cli: CliRunner
) -> None:
    code, out = run_cli(["bench", name, "--mode", "smoke", "--out-dir", str(tmp_path)])
    assert code == 0, out
    tables = list(tmp_path.rglob("*.md"))
    assert tables and all(t.read_text().strip() for t in tables), sorted(tmp_path.iterdir())
    records = list(tmp_path.rglob("*.json"))
    assert records, sorted(tmp_path.iterdir())
    for record in records:
        json.loads(record.read_text())


def test_the_benchmarks_page_lists_every_suite() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "benchmarks" / "index.md"
    listed = page.read_text()
    missing = [name for name in list_suites() if f"`{name}`" not in listed]
    assert not missing, f"docs/benchmarks/index.md does not list {missing}"


def test_smoke_mode_refuses_to_touch_a_docs_page() -> None:
    with pytest.raises(ValueError, match="never writes docs pages"):
        PPOvsSB3Options(mode="smoke", docs_page="docs/benchmarks/ppo-vs-sb3.md")

"""scripts/gpu_check.py runs (quick mode, CPU) and writes its table, so it cannot rot before the
next GPU machine runs it in full."""

from __future__ import annotations

import runpy
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "gpu_check.py"


def test_quick_mode_times_one_hpo_update_and_writes_the_table(tmp_path: Path) -> None:
    main = runpy.run_path(str(SCRIPT))["main"]
    assert main(["--quick", "--updates", "1", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "gpu_check.md").read_text()
    assert "| cpu |" in table and "speed-up vs CPU" in table
    assert (tmp_path / "gpu_check.json").is_file()

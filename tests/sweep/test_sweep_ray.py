"""``hybrid-toolkit sweep`` end to end on a local Ray: every trial an ordinary run directory,
the results table, the best configuration that ``train --config`` trains again with the same
result, and a second run of the same command that re-runs nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CliRunner
from sweep_support import local_ray, write_tiny_sweep  # noqa: F401  (local_ray: a fixture)

from hybrid_toolkit.training.run_logs import RUN_CONFIG


def model_files(sweep_dir: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in sweep_dir.glob("trials/*/*/model.zip")}


@pytest.mark.usefixtures("local_ray")
def test_a_sweep_runs_every_trial_as_a_run_and_exports_the_best(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    spec = write_tiny_sweep(tmp_path / "tiny.yaml")
    command = ["sweep", str(spec), "--out-dir", str(tmp_path / "sweeps"), "--verbose", "0"]
    code, out = run_cli(command)
    assert code == 0, out
    sweep_dir = tmp_path / "sweeps" / "tiny"
    trials = json.loads((sweep_dir / "results.json").read_text())["trials"]
    assert len(trials) == 2 and {t["status"] for t in trials} == {"finished"}
    for trial in trials:  # an ordinary run directory each
        run_dir = sweep_dir / trial["run_dir"]
        assert {RUN_CONFIG, "progress.csv", "model.zip"} <= {p.name for p in run_dir.iterdir()}
        assert list(run_dir.glob("events.out.tfevents.*"))
    metrics = [t["metric"] for t in trials]
    assert metrics == sorted(metrics, reverse=True)
    assert (sweep_dir / "results.md").read_text().count("| finished |") == 2
    assert (sweep_dir / "results.png").stat().st_size > 0

    best = sweep_dir / "best_config.json"
    assert best.read_text() == (sweep_dir / trials[0]["run_dir"] / RUN_CONFIG).read_text()
    code, out = run_cli(["train", "--config", str(best)])
    assert code == 0, out
    mean_return = float(re.search(r"final eval\s+: mean return (\S+)", out)[1])  # type: ignore[index]
    assert mean_return == round(trials[0]["metric"], 4)

    before = model_files(sweep_dir)
    code, out = run_cli(command)  # the same command again: the sweep is done, nothing re-runs
    assert code == 0, out
    assert model_files(sweep_dir) == before

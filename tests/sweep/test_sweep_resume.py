"""Interrupting a sweep and running the same command again finishes it without re-running the
trials that had finished (local Ray on two CPUs, tiny budgets, the real command in a process)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sweep_support import write_tiny_sweep

ROOT = Path(__file__).resolve().parents[2]


def finished_runs(sweep_dir: Path) -> dict[str, int]:
    """Run directory → mtime of its model.zip, for every trial that has saved its model."""
    found = sweep_dir.glob("trials/*/*/model.zip")
    return {str(p.parent.relative_to(sweep_dir)): p.stat().st_mtime_ns for p in found}


def sweep_process(spec: Path, out_dir: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "hybrid_toolkit.cli.main", "sweep", str(spec)]
    command += ["--out-dir", str(out_dir), "--num-cpus", "2", "--max-concurrent", "2"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [*command, "--verbose", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_an_interrupted_sweep_resumes_without_rerunning_finished_trials(tmp_path: Path) -> None:
    pytest.importorskip("ray.tune")
    spec = write_tiny_sweep(tmp_path / "tiny.yaml", steps=4096, eval_freq=1024, seeds=(0, 1))
    sweep_dir = tmp_path / "sweeps" / "tiny"
    first = sweep_process(spec, tmp_path / "sweeps")
    deadline = time.monotonic() + 600
    while not finished_runs(sweep_dir) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    before = finished_runs(sweep_dir)
    first.send_signal(signal.SIGINT)  # Ctrl-C halfway
    out, _ = first.communicate(timeout=300)
    assert 1 <= len(before) < 4, out
    assert "run the same command again" in out, out

    second = sweep_process(spec, tmp_path / "sweeps")
    out, _ = second.communicate(timeout=600)
    assert second.returncode == 0, out
    trials = json.loads((sweep_dir / "results.json").read_text())["trials"]
    assert len(trials) == 4 and {t["status"] for t in trials} == {"finished"}, out
    after = finished_runs(sweep_dir)
    assert len(after) == 4
    assert {run: after[run] for run in before} == before  # the finished trials were not re-run

"""A classic-envs reference run that was stopped continues from its checkpoint and ends as the
run that was never stopped; a checkpoint of another recipe is not used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hybrid_toolkit.bench.classic_envs.cases import CASES, REFERENCE_RECIPES, scaled_recipe
from hybrid_toolkit.bench.classic_envs.curve import (
    LearningCurve,
    checkpoint_path,
    progress_path,
    resumable,
)
from hybrid_toolkit.bench.classic_envs.suite import run_one, run_path

# HyAR's reference recipe on Hard Move at 1/2000 of its phases on 4 scenarios: a short warm-up,
# then TD3 updates (one per transition) into replay and embedding buffers that must come back
RECIPE = scaled_recipe(REFERENCE_RECIPES["hyar"]["HardMove4"], 2000, num_envs=4)
TIMING = ("train_seconds", "train_cpu_seconds")


def _run(folder: Path, **kw: Any) -> dict[str, Any]:
    progress = progress_path(run_path(folder, "hyar", "HardMove4", 0, "reference"))
    return run_one("hyar", CASES["HardMove4"], RECIPE, 0, 4, "cpu", "reference", 4, progress, **kw)


def _without_timing(record: dict[str, Any]) -> dict[str, Any]:
    curve = [{k: v for k, v in p.items() if k not in TIMING} for p in record["curve"]]
    kept = ("success_rate", "mean_return", "std_return", "td3_updates", "recipe", "timesteps")
    return {"curve": curve, **{k: record[k] for k in kept}}


def _stop_after_points(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Make a run raise KeyboardInterrupt (Ctrl-C) once its ``n``-th checkpoint is saved."""
    add = LearningCurve.add

    def add_then_stop(self: LearningCurve, *args: Any, save: bool = False) -> dict[str, Any]:
        point = add(self, *args, save=save)
        if save and len(self.points) == n:
            raise KeyboardInterrupt
        return point

    monkeypatch.setattr(LearningCurve, "add", add_then_stop)


def test_a_stopped_run_continues_from_its_checkpoint_to_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _run(tmp_path / "whole")
    assert whole["td3_updates"] > 0 and len(whole["curve"]) >= 4  # TD3 points, then the final
    assert "resumed_from" not in whole

    with monkeypatch.context() as patch:
        _stop_after_points(patch, 2)
        with pytest.raises(KeyboardInterrupt):
            _run(tmp_path / "pieces")
    progress = progress_path(run_path(tmp_path / "pieces", "hyar", "HardMove4", 0, "reference"))
    stopped = json.loads(progress.read_text())
    assert checkpoint_path(progress).exists() and len(stopped["curve"]) == 2

    resumed = _run(tmp_path / "pieces")
    assert resumed["resumed_from"] == [stopped["curve"][-1]["timesteps"]]
    assert _without_timing(resumed) == _without_timing(whole)
    # the training time adds up over the pieces: it never restarts from zero
    times = [p["train_cpu_seconds"] for p in resumed["curve"]]
    assert times == sorted(times) and resumed["train_cpu_seconds"] >= times[1]


def test_without_resume_a_stopped_run_starts_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _stop_after_points(patch, 1)
        with pytest.raises(KeyboardInterrupt):
            _run(tmp_path)
    checkpoint = checkpoint_path(
        progress_path(run_path(tmp_path, "hyar", "HardMove4", 0, "reference"))
    )
    stopped_at = checkpoint.stat().st_mtime_ns
    fresh = _run(tmp_path, resume=False)
    assert "resumed_from" not in fresh  # trained from step 0, not from the checkpoint
    assert checkpoint.stat().st_mtime_ns != stopped_at  # which the new run replaced with its own


def test_a_checkpoint_of_another_recipe_is_discarded(tmp_path: Path) -> None:
    progress = tmp_path / "Goal-seed0.progress.json"
    checkpoint = checkpoint_path(progress)
    assert checkpoint.name == "Goal-seed0.checkpoint.zip"
    checkpoint.write_bytes(b"an older run's model")
    progress.write_text(json.dumps({"recipe": {"timesteps": 100}, "curve": []}))
    assert resumable(progress, {"timesteps": 200}) is None
    assert not checkpoint.exists()
    checkpoint.write_bytes(b"a model")
    assert resumable(progress, {"timesteps": 100}) == (checkpoint, json.loads(progress.read_text()))

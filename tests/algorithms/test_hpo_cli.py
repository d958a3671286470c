"""``hybrid-toolkit train hpo <inventory env> --env.n-items 10 …`` end to end, in-process."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hybrid_toolkit.cli.main import main

SMALL_RUN = [
    "--env.n-items",
    "10",
    "--env.horizon",
    "30",
    "--env.ignore-periods",
    "5",
    "--env.num-train-scenarios",
    "32",
    "--env.num-eval-scenarios",
    "32",
    "--algo.num-envs",
    "16",
    "--algo.buffer-periods",
    "5",
    "--algo.discrete-hidden",
    "16",
    "--algo.continuous-hidden",
    "16",
    "--algo.value-hidden",
    "16",
    "--algo.piece-norms-interval",
    "1",
    "--run.total-timesteps",
    str(16 * 30 * 4),
    "--run.eval-episodes",
    "16",
    "--run.no-progress-bar",
    "--run.verbose",
    "0",
]


def test_train_hpo_on_joint_replenishment_logs_the_hpo_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["train", "hpo", "JointReplenishment-v0", *SMALL_RUN, "--run.run-root", str(tmp_path)]
    try:
        code = main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr().out
    assert code == 0, out
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name.startswith("JointReplenishment-v0__hpo__0__")
    assert (run_dir / "model.zip").exists()
    assert "final eval" in out
    with (run_dir / "progress.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4  # 4 updates of 16 scenarios × 30 periods
    for key in (
        "train/grad_norm_score_function",
        "train/grad_norm_cross",
        "train/grad_norm_pathwise",
        "rollout/regime_0_fraction",
        "rollout/regime_1_fraction",
        "rollout/cost",
        "train/ent_coef",
    ):
        assert all(row[key] != "" for row in rows), key
    # The 32 train scenarios make two batches of 16, so dev is evaluated every second update.
    assert [row["eval/dev_cost"] != "" for row in rows] == [False, True, False, True]
    assert float(rows[-1]["eval/best_dev_cost"]) <= float(rows[1]["eval/dev_cost"])


def test_train_hpo_refuses_a_non_differentiable_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "runs"
    argv = ["train", "hpo", "Maze-v0", "--run.total-timesteps", "10", "--run.run-root", str(root)]
    assert main([*argv, "--run.verbose", "0"]) == 2
    err = capsys.readouterr().err
    assert "needs a differentiable environment" in err and "Traceback" not in err
    assert not root.exists() or not any(root.iterdir())

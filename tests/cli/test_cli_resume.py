"""``train`` records its run in config.json; ``train --resume RUN_DIR`` continues it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import torch
from conftest import CliRunner

import hybrid_toolkit as ht

TRAIN = [
    "train",
    "ppo",
    "TargetRegime-v0",
    "--algo.num-envs",
    "4",
    "--algo.n-steps",
    "16",
    "--algo.n-epochs",
    "1",
    "--run.eval-episodes",
    "2",
    "--run.no-progress-bar",
    "--run.verbose",
    "0",
]
QUIET = ["--run.no-progress-bar", "--run.verbose", "0"]


def train_run(tmp_path: Path, run_cli: CliRunner, *extra: str) -> Path:
    root = tmp_path / "runs"
    code, out = run_cli([*TRAIN, "--run.run-root", str(root), *extra])
    assert code == 0, out
    (run_dir,) = root.iterdir()
    return run_dir


def steps_logged(run_dir: Path) -> list[int]:
    with (run_dir / "progress.csv").open(newline="") as f:
        return [int(row["time/total_timesteps"]) for row in csv.DictReader(f)]


def test_config_json_records_every_option(tmp_path: Path, run_cli: CliRunner) -> None:
    run_dir = train_run(tmp_path, run_cli, "--run.total-timesteps", "64", "--algo.gamma", "0.5")
    record = json.loads((run_dir / "config.json").read_text())
    assert record["format"] == 1 and not (run_dir / "run.json").exists()
    assert (record["algo_name"], record["env_name"], record["preset"]) == (
        "ppo",
        "TargetRegime-v0",
        "default",
    )
    assert record["algo"]["gamma"] == 0.5 and record["algo"]["num_envs"] == 4
    assert record["run"]["total_timesteps"] == 64 and record["run"]["device"] == "auto"
    assert "horizon" in record["env"]


def test_resume_continues_from_the_newest_checkpoint_in_the_same_folder(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    run_dir = train_run(
        tmp_path, run_cli, "--run.total-timesteps", "256", "--run.checkpoint-freq", "128"
    )
    # Pretend the run stopped after its first checkpoint.
    (run_dir / "model.zip").unlink()
    (run_dir / "checkpoints" / "model_256_steps.zip").unlink()
    code, out = run_cli(["train", "--resume", str(run_dir), *QUIET])
    assert code == 0, out
    assert f"run directory : {run_dir}" in out
    assert ht.load(run_dir / "model.zip").num_timesteps == 256
    assert (run_dir / "checkpoints" / "model_256_steps.zip").is_file()
    # The history before the checkpoint is kept; the rest is logged again by the resumed run.
    assert steps_logged(run_dir) == [64, 128, 192, 256]


def test_resumed_run_ends_with_the_weights_of_the_uninterrupted_one(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    options = ("--run.total-timesteps", "256", "--run.checkpoint-freq", "128")
    whole = train_run(tmp_path / "whole", run_cli, *options)
    cut = train_run(tmp_path / "cut", run_cli, *options)
    (cut / "model.zip").unlink()
    (cut / "checkpoints" / "model_256_steps.zip").unlink()
    code, out = run_cli(["train", "--resume", str(cut), *QUIET])
    assert code == 0, out
    expected, resumed = ht.load(whole / "model.zip"), ht.load(cut / "model.zip")
    for name, tensor in expected.policy.state_dict().items():
        assert torch.equal(tensor, resumed.policy.state_dict()[name]), name


def test_resume_with_a_new_total_trains_further(tmp_path: Path, run_cli: CliRunner) -> None:
    run_dir = train_run(tmp_path, run_cli, "--run.total-timesteps", "128")
    code, out = run_cli(["train", "--resume", str(run_dir), "--run.total-timesteps", "192", *QUIET])
    assert code == 0, out
    assert ht.load(run_dir / "model.zip").num_timesteps == 192
    assert json.loads((run_dir / "config.json").read_text())["run"]["total_timesteps"] == 192
    assert steps_logged(run_dir) == [64, 128, 192]


def test_resume_errors_exit_2_with_one_line(tmp_path: Path, run_cli: CliRunner) -> None:
    code, out = run_cli(["train", "--resume", str(tmp_path / "missing")])
    assert code == 2 and "--resume: got" in out and "expected a run directory" in out
    code, out = run_cli(["train", "--resume", str(tmp_path)])
    assert code == 2 and "config.json" in out
    run_dir = train_run(tmp_path, run_cli, "--run.total-timesteps", "64")
    code, out = run_cli(["train", "--resume", str(run_dir)])
    assert code == 2 and "at 64 of 64 timesteps" in out
    code, out = run_cli(["train", "--resume", str(run_dir), "--run.device", "banana"])
    assert code == 2 and out.startswith("error: --run.device: got 'banana'")
    code, out = run_cli(["train", "ppo", "TargetRegime-v0", "--resume", str(run_dir)])
    assert code == 2 and "Traceback" not in out  # --resume takes no ALGO ENV
    (run_dir / "model.zip").unlink()
    code, out = run_cli(["train", "--resume", str(run_dir)])
    assert code == 2 and "checkpoints/*.zip or model.zip" in out
    assert "Traceback" not in out


def test_resume_is_discoverable_from_the_help(run_cli: CliRunner) -> None:
    code, out = run_cli(["--help"])
    assert code == 0 and "train --resume RUN_DIR" in out and "Union type" not in out
    code, out = run_cli(["train", "--resume", "--help"])
    assert code == 0 and "--run.total-timesteps" in out and "newest checkpoint" in out

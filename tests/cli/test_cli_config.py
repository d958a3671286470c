"""Every run directory holds ``config.json``; ``train --config FILE`` trains that run again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import CliRunner

import hybrid_toolkit as ht
from hybrid_toolkit.cli.options import RunOptions
from hybrid_toolkit.cli.parser import parse
from hybrid_toolkit.cli.run_record import RunRecord, write_config_file
from hybrid_toolkit.envs import env_spec

TINY = [
    "--algo.num-envs",
    "4",
    "--algo.n-steps",
    "16",
    "--algo.n-epochs",
    "1",
    "--run.eval-episodes",
    "2",
    "--run.total-timesteps",
    "128",
    "--run.no-progress-bar",
    "--run.verbose",
    "0",
]


def only_run(root: Path) -> Path:
    (run_dir,) = root.iterdir()
    return run_dir


def write_config(path: Path, **document: object) -> Path:
    path.write_text(json.dumps({"algo_name": "ppo", "env_name": "TargetRegime-v0", **document}))
    return path


def test_train_again_from_config_json_gives_the_same_weights(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    first_root, again_root = tmp_path / "first", tmp_path / "again"
    options = ["--env.n-choices", "4", "--algo.gamma", "0.9", "--run.seed", "5"]
    train = ["train", "ppo", "TargetRegime-v0", *TINY, *options]
    code, out = run_cli([*train, "--run.run-root", str(first_root)])
    assert code == 0, out
    first = only_run(first_root)
    assert {p.name for p in first.glob("*.json")} == {"config.json", "hparams.json"}
    hparams = json.loads((first / "hparams.json").read_text())
    assert hparams["env_config"]["n_choices"] == 4  # the env options are in hparams.json too

    # The run directory itself names its config.json.
    code, out = run_cli(["train", "--config", str(first), "--run.run-root", str(again_root)])
    assert code == 0, out
    again = only_run(again_root)
    assert again.name.startswith("TargetRegime-v0__ppo__5__")
    recorded, repeated = (json.loads((d / "config.json").read_text()) for d in (first, again))
    assert repeated["run"].pop("run_root") == str(again_root)
    assert recorded["run"].pop("run_root") == str(first_root)
    assert repeated == recorded
    expected = ht.load(first / "model.zip").policy.state_dict()
    reproduced = ht.load(again / "model.zip").policy.state_dict()
    assert expected.keys() == reproduced.keys()
    for name, tensor in expected.items():
        assert torch.equal(tensor, reproduced[name]), name


def test_flags_override_single_fields_of_the_file(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "cfg.json",
        algo={"learning_rate": 0.01, "gamma": 0.5},
        env={"n_choices": 4},
        run={"seed": 7, "total_timesteps": 256},
    )
    leaf = parse(
        ["train", "--config", str(config), "--algo.learning-rate", "1e-3", "--run.seed", "3"]
    )
    assert (leaf.algo_name, leaf.env_name, leaf.preset) == ("ppo", "TargetRegime-v0", "default")
    assert leaf.algo.learning_rate == 1e-3 and leaf.run.seed == 3  # the flags win
    assert leaf.algo.gamma == 0.5 and leaf.env.n_choices == 4 and leaf.run.total_timesteps == 256
    assert leaf.algo.n_steps == ht.PPO.config_class().n_steps  # absent from the file: default
    # ALGO ENV may be given when they are the file's; --config=FILE works too.
    leaf = parse(["train", "ppo", "TargetRegime-v0", f"--config={config}"])
    assert leaf.algo.learning_rate == 0.01 and leaf.run.seed == 7


def test_a_file_written_from_python_is_accepted(tmp_path: Path) -> None:
    # What a hyperparameter search writes for its best configuration (issue 13).
    best = RunRecord(
        algo_name="ppo",
        env_name="TargetRegime-v0",
        preset="sb3",
        algo=ht.PPO._resolve_config("sb3"),
        env=env_spec("TargetRegime-v0").default_config(),
        run=RunOptions(seed=11, total_timesteps=512),
    )
    leaf = parse(["train", "--config", str(write_config_file(tmp_path / "best.json", best))])
    assert (leaf.preset, leaf.algo, leaf.env, leaf.run) == ("sb3", best.algo, best.env, best.run)


def test_a_value_the_file_gets_wrong_can_be_fixed_by_its_flag(tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg.json", algo={"gamma": 2.0})
    assert parse(["train", "--config", str(config), "--algo.gamma", "0.9"]).algo.gamma == 0.9


def test_help_shows_the_files_values_as_defaults(tmp_path: Path, run_cli: CliRunner) -> None:
    config = write_config(tmp_path / "cfg.json", env={"horizon": 6})
    code, out = run_cli(["train", "--config", str(config), "--help"])
    assert code == 0 and "(default: 6)" in out
    code, out = run_cli(["train", "--help"])
    assert code == 0 and "train --config FILE" in out


def bad_configs(tmp_path: Path) -> list[tuple[list[str], str]]:
    good = write_config(tmp_path / "good.json")
    not_json = tmp_path / "broken.json"
    not_json.write_text("{'algo_name': 'ppo'")
    yaml = tmp_path / "cfg.yaml"
    yaml.write_text("algo_name: ppo\n")
    return [
        (["--config", str(tmp_path / "missing.json")], "expected an existing file"),
        (["--config", str(tmp_path)], "expected a run directory holding config.json, or a file"),
        (["--config"], "--config: got no file"),
        (["--config", str(not_json)], "expected a JSON file"),
        (["--config", str(yaml)], "YAML is not read"),
        (["--config", str(write_config(tmp_path / "k.json", extra=1))], "unknown: ['extra']"),
        (
            ["--config", str(write_config(tmp_path / "a.json", algo={"gama": 0.9}))],
            "unknown PPOConfig key(s) ['gama']; valid keys are: num_envs",
        ),
        (
            ["--config", str(write_config(tmp_path / "r.json", run={"sed": 1}))],
            "unknown RunOptions key(s) ['sed']; valid keys are: total_timesteps",
        ),
        (
            ["--config", str(write_config(tmp_path / "n.json", algo_name="ppx"))],
            "unknown algorithm 'ppx'; valid names are:",
        ),
        (
            ["--config", str(write_config(tmp_path / "p.json", preset="nope"))],
            "expected a preset of ppo: default",
        ),
        (
            ["--config", str(write_config(tmp_path / "v.json", algo={"gamma": 2.0}))],
            "error: --algo.gamma: got 2.0; expected in [0, 1] (the value in the --config file)",
        ),
        (
            ["--config", str(write_config(tmp_path / "t.json", run={"seed": "3"}))],
            "error: --run.seed: got '3'; expected an integer >= 0 (the value in the --config",
        ),
        (["--config", str(good), "--algo.gamma", "2"], "got 2.0; expected in [0, 1]\n"),
        (["ppo", "Maze-v0", "--config", str(good)], "ENV: got 'Maze-v0'; expected 'TargetRegime"),
        (["hpo", "--config", str(good)], "ALGO: got 'hpo'; expected 'ppo', the algorithm of"),
        (["--config", str(good), "--preset", "sb3"], "error: --preset:"),
        (["--config", str(good), "--config", str(good)], "expected one config file"),
    ]


@pytest.mark.parametrize("case", range(17))
def test_config_errors_exit_2_with_one_line_and_no_run_folder(
    case: int, tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = bad_configs(tmp_path)
    assert len(cases) == 17
    args, expected = cases[case]
    monkeypatch.chdir(tmp_path)
    code, out = run_cli(["train", *args])
    assert code == 2, out
    assert out.startswith("error: ") and out.count("\n") == 1, out
    assert expected in out, out
    assert not (tmp_path / "runs").exists()


def test_resume_reads_a_run_dir_written_before_config_json(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    root = tmp_path / "runs"
    train = ["train", "ppo", "TargetRegime-v0", *TINY, "--run.checkpoint-freq", "64"]
    code, out = run_cli([*train, "--run.run-root", str(root)])
    assert code == 0, out
    run_dir = only_run(root)
    (run_dir / "config.json").rename(run_dir / "run.json")  # how older versions named it
    (run_dir / "model.zip").unlink()
    (run_dir / "checkpoints" / "model_128_steps.zip").unlink()
    code, out = run_cli(["train", "--resume", str(run_dir), "--run.verbose", "0"])
    assert code == 0, out
    assert ht.load(run_dir / "model.zip").num_timesteps == 128
    # The folder keeps one record, under the new name.
    assert (run_dir / "config.json").is_file() and not (run_dir / "run.json").exists()

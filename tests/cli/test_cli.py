"""The command line, run in-process: help texts, errors, and an end-to-end training run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from conftest import CliRunner
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import hybrid_toolkit as ht
from hybrid_toolkit.bench.learning import LEARNING_CASES
from hybrid_toolkit.cli.options import apply_threads
from hybrid_toolkit.cli.parser import parse, selection


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], ["list", "train", "eval"]),
        (["list", "--help"], ["--kind"]),
        (["eval", "--help"], ["MODEL", "--episodes"]),
        (["train", "--help"], ["ppo"]),
        (["train", "ppo", "--help"], ["TargetRegime-v0"]),
    ],
)
def test_help_of_each_level(args: list[str], expected: list[str], run_cli: CliRunner) -> None:
    code, out = run_cli(args)
    assert code == 0
    for text in expected:
        assert text in out


def help_cases() -> list[tuple[str, str]]:
    """Every algorithm with one env, and every env with one algorithm.

    A leaf's options are the algorithm's config fields plus the env's, built independently, so
    this covers every algorithm's and every env's options without paying for all pairs.
    """
    algos, envs = ht.list_algorithms(), ht.list_envs()
    cases = [(algo, envs[0]) for algo in algos] + [(algos[0], env) for env in envs]
    return list(dict.fromkeys(cases))


@pytest.mark.parametrize(("algo", "env_id"), help_cases())
def test_train_help_lists_every_algo_and_env_option(
    algo: str, env_id: str, run_cli: CliRunner
) -> None:
    code, out = run_cli(["train", algo, env_id, "--help"])
    assert code == 0
    algo_fields = dataclasses.fields(ht.get_algorithm(algo).config_class)
    env_fields = dataclasses.fields(ht.env_spec(env_id).config_class)
    for f in algo_fields:
        assert f"--algo.{f.name.replace('_', '-')}" in out
    for f in env_fields:
        assert f"--env.{f.name.replace('_', '-')}" in out
    assert "--run.total-timesteps" in out


@pytest.mark.parametrize("form", ["separate", "equals"])
def test_preset_gives_the_algo_defaults_and_flags_still_override_them(form: str) -> None:
    dgrl = ht.get_algorithm("dgrl")
    expected = dgrl._resolve_config("maze")
    default = dgrl._resolve_config(None)
    changed = [
        f.name
        for f in dataclasses.fields(expected)
        if getattr(expected, f.name) != getattr(default, f.name)
    ]
    assert changed, "the maze preset must differ from the defaults for this test to mean anything"
    flag = ["--preset", "maze"] if form == "separate" else ["--preset=maze"]
    leaf = parse(["train", "dgrl", "Maze-v0", *flag])
    assert leaf.preset == "maze"
    assert leaf.algo == expected
    overridden = parse(["train", "dgrl", "Maze-v0", *flag, "--algo.gamma", "0.5"])
    assert overridden.algo == dataclasses.replace(expected, gamma=0.5)
    assert parse(["train", "dgrl", "Maze-v0"]).algo == default


def test_unknown_preset_is_refused_with_the_valid_names(run_cli: CliRunner) -> None:
    code, out = run_cli(["train", "dgrl", "Maze-v0", "--preset", "nope"])
    assert code == 2
    assert "nope" in out
    for name in ("maze", "paper-maze"):
        assert name in out


def test_only_the_selected_subtree_is_built_but_every_name_is_listed(
    run_cli: CliRunner,
) -> None:
    envs = ht.list_envs()
    assert selection(["train", "ppo", envs[-1], "--algo.gamma", "0.5"]) == ("ppo", envs[-1])
    assert selection(["train", "ppo", "--help"]) == ("ppo", None)
    assert selection(["train", "nope", envs[0]]) == (None, None)
    assert selection(["eval", "model.zip"]) == (None, None)
    # `train ppo --help` lists every env with its description although none is built
    code, out = run_cli(["train", "ppo", "--help"])
    assert code == 0
    for env_id in envs:
        assert env_id in out
    leaf = parse(["train", "ppo", envs[-1], "--algo.gamma", "0.5"])
    assert (leaf.algo_name, leaf.env_name, leaf.algo.gamma) == ("ppo", envs[-1], 0.5)


def test_threads_option_sets_torch_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse(["train", "ppo", "TargetRegime-v0"]).run.threads == 1
    assert parse(["train", "ppo", "TargetRegime-v0", "--run.threads", "0"]).run.threads == 0
    calls: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    apply_threads(3)
    apply_threads(0)  # keeps torch's default: no call
    assert calls == [3]
    with pytest.raises(ValueError, match="threads must be >= 0"):
        apply_threads(-1)


def test_list_prints_registries(run_cli: CliRunner) -> None:
    code, out = run_cli(["list"])
    assert code == 0
    assert "ppo" in out and "TargetRegime-v0" in out


@pytest.mark.parametrize(
    "args",
    [["train", "nope", "TargetRegime-v0"], ["train", "ppo", "Nope-v0"], ["frobnicate"]],
)
def test_unknown_names_exit_2_listing_valid_ones(args: list[str], run_cli: CliRunner) -> None:
    code, out = run_cli(args)
    assert code == 2
    assert ("ppo" in out) or ("TargetRegime-v0" in out) or ("train" in out)


def test_eval_of_missing_model_exits_2(run_cli: CliRunner) -> None:
    code, out = run_cli(["eval", "does-not-exist.zip"])
    assert code == 2
    assert "does-not-exist.zip" in out


def test_train_end_to_end_reaches_optimum_and_logs(tmp_path: Path, run_cli: CliRunner) -> None:
    code, out = run_cli(
        [
            "train",
            "ppo",
            "TargetRegime-v0",
            "--run.total-timesteps",
            "40000",
            "--run.run-root",
            str(tmp_path),
            "--run.no-progress-bar",
            "--run.verbose",
            "0",
            "--algo.learning-rate",
            "0.001",
            "--algo.gamma",
            "0.5",
            "--env.horizon",
            "8",
        ]
    )
    assert code == 0, out
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name.startswith("TargetRegime-v0__ppo__0__")
    mean = float(out.split("mean return ")[1].split(" ")[0])
    # The same training as the learning case, whose threshold holds across seeds and MKL paths.
    case = LEARNING_CASES["ppo-target-regime"]
    assert case.passes(mean / ht.make("TargetRegime-v0", horizon=8).optimal_return)
    events = EventAccumulator(str(run_dir))
    events.Reload()
    keys = set(events.Tags()["scalars"])
    for key in [
        "rollout/ep_rew_mean",
        "rollout/ep_len_mean",
        "time/fps",
        "train/loss",
        "train/policy_gradient_loss",
        "train/value_loss",
        "train/approx_kl",
        "train/clip_fraction",
        "train/discrete_entropy",
        "train/continuous_entropy",
        "rollout/regime_0_fraction",
    ]:
        assert key in keys, f"{key} missing from TensorBoard scalars {sorted(keys)}"
    # the saved model evaluates through `hybrid-toolkit eval`
    code, out = run_cli(["eval", str(run_dir / "model.zip"), "--episodes", "16"])
    assert code == 0, out
    assert "mean return" in out

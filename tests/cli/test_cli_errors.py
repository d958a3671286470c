"""User errors on the command line: exit 2, one line naming flag, value and expectation, no
traceback and no run folder; bugs during training still raise."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import CliRunner

from hybrid_toolkit.algorithms.ppo import PPO
from hybrid_toolkit.cli.errors import user_error_line
from hybrid_toolkit.cli.parser import parse

TINY = ["--run.total-timesteps", "64", "--run.eval-episodes", "2", "--run.no-progress-bar"]

CASES = [
    (["--run.total-timesteps", "0"], "--run.total-timesteps: got 0; expected an integer >= 1"),
    (["--run.threads", "-1"], "--run.threads: got -1; expected an integer >= 1, or 0"),
    (["--run.eval-episodes", "0"], "--run.eval-episodes: got 0; expected an integer >= 1"),
    (["--run.eval-freq", "-5"], "--run.eval-freq: got -5; expected an integer >= 0"),
    (["--run.checkpoint-freq", "-1"], "--run.checkpoint-freq: got -1; expected an integer >= 0"),
    (["--run.log-interval", "-3"], "--run.log-interval: got -3; expected an integer >= 0"),
    (["--run.device", "banana"], "--run.device: got 'banana'; expected 'auto', 'cpu'"),
    (["--algo.gamma", "2"], "--algo.gamma: got 2.0; expected in [0, 1]"),
    (["--algo.learning-rate", "nan"], "--algo.learning-rate: got nan; expected a finite number"),
    (
        ["--algo.activation", "nope"],
        "invalid choice 'nope' for argument '--algo.activation'. Expected one of",
    ),
    (["--algo.policy-hidden", "0"], "--algo.policy-hidden 0"),
    # tyro's own parse errors (wrong type, unknown flag) are condensed to one line as well
    (["--algo.gamma", "abc"], "Error parsing --algo.gamma: could not convert string to float"),
    (["--no-such-flag", "3"], "unrecognized option --no-such-flag"),
    (["--env.horizon", "0"], "--env.horizon: got 0; expected an integer >= 1"),
]


@pytest.mark.parametrize(("extra", "expected"), CASES)
def test_user_error_is_one_line_exit_2_and_leaves_no_run_folder(
    extra: list[str], expected: str, tmp_path: Path, run_cli: CliRunner
) -> None:
    root = tmp_path / "runs"
    argv = ["train", "ppo", "TargetRegime-v0", "--run.run-root", str(root), *TINY, *extra]
    code, out = run_cli(argv)
    assert code == 2
    assert out.startswith("error: ") and out.count("\n") == 1, out
    assert expected in out
    assert "Traceback" not in out
    assert not root.exists() or not any(root.iterdir())


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a torch without a usable GPU")
def test_cuda_device_on_a_cpu_machine_is_a_user_error(tmp_path: Path, run_cli: CliRunner) -> None:
    root = tmp_path / "runs"
    code, out = run_cli(
        ["train", "ppo", "TargetRegime-v0", "--run.run-root", str(root), "--run.device", "cuda"]
    )
    assert code == 2
    assert "--run.device: got 'cuda'; expected 'auto' or 'cpu'" in out
    assert not root.exists()


def test_run_root_that_is_a_file_is_refused(tmp_path: Path, run_cli: CliRunner) -> None:
    file = tmp_path / "runs.txt"
    file.write_text("not a folder")
    code, out = run_cli(["train", "ppo", "TargetRegime-v0", "--run.run-root", str(file), *TINY])
    assert code == 2
    assert f"--run.run-root: got '{file}'; expected a folder path" in out


def test_device_defaults_to_auto() -> None:
    leaf = parse(["train", "ppo", "TargetRegime-v0"])
    assert leaf.run.device == "auto"


def test_config_class_messages_map_to_their_flag() -> None:
    line = user_error_line(ValueError("DGRLConfig.n_steps must be >= 1, got -3"), [])
    assert line == "--algo.n-steps: got -3; expected >= 1"
    line = user_error_line(ValueError("MazeConfig.size must be an odd integer, got 4"), [])
    assert line == "--env.size: got 4; expected an odd integer"
    line = user_error_line(ValueError("RunOptions.seed must be an integer >= 0, got -1"), [])
    assert line == "--run.seed: got -1; expected an integer >= 0"
    # A message that names no known field keeps its text and lists the options given.
    line = user_error_line(ValueError("boom"), ["train", "ppo", "X", "--algo.gamma", "0.5"])
    assert line == "boom (options given: --algo.gamma 0.5)"


def test_an_error_while_training_is_not_converted(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_update(self: PPO, batch: object) -> dict[str, float]:
        raise ValueError("a bug inside update")

    monkeypatch.setattr(PPO, "update", broken_update)
    root = tmp_path / "runs"
    argv = ["train", "ppo", "TargetRegime-v0", "--run.run-root", str(root), *TINY]
    with pytest.raises(ValueError, match="a bug inside update"):
        run_cli([*argv, "--run.verbose", "0"])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bench", "dgrl-paper", "--steps", "-1"], "error: --steps: got -1; expected >= 0"),
        (["bench", "hpo-paper", "--target", "1.5"], "error: --target: got 1.5; expected in (0, 1)"),
    ],
)
def test_a_bench_option_refused_by_its_suite_names_the_flag(
    argv: list[str], expected: str, run_cli: CliRunner
) -> None:
    # The suites check their options while tyro builds them; tyro's wrapper text is dropped.
    code, out = run_cli([*argv, "--mode", "smoke"])
    assert code == 2
    assert out.startswith(expected) and out.count("\n") == 1, out
    assert "tyro" not in out

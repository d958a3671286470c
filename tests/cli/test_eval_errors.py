"""``hybrid-toolkit eval`` on a file or env that cannot work: exit 2 and one line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliRunner

import hybrid_toolkit as ht


@pytest.fixture(scope="module")
def regime_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ht.PPO("TargetRegime-v0", verbose=0, num_envs=4, policy_hidden=(8,), value_hidden=(8,))
    return model.save(tmp_path_factory.mktemp("model") / "regime.zip")


def _assert_one_line_error(code: int, out: str, *expected: str) -> None:
    assert code == 2
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out
    for text in expected:
        assert text in lines[0]


def test_eval_on_an_env_the_model_does_not_fit(regime_model: Path, run_cli: CliRunner) -> None:
    code, out = run_cli(["eval", str(regime_model), "--env", "Maze-v0"])
    _assert_one_line_error(code, out, "Maze-v0 differs", "observation shape (7,) in the model")


def test_eval_of_a_text_file(tmp_path: Path, run_cli: CliRunner) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("these are notes, not a model")
    code, out = run_cli(["eval", str(path)])
    _assert_one_line_error(code, out, "notes.zip", "not a zip file")


def test_eval_of_a_damaged_model(regime_model: Path, tmp_path: Path, run_cli: CliRunner) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes(regime_model.read_bytes()[:-200])
    code, out = run_cli(["eval", str(path)])
    _assert_one_line_error(code, out, "cut.zip", "truncated")


def test_eval_on_an_unknown_env(regime_model: Path, run_cli: CliRunner) -> None:
    code, out = run_cli(["eval", str(regime_model), "--env", "Nope-v0"])
    _assert_one_line_error(code, out, "unknown environment 'Nope-v0'", "TargetRegime-v0")


def test_eval_on_a_fitting_env_still_runs(regime_model: Path, run_cli: CliRunner) -> None:
    code, out = run_cli(["eval", str(regime_model), "--env", "TargetRegime-v0", "--episodes", "4"])
    assert code == 0, out
    assert "ppo on TargetRegime-v0: mean return" in out

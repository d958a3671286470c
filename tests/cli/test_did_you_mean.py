"""An unknown option gets one error line suggesting the real flags it most likely means."""

from __future__ import annotations

import pytest
from conftest import CliRunner

from hybrid_toolkit.cli.did_you_mean import accepted_flags, suggestions

PPO = ["train", "ppo", "TargetRegime-v0"]


def test_lr_suggests_the_learning_rate_not_a_flag_that_merely_contains_lr(
    run_cli: CliRunner,
) -> None:
    code, out = run_cli([*PPO, "--algo.lr", "1e-3"])
    assert code == 2
    assert out == "error: unrecognized option --algo.lr; did you mean --algo.learning-rate?\n"


def test_every_unknown_option_gets_its_own_suggestion_on_the_same_line(
    run_cli: CliRunner,
) -> None:
    code, out = run_cli([*PPO, "--algo.lr=1e-3", "--env.hor", "3", "--algo.xyzzy", "1"])
    assert code == 2
    assert out == (
        "error: unrecognized options --algo.lr (did you mean --algo.learning-rate?), "
        "--env.hor (did you mean --env.horizon?), --algo.xyzzy\n"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("--algo.n-envs", ["--algo.num-envs"]),
        ("--algo.discount", ["--algo.gamma"]),
        ("--algo.ent", ["--algo.ent-coef"]),
        ("--algo.lambda", ["--algo.gae-lambda"]),
        ("--algo.epochs", ["--algo.n-epochs"]),
        ("--algo.steps", ["--run.total-timesteps", "--algo.n-steps"]),
        ("--algo.horizon", ["--env.horizon"]),  # the right name in the wrong group
        ("--algo.gama", ["--algo.gamma"]),  # a misspelling
        ("--algo.xyzzy", []),
    ],
)
def test_suggestions_follow_meaning_then_spelling(typed: str, expected: list[str]) -> None:
    assert suggestions(typed, accepted_flags(PPO)) == expected


def test_suggestions_only_name_flags_the_subcommand_has(run_cli: CliRunner) -> None:
    hyar = accepted_flags(["train", "hyar", "TargetRegime-v0"])
    assert suggestions("--algo.lr", hyar) == ["--algo.learning-rate", "--algo.vae-learning-rate"]
    code, out = run_cli(["bench", "hpo-paper", "--seed", "1"])
    assert (code, out) == (2, "error: unrecognized option --seed; did you mean --seeds?\n")


@pytest.mark.parametrize(
    "argv",
    [PPO, ["train", "hyar", "Maze-v0"], ["bench", "hpo-paper"], ["eval", "m.zip"], ["plot", "r"]],
)
def test_the_candidate_flags_are_the_ones_help_lists(argv: list[str], run_cli: CliRunner) -> None:
    _, help_text = run_cli([*argv, "--help"])
    flags = accepted_flags(argv)
    assert flags
    assert [f for f in flags if f not in help_text] == []


def test_resume_options_are_suggested_too(run_cli: CliRunner) -> None:
    code, out = run_cli(["train", "--resume", "RUN_DIR", "--run.devce", "cpu"])
    assert (code, out) == (
        2,
        "error: unrecognized option --run.devce; did you mean --run.device?\n",
    )

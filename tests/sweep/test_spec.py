"""The sweep file and options: axes, fixed values, field names, defaults and the errors a user
sees (one line, exit status 2) before any trial starts. No Ray here."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliRunner

from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import SweepArgs
from hybrid_toolkit.cli.sweep import build_spec
from hybrid_toolkit.sweep.spec import (
    GRID_INDEX,
    Axis,
    axis_from_option,
    base_document,
    make_axis,
    read_spec_file,
    trial_document,
)

TARGET = ["--algo", "ppo", "--env", "TargetRegime-v0"]


def spec_of(**options: object) -> tuple[object, str]:
    return build_spec(SweepArgs(**options))  # type: ignore[arg-type]


def test_command_line_axes_take_numbers_lists_and_every_kind() -> None:
    assert axis_from_option("algo.learning_rate=log_uniform:1e-4,1e-2") == (
        "algo.learning_rate",
        Axis("log_uniform", (1e-4, 1e-2)),
    )
    assert axis_from_option("run.seed=grid:0,1,2")[1] == Axis("grid", (0, 1, 2))
    assert axis_from_option("algo.policy_hidden=choice:[[64,64],[32]]")[1] == Axis(
        "choice", ([64, 64], [32])
    )
    assert axis_from_option("algo.activation=choice:tanh,relu")[1].values == ("tanh", "relu")


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        ("normal", [0, 1], "an axis kind"),
        ("uniform", [1.0, 0.5], "low < high"),
        ("log_uniform", [0.0, 1.0], "bounds > 0"),
        ("choice", [], "at least one value"),
    ],
)
def test_malformed_axes_are_refused_naming_the_field(
    kind: str, values: list[object], expected: str
) -> None:
    with pytest.raises(UserError, match=expected) as err:
        make_axis("algo.x", kind, values)
    assert "space algo.x" in str(err.value)


def test_a_yaml_file_gives_numbers_even_where_yaml_keeps_1e_4_a_string(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "algo: ppo\nenv: TargetRegime-v0\nfixed: {algo.gamma: 0.5}\n"
        "space:\n  algo.learning-rate: {log_uniform: [1e-4, 1e-2]}\n"
    )
    spec, name = spec_of(spec=str(path))
    assert name == "s"
    assert spec.space == {"algo.learning_rate": Axis("log_uniform", (1e-4, 1e-2))}
    assert (spec.searcher, spec.scheduler, spec.metric, spec.mode) == (
        "optuna",
        "asha",
        "eval/mean_reward",
        "max",
    )
    # ten evaluations per trial unless the sweep fixes run.eval_freq: ASHA decides at them
    assert spec.fixed == {"algo.gamma": 0.5, "run.eval_freq": 5_000}


def test_options_override_the_file_and_a_grid_only_space_is_a_grid_search(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"algo": "ppo", "env": "TargetRegime-v0", "num_samples": 4}')
    spec, _ = spec_of(spec=str(path), space=("run.seed=grid:0,1",), num_samples=2)
    assert (spec.searcher, spec.num_samples, spec.grid_size) == ("grid", 2, 2)


def test_an_env_with_a_reported_cost_is_searched_on_it_downwards() -> None:
    spec, _ = spec_of(
        algo="ppo", env="JointReplenishment-v0", space=("algo.learning_rate=uniform:1e-4,1e-3",)
    )
    assert (spec.metric, spec.mode) == ("eval/reported_metric", "min")


def test_a_trial_document_sets_the_drawn_values_and_rounds_integer_fields() -> None:
    spec, _ = spec_of(algo="ppo", env="TargetRegime-v0", space=("algo.n_steps=uniform:16,64",))
    base = base_document(spec)
    doc = trial_document(base, {"algo.n_steps": 31.6, "algo.learning_rate": 1e-3})
    assert doc["algo"]["n_steps"] == 32 and doc["algo"]["learning_rate"] == 1e-3
    assert base["algo"]["n_steps"] != 32  # the base is not changed
    assert (base["run"]["progress_bar"], base["run"]["verbose"]) == (False, 0)


def test_an_unreadable_file_names_what_it_expected(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("algo: ppo\nsearch: {}\n")
    with pytest.raises(UserError, match="only the keys"):
        read_spec_file(path)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--space", "algo.lr=uniform:1e-4,1e-3"], "did you mean algo.learning_rate"),
        (["--space", "algo.gamma=uniform:0.5,2"], "--algo.gamma: got 2.0; expected in [0, 1]"),
        (["--space", "algo.gamma=uniform:0.5,0.9", "--searcher", "grid"], "grid axes only"),
        (["--space", "algo.gamma=uniform:0.5,0.9", "--metric", "x"], "eval/mean_reward"),
        (["--fixed", "run.run_root=x", "--space", "run.seed=grid:0"], "does not set itself"),
        (["--fixed", "algo.gamma", "--space", "run.seed=grid:0"], "FIELD=VALUE"),
        ([], "at least one axis"),
        (["--space", "run.seed=grid:0", "--num-samples", "-3"], "--num-samples: got -3"),
        (["--max-concurency", "2"], "did you mean --max-concurrent?"),
    ],
)
def test_user_errors_exit_2_with_one_line(
    options: list[str], expected: str, run_cli: CliRunner
) -> None:
    code, out = run_cli(["sweep", *TARGET, *options])
    assert code == 2, out
    assert expected in out and out.count("\n") == 1 and "Traceback" not in out


def test_an_unknown_algorithm_lists_the_registered_ones(run_cli: CliRunner) -> None:
    code, out = run_cli(["sweep", "--algo", "pop", "--env", "TargetRegime-v0"])
    assert code == 2 and "--algo: got 'pop'" in out and "ppo" in out


def test_without_the_tune_extra_sweep_says_how_to_install_it(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hybrid_toolkit.utils import optional_deps

    monkeypatch.setattr(optional_deps, "is_installed", lambda module: not module.startswith("ray"))
    code, out = run_cli(["sweep", *TARGET, "--space", "run.seed=grid:0,1"])
    assert code == 2, out
    assert "pip install 'hybrid-toolkit[tune]'" in out and out.count("\n") == 1


@pytest.mark.parametrize("name", ["sweep-ppo-target.yaml", "sweep-tutorial.yaml"])
def test_the_sweep_files_of_the_docs_are_valid(name: str) -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / name
    spec, _ = spec_of(spec=str(path))
    assert spec.space and spec.num_samples * spec.grid_size in (4, 16)


def test_under_optuna_grid_axes_are_repeats_of_each_proposal() -> None:
    options = ("algo.learning_rate=log_uniform:1e-4,1e-2", "run.seed=grid:0,1,2")
    spec, _ = spec_of(algo="ppo", env="TargetRegime-v0", space=options)
    assert spec.searcher == "optuna" and spec.searched_by_repeats and spec.grid_size == 3
    config = {"algo.learning_rate": 1e-3, GRID_INDEX: 2}
    assert spec.trial_values(config) == {"algo.learning_rate": 1e-3, "run.seed": 2}

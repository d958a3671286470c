"""What ``train`` and ``eval`` print: how many progress tables, and the final result in the
env's own terms (optimum, reported metric, reference policy and gap)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CliRunner

import hybrid_toolkit as ht
from hybrid_toolkit.cli.result import result_lines
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy
from hybrid_toolkit.envs.references import reference_policy_for

QUIET = ["--run.no-progress-bar", "--run.eval-episodes", "4"]


def tables(out: str) -> int:
    """Number of stdout progress tables (each has one ``iterations`` row)."""
    return sum(1 for line in out.splitlines() if re.match(r"\|\s+iterations\s+\|", line))


def train(run_cli: CliRunner, root: Path, algo: str, env: str, *extra: str) -> str:
    code, out = run_cli(["train", algo, env, "--run.run-root", str(root), *QUIET, *extra])
    assert code == 0, out
    return out


def test_log_interval_sets_the_number_of_tables(tmp_path: Path, run_cli: CliRunner) -> None:
    # PPO on TargetRegime-v0 collects 1024 steps an iteration: 8 iterations.
    budget = ["--run.total-timesteps", str(8 * 1024)]
    assert tables(train(run_cli, tmp_path, "ppo", "TargetRegime-v0", *budget)) == 8
    out = train(run_cli, tmp_path, "ppo", "TargetRegime-v0", *budget, "--run.log-interval", "3")
    assert tables(out) == 3  # iterations 3, 6 and the last


def test_default_keeps_an_off_policy_run_to_about_a_hundred_tables(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    # DNC steps 4 scenarios per iteration by default: 6,000 steps are 1,500 iterations.
    args = [
        "--run.total-timesteps",
        "6000",
        "--algo.actor-hidden",
        "8",
        "--algo.critic-hidden",
        "8",
    ]
    out = train(run_cli, tmp_path, "dnc", "TargetRegime-v0", *args)
    assert 50 <= tables(out) <= 101


def test_train_prints_the_optimum_and_the_gap(tmp_path: Path, run_cli: CliRunner) -> None:
    out = train(
        run_cli,
        tmp_path,
        "ppo",
        "TargetRegime-v0",
        "--run.total-timesteps",
        "64",
        "--run.verbose",
        "0",
        "--env.horizon",
        "8",
    )
    mean = float(out.split("mean return ")[1].split(" ")[0])
    gap = float(re.search(r"optimum return 8\.0000, gap (-?[\d.]+)%", out).group(1))  # type: ignore[union-attr]
    assert gap == pytest.approx(100 * (8 - mean) / 8, abs=0.05)


def test_train_and_eval_print_the_reported_metric_beside_the_reference(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    out = train(
        run_cli,
        tmp_path,
        "ppo",
        "JointReplenishment-v0",
        "--run.total-timesteps",
        "64",
        "--run.verbose",
        "0",
    )
    pattern = (
        r"cost per period per item ([\d.e+]+) over 4 scenarios; tuned joint \(s, S\) "
        r"([\d.e+]+) on the same scenarios, gap ([+-][\d.]+)%"
    )
    found = re.search(pattern, out)
    assert found, out
    value, reference, gap = (float(x) for x in found.groups())
    assert 0 < reference < value  # an untrained policy costs more than the tuned heuristic
    assert gap == pytest.approx(100 * (value - reference) / reference, rel=1e-2)
    (run_dir,) = tmp_path.iterdir()
    code, out = run_cli(["eval", str(run_dir / "model.zip"), "--episodes", "4", "--num-envs", "4"])
    assert code == 0, out
    assert "ppo on JointReplenishment-v0: mean return" in out
    assert re.search(pattern, out), out


def test_the_reference_policy_itself_has_no_gap() -> None:
    env = ht.make("SwitchedLQR-v0", num_envs=4)
    _, policy = env.reference_policy()  # type: ignore[attr-defined]
    rows = dict(result_lines(lambda _obs: policy(env), env, episodes=4, seed=3))
    assert rows["cost per step per state coordinate"].endswith("gap +0.0%")


def test_an_env_without_yardsticks_prints_the_return_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As for a user's own env: no optimum, no reported metric, no family reference.
    monkeypatch.setattr("hybrid_toolkit.cli.result.reference_policy_for", lambda _env: None)
    env = ht.make("HardMove-v0", num_envs=4)
    rows = result_lines(UniformRandomPolicy(env), env, episodes=4, seed=0)
    assert [label for label, _ in rows] == ["mean return"]


@pytest.mark.parametrize(
    ("env_id", "label"),
    [
        ("Maze-v0", "shortest-path policy"),
        ("JobShop-v0", "balanced-load policy"),
        ("OrderUpToReplenishment-v0", "(s, S) policy"),
        ("Recommender-v0", "greedy recommender"),
        ("RecommenderPricing-v0", "greedy recommender with markups"),
        ("HardMove-v0", "greedy policy"),
    ],
)
def test_the_family_reference_is_printed_with_the_gap(env_id: str, label: str) -> None:
    env = ht.make(env_id, num_envs=4)
    rows = dict(result_lines(UniformRandomPolicy(env, seed=0), env, episodes=4, seed=0))
    found = re.fullmatch(
        re.escape(label) + r": return (-?[\d.]+) on the same episodes, gap ([+-][\d.]+)%",
        rows["reference"],
    )
    assert found, rows
    mean = float(rows["mean return"].split(" ")[0])
    reference, gap = (float(x) for x in found.groups())
    assert gap == pytest.approx(100 * (reference - mean) / abs(reference), abs=0.06)
    assert reference > mean  # the scripted policy beats the random one on every family


def test_the_family_reference_itself_has_no_gap() -> None:
    env = ht.make("Maze-v0", num_envs=4)
    reference = reference_policy_for(env)
    assert reference is not None
    rows = dict(result_lines(reference.policy, env, episodes=4, seed=3))
    assert rows["reference"].endswith("gap +0.0%")


@pytest.mark.slow
@pytest.mark.parametrize("env_id", ["Platform-v0", "Goal-v0", "HardGoal-v0"])
def test_the_classic_planners_are_found(env_id: str) -> None:
    env = ht.make(env_id, num_envs=2)
    rows = dict(result_lines(UniformRandomPolicy(env, seed=0), env, episodes=2, seed=0))
    assert "planner" in rows["reference"]

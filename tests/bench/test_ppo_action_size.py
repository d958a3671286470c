"""The ppo-action-size bench suite: options, ratios and a tiny run on two Hard Move sizes."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from conftest import CliRunner

from hybrid_toolkit.bench import ppo_runners
from hybrid_toolkit.bench.ppo_runners import Measurement
from hybrid_toolkit.bench.report import environment
from hybrid_toolkit.bench.speed.ppo_action_size import (
    PPOActionSizeOptions,
    markdown,
    summarize,
)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("actuators", (4, 13), "actuators must lie in 1..12"),
        ("actuators", (0,), "actuators must lie in 1..12"),
        ("runners", ("ours", "sb3"), "runners must be a non-empty subset"),
        ("runners", (), "runners must be a non-empty subset"),
        ("num_envs", 0, "num_envs must be >= 1, got 0"),
        ("repeats", -1, "repeats must be >= 1"),
        ("hidden", (), "hidden must be layer sizes"),
    ],
)
def test_bad_options_are_refused_with_the_field_and_value(field, value, match) -> None:
    with pytest.raises(ValueError, match=match):
        PPOActionSizeOptions(**{field: value})


def test_modes_fill_the_sizes_and_budgets_left_unset() -> None:
    full = PPOActionSizeOptions(mode="full").effective()
    assert full.actuators == (4, 6, 8, 10) and full.repeats == 3 and full.n_steps == 32
    mine = PPOActionSizeOptions(mode="full", actuators=(5,), repeats=2).effective()
    assert mine.actuators == (5,) and mine.repeats == 2 and mine.iterations == 4


def _fake(runner: str, seed: int, seconds: float) -> Measurement:
    return Measurement(runner, 64, seed, 1000, seconds, 0.25 * seconds, 0.75 * seconds)


def test_the_table_gives_medians_and_ours_over_sb3_per_size() -> None:
    measured = [
        (n, _fake(runner, seed, seconds))
        for n, ours, sb3 in ((4, (0.1, 0.2, 0.4), (0.2, 0.2, 0.2)), (10, (1.0,) * 3, (2.0,) * 3))
        for runner, times in (("ours", ours), ("sb3-batched", sb3))
        for seed, seconds in enumerate(times)
    ]
    rows = summarize(measured)
    assert [(r["actuators"], r["choices"], r["runner"]) for r in rows] == [
        (4, 16, "ours"),
        (4, 16, "sb3-batched"),
        (10, 1024, "ours"),
        (10, 1024, "sb3-batched"),
    ]
    assert rows[0]["median_steps_per_second"] == statistics.median([10_000, 5000, 2500])
    assert rows[0]["update_fraction"] == pytest.approx(0.75)
    opts = PPOActionSizeOptions(mode="full").effective()
    table = markdown(opts, rows, environment("cpu"))
    assert "| 4 | 16 | 5,000 | 5,000 | 1.00× | 75% | 75% |" in table
    assert "| 10 | 1,024 | 1,000 | 500 | 2.00× | 75% | 75% |" in table


def test_a_tiny_run_trains_every_size_and_runner_and_writes_its_results(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    args = ["bench", "ppo-action-size", "--mode", "smoke", "--actuators", "2", "3"]
    code, out = run_cli([*args, "--out-dir", str(tmp_path)])
    assert code == 0, out
    data = json.loads((tmp_path / "ppo-action-size.json").read_text())
    assert sorted((m["actuators"], m["runner"]) for m in data["measurements"]) == [
        (2, "ours"),
        (2, "sb3-batched"),
        (3, "ours"),
        (3, "sb3-batched"),
    ]
    # every timed run trained one rollout of n_steps × B on its own size
    assert {m["timesteps"] for m in data["measurements"]} == {2 * 64}
    assert {r["choices"] for r in data["results"]} == {4, 8}
    table = (tmp_path / "ppo-action-size.md").read_text()
    assert "| 3 | 8 |" in table and "ours / sb3-batched" in table
    assert (tmp_path / "ppo-action-size.png").stat().st_size > 0


@pytest.mark.parametrize("runner", ["ours", "sb3-batched", "sb3-dummyvecenv"])
def test_every_runner_builds_the_size_it_is_given(runner: str) -> None:
    opts = PPOActionSizeOptions(mode="smoke").effective()
    if runner == "ours":
        model, _ = ppo_runners._ours(opts, 2, 0, {"n_actuators": 3})
        assert model.env.action_space.nvec.tolist() == [8]
    else:
        model, _ = ppo_runners._sb3(opts, runner, 4, 0, {"n_actuators": 3})
        # the flat Box: one rounded coordinate for the choice, then the 8 parameters
        assert model.env.action_space.shape == (9,)

"""DGRL with longer budgets (slow); the short-budget cases are in test_learning.py."""

from __future__ import annotations

from typing import Any

import pytest
from proto_checks import BANDIT

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy

# A small maze: 2 slots x 5 actuators (do-nothing + 4 directions, |A| = 25), no walls; trained
# from random starts with the "maze" preset, evaluated from the fixed start below the goal.
SMALL_MAZE: dict[str, Any] = {"n_slots": 2, "n_actuators": 5, "layout": "open"}


def target_fraction(env_id: str, steps: int, seed: int) -> float:
    model = ht.DGRL(env_id, seed=seed, **BANDIT).learn(steps)
    env = ht.make(env_id, num_envs=32)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, 64, seed=123)
    return result.mean_reward / env.optimal_return


def maze_solved_fraction(overrides: dict[str, Any], steps: int, seed: int) -> float:
    model = ht.DGRL(ht.make("Maze-v0", num_envs=16, **overrides), "maze", seed=seed, verbose=0)
    model.learn(steps)
    env = ht.make("Maze-v0", num_envs=16, start="eval", **overrides)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, 16, seed=7)
    return sum(r > 0 for r in result.episode_rewards) / len(result.episode_rewards)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("env_id", "steps"), [("TargetMultiDiscrete-v0", 8_000), ("TargetHybrid-v0", 12_000)]
)
def test_dgrl_reaches_the_target_optimum_across_seeds(env_id: str, steps: int, seed: int) -> None:
    fraction = target_fraction(env_id, steps, seed)
    assert fraction >= 0.93, f"{env_id} seed {seed}: DGRL reached {fraction:.3f} of the optimum"


@pytest.mark.slow
def test_dgrl_solves_the_walled_structured_maze() -> None:
    solved = maze_solved_fraction({}, 60_000, seed=0)
    assert solved >= 0.9, f"Maze-v0: the goal was reached in {solved:.0%} of the episodes"

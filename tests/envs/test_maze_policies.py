"""Maze reference policies: the shortest-path controller solves every layout, random does not."""

from __future__ import annotations

import math

import pytest
import torch

import hybrid_toolkit.envs.families.maze  # noqa: F401  (registers the maze ids)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.maze import (
    MazeEnv,
    MazeRandomPolicy,
    MazeShortestPathPolicy,
    maze_episode_returns,
)
from hybrid_toolkit.envs.families.maze.policies import geodesic_distance_field


def eval_maze(name: str, num_envs: int = 48) -> MazeEnv:
    env = make(name, num_envs=num_envs, start="eval")
    assert isinstance(env, MazeEnv)
    return env


def test_distance_field_goes_around_the_walls() -> None:
    env = eval_maze("Maze-v0", 1)
    field = geodesic_distance_field(env.geometry, resolution=100)
    assert float(field[27, 47]) == 0.0  # inside the goal
    # The shortest path from the evaluation start (0.25, 0.10) wraps the vertical wall's
    # corners (0.55, 0.25), (0.55, 0.75), (0.50, 0.75) and ends at the goal corner (0.30, 0.50):
    # 0.3354 + 0.5 + 0.05 + 0.3202 = 1.2056. Grid paths may be up to about 3 % longer.
    shortest = math.hypot(0.30, 0.15) + 0.5 + 0.05 + math.hypot(0.20, 0.25)
    assert shortest <= float(field[25, 10]) <= 1.035 * shortest


@pytest.mark.parametrize(
    ("name", "solved_at_least", "steps_at_most"),
    [
        ("Maze-v0", 9.0, 20),
        ("MazeIrregular-v0", 9.0, 20),
        ("MazeHybrid-v0", 9.0, 20),
        ("MazeDNC-v0", 99.0, 20),
        ("MazeTeleport-v0", 99.0, 20),
    ],
)
def test_shortest_path_policy_reaches_the_goal_from_the_eval_start(
    name: str, solved_at_least: float, steps_at_most: int
) -> None:
    env = eval_maze(name)
    returns = maze_episode_returns(env, MazeShortestPathPolicy(env), seed=0)
    # Goal reward minus the step costs: every episode solved within `steps_at_most` steps.
    assert float(returns.min()) >= env.config.goal_reward + steps_at_most * env.config.step_reward
    assert float(returns.mean()) >= solved_at_least


@pytest.mark.parametrize("name", ["Maze-v0", "MazeDNC-v0"])
def test_random_policy_never_solves_from_the_eval_start(name: str) -> None:
    env = eval_maze(name)
    returns = maze_episode_returns(env, MazeRandomPolicy(env, seed=0), seed=0)
    # The spec's reference simulation: a uniform random policy never reaches the goal.
    expected = env.config.max_steps * env.config.step_reward  # -5 (DGRL) / -7.5 (DNC)
    assert torch.allclose(returns, torch.full_like(returns, expected))


def test_policies_emit_valid_actions() -> None:
    env = make("MazeHybrid-v0", num_envs=32)
    assert isinstance(env, MazeEnv)
    obs = env.reset(seed=0)
    for policy in (MazeRandomPolicy(env), MazeShortestPathPolicy(env)):
        action = policy(obs)
        env.action_space.validate(action)
        assert action.batch_size == 32

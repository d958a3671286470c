"""Goal and Hard Goal: hand-worked kicks and shots, endings, reward scale, quirks, errors.

Hand-worked numbers use the published constants: the ball keeps 0.94 of its speed per frame,
so a ball kicked at speed ``v`` travels ``v / 0.06`` in total; a kick aimed at ``t`` from a
player at ``p`` gives the ball the velocity ``0.06 (t - p) - v_ball`` when that is within the
limits; the kick efficiency is ``1 - 0.25 |off-heading| / pi - 0.25 distance / 1.6``.
"""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.goal import GoalConfig, GoalEnv
from hybrid_toolkit.envs.families.goal import physics as ph
from hybrid_toolkit.envs.families.goal.env import GOAL_REWARD
from hybrid_toolkit.envs.families.goal.policies import GoalPlannerPolicy
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy, first_episode_outcomes
from hybrid_toolkit.spaces import HybridAction


def quiet_goal(name: str = "Goal-v0", num_envs: int = 1, **overrides: object) -> GoalEnv:
    env = make(name, num_envs=num_envs, noise_scale=0.0, **overrides)
    assert isinstance(env, GoalEnv)
    env.reset(seed=0)
    return env


def place(env: GoalEnv, player: tuple, ball: tuple, keeper: tuple, angle: float = 0.0) -> None:
    """Put the three bodies at rest at the given positions (player heading ``angle``)."""
    t = lambda xy: torch.tensor([xy], dtype=torch.float64)  # noqa: E731
    zero = torch.zeros(1, 2, dtype=torch.float64)
    env.state = ph.GoalState(
        t(player), zero, torch.tensor([angle], dtype=torch.float64),
        t(keeper), zero.clone(), torch.zeros(1, dtype=torch.float64),
        t(ball), zero.clone(),
    )  # fmt: skip


def kick_to(x: float, y: float, n_params: int = 4) -> HybridAction:
    continuous = torch.zeros(1, n_params)
    continuous[0, :2] = torch.tensor([x, y])
    return HybridAction(torch.tensor([[0]]), continuous)


def shoot(y: float, choice: int = 1, n_params: int = 4) -> HybridAction:
    continuous = torch.zeros(1, n_params)
    continuous[0, choice + 1] = y
    return HybridAction(torch.tensor([[choice]]), continuous)


def test_start_puts_the_ball_in_reach_towards_the_goal_and_the_keeper_in_front() -> None:
    env = make("Goal-v0", num_envs=64)
    assert isinstance(env, GoalEnv)
    env.reset(seed=1)
    s = env.state
    assert torch.equal(s.player[:, 0], torch.zeros(64, dtype=torch.float64))
    assert bool((s.player[:, 1].abs() <= 15).all())
    gap = s.ball - s.player
    torch.testing.assert_close(gap.norm(dim=1), torch.full((64,), ph.KICKABLE, dtype=torch.float64))
    assert bool(ph.can_kick(s).all())
    # The ball points at the goal centre; the keeper stands on that line at x = 14.5.
    to_goal = torch.tensor([20.0, 0.0], dtype=torch.float64) - s.player
    torch.testing.assert_close(
        torch.atan2(gap[:, 1], gap[:, 0]), torch.atan2(to_goal[:, 1], to_goal[:, 0])
    )
    assert torch.equal(s.keeper[:, 0], torch.full((64,), 14.5, dtype=torch.float64))
    line_y = s.ball[:, 1] * (20.0 - 14.5) / (20.0 - s.ball[:, 0])
    torch.testing.assert_close(s.keeper[:, 1], line_y)


def test_a_shot_from_close_range_scores_after_the_hand_computed_frames() -> None:
    env = quiet_goal()
    place(env, player=(15.0, 0.0), ball=(16.5, 0.0), keeper=(2.0, 14.0))
    step = env.step(shoot(0.0))
    # Kick: efficiency 1 - 0.25 * 1.5 / 1.6; the ball gets 0.06 * (20.4 - 15) = 0.324 and is at
    # 16.5 + 5.4 (1 - 0.94^n) after n frames: past the line (x >= 20) at n = 17.
    frames = next(n for n in range(1, 100) if 16.5 + 5.4 * (1 - 0.94**n) >= 20.0)
    assert frames == 17 and int(step.info["frames"]) == frames
    assert float(step.reward) == GOAL_REWARD
    assert bool(step.terminated) and bool(step.info["success"])
    ball_x = float(step.info["final_obs"][0, 10] + 1) / 2 * 20.0
    assert ball_x == pytest.approx(16.5 + 5.4 * (1 - 0.94**frames), abs=1e-5)


@pytest.mark.parametrize(
    ("mode", "expected_target"), [("reference", (10.0, 10.0)), ("xy", (10.0, 4.0))]
)
def test_kick_to_aims_at_x_x_in_the_reference_and_at_x_y_otherwise(
    mode: str, expected_target: tuple
) -> None:
    env = quiet_goal(kick_to_target=mode)
    place(env, player=(5.0, -3.0), ball=(6.5, -3.0), keeper=(19.0, -14.0))
    target, shot = env.targets(kick_to(10.0, 4.0))
    assert not bool(shot)
    torch.testing.assert_close(target, torch.tensor([expected_target], dtype=torch.float64))
    # One frame of the kick: the ball gets exactly 0.06 * (target - player).
    after = ph.player_acts(env.state, target, torch.zeros(1, 6, dtype=torch.float64))
    wanted = 0.06 * (torch.tensor([expected_target], dtype=torch.float64) - env.state.player)
    torch.testing.assert_close(after.ball_v, wanted)
    # The macro step ends with the ball at rest within the player's reach.
    step = env.step(kick_to(10.0, 4.0))
    assert not bool(step.terminated) and float(step.reward) == 0.0
    assert bool(ph.can_kick(env.state)) and float(env.state.ball_v.norm()) <= 0.1


def test_the_keeper_catches_a_shot_through_its_reach() -> None:
    env = quiet_goal()
    place(env, player=(15.0, 0.0), ball=(16.5, 0.0), keeper=(18.5, 0.5))
    target, shot = env.targets(shoot(0.0))
    # simulate() returns the final state (step() would already have reset the scenario).
    end, reward, terminal, _ = env.simulate(env.state, target, shot, None)
    assert bool(terminal) and float(reward) != GOAL_REWARD
    assert float((end.keeper - end.ball).norm()) < ph.CATCHABLE and bool(ph.in_field(end.ball))
    assert float(reward) == pytest.approx(-float(ph.goal_distance(end.ball, False)))
    step = env.step(shoot(0.0))
    assert bool(step.terminated) and not bool(step.info["success"])
    assert float(step.reward) == pytest.approx(float(reward), abs=1e-5)


def test_a_kick_out_of_the_field_ends_with_the_distance_penalty() -> None:
    env = quiet_goal()
    place(env, player=(5.0, 10.0), ball=(6.5, 10.0), keeper=(19.0, -14.0))
    target, shot = env.targets(kick_to(40.0, 0.0))  # reference mode: aims at (40, 40)
    end, reward, terminal, _ = env.simulate(env.state, target, shot, None)
    assert bool(terminal) and not bool(ph.in_field(end.ball))
    assert float(reward) == pytest.approx(-float(ph.goal_distance(end.ball, False)))
    assert float(reward) < 0


def test_the_last_step_ends_the_episode_without_simulating() -> None:
    env = quiet_goal(max_steps=5)
    before = env.state.clone()
    env.elapsed[:] = 4
    step = env.step(shoot(0.0))
    assert bool(step.terminated) and not bool(step.info["success"])
    assert int(step.info["frames"]) == 0
    torch.testing.assert_close(step.info["final_obs"], env.observe(before))
    expected = -float(ph.goal_distance(before.ball, False))
    assert float(step.reward) == pytest.approx(expected, abs=1e-5)


def test_goal_distance_penalty_and_its_reference_sign_slip() -> None:
    balls = torch.tensor([[10.0, 0.0], [18.0, 10.0], [21.0, -9.0], [21.0, 9.0], [21.0, 3.0]])
    reference = ph.goal_distance(balls.double(), symmetric=False)
    symmetric = ph.goal_distance(balls.double(), symmetric=True)
    post = math.hypot(2.0, 10.0 - 7.01)
    torch.testing.assert_close(reference, torch.tensor([10.0, post, 16.01, 1.99, 0.0]).double())
    torch.testing.assert_close(symmetric, torch.tensor([10.0, post, 1.99, 1.99, 0.0]).double())


def test_hard_goal_splits_each_shot_into_five_parts_of_the_mouth() -> None:
    env = quiet_goal("HardGoal-v0")
    space = env.action_space
    assert space.nvec.tolist() == [11] and space.n_continuous == 12
    low, high = space.low.tolist(), space.high.tolist()
    edges = [-7.01, -4.206, -1.402, 1.402, 4.206, 7.01]
    for side in range(2):
        for part in range(5):
            j = 2 + 5 * side + part
            if part == 2:  # HyAR's table entry [0.2, 0.2]: a single point
                assert low[j] == high[j] == pytest.approx(1.402)
            else:
                assert (low[j], high[j]) == pytest.approx((edges[part], edges[part + 1]))
    even = GoalConfig(n_shoot_ranges=5).shoot_bounds()
    assert even[2] == pytest.approx((-1.402, 1.402))
    # A shot outside its part is rejected with the parameter named.
    with pytest.raises(ValueError, match=r"parameter 3 \('shoot_left1_y'.*is 0.0"):
        env.step(shoot(0.0, choice=2, n_params=12))
    step = env.step(shoot(-3.0, choice=2, n_params=12))
    target, _ = env.targets(shoot(-3.0, choice=2, n_params=12))
    assert float(target[0, 1]) == -3.0 and bool(step.terminated)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_shoot_ranges": 0}, "GoalConfig.n_shoot_ranges must be an integer >= 1, got 0"),
        ({"shoot_ranges": "reference"}, "needs n_shoot_ranges=5, got n_shoot_ranges=1"),
        ({"kick_to_target": "yx"}, "GoalConfig.kick_to_target must be one of"),
        ({"catch_probability": 1.5}, "GoalConfig.catch_probability must lie in"),
        ({"noise_scale": -0.1}, "GoalConfig.noise_scale must be a finite float >= 0"),
        ({"observation": "pixels"}, "GoalConfig.observation must be one of"),
    ],
)
def test_invalid_configs_raise_naming_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GoalConfig(**overrides)


def test_observations_are_scaled_and_within_the_declared_box() -> None:
    env = make("HardGoal-v0", num_envs=16, action_scale="unit")
    policy = UniformRandomPolicy(env, seed=0)
    obs = env.reset(seed=0)
    box = torch.tensor(env.observation_space.high)
    seen = [obs]
    for _ in range(4):
        step = env.step(policy(obs))
        obs = step.obs
        seen += [obs, step.info["final_obs"]]
    stacked = torch.cat(seen)
    assert bool((stacked.abs() <= box).all())
    # The half pitch maps to [-1, 1]: a player at the start is at x = 0, i.e. -1.
    assert bool((seen[0][:, 0] == -1.0).all())
    basic = make("Goal-v0", observation="basic")
    assert basic.observation_space.shape == (14,)


def test_planner_does_not_shoot_from_the_start_where_no_shot_beats_the_keeper() -> None:
    env = make("Goal-v0", num_envs=2)
    assert isinstance(env, GoalEnv)
    env.reset(seed=0)
    action = GoalPlannerPolicy(env, samples=0)(torch.zeros(2, 17))
    assert action.discrete.flatten().tolist() == [0, 0]


@pytest.mark.slow
def test_planner_scores_most_episodes_and_random_none() -> None:
    env = make("Goal-v0", num_envs=20)
    planner = first_episode_outcomes(env, GoalPlannerPolicy(env, samples=0), seed=0, max_steps=100)
    random = first_episode_outcomes(env, UniformRandomPolicy(env, seed=0), seed=0, max_steps=100)
    assert planner.success_rate >= 0.5
    assert random.success_rate == 0.0

"""Hard Move(n): hand-worked steps, both parameter conventions, endings, bounds, errors."""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.hard_move import HardMoveConfig, HardMoveEnv
from hybrid_toolkit.envs.families.hard_move.env import actuator_bits
from hybrid_toolkit.envs.families.hard_move.policies import (
    HardMoveGreedyPolicy,
    reachable_fraction,
)
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy, first_episode_outcomes
from hybrid_toolkit.spaces import HybridAction


def hard_move(num_envs: int = 1, **overrides: object) -> HardMoveEnv:
    env = make("HardMove-v0", num_envs=num_envs, **overrides)
    assert isinstance(env, HardMoveEnv)
    env.reset(seed=0)
    return env


def place(env: HardMoveEnv, position: tuple, landmark: tuple) -> None:
    env.position = torch.tensor([position], dtype=torch.float64)
    env.landmark = torch.tensor([landmark], dtype=torch.float64)
    env.velocity = torch.zeros(1, 2, dtype=torch.float64)


def per_choice(choice: int, magnitude: float, n: int = 4) -> HybridAction:
    continuous = torch.zeros(1, 2**n)
    continuous[0, choice] = magnitude
    return HybridAction(torch.tensor([[choice]]), continuous)


def test_actuator_bits_put_actuator_zero_on_the_most_significant_bit() -> None:
    bits = actuator_bits(3)
    assert bits[0b100].tolist() == [1.0, 0.0, 0.0]
    assert bits[0b011].tolist() == [0.0, 1.0, 1.0]
    assert bits.sum(dim=1).tolist() == [bin(k).count("1") for k in range(8)]


def test_a_step_with_two_actuators_matches_the_hand_computation() -> None:
    env = hard_move()
    place(env, (0.0, 0.0), (1.0, 1.0))
    # n = 4: actuators at 0, 90, 180, 270 degrees; the largest subset sum is (1, 1), norm sqrt 2.
    # Choice 0b1100 switches on actuators 0 and 1: (1, 1) / sqrt 2; magnitude 1 and force
    # scale 2 give F = (sqrt 2, sqrt 2).
    step = env.step(per_choice(0b1100, 1.0))
    force = 2.0 / math.sqrt(2)  # per component
    velocity = 0.1 * force  # (1 - damping) * 0 + F dt
    torch.testing.assert_close(env.velocity, torch.full((1, 2), velocity, dtype=torch.float64))
    torch.testing.assert_close(
        env.position, torch.full((1, 2), 0.1 * velocity, dtype=torch.float64)
    )
    distance2 = 2 * (1.0 - 0.1 * velocity) ** 2
    assert float(step.reward) == pytest.approx(-distance2, rel=1e-6)
    torch.testing.assert_close(
        step.obs, torch.tensor([[velocity, velocity, 1 - 0.01 * force, 1 - 0.01 * force]])
    )
    # A second step keeps 75 % of the velocity.
    env.step(per_choice(0b1100, 1.0))
    torch.testing.assert_close(
        env.velocity, torch.full((1, 2), 0.75 * velocity + 0.1 * force, dtype=torch.float64)
    )


def test_a_negative_magnitude_reverses_and_a_single_actuator_is_weaker() -> None:
    env = hard_move()
    single = env.force(per_choice(0b1000, 1.0))  # actuator 0 alone: (1, 0) / sqrt 2
    torch.testing.assert_close(single, torch.tensor([[2 / math.sqrt(2), 0.0]], dtype=torch.float64))
    reverse = env.force(per_choice(0b1000, -0.5))
    torch.testing.assert_close(reverse, -0.5 * single)


def test_per_actuator_and_factored_conventions_agree() -> None:
    joint = hard_move(parameters="per_actuator")
    factored = hard_move(parameters="per_actuator", discrete="factored")
    assert joint.action_space.nvec.tolist() == [16] and joint.action_space.n_continuous == 4
    assert factored.action_space.nvec.tolist() == [2, 2, 2, 2]
    magnitudes = torch.tensor([[0.3, -1.0, 0.7, 0.2]])
    for choice in range(16):
        bits = actuator_bits(4)[choice].long().unsqueeze(0)
        a = joint.force(HybridAction(torch.tensor([[choice]]), magnitudes))
        b = factored.force(HybridAction(bits, magnitudes))
        torch.testing.assert_close(a, b)
        # Only the switched-on actuators' magnitudes count.
        active = joint.action_space.active_mask(torch.tensor([[choice]]))
        assert active.flatten().tolist() == [bool(v) for v in bits.flatten().tolist()]
    # Signed magnitudes reach the full force 2 along a diagonal, like per_choice.
    full = joint.force(HybridAction(torch.tensor([[15]]), torch.tensor([[1.0, 1.0, -1.0, -1.0]])))
    assert float(full.norm()) == pytest.approx(2.0)


def test_entering_the_target_pays_the_bonus_succeeds_and_ends_the_episode() -> None:
    env = hard_move()
    place(env, (0.0, 0.0), (0.2, 0.0))
    step = env.step(per_choice(0b1000, 1.0))  # moves 0.01 * sqrt 2 along +x
    distance = 0.2 - 0.01 * math.sqrt(2)
    assert float(step.reward) == pytest.approx(20.0 - distance**2, rel=1e-6)
    assert bool(step.terminated) and bool(step.info["success"])


def test_an_unreached_target_is_truncated_after_thirty_steps() -> None:
    env = hard_move()
    place(env, (0.0, 0.0), (1.0, 0.0))
    steps = [env.step(per_choice(0, 0.0)) for _ in range(30)]
    assert [bool(s.truncated) for s in steps] == [False] * 29 + [True]
    assert not any(bool(s.terminated) or bool(s.info["success"]) for s in steps)
    assert float(steps[-1].info["episode_return"]) == pytest.approx(-30.0)


def test_observations_stay_inside_bounds_derived_from_the_horizon() -> None:
    env = hard_move(256, n_actuators=6)
    box = torch.tensor(env.observation_space.high)
    cfg = env.config
    assert box.tolist() == pytest.approx([0.8, 0.8, 2 + 30 * 0.8 * 0.1, 2 + 30 * 0.8 * 0.1])
    # Push every scenario one way at full force: the speed approaches the bound from below.
    direction = torch.full((256, 1), cfg.n_choices - 1)
    magnitudes = torch.tensor([[1.0, 1.0, 1.0, -1.0, -1.0, -1.0]]).expand(256, -1)
    action = HybridAction(direction, magnitudes)
    env = hard_move(256, n_actuators=6, parameters="per_actuator")
    obs = env.reset(seed=1)
    worst = obs.abs().max(dim=0).values
    speed = 0.0
    for _ in range(30):
        final = env.step(action).info["final_obs"]
        worst = torch.maximum(worst, final.abs().max(dim=0).values)
        speed = max(speed, float(final[:, :2].norm(dim=1).max()))
    assert bool((worst <= box).all())
    assert 0.79 < speed <= cfg.max_speed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_actuators": 1}, r"n_actuators must be an integer in \[2, 16\], got 1"),
        ({"n_actuators": 13}, r"must be <= 12 with parameters='per_choice'"),
        ({"discrete": "factored"}, "needs parameters='per_actuator'"),
        ({"parameters": "shared"}, "HardMoveConfig.parameters must be one of"),
        ({"damping": 0.0}, r"HardMoveConfig.damping must lie in \(0, 1\]"),
        ({"target_radius": -0.2}, "HardMoveConfig.target_radius must be a finite float > 0"),
        ({"max_steps": 0}, "HardMoveConfig.max_steps must be an integer >= 1"),
    ],
)
def test_invalid_configs_raise_naming_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HardMoveConfig(**overrides)


def test_invalid_actions_raise_naming_the_choice_or_parameter() -> None:
    env = hard_move()
    with pytest.raises(
        ValueError, match=r"discrete\[0, 0\].*is 16; expected an integer in \[0, 15\]"
    ):
        env.step(HybridAction(torch.tensor([[16]]), torch.zeros(1, 16)))
    with pytest.raises(
        ValueError, match=r"continuous\[0, 5\].*is 1.5; expected a value in \[-1.0, 1.0\]"
    ):
        env.step(per_choice(5, 1.5))


@pytest.mark.parametrize("n", [4, 8])
def test_greedy_policy_nearly_reaches_the_bound_and_random_rarely_succeeds(n: int) -> None:
    env = hard_move(500, n_actuators=n)
    greedy = first_episode_outcomes(env, HardMoveGreedyPolicy(env), seed=0, max_steps=30)
    random = first_episode_outcomes(env, UniformRandomPolicy(env, seed=0), seed=0, max_steps=30)
    bound = reachable_fraction(env, seed=0)
    assert bound - 0.03 <= greedy.success_rate <= bound
    assert random.success_rate < 0.1
    assert greedy.mean_return > random.mean_return + 30

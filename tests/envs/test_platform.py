"""Platform: dynamics against hand-worked macro steps, endings, reward scale, errors, policies.

Hand-worked numbers use the published constants: a frame is 0.05 s, running adds at most
``30`` to the speed per frame (capped at 70 on the ground), speed decays by 0.99 per frame,
gravity takes 0.49 off the vertical speed per frame, a hop takes off at 35 and a leap at 25.
"""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.platform import PlatformConfig, PlatformEnv
from hybrid_toolkit.envs.families.platform import physics as ph
from hybrid_toolkit.envs.families.platform.policies import PlatformRolloutPolicy
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy, first_episode_outcomes
from hybrid_toolkit.spaces import HybridAction


def quiet_env(num_envs: int = 1, **overrides: object) -> PlatformEnv:
    env = make("Platform-v0", num_envs=num_envs, noise_scale=0.0, **overrides)
    assert isinstance(env, PlatformEnv)
    env.reset(seed=0)
    return env


def act(choice: int, param: float, batch: int = 1) -> HybridAction:
    continuous = torch.zeros(batch, 3)
    continuous[:, choice] = param
    return HybridAction(torch.full((batch, 1), choice), continuous)


def flight_frames(dy0: float) -> int:
    """Frames until the player is below the platform top again.

    ``y_n = 40 + dt (dy0 n - g dt n (n - 1) / 2)``.
    """
    n = 1
    while dy0 * n - 0.5 * ph.GRAVITY * ph.DT * n * (n - 1) >= 0:
        n += 1
    return n


def test_initial_observation_is_the_reference_feature_vector() -> None:
    obs = quiet_env().observe(ph.PlatformState.initial(1, torch.device("cpu")))
    # player (0 + 20) / 1055, speed 0, enemy 230 / 1035, enemy speed (-30 + 30) / 60,
    # platform widths 250 / 275 and 275 / 275, gap 225 / 235, platform x 0, height 0.
    expected = torch.tensor([[20 / 1055, 0.0, 230 / 1035, 0.0, 250 / 275, 1.0, 225 / 235, 0, 0]])
    torch.testing.assert_close(obs, expected)


def test_run_from_rest_matches_the_hand_computation() -> None:
    env = quiet_env()
    step = env.step(act(ph.RUN, 30.0))
    # Frame 1: v = 30 -> x += 1.5; frame 2: v = 0.99*30 + 30 = 59.7 -> x += 2.985; from frame 3
    # the ground cap holds v at 70 (x += 3.5) and the decay leaves 69.3.
    assert float(env.state.x) == pytest.approx(1.5 + 2.985 + 18 * 3.5)
    assert float(env.state.vx) == pytest.approx(69.3)
    assert float(env.state.y) == ph.PLATFORM_HEIGHT
    assert int(step.info["frames"]) == ph.RUN_FRAMES
    assert float(step.reward) == pytest.approx(67.485 / ph.TOTAL_WIDTH, rel=1e-6)
    assert not bool(step.terminated) and not bool(step.truncated)


def test_hop_at_full_speed_lands_on_the_second_platform() -> None:
    env = quiet_env()
    env.state.x[:] = 220.0
    env.state.vx[:] = 69.3
    env.state.enemy_x[:, 0] = 0.0  # out of the way
    step = env.step(act(ph.HOP, 720.0))
    # Take-off: the hop asks for 720 / (2*35/9.8 + 1) = 88.4, gains at most 30, the ground cap
    # leaves 70; then 144 frames of flight at 70 * 0.99^k.
    frames = flight_frames(ph.HOP_DY)
    assert frames == 144 and int(step.info["frames"]) == frames
    distance = 70 * ph.DT * (1 - 0.99**frames) / (1 - 0.99)
    assert float(env.state.x) == pytest.approx(220.0 + distance)
    assert ph.PLATFORM_X[1] < float(env.state.x) < ph.PLATFORM_X[1] + ph.PLATFORM_WIDTH[1]
    # Landing puts the player on top and stops it.
    assert float(env.state.y) == ph.PLATFORM_HEIGHT
    assert float(env.state.vx) == 0.0 and float(env.state.vy) == 0.0
    assert float(step.reward) == pytest.approx(distance / ph.TOTAL_WIDTH, rel=1e-6)
    assert not bool(step.terminated)


def test_leap_short_of_the_gap_falls_and_ends_the_episode() -> None:
    env = quiet_env()
    env.state.x[:] = 200.0
    env.state.vx[:] = 69.3
    env.state.enemy_x[:, 0] = 0.0
    step = env.step(act(ph.LEAP, 430.0))
    frames = flight_frames(ph.LEAP_DY)
    assert frames == 104 and int(step.info["frames"]) == frames
    fell_at = 200.0 + 70 * ph.DT * (1 - 0.99**frames) / (1 - 0.99)
    assert ph.PLATFORM_X[0] + ph.PLATFORM_WIDTH[0] < fell_at < ph.PLATFORM_X[1] - ph.SIZE_X
    assert bool(step.terminated) and not bool(step.info["success"])
    assert float(step.reward) == pytest.approx((fell_at - 200.0) / ph.TOTAL_WIDTH, rel=1e-6)


def test_running_into_the_enemy_ends_the_episode() -> None:
    env = quiet_env()
    env.state.x[:] = 150.0
    env.state.enemy_x[:, 0] = 175.0
    step = env.step(act(ph.RUN, 30.0))
    assert bool(step.terminated) and not bool(step.info["success"])
    assert int(step.info["frames"]) < ph.RUN_FRAMES


def test_reaching_the_end_succeeds_with_the_remaining_fraction_as_reward() -> None:
    env = quiet_env()
    # Stand on the last platform (width 50): one run reaches its right end.
    env.state.x[:] = 990.0
    step = env.step(act(ph.RUN, 30.0))
    assert bool(step.terminated) and bool(step.info["success"])
    assert float(step.reward) == pytest.approx(45.0 / ph.TOTAL_WIDTH, rel=1e-6)
    assert int(step.info["frames"]) < ph.RUN_FRAMES


def test_standing_still_is_truncated_at_max_steps() -> None:
    env = quiet_env(max_steps=3)
    steps = [env.step(act(ph.RUN, 0.0)) for _ in range(3)]
    assert [bool(s.truncated) for s in steps] == [False, False, True]
    assert not any(bool(s.terminated) for s in steps)
    assert int(steps[-1].info["episode_length"]) == 3


def test_unit_action_scale_maps_onto_the_native_range() -> None:
    native, unit = quiet_env(2), quiet_env(2, action_scale="unit")
    assert unit.action_space.low.tolist() == [-1.0] * 3
    assert unit.action_space.high.tolist() == [1.0] * 3
    for choice, native_param, unit_param in ((ph.RUN, 15.0, 0.0), (ph.HOP, 720.0, 1.0)):
        a = native.step(act(choice, native_param, 2))
        b = unit.step(act(choice, unit_param, 2))
        torch.testing.assert_close(a.obs, b.obs)
        torch.testing.assert_close(a.reward, b.reward)


def test_noise_is_seeded_and_only_slows_the_player() -> None:
    noisy = make("Platform-v0", num_envs=4)
    first = [noisy.reset(seed=3), noisy.step(act(ph.RUN, 30.0, 4)).obs]
    again = [noisy.reset(seed=3), noisy.step(act(ph.RUN, 30.0, 4)).obs]
    other = [noisy.reset(seed=4), noisy.step(act(ph.RUN, 30.0, 4)).obs]
    torch.testing.assert_close(first[1], again[1])
    assert not torch.equal(first[1], other[1])
    assert bool((noisy.state.x < 67.485).all())  # drag noise is never a push forward


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_steps": 0}, "PlatformConfig.max_steps must be an integer >= 1, got 0"),
        ({"noise_scale": -1.0}, "PlatformConfig.noise_scale must be a finite float >= 0"),
        ({"noise_scale": math.nan}, "PlatformConfig.noise_scale"),
        ({"action_scale": "percent"}, "PlatformConfig.action_scale must be one of"),
        ({"max_frames": 2.5}, "PlatformConfig.max_frames must be an integer"),
    ],
)
def test_invalid_configs_raise_naming_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PlatformConfig(**overrides)


def test_invalid_actions_raise_naming_the_parameter() -> None:
    env = quiet_env()
    with pytest.raises(ValueError, match=r"parameter 1 \('hop_distance'.*is 800.0.*\[0.0, 720.0\]"):
        env.step(act(ph.HOP, 800.0))
    with pytest.raises(
        ValueError, match=r"discrete\[0, 0\].*is 3; expected an integer in \[0, 2\]"
    ):
        env.step(HybridAction(torch.tensor([[3]]), torch.zeros(1, 3)))
    # An inactive parameter out of range is fine (gym-platform ignores it too).
    env.step(HybridAction(torch.tensor([[0]]), torch.tensor([[10.0, 5000.0, -3.0]])))


def test_planner_jumps_the_gap_from_near_the_edge() -> None:
    env = quiet_env()
    env.state.x[:] = 215.0
    env.state.vx[:] = 69.3
    env.state.enemy_x[:, 0] = 0.0
    action = PlatformRolloutPolicy(env, horizon=3)(env.observe(env.state))
    assert int(action.discrete) in (ph.HOP, ph.LEAP)  # running on would drop into the gap
    step = env.step(action)
    assert not bool(step.terminated)
    assert float(env.state.x) > ph.PLATFORM_X[1] - ph.SIZE_X  # landed on the second platform


@pytest.mark.slow
def test_rollout_planner_solves_platform_and_random_does_not() -> None:
    env = make("Platform-v0", num_envs=6)
    planner = first_episode_outcomes(env, PlatformRolloutPolicy(env), seed=0, max_steps=200)
    random = first_episode_outcomes(env, UniformRandomPolicy(env, seed=0), seed=0, max_steps=200)
    assert planner.success_rate == 1.0
    torch.testing.assert_close(
        planner.returns, torch.ones(6, dtype=torch.float64), atol=1e-5, rtol=0
    )
    assert random.success_rate == 0.0 and random.mean_return < 0.3

"""The classic action conventions round-trip: gym-platform / gym-goal nested tuples and the
gym-hybrid / DI-engine shared-parameter tuple.

A gymnasium env written in the classic convention (here: a thin one-scenario wrapper around our
batched env that speaks only numpy and the classic action tuple, as ported code would) must
import through ``from_gymnasium`` into a :class:`HybridEnv` whose space equals ours, and
stepping it must give the same transitions as our batched env.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from gymnasium import spaces

from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.adapters import GymnasiumToHybridEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.spaces.gymnasium_conversion import from_gymnasium, to_gymnasium


class ClassicConventionEnv(gymnasium.Env):
    """One scenario of a registered env behind a classic-convention action space."""

    def __init__(self, name: str, action_space: gymnasium.Space[Any], **overrides: Any) -> None:
        self.inner = make(name, num_envs=1, **overrides)
        self.action_space = action_space
        self.observation_space = self.inner.observation_space
        self.classic = "platform" if isinstance(action_space[1], spaces.Tuple) else "hybrid"

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple:
        return self.inner.reset(seed=seed)[0].numpy(), {}

    def step(self, action: tuple) -> tuple:
        k, params = action
        flat = np.concatenate(params) if self.classic == "platform" else np.asarray(params)
        step = self.inner.step(
            HybridAction(torch.tensor([[int(k)]]), torch.as_tensor(flat[None], dtype=torch.float32))
        )
        return (
            step.info["final_obs"][0].numpy(),
            float(step.reward[0]),
            bool(step.terminated[0]),
            bool(step.truncated[0]),
            {},
        )


def assert_same_space(a: HybridSpace, b: HybridSpace) -> None:
    assert a.nvec.tolist() == b.nvec.tolist()
    torch.testing.assert_close(a.low, b.low)
    torch.testing.assert_close(a.high, b.high)
    assert a.activation == b.activation


def run_side_by_side(adapter: HybridEnv, direct: list[HybridEnv], seed: int, steps: int) -> None:
    """Same actions into the adapter and into one direct env per scenario: same transitions."""
    obs = adapter.reset(seed=seed)
    for i, env in enumerate(direct):
        torch.testing.assert_close(obs[i], env.reset(seed=seed + i)[0])
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        action = adapter.action_space.sample(adapter.num_envs, generator=gen)
        step = adapter.step(action)
        for i, env in enumerate(direct):
            own = env.step(HybridAction(action.discrete[i : i + 1], action.continuous[i : i + 1]))
            torch.testing.assert_close(step.reward[i], own.reward[0])
            torch.testing.assert_close(step.info["final_obs"][i], own.info["final_obs"][0])
            assert bool(step.terminated[i]) == bool(own.terminated[0])


def test_platform_exports_gym_platforms_action_space_exactly() -> None:
    space = to_gymnasium(make("Platform-v0", num_envs=1).action_space, "platform")
    boxes = space[1]
    assert space[0] == spaces.Discrete(3)
    for box, high in zip(boxes, (30.0, 720.0, 430.0), strict=True):
        assert box == spaces.Box(np.float32(0.0), np.float32(high), (1,), np.float32)


def test_goal_exports_gym_goals_action_space_exactly() -> None:
    space = to_gymnasium(make("Goal-v0", num_envs=1).action_space, "platform")
    assert space[0] == spaces.Discrete(3)
    kick, left, right = space[1]
    assert kick == spaces.Box(np.array([0, -15], np.float32), np.array([40, 15], np.float32))
    for shot in (left, right):
        assert shot == spaces.Box(np.float32(-7.01), np.float32(7.01), (1,), np.float32)


def test_a_gym_platform_style_env_round_trips_into_a_hybrid_env() -> None:
    native = make("Platform-v0", num_envs=1).action_space
    classic = to_gymnasium(native, "platform")
    factory = lambda: ClassicConventionEnv("Platform-v0", classic, noise_scale=0.0)  # noqa: E731
    adapter = GymnasiumToHybridEnv([factory, factory])
    assert adapter.convention == "platform"
    assert_same_space(adapter.action_space, native)
    direct = [make("Platform-v0", num_envs=1, noise_scale=0.0) for _ in range(2)]
    run_side_by_side(adapter, direct, seed=0, steps=2)


def test_a_gym_hybrid_style_hard_move_round_trips_with_its_activation_map() -> None:
    native = make("HardMove-v0", num_envs=1, parameters="per_actuator").action_space
    # DI-engine's HardMove: Tuple(Discrete(2^n), Box(n)), n magnitudes shared by all choices.
    classic = spaces.Tuple((spaces.Discrete(16), spaces.Box(-1.0, 1.0, (4,), np.float32)))
    assert to_gymnasium(native, "hybrid") == classic
    without_map = from_gymnasium(classic)
    assert without_map.activation == {}  # every magnitude always active: no exact masking
    factory = lambda: ClassicConventionEnv(  # noqa: E731
        "HardMove-v0", classic, parameters="per_actuator"
    )
    adapter = GymnasiumToHybridEnv([factory, factory], activation=native.activation)
    assert adapter.convention == "hybrid"
    assert_same_space(adapter.action_space, native)
    direct = [make("HardMove-v0", num_envs=1, parameters="per_actuator") for _ in range(2)]
    run_side_by_side(adapter, direct, seed=3, steps=5)

"""Every registered env id passes gymnasium's env checker and keeps the batched protocol.

The ids come from ``list_envs()``, so a family added later is checked without editing this file.
Each check is a handful of steps at a small batch size to keep the cost per env low.
"""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

from hybrid_toolkit.envs import env_spec, list_envs, make


@pytest.mark.parametrize("name", list_envs())
def test_gymnasium_check_env_passes(name: str) -> None:
    env = gymnasium.make(env_spec(name).gym_id)
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("name", list_envs())
def test_gymnasium_make_vec_steps_with_same_step_autoreset(name: str) -> None:
    envs = gymnasium.make_vec(env_spec(name).gym_id, num_envs=3)
    assert envs.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
    envs.action_space.seed(0)
    obs, _ = envs.reset(seed=0)
    assert obs in envs.observation_space
    for _ in range(3):
        obs, reward, terminated, truncated, info = envs.step(envs.action_space.sample())
        assert obs in envs.observation_space
        assert reward.shape == terminated.shape == truncated.shape == (3,)
        ended = terminated | truncated
        if ended.any():
            assert info["_final_obs"].tolist() == ended.tolist()
            for i in np.flatnonzero(ended):
                assert info["final_obs"][i] in envs.single_observation_space
    envs.close()


@pytest.mark.parametrize("name", list_envs())
def test_batched_protocol(name: str) -> None:
    env = make(name, num_envs=2)
    obs = env.reset(seed=0)
    assert obs.shape == (2, *env.obs_shape) and obs.device == env.device
    gen = torch.Generator().manual_seed(0)
    actions = [env.action_space.sample(2, generator=gen) for _ in range(3)]
    rewards = []
    for action in actions:
        step = env.step(action)
        assert step.obs.shape == obs.shape and step.info["final_obs"].shape == obs.shape
        assert step.reward.shape == (2,) and step.reward.is_floating_point()
        assert step.terminated.dtype == step.truncated.dtype == torch.bool
        rewards.append(step.reward)
    # Same seed and actions, same rewards: the env's randomness comes from its generator.
    env.reset(seed=0)
    again = [env.step(action).reward for action in actions]
    for a, b in zip(rewards, again, strict=True):
        torch.testing.assert_close(a, b)

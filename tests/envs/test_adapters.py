"""Adapters: batched env ↔ gymnasium (vector and single), gymnasium env → HybridEnv, SB3 VecEnv."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from stable_baselines3 import PPO
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.adapters import (
    FlattenHybridAction,
    GymnasiumToHybridEnv,
    HybridActionFlattener,
    HybridToGymnasiumEnv,
    HybridToGymnasiumVectorEnv,
    HybridToSB3VecEnv,
    make_gymnasium_env,
    silent_sb3_logger,
)
from hybrid_toolkit.envs.families.target import TargetEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.spaces.gymnasium_actions import action_to_gymnasium

IDS = ["TargetRegime-v0", "TargetMultiDiscrete-v0", "TargetHybrid-v0"]
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def target(name: str, **kwargs: Any) -> TargetEnv:
    env = make(name, **kwargs)
    assert isinstance(env, TargetEnv)
    return env


# ---------------------------------------------------------------- HybridEnv → gymnasium
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", IDS)
def test_vector_env_matches_the_batched_env_and_reports_final_obs(name: str, device: str) -> None:
    direct = target(name, num_envs=4, horizon=3, device=device)
    venv = HybridToGymnasiumVectorEnv(target(name, num_envs=4, horizon=3, device=device))
    assert venv.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
    obs, info = venv.reset(seed=5)
    expected = direct.reset(seed=5)
    np.testing.assert_array_equal(obs, expected.cpu().numpy())
    assert obs.dtype == np.float32 and obs in venv.observation_space and info == {}
    gen = torch.Generator().manual_seed(0)
    for t in range(1, 4):
        action = direct.action_space.sample(4, generator=gen)
        step = direct.step(action)
        value = action_to_gymnasium(direct.action_space, action)
        assert value in venv.action_space
        obs, reward, terminated, truncated, info = venv.step(value)
        np.testing.assert_array_equal(obs, step.obs.cpu().numpy())
        np.testing.assert_allclose(reward, step.reward.cpu().numpy())
        assert not terminated.any() and truncated.all() == (t == 3)
    # Gymnasium's SAME_STEP layout: final observation and final info of the ended envs.
    assert info["_final_obs"].all() and info["_final_info"].all()
    for i in range(4):
        np.testing.assert_array_equal(info["final_obs"][i], step.info["final_obs"][i].cpu())
        assert info["final_obs"][i][-1] == 1.0 and obs[i][-1] == 0.0
    np.testing.assert_allclose(
        info["final_info"]["episode_return"], step.info["episode_return"].cpu()
    )
    assert info["final_info"]["episode_length"].tolist() == [3] * 4


def test_vector_env_infos_appear_only_when_an_episode_ends() -> None:
    venv = HybridToGymnasiumVectorEnv(make("TargetRegime-v0", num_envs=2))
    venv.reset(seed=0)
    _, _, _, _, info = venv.step(venv.action_space.sample())
    assert info == {}


def test_single_env_returns_the_terminal_obs_and_needs_reset() -> None:
    env = make_gymnasium_env("TargetHybrid-v0", horizon=2)
    assert isinstance(env, HybridToGymnasiumEnv)
    obs, _ = env.reset(seed=0)
    inner = env.hybrid_env
    assert isinstance(inner, TargetEnv)
    rewards = []
    for t in range(2):
        best = inner.optimal_action(torch.as_tensor(obs)[None])
        obs, reward, terminated, truncated, info = env.step(
            action_to_gymnasium(inner.action_space, best, batched=False)
        )
        rewards.append(reward)
        assert isinstance(reward, float) and terminated is False and truncated is (t == 1)
    assert rewards == [1.0, 1.0]
    assert obs[-1] == 1.0  # the observation the episode ended on, not a reset one
    assert info == {"episode_return": 2.0, "episode_length": 2}
    with pytest.raises(RuntimeError, match="reset"):
        env.step(env.action_space.sample())
    env.reset()
    env.step(env.action_space.sample())


def test_single_env_refuses_a_batch_and_rendering() -> None:
    with pytest.raises(ValueError, match="num_envs=1, got num_envs=3"):
        HybridToGymnasiumEnv(make("TargetRegime-v0", num_envs=3))
    with pytest.raises(ValueError, match="render_mode"):
        make_gymnasium_env("TargetRegime-v0", render_mode="human")


def test_gymnasium_make_and_make_vec_pass_config_overrides() -> None:
    env = gymnasium.make("hybrid_toolkit/TargetRegime-v0", n_choices=5)
    assert isinstance(env.action_space, spaces.Dict)
    assert env.action_space["discrete"] == spaces.MultiDiscrete([5])
    venv = gymnasium.make_vec("hybrid_toolkit/TargetMultiDiscrete-v0", num_envs=6, horizon=2)
    assert isinstance(venv, HybridToGymnasiumVectorEnv)
    assert venv.num_envs == 6 and venv.hybrid_env.num_envs == 6
    assert isinstance(venv.action_space, spaces.Dict)
    assert venv.action_space["discrete"].shape == (6, 4)
    with pytest.raises(ValueError, match="n_choice"):
        gymnasium.make("hybrid_toolkit/TargetRegime-v0", n_choice=5)


# ---------------------------------------------------------------- gymnasium → HybridEnv
class PlatformToy(gymnasium.Env[np.ndarray, Any]):
    """A 1-D walk with a gym-platform action: (0: step left by p0, 1: step right by p1)."""

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-10.0, 10.0, (1,), np.float32)
        self.action_space = spaces.Tuple(
            (
                spaces.Discrete(2),
                spaces.Tuple(
                    (spaces.Box(0.0, 1.0, (1,), np.float32), spaces.Box(0.0, 2.0, (1,), np.float32))
                ),
            )
        )
        self.pos, self.t = 0.0, 0

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.pos, self.t = float(self.np_random.uniform(-3, 3)), 0
        return np.array([self.pos], np.float32), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        k, (left, right) = action
        self.pos += -float(left[0]) if int(k) == 0 else float(right[0])
        self.t += 1
        terminated = abs(self.pos) < 0.5
        return np.array([self.pos], np.float32), -abs(self.pos), terminated, self.t >= 4, {}


def test_gymnasium_env_with_platform_actions_becomes_a_hybrid_env() -> None:
    env = GymnasiumToHybridEnv([PlatformToy, PlatformToy, PlatformToy])
    assert not env.differentiable and env.convention == "platform"
    space = env.action_space
    assert space.nvec.tolist() == [2] and space.activation == {0: ((0,), (1,))}
    assert space.high.tolist() == [1.0, 2.0]
    reference = [PlatformToy() for _ in range(3)]
    obs = env.reset(seed=10)
    expected = [r.reset(seed=10 + i)[0] for i, r in enumerate(reference)]  # SyncVectorEnv seeds
    np.testing.assert_allclose(obs.numpy(), np.stack(expected))
    # Each scenario walks toward 0 with step 0.3 until it ends.
    ended = torch.zeros(3, dtype=torch.bool)
    for _ in range(4):
        toward = (obs[:, 0] < 0).long().unsqueeze(1)  # right when left of 0
        action = HybridAction(toward, torch.full((3, 2), 0.3))
        step = env.step(action)
        for i, r in enumerate(reference):
            if ended[i]:
                continue
            param = np.array([0.3], np.float32)  # what the adapter hands the env
            o, rew, term, trunc, _ = r.step((int(toward[i, 0]), (param, param)))
            assert step.reward[i].item() == pytest.approx(rew)
            assert bool(step.terminated[i]) == term and bool(step.truncated[i]) == trunc
            np.testing.assert_allclose(step.info["final_obs"][i].numpy(), o)
            ended[i] = term or trunc
        obs = step.obs
    assert ended.all()


def test_gymnasium_env_checks_autoreset_mode_observations_and_actions() -> None:
    with pytest.raises(ValueError, match="SAME_STEP"):
        GymnasiumToHybridEnv(SyncVectorEnv([PlatformToy]))  # NEXT_STEP by default
    env = GymnasiumToHybridEnv([PlatformToy], device="cpu")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"parameter 1.* 5\.0"):
        env.step(HybridAction(torch.tensor([[1]]), torch.tensor([[0.0, 5.0]])))


@pytest.mark.parametrize("name", IDS)
def test_round_trip_through_gymnasium_gives_the_same_env(name: str) -> None:
    direct = target(name, num_envs=3)
    back = GymnasiumToHybridEnv(HybridToGymnasiumVectorEnv(target(name, num_envs=3)))
    assert back.action_space.nvec.tolist() == direct.action_space.nvec.tolist()
    assert torch.equal(back.reset(seed=1), direct.reset(seed=1))
    gen = torch.Generator().manual_seed(3)
    for _ in range(10):  # across the autoreset at step 8
        action = direct.action_space.sample(3, generator=gen)
        a, b = direct.step(action), back.step(action)
        assert torch.equal(a.obs, b.obs) and torch.equal(a.truncated, b.truncated)
        torch.testing.assert_close(a.reward, b.reward)
        torch.testing.assert_close(a.info["final_obs"], b.info["final_obs"])
        torch.testing.assert_close(a.info["episode_return"], b.info["episode_return"])


# ---------------------------------------------------------------- action flattening
def test_round_encoding_uses_equal_bins_and_rescales_parameters() -> None:
    space = HybridSpace([3], low=[0.0, -np.inf, 0.0], high=[10.0, np.inf, np.inf])
    flattener = HybridActionFlattener(space)
    assert flattener.box.shape == (4,)
    flat = torch.tensor(
        [
            [-1.0, -1.0, 0.3, -0.5],
            [-0.34, 0.0, -2.0, 0.5],  # -2 is clipped to -1 first
            [0.0, 1.0, 0.0, 0.0],
            [0.34, 0.5, 0.0, 0.0],
            [1.0, 3.0, 0.0, 0.0],
        ]
    )
    action = flattener.decode(flat)
    # Bins of width 2/3: [-1, -1/3) → 0, [-1/3, 1/3) → 1, [1/3, 1] → 2.
    assert action.discrete[:, 0].tolist() == [0, 0, 1, 2, 2]
    assert action.continuous[:, 0].tolist() == [0.0, 5.0, 10.0, 7.5, 10.0]
    assert action.continuous[:2, 1].tolist() == pytest.approx([0.3, -1.0])  # identity
    assert action.continuous[:2, 2].tolist() == [0.0, 0.5]  # identity, clipped at low=0


def test_one_hot_encoding_takes_the_argmax_of_each_component() -> None:
    space = HybridSpace([2, 3], low=[-1.0], high=[1.0])
    flattener = HybridActionFlattener(space, discrete_encoding="one_hot")
    assert flattener.box.shape == (2 + 3 + 1,)
    flat = torch.tensor([[0.1, 0.2, -0.5, 0.9, 0.0, 0.25], [0.3, -0.3, 0.5, 0.4, -1.0, -1.0]])
    action = flattener.decode(flat)
    assert action.discrete.tolist() == [[1, 1], [0, 0]]
    assert action.continuous[:, 0].tolist() == [0.25, -1.0]
    with pytest.raises(ValueError, match="discrete_encoding"):
        HybridActionFlattener(space, discrete_encoding="binary")  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["round", "one_hot"])
@pytest.mark.parametrize("name", IDS)
def test_encode_then_decode_is_the_identity(name: str, encoding: str) -> None:
    space = target(name).action_space
    flattener = HybridActionFlattener(space, encoding)  # type: ignore[arg-type]
    action = space.sample(256, generator=torch.Generator().manual_seed(0))
    flat = flattener.encode(action)
    assert flat.shape == (256, flattener.n_flat) and flat.abs().max() <= 1.0
    back = flattener.decode(flat)
    assert torch.equal(back.discrete, action.discrete)
    torch.testing.assert_close(back.continuous, action.continuous)


# ---------------------------------------------------------------- SB3
@pytest.mark.parametrize("device", DEVICES)
def test_sb3_vec_env_contract(device: str) -> None:
    inner = target("TargetRegime-v0", num_envs=4, horizon=2, device=device)
    venv = HybridToSB3VecEnv(inner)
    venv.seed(3)
    obs = venv.reset()
    assert obs.dtype == np.float32 and obs.shape == (4, 7)
    same_seed = target("TargetRegime-v0", num_envs=4, device=device).reset(seed=3)
    np.testing.assert_array_equal(obs, same_seed.cpu().numpy())
    for t in range(2):
        flat = venv.flattener.encode(inner.optimal_action(torch.as_tensor(obs))).numpy()
        next_obs, rewards, dones, infos = venv.step(flat)
        assert isinstance(next_obs, np.ndarray)
        obs = next_obs
        assert rewards.tolist() == [1.0] * 4 and dones.tolist() == [t == 1] * 4
    for i, info in enumerate(infos):
        assert info["terminal_observation"][-1] == 1.0 and obs[i][-1] == 0.0
        assert info["TimeLimit.truncated"] is True
        assert info["episode"]["r"] == 2.0 and info["episode"]["l"] == 2
    assert venv.get_attr("num_envs", [0, 2]) == [4, 4]
    assert venv.env_is_wrapped(Monitor) == [True] * 4
    assert venv.env_is_wrapped(gymnasium.wrappers.TimeLimit) == [False] * 4


@pytest.mark.parametrize("name", IDS)
def test_sb3_check_env_passes_on_the_flattened_single_env(name: str) -> None:
    env = FlattenHybridAction(make_gymnasium_env(name), discrete_encoding="one_hot")
    sb3_check_env(env, warn=False)


def test_flatten_wrapper_speaks_the_wrapped_envs_convention() -> None:
    env = FlattenHybridAction(PlatformToy())
    env.reset(seed=0)
    assert env.action_space.shape == (3,)  # choice coordinate + 2 rescaled parameters
    obs, _, _, _, _ = env.step(np.array([0.9, -1.0, 1.0], np.float32))  # choice 1: right by 2
    start = PlatformToy().reset(seed=0)[0]
    np.testing.assert_allclose(obs, start + 2.0, rtol=1e-6)


@pytest.mark.parametrize("encoding", ["round", "one_hot"])
def test_sb3_ppo_smoke(encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where SB3's default logger writes
    env = make("TargetHybrid-v0", num_envs=4)
    venv = HybridToSB3VecEnv(env, discrete_encoding=encoding)  # type: ignore[arg-type]
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=64, n_epochs=1, seed=0)
    model.set_logger(silent_sb3_logger())
    model.learn(256)
    assert not list(tmp_path.glob("SB3-*"))  # the silent logger left no SB3-<date> folder
    assert model.num_timesteps == 256
    assert model.ep_info_buffer is not None
    assert len(model.ep_info_buffer) == 256 // 8  # every 8-step episode was recorded


def test_sb3_ppo_learns_target_regime() -> None:
    """A real PPO run through the adapter beats the untrained policy and random actions.

    About 1-2 s on two CPU cores (one rollout of 2048 steps, 80 minibatch updates).
    """
    venv = HybridToSB3VecEnv(make("TargetRegime-v0", num_envs=8))
    model = PPO("MlpPolicy", venv, n_steps=256, batch_size=256, learning_rate=1e-3, seed=0)
    model.set_logger(silent_sb3_logger())
    eval_env = HybridToSB3VecEnv(make("TargetRegime-v0", num_envs=64))

    def score() -> float:
        eval_env.seed(123)  # the same scenarios before and after training
        mean, _ = evaluate_policy(model, eval_env, n_eval_episodes=64, deterministic=True)
        assert isinstance(mean, float)
        return mean

    before = score()
    model.learn(2048)
    after = score()
    random_return = target("TargetRegime-v0").random_return
    assert after > before + 0.1, (before, after)
    assert after > random_return + 2.0, (after, random_return)

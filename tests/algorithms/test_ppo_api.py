"""The SB3-style surface of PPO: save/load, determinism, predict, config errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms import PPOConfig

SMALL = {"num_envs": 8, "n_steps": 16, "n_epochs": 2, "policy_hidden": (16,), "value_hidden": (16,)}


def small_ppo(seed: int = 0, env_id: str = "TargetHybrid-v0", **kw: object) -> ht.PPO:
    return ht.PPO(env_id, seed=seed, verbose=0, **{**SMALL, **kw})


def test_save_load_gives_identical_predictions(tmp_path: Path) -> None:
    model = small_ppo().learn(512)
    obs = ht.make("TargetHybrid-v0", num_envs=16).reset(seed=5)
    before, _ = model.predict(obs)
    path = model.save(tmp_path / "ppo")
    assert path.suffix == ".zip"
    for loaded in (ht.load(path), ht.PPO.load(path)):
        after, _ = loaded.predict(obs)
        assert torch.equal(before.discrete, after.discrete)
        assert torch.equal(before.continuous, after.continuous)
        assert loaded.config == model.config
        assert loaded.num_timesteps == model.num_timesteps


def test_same_seed_same_training_curve() -> None:
    def curve(seed: int) -> list[float]:
        model = small_ppo(seed)
        params = []
        for _ in range(3):
            model.learn(256, reset_num_timesteps=False)
            params.append(float(sum(p.detach().sum() for p in model.policy.parameters())))
        return params

    assert curve(3) == curve(3)
    assert curve(3) != curve(4)


def test_predict_numpy_single_and_batch() -> None:
    model = small_ppo()
    env = ht.make("TargetHybrid-v0", num_envs=4)
    obs = env.reset(seed=0).numpy()
    single, state = model.predict(obs[0])
    assert state is None
    assert single["discrete"].shape == (env.action_space.n_discrete,)
    assert single["continuous"].shape == (env.action_space.n_continuous,)
    batch, _ = model.predict(obs)
    assert batch["discrete"].shape == (4, env.action_space.n_discrete)
    np.testing.assert_array_equal(batch["discrete"][0], single["discrete"])
    with pytest.raises(ValueError, match="observation has shape"):
        model.predict(np.zeros((4, 999), dtype=np.float32))


def test_unknown_override_is_rejected_with_valid_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown PPOConfig key\(s\) \['learning_rat'\]"):
        ht.PPO("TargetRegime-v0", learning_rat=1e-3)


def test_invalid_config_value_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"PPOConfig.clip_range must be > 0, got -0.1"):
        PPOConfig(clip_range=-0.1)


def test_unknown_preset_and_env_and_algorithm() -> None:
    with pytest.raises(ValueError, match=r"unknown ppo preset 'nope'; valid presets are: default"):
        ht.PPO("TargetRegime-v0", "nope")
    with pytest.raises(KeyError, match=r"unknown environment 'Nope-v0'; valid names are: .*Target"):
        ht.PPO("Nope-v0")
    with pytest.raises(KeyError, match=r"unknown algorithm 'nope'; valid names are: .*ppo"):
        ht.get_algorithm("nope")


def test_load_refuses_a_mismatched_env(tmp_path: Path) -> None:
    path = small_ppo().save(tmp_path / "m.zip")
    other = ht.make("TargetHybrid-v0", num_envs=2, n_params=5)
    with pytest.raises(ValueError, match="differs from the saved model"):
        ht.load(path, env=other)


def test_tensorboard_run_dir_is_named_and_written(tmp_path: Path) -> None:
    model = small_ppo(tensorboard_log=tmp_path).learn(256)
    assert model.run_dir is not None and model.run_dir.parent == tmp_path
    assert model.run_dir.name.startswith("TargetHybrid-v0__ppo__0__")
    assert list(model.run_dir.glob("events.out.tfevents.*"))
    assert (model.run_dir / "progress.csv").read_text().count("\n") >= 2

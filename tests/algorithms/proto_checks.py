"""Checks every proto-action off-policy algorithm (DGRL, H-Cacla) must pass: save/load gives
identical predictions, the same seed gives the same training, predict handles numpy input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

import hybrid_toolkit as ht

SMALL = {
    "num_envs": 4,
    "train_freq": 2,
    "batch_size": 16,
    "gradient_steps": 1,
    "actor_hidden": (16,),
    "critic_hidden": (16, 16),
    "verbose": 0,
}
"""A configuration small enough to train a few hundred steps in about a second."""

BANDIT = {
    "gamma": 0.5,
    "gradient_steps": 2,
    "critic_lr": 1e-3,
    "actor_hidden": (64, 64),
    "critic_hidden": (128, 128),
    "verbose": 0,
}
"""Learning-test settings for the Target envs: they are contextual bandits (each step's context
is fresh), so a short discount horizon is the natural setting."""

Factory = Callable[..., ht.BaseAlgorithm]


def check_save_load(make: Factory, env_id: str, tmp_path: Path) -> None:
    model = make(env_id, seed=0).learn(256)
    obs = ht.make(env_id, num_envs=16).reset(seed=5)
    before, _ = model.predict(obs)
    again, _ = model.predict(obs)
    assert torch.equal(before.discrete, again.discrete)  # evaluation is a function of obs
    path = model.save(tmp_path / "model")
    for loaded in (ht.load(path), type(model).load(path)):
        after, _ = loaded.predict(obs)
        assert torch.equal(before.discrete, after.discrete)
        assert torch.equal(before.continuous, after.continuous)
        assert loaded.config == model.config
        assert loaded.num_timesteps == model.num_timesteps
    # training can continue from the loaded model
    loaded = type(model).load(path, env=ht.make(env_id, num_envs=4))
    loaded.learn(64, reset_num_timesteps=False)
    assert loaded.num_timesteps > model.num_timesteps


def check_same_seed_same_training(make: Factory, env_id: str) -> None:
    def curve(seed: int) -> list[float]:
        model = make(env_id, seed=seed)
        sums = []
        for _ in range(3):
            model.learn(96, reset_num_timesteps=False)
            sums.append(float(sum(p.detach().double().sum() for p in model.model.parameters())))
        return sums

    assert curve(3) == curve(3)
    assert curve(3) != curve(4)


def check_predict_numpy(make: Factory, env_id: str) -> None:
    model = make(env_id, seed=0)
    env = ht.make(env_id, num_envs=4)
    obs = env.reset(seed=0).numpy()
    single, state = model.predict(obs[0])
    assert state is None
    assert single["discrete"].shape == (env.action_space.n_discrete,)
    batch, _ = model.predict(obs)
    assert batch["discrete"].shape == (4, env.action_space.n_discrete)
    np.testing.assert_array_equal(batch["discrete"][0], single["discrete"])
    with pytest.raises(ValueError, match="observation has shape"):
        model.predict(np.zeros((4, 999), dtype=np.float32))
    sampled, _ = model.predict(obs, deterministic=False)
    env.action_space.validate(
        ht.HybridAction(
            torch.as_tensor(sampled["discrete"]), torch.as_tensor(sampled["continuous"])
        )
    )

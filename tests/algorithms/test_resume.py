"""Resuming is the same run: training in pieces, or through save/load, is bit-identical.

For every registered algorithm: ``learn(N)`` in one go must give exactly the parameters and
optimizer states of (a) a ``learn`` stopped at an iteration boundary and continued with
``learn(rest, reset_num_timesteps=False)`` in the same process, and (b) a checkpoint saved at
that boundary, loaded into a fresh process state and continued the same way. Small budgets on
cheap envs, plus stateful ones (Maze, joint replenishment) so that env state matters.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from support import TINY_JRP

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.registry import get_algorithm, list_algorithms
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.envs.adapters import GymnasiumToHybridEnv, HybridToGymnasiumVectorEnv
from hybrid_toolkit.training import (
    Callback,
    CheckpointCallback,
    TrainingContext,
    save_checkpoint,
)
from hybrid_toolkit.utils.config import config_to_json


@dataclasses.dataclass(frozen=True)
class Case:
    """One algorithm's small run: its env, config overrides, budget and where to cut it."""

    make_env: Callable[[], HybridEnv]
    overrides: dict[str, Any]
    total: int
    cut: int
    """Iterations before the interruption."""
    budget_free: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Overrides that switch off schedules relative to the ``learn`` budget."""


def _env(env_id: str, num_envs: int, **kw: Any) -> Callable[[], HybridEnv]:
    return lambda: ht.make(env_id, num_envs=num_envs, **kw)


SMALL_NETS = {"actor_hidden": (16,), "critic_hidden": (16,)}
# buffers smaller than the run, so the saved ring buffer has wrapped
OFF_POLICY = {**SMALL_NETS, "batch_size": 16, "train_freq": 2, "buffer_size": 64}
QAC = {"n_steps": 2, "actor_hidden": (16,), "critic_hidden": (16,)}
CASES: dict[str, Case] = {
    "ppo": Case(
        _env("Maze-v0", 4),
        {
            "n_steps": 8,
            "n_epochs": 2,
            "policy_hidden": (16,),
            "value_hidden": (16,),
            "normalize_observations": True,
            "scale_rewards": True,
            "anneal_lr": True,
        },
        4 * 8 * 4,
        2,
        {"anneal_lr": False},
    ),
    "hpo": Case(
        lambda: ht.make("JointReplenishment-v0", 8, config=TINY_JRP, validate_actions=False),
        {
            "discrete_hidden": (16,),
            "continuous_hidden": (16,),
            "value_hidden": (16,),
            "buffer_periods": 2,
            "n_epochs": 2,
            "n_minibatches": 2,
            "restore_best_dev": False,
        },
        8 * 12 * 6,
        3,
        {"ent_coef": 0.01, "min_ent_coef": 0.01},
    ),
    "dgrl": Case(
        _env("Maze-v0", 4),
        {**OFF_POLICY, "warmup_fraction": 0.25},
        4 * 2 * 12,
        5,
        {"warmup_fraction": 0.0},
    ),
    "h-cacla": Case(
        _env("TargetHybrid-v0", 4),
        {**OFF_POLICY, "warmup_fraction": 0.25},
        4 * 2 * 12,
        5,
        {"warmup_fraction": 0.0},
    ),
    "dnc": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "h-dnc": Case(_env("TargetHybrid-v0", 4), QAC, 4 * 2 * 8, 3),
    "cacla": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "wolpertinger": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "vac": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    # warm-up and pre-training in the first iteration; the embedding buffer wraps afterwards
    "lar": Case(
        _env("Maze-v0", 4, n_slots=2),
        {
            **QAC,
            "inverse_hidden": (16,),
            "buffer_size": 24,
            "pretrain_epochs": 3,
            "embedding_batch_size": 8,
        },
        24 + 4 * 2 * 8,
        3,
    ),
    "hyar": Case(
        _env("TargetRegime-v0", 4),
        {
            "vae_hidden": 16,
            "actor_hidden": (16,),
            "critic_hidden": (16,),
            "warmup_episodes": 8,
            "warmup_chunk": 8,
            "vae_pretrain_steps": 10,
            "vae_batch_size": 16,
            "batch_size": 16,
            "train_freq": 2,
            "gradient_steps": 2,
            "vae_update_start": 4,
            "vae_update_interval": 4,
            "vae_update_steps": 2,
            "learning_starts": 16,
            "buffer_size": 64,
            "embedding_buffer_size": 128,
        },
        4 * 8 * 2 + 4 * 2 * 10,
        6,
    ),
}


def test_every_registered_algorithm_has_a_case() -> None:
    assert sorted(CASES) == sorted(list_algorithms())


class StopAfter(Callback):
    """Stops training after ``iterations`` trainer iterations (an interruption)."""

    def __init__(self, iterations: int) -> None:
        super().__init__()
        self.iterations = iterations

    def on_iteration(self, ctx: TrainingContext) -> bool:
        return ctx.iteration < self.iterations


def build(name: str, **overrides: Any) -> BaseAlgorithm:
    case = CASES[name]
    config = {**case.overrides, **overrides}
    return get_algorithm(name)(case.make_env(), seed=3, verbose=0, **config)


def flat_state(model: BaseAlgorithm) -> dict[str, Any]:
    """Every leaf of every saved state dict (parameters, buffers, optimizer states)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, torch.Tensor):
            out[prefix] = value.detach().clone()
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(f"{prefix}.{i}", item)
        else:
            out[prefix] = value

    for name, state in model.state_dicts().items():
        walk(name, state)
    return out


def assert_identical(a: BaseAlgorithm, b: BaseAlgorithm) -> None:
    sa, sb = flat_state(a), flat_state(b)
    assert sa.keys() == sb.keys()
    different = [
        k
        for k in sa
        if not (torch.equal(sa[k], sb[k]) if isinstance(sa[k], torch.Tensor) else sa[k] == sb[k])
    ]
    assert not different, f"differs from the uninterrupted run: {different[:5]}"
    assert a.num_timesteps == b.num_timesteps


_REFERENCE: dict[str, BaseAlgorithm] = {}


def reference(name: str) -> BaseAlgorithm:
    if name not in _REFERENCE:
        _REFERENCE[name] = build(name).learn(CASES[name].total)
    return _REFERENCE[name]


def interrupted(name: str) -> BaseAlgorithm:
    case = CASES[name]
    model = build(name).learn(case.total, callback=StopAfter(case.cut))
    assert 0 < model.num_timesteps < case.total
    return model


@pytest.mark.parametrize("name", sorted(CASES))
def test_learning_in_two_pieces_is_the_same_run(name: str) -> None:
    model = interrupted(name)
    model.learn(CASES[name].total - model.num_timesteps, reset_num_timesteps=False)
    assert_identical(model, reference(name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_save_load_resume_is_the_same_run(name: str, tmp_path: Path) -> None:
    path = interrupted(name).save(tmp_path / name)
    loaded = type(reference(name)).load(path, env=CASES[name].make_env())
    torch.manual_seed(12345)  # training must not draw from the global stream, which differs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an exact resume has nothing to warn about
        loaded.learn(CASES[name].total - loaded.num_timesteps, reset_num_timesteps=False)
    assert_identical(loaded, reference(name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_killed_run_resumes_from_its_checkpoint_callback(name: str, tmp_path: Path) -> None:
    checkpoints = CheckpointCallback(save_freq=CASES[name].total // 3, save_path=tmp_path)
    run = build(name).learn(CASES[name].total, callback=checkpoints)
    assert_identical(run, reference(name))  # saving does not disturb the run
    first = checkpoints.saved[0]
    loaded = type(run).load(first, env=CASES[name].make_env())
    assert 0 < loaded.num_timesteps < CASES[name].total
    loaded.learn(CASES[name].total - loaded.num_timesteps, reset_num_timesteps=False)
    assert_identical(loaded, run)


@pytest.mark.parametrize("name", sorted(CASES))
def test_learn_twice_is_learn_once_without_budget_relative_schedules(name: str) -> None:
    case = CASES[name]
    half = build(name, **case.budget_free).learn(case.total, callback=StopAfter(case.cut))
    model = build(name, **case.budget_free).learn(half.num_timesteps)
    model.learn(case.total - model.num_timesteps, reset_num_timesteps=False)
    assert_identical(model, build(name, **case.budget_free).learn(case.total))


def test_the_normaliser_counts_the_reset_batch_once_across_a_resume(tmp_path: Path) -> None:
    path = interrupted("ppo").save(tmp_path / "ppo")
    loaded = ht.PPO.load(path, env=CASES["ppo"].make_env())
    loaded.learn(CASES["ppo"].total - loaded.num_timesteps, reset_num_timesteps=False)
    num_envs = loaded.env.num_envs
    # the first reset's observations plus one batch per env step, nothing twice
    assert int(loaded.obs_normalizer.rms.count) == num_envs + CASES["ppo"].total


@pytest.mark.parametrize("name", ["dgrl", "hyar"])
def test_a_deployment_checkpoint_leaves_the_replay_buffers_out(name: str, tmp_path: Path) -> None:
    model = interrupted(name)
    full = model.save(tmp_path / "full")
    small = model.save(tmp_path / "small", include_replay_buffer=False)
    assert small.stat().st_size < full.stat().st_size
    loaded = type(model).load(small, env=CASES[name].make_env())
    obs = CASES[name].make_env().reset(seed=9)
    assert torch.equal(loaded.predict(obs)[0].discrete, model.predict(obs)[0].discrete)
    assert torch.equal(loaded.predict(obs)[0].continuous, model.predict(obs)[0].continuous)
    with pytest.warns(UserWarning, match="no replay buffer"):
        loaded.learn(64, reset_num_timesteps=False)


def test_a_checkpoint_without_training_state_predicts_and_warns_on_resume(
    tmp_path: Path,
) -> None:
    model = interrupted("ppo")
    # what format-1 files written before training state existed look like
    path = save_checkpoint(
        tmp_path / "old",
        algorithm="ppo",
        config=config_to_json(model.config),
        spaces={"action_space": model.action_space.to_json(), "observation_shape": [2]},
        state_dicts=model.state_dicts(),
        extra={"num_timesteps": model.num_timesteps, "seed": 3, "env": {"name": "Maze-v0"}},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading for predict alone has nothing to warn about
        loaded = ht.load(path)
        obs = CASES["ppo"].make_env().reset(seed=9)
        assert torch.equal(loaded.predict(obs)[0].discrete, model.predict(obs)[0].discrete)
    loaded = ht.PPO.load(path, env=CASES["ppo"].make_env())
    with pytest.warns(UserWarning, match="no training state"):
        loaded.learn(64, reset_num_timesteps=False)


@pytest.mark.parametrize("name", ["ppo", "dgrl"])
def test_resuming_with_another_num_envs_resets_and_warns(name: str, tmp_path: Path) -> None:
    path = interrupted(name).save(tmp_path / name)
    loaded = type(reference(name)).load(path, env=ht.make("Maze-v0", num_envs=2))
    with pytest.warns(UserWarning, match=r"num_envs=2.*fresh env reset"):
        loaded.learn(32, reset_num_timesteps=False)
    assert loaded.num_timesteps >= CASES[name].total // 2


def test_resuming_on_a_wrapped_gymnasium_env_resets_it_and_warns(tmp_path: Path) -> None:
    def wrapped() -> HybridEnv:
        return GymnasiumToHybridEnv(
            HybridToGymnasiumVectorEnv(ht.make("TargetRegime-v0", num_envs=2))
        )

    model = ht.PPO(wrapped(), seed=0, verbose=0, n_steps=4, n_epochs=1).learn(16)
    loaded = ht.PPO.load(model.save(tmp_path / "ppo"), env=wrapped())
    with pytest.warns(UserWarning, match="fresh env reset"):
        loaded.learn(16, reset_num_timesteps=False)
    assert loaded.num_timesteps == 32

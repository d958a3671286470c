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

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.registry import get_algorithm, list_algorithms
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig
from hybrid_toolkit.training import Callback, TrainingContext

TINY_JRP = JointReplenishmentConfig(
    n_items=2,
    horizon=12,
    ignore_periods=2,
    past_periods=4,
    num_train_scenarios=32,
    num_eval_scenarios=16,
)


@dataclasses.dataclass(frozen=True)
class Case:
    """One algorithm's small run: its env, config overrides, budget and where to cut it."""

    make_env: Callable[[], HybridEnv]
    overrides: dict[str, Any]
    total: int
    cut: int
    """Iterations before the interruption."""


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
    ),
    "dgrl": Case(_env("Maze-v0", 4), {**OFF_POLICY, "warmup_fraction": 0.25}, 4 * 2 * 12, 5),
    "h-cacla": Case(
        _env("TargetHybrid-v0", 4), {**OFF_POLICY, "warmup_fraction": 0.25}, 4 * 2 * 12, 5
    ),
    "dnc": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "h-dnc": Case(_env("TargetHybrid-v0", 4), QAC, 4 * 2 * 8, 3),
    "cacla": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "wolpertinger": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
    "vac": Case(_env("TargetMultiDiscrete-v0", 4), QAC, 4 * 2 * 8, 3),
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


def build(name: str) -> BaseAlgorithm:
    case = CASES[name]
    return get_algorithm(name)(case.make_env(), seed=3, verbose=0, **case.overrides)


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
    torch.manual_seed(12345)  # a fresh process would not share the global stream either
    loaded = type(reference(name)).load(path, env=CASES[name].make_env())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an exact resume has nothing to warn about
        loaded.learn(CASES[name].total - loaded.num_timesteps, reset_num_timesteps=False)
    assert_identical(loaded, reference(name))

"""Evaluating during training never changes the training run: an `EvalCallback` with sampled
actions draws them from the algorithm's random generator, whose state it restores, so the
weights after ``learn`` are bit-identical with and without the evaluations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from support import cheap_env_id, cheap_model

import hybrid_toolkit as ht
from hybrid_toolkit.envs import make
from hybrid_toolkit.training import EvalCallback, load_checkpoint


def _tensors(state: Any, prefix: str = "") -> Iterator[tuple[str, torch.Tensor]]:
    """Every tensor of a (nested) state dict, by its dotted path."""
    if isinstance(state, torch.Tensor):
        yield prefix, state
    elif isinstance(state, dict):
        for key in sorted(state, key=str):
            yield from _tensors(state[key], f"{prefix}.{key}")
    elif isinstance(state, list | tuple):
        for i, item in enumerate(state):
            yield from _tensors(item, f"{prefix}.{i}")


STEPS = {"ppo": 3072, "hyar": 1536}
"""Three iterations or more (PPO's and HyAR's are 1024 and 512 steps here; the others' 16)."""


def _trained(name: str, deterministic: bool | None, path: Path) -> dict[str, torch.Tensor]:
    model = cheap_model(name)
    steps = STEPS.get(name, 400)
    callback = None
    if deterministic is not None:
        eval_env = make(cheap_env_id(name), num_envs=4)
        every = steps // 6
        callback = EvalCallback(eval_env, every, 8, deterministic=deterministic, verbose=0, seed=1)
    model.learn(steps, callback=callback)
    # evaluations between updates, not only after the last one
    assert callback is None or len(callback.evaluations) >= 3
    model.save(path)
    return dict(_tensors(load_checkpoint(path).state_dicts))


@pytest.mark.parametrize("name", ht.list_algorithms())
def test_sampled_evaluations_leave_the_training_run_unchanged(name: str, tmp_path: Path) -> None:
    alone = _trained(name, None, tmp_path / "alone.zip")
    evaluated = _trained(name, False, tmp_path / "evaluated.zip")
    assert any("actor" in key or "policy" in key for key in alone), sorted(alone)[:8]
    assert alone.keys() == evaluated.keys()
    changed = [k for k in alone if not torch.equal(alone[k], evaluated[k])]
    assert not changed, f"{name}: sampled evaluations changed {changed[:5]}"

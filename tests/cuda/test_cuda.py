"""Every algorithm on ``device="cuda"``: a few training iterations, save on CUDA, load on CPU
with the same greedy actions. Skipped where torch has no CUDA (``pytest -m cuda`` on a GPU
machine runs them; ``scripts/gpu_check.sh`` runs them and times one HPO update)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import hybrid_toolkit as ht

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

# Each algorithm on an env of the action-space shape it supports, a budget of a few iterations.
CASES = {
    "ppo": ("TargetHybrid-v0", 2_048, {}),
    "hpo": ("TargetHybrid-v0", 2 * 128 * 8, {"n_steps": 8, "buffer_periods": 0}),
    "dgrl": ("TargetMultiDiscrete-v0", 512, {}),
    "h-cacla": ("TargetRegime-v0", 512, {}),
    "dnc": ("TargetMultiDiscrete-v0", 512, {}),
    "h-dnc": ("TargetHybrid-v0", 512, {}),
    "cacla": ("TargetMultiDiscrete-v0", 512, {}),
    "wolpertinger": ("TargetMultiDiscrete-v0", 512, {}),
    "vac": ("TargetMultiDiscrete-v0", 512, {}),
    "lar": ("TargetMultiDiscrete-v0", 512, {"buffer_size": 256, "pretrain_epochs": 2}),
    "hyar": ("TargetRegime-v0", 1_024, {"warmup_episodes": 32, "vae_pretrain_steps": 20}),
}


def _tensors(tree: object) -> Iterator[torch.Tensor]:
    """Every tensor in a nested state dict (modules, optimizers, learners)."""
    if torch.is_tensor(tree):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _tensors(value)
    elif isinstance(tree, list | tuple):
        for value in tree:
            yield from _tensors(value)


def test_every_algorithm_has_a_cuda_case() -> None:
    assert set(CASES) == set(ht.list_algorithms())


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("name", sorted(CASES))
def test_trains_on_cuda_and_loads_on_cpu_with_the_same_actions(name: str, tmp_path: Path) -> None:
    env_id, steps, overrides = CASES[name]
    model = ht.get_algorithm(name)(env_id, seed=0, device="cuda", verbose=0, **overrides)
    model.learn(steps)
    tensors = list(_tensors(model.state_dicts()))
    assert tensors and all(t.is_cuda for t in tensors), f"{name}: weights left the GPU"
    path = model.save(tmp_path / name)
    on_cpu = ht.load(path, device="cpu")
    obs = ht.make(env_id, num_envs=64).reset(seed=3)
    cuda_action, _ = model.predict(obs.to("cuda"))
    cpu_action, _ = on_cpu.predict(obs)
    agree = (cuda_action.discrete.cpu() == cpu_action.discrete).all(dim=1).float().mean()
    assert agree >= 0.98, f"{name}: CPU and CUDA greedy choices agree on {agree:.0%} of states"
    same = (cuda_action.discrete.cpu() == cpu_action.discrete).all(dim=1)
    torch.testing.assert_close(
        cuda_action.continuous.cpu()[same], cpu_action.continuous[same], atol=1e-4, rtol=1e-4
    )

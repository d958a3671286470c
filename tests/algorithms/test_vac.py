"""VAC: enumeration order, the categorical policy, refusing large or hybrid spaces."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.dnc import VAC, VACConfig
from hybrid_toolkit.algorithms.dnc.enumeration import (
    discrete_to_flat,
    enumerate_discrete,
    flat_to_discrete,
)
from hybrid_toolkit.algorithms.dnc.networks import CategoricalActor


def test_enumeration_is_mixed_radix_with_the_last_component_fastest() -> None:
    sizes = [3, 1, 4, 2]
    table = enumerate_discrete(sizes, "cpu")
    assert table.tolist() == [list(a) for a in itertools.product(*(range(n) for n in sizes))]
    flat = torch.arange(24)
    assert torch.equal(discrete_to_flat(flat_to_discrete(flat, sizes), sizes), flat)


def test_categorical_actor_log_prob_entropy_and_sampling() -> None:
    torch.manual_seed(0)
    actor = CategoricalActor(3, 5, (8,), "tanh")
    torch.nn.init.normal_(actor.net[-1].weight, std=1.0)  # a far-from-uniform policy
    feats = torch.randn(4, 3)
    dist = torch.distributions.Categorical(logits=actor.net(feats))
    index = torch.tensor([[0.0], [4.0], [2.0], [1.0]])
    torch.testing.assert_close(actor.log_prob(feats, index), dist.log_prob(index[:, 0].long()))
    torch.testing.assert_close(actor.entropy(feats), dist.entropy())
    assert torch.equal(actor.mean(feats)[:, 0].long(), dist.probs.argmax(dim=1))
    many = feats[:1].expand(40_000, 3)
    draws = actor.sample(many, torch.Generator().manual_seed(1))[:, 0].long()
    freq = torch.bincount(draws, minlength=5).float() / draws.numel()
    torch.testing.assert_close(freq, dist.probs[0].detach(), atol=0.01, rtol=0)


def test_refuses_large_and_hybrid_spaces() -> None:
    with pytest.raises(ValueError, match=r"83,521 of them, above the limit max_actions=50,000"):
        VAC("Maze-v0", verbose=0, max_actions=50_000)
    with pytest.raises(ValueError, match=r"1,419,857 of them, above the limit max_actions=100,000"):
        VAC(ht.make("Maze-v0", n_slots=5), verbose=0)
    with pytest.raises(ValueError, match="continuous parameters; use h-dnc"):
        VAC("TargetHybrid-v0", verbose=0)
    with pytest.raises(ValueError, match=r"VACConfig\.max_actions must be"):
        VACConfig(max_actions=0)


def test_save_load_identical_predictions(tmp_path: Path) -> None:
    model = VAC("TargetMultiDiscrete-v0", seed=0, verbose=0, num_envs=4).learn(64)
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=8).reset(seed=2)
    path = model.save(tmp_path / "vac")
    assert torch.equal(model.predict(obs)[0].discrete, ht.load(path).predict(obs)[0].discrete)
    model.env.action_space.validate(model.predict(obs, deterministic=False)[0])

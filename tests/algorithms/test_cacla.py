"""Cacla: rounding to the nearest action, the A2C and classic CACLA actor losses, save/load."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch
from hybrid_toolkit.algorithms.dnc import ActionCodec, Cacla, CaclaConfig, round_to_nearest
from hybrid_toolkit.spaces import DiscreteComponent, HybridSpace
from hybrid_toolkit.training import evaluate_policy


def irregular_space() -> HybridSpace:
    return HybridSpace(
        [
            DiscreteComponent(5, "ordinal", positions=(0.0, 1.0, 4.0, 9.0, 10.0)),
            DiscreteComponent(3, "ordinal"),
        ],
        low=[-2.0],
        high=[6.0],
    )


def test_rounding_picks_the_nearest_valid_action() -> None:
    space = irregular_space()
    codec = ActionCodec(space, "cpu")
    gen = torch.Generator().manual_seed(0)
    proto = torch.rand(500, 3, generator=gen) * 2.6 - 1.3  # also outside the unit box
    action = round_to_nearest(codec, proto).action
    space.validate(action)
    clipped = proto.clamp(-1, 1)
    positions = [torch.tensor(c.position_values()) for c in space.discrete]
    for i, pos in enumerate(positions):
        x = pos.min() + (clipped[:, i] + 1) / 2 * (pos.max() - pos.min())
        brute = (x[:, None] - pos[None, :]).abs().argmin(dim=1)
        assert torch.equal(action.discrete[:, i], brute), f"component {i}"
    torch.testing.assert_close(action.continuous[:, 0], 2.0 + 4.0 * clipped[:, 2])


def _batch(model: Cacla, n: int = 6) -> ReplayBatch:
    env = ht.make("TargetMultiDiscrete-v0", num_envs=n)
    obs = env.reset(seed=3)
    feats = model.learner.features(obs)
    proto = model.learner.actor.sample(feats, model.generator)
    action = model.codec.round(proto)
    return ReplayBatch(
        obs, action, torch.zeros(n), obs, torch.zeros(n, dtype=torch.bool), {"proto": proto}
    )


def test_policy_gradient_loss_uses_the_gaussian_log_likelihood_of_the_proto() -> None:
    model = Cacla("TargetMultiDiscrete-v0", seed=0, verbose=0, exploration_std=0.3)
    batch = _batch(model)
    feats = model.learner.features(batch.obs)
    advantage = torch.tensor([1.0, -2.0, 0.5, 0.0, 3.0, -1.0])
    loss, _ = model.learner._actor_loss(feats, batch, advantage)
    dist = torch.distributions.Normal(model.learner.actor.mean(feats), 0.3)
    expected = -(advantage * dist.log_prob(batch.extras["proto"]).sum(-1)).mean()
    torch.testing.assert_close(loss, expected)


def test_classic_cacla_regresses_the_mean_toward_executed_actions_with_positive_advantage() -> None:
    model = Cacla("TargetMultiDiscrete-v0", "classic", seed=0, verbose=0, actor_hidden=())
    batch = _batch(model)
    feats = model.learner.features(batch.obs)
    advantage = torch.tensor([1.0, -2.0, 0.5, 0.0, 3.0, -1.0])
    loss, _ = model.learner._actor_loss(feats, batch, advantage)
    params = list(model.learner.actor_module.parameters())
    grads = torch.autograd.grad(loss, params)
    mean = model.learner.actor.mean(feats)
    executed = model.codec.to_unit(batch.action)
    positive = (advantage > 0).float()[:, None]
    manual = (positive * (mean - executed).square()).sum(-1).mul(0.5).mean()
    for got, want in zip(grads, torch.autograd.grad(manual, params), strict=True):
        torch.testing.assert_close(got, want)


def test_save_load_and_config_errors(tmp_path: Path) -> None:
    model = Cacla("TargetHybrid-v0", seed=0, verbose=0, num_envs=4).learn(64)
    obs = ht.make("TargetHybrid-v0", num_envs=8).reset(seed=1)
    path = model.save(tmp_path / "cacla")
    before, after = model.predict(obs)[0], ht.load(path).predict(obs)[0]
    assert torch.equal(before.discrete, after.discrete)
    assert torch.equal(before.continuous, after.continuous)
    with pytest.raises(ValueError, match=r"CaclaConfig\.actor_loss must be"):
        CaclaConfig(actor_loss="ddpg")  # type: ignore[arg-type]
    assert ht.get_algorithm("cacla") is Cacla


@pytest.mark.slow
def test_classic_cacla_learns_the_target_task() -> None:
    """The default preset's case is in test_learning.py."""
    model = Cacla("TargetMultiDiscrete-v0", "classic", seed=0, verbose=0, gamma=0.5)
    model.learn(10_000)
    env = ht.make("TargetMultiDiscrete-v0", num_envs=64)
    result = evaluate_policy(lambda o: model.act(o), env, 64, seed=123)
    assert result.mean_reward >= 0.9 * env.optimal_return  # chance: 0.6

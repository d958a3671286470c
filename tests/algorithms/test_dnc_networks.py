"""Networks and features of the DNC family: critic factorisation, actors, Fourier basis, codec."""

from __future__ import annotations

import math

import gymnasium
import numpy as np
import pytest
import torch

from hybrid_toolkit.algorithms.dnc import ActionCodec
from hybrid_toolkit.algorithms.dnc.features import StateFeatures
from hybrid_toolkit.algorithms.dnc.networks import GaussianActor, HierarchicalActor, QCritic
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace


def test_critic_scores_candidates_as_the_head_on_the_concatenation() -> None:
    torch.manual_seed(0)
    critic = QCritic(5, 3, (8, 16), "relu")
    feats, actions = torch.randn(4, 5), torch.randn(4, 7, 3)
    encoding = critic.encode(feats)
    reference = critic.head(torch.cat([encoding[:, None].expand(-1, 7, -1), actions], -1))
    torch.testing.assert_close(critic.score(encoding, actions), reference.squeeze(-1))
    torch.testing.assert_close(critic(feats, actions[:, 0]), reference[:, 0, 0])


def test_gaussian_actor_log_prob_matches_torch_normal() -> None:
    torch.manual_seed(1)
    actor = GaussianActor(3, 4, (8,), "tanh", std=0.7)
    feats = torch.randn(6, 3)
    proto = actor.sample(feats, torch.Generator().manual_seed(2))
    normal = torch.distributions.Normal(actor.mean(feats), 0.7)
    torch.testing.assert_close(actor.log_prob(feats, proto), normal.log_prob(proto).sum(-1))
    torch.testing.assert_close(actor.entropy(feats), normal.entropy().sum(-1))
    assert actor.mean(feats).abs().max() < 0.1, "the output layer starts near the box centre"


def test_hierarchical_actor_conditions_the_discrete_part_on_the_parameters() -> None:
    torch.manual_seed(3)
    actor = HierarchicalActor(
        3, n_discrete=2, n_continuous=1, hidden=(8,), activation="tanh", std=0.5
    )
    feats = torch.randn(5, 3)
    proto = actor.sample(feats, torch.Generator().manual_seed(4))
    params = proto[:, 2:]
    conditioned = torch.cat([feats, params.clamp(-1, 1)], -1)
    expected = torch.distributions.Normal(actor.parameter_actor.mean(feats), 0.5).log_prob(params)
    expected = expected.sum(-1) + torch.distributions.Normal(
        actor.discrete_actor.mean(conditioned), 0.5
    ).log_prob(proto[:, :2]).sum(-1)
    torch.testing.assert_close(actor.log_prob(feats, proto), expected)
    # both actors receive gradient from the joint log-likelihood
    actor.log_prob(feats, proto).sum().backward()
    for part in (actor.parameter_actor, actor.discrete_actor):
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in part.parameters())


def test_fourier_features_follow_the_reference_basis() -> None:
    low, high = np.array([0.0, -2.0], np.float32), np.array([1.0, 2.0], np.float32)
    space = gymnasium.spaces.Box(low, high, dtype=np.float32)
    obs = torch.tensor([[0.25, 1.0], [1.0, -2.0]])
    unit = torch.tensor([[0.25, 0.75], [1.0, 0.0]])
    uncoupled = StateFeatures(space, fourier_order=3)
    assert uncoupled.dim == 6
    expected = torch.cat([torch.cos(math.pi * k * unit) for k in (1, 2, 3)], dim=1)
    torch.testing.assert_close(uncoupled(obs), expected)
    coupled = StateFeatures(space, fourier_order=3, fourier_coupled=True)
    assert coupled.dim == 16
    c = torch.tensor([2.0, 3.0])  # one of the (order + 1)^2 frequency vectors
    row = int(((coupled.frequencies - c).abs().sum(-1) == 0).nonzero())
    torch.testing.assert_close(coupled(obs)[:, row], torch.cos(math.pi * unit @ c))
    wide = gymnasium.spaces.Box(np.array([0.0, -1e6], np.float32), np.array([1.0, 1e6], np.float32))
    raw = StateFeatures(wide, fourier_order=1)(torch.tensor([[0.5, 2.0]]))
    torch.testing.assert_close(raw, torch.cos(math.pi * torch.tensor([[0.5, 2.0]])))  # unscaled
    with pytest.raises(ValueError, match="4096 features, above the limit of 1000"):
        StateFeatures(gymnasium.spaces.Box(0, 1, shape=(6,)), fourier_order=3, fourier_coupled=True)


def test_codec_unit_box_round_trip_and_inactive_parameters() -> None:
    space = HybridSpace(
        [
            DiscreteComponent(3, "categorical"),
            DiscreteComponent(4, "ordinal", positions=(0, 1, 2, 8)),
        ],
        low=[0.0, -1.0],
        high=[2.0, 1.0],
        activation={0: ((0,), (1,), ())},
    )
    codec = ActionCodec(space, "cpu")
    action = HybridAction(torch.tensor([[0, 3], [2, 1]]), torch.tensor([[1.5, 0.5], [1.0, -1.0]]))
    unit = codec.to_unit(action)
    torch.testing.assert_close(unit, torch.tensor([[-1.0, 1.0, 0.5, 0.5], [1.0, -0.75, 0.0, -1.0]]))
    back = codec.round(unit)
    assert torch.equal(back.discrete, action.discrete)
    torch.testing.assert_close(back.continuous, action.continuous)
    # the critic sees inactive parameters as 0: choice 0 owns parameter 0, choice 2 owns none
    critic_view = codec.unit(action)
    torch.testing.assert_close(critic_view[:, 2:], torch.tensor([[0.5, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="finite bounds"):
        ActionCodec(HybridSpace([2], low=[0.0], high=[float("inf")]), "cpu")

"""HybridPolicyHead: shapes, initialisation, log_std clamping, gradients."""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.nn import HybridPolicyHead
from hybrid_toolkit.spaces import HybridSpace


def space() -> HybridSpace:
    return HybridSpace([3, 2, 4], low=-1.0, high=[1.0] * 4, activation={0: [[0], [1, 2], []]})


def test_head_builds_a_distribution_of_the_right_shape():
    head = HybridPolicyHead(16, space())
    dist = head(torch.randn(10, 16))
    action = dist.sample()
    assert action.discrete.shape == (10, 3) and action.continuous.shape == (10, 4)
    assert dist.log_prob(action).shape == (10,)
    assert dist.entropy().shape == (10,)
    assert head.logits_head is not None and head.logits_head.out_features == 3 + 2 + 4


def test_small_output_gain_starts_near_uniform_and_zero_gain_exactly():
    features = torch.randn(64, 16)
    dist = HybridPolicyHead(16, space())(features)
    assert (dist.component_probs(2) - 0.25).abs().max() < 0.05
    assert dist.mean.abs().max() < 0.2
    torch.testing.assert_close(dist.log_std, torch.zeros(64, 4))

    exact = HybridPolicyHead(16, space(), output_gain=0.0)(features)
    torch.testing.assert_close(exact.component_probs(0), torch.full((64, 3), 1 / 3))
    torch.testing.assert_close(exact.entropy_parts()[0], torch.full((64,), math.log(24)))
    assert torch.equal(exact.mean, torch.zeros(64, 4))


def test_log_std_is_clamped_and_state_independent():
    head = HybridPolicyHead(8, space(), log_std_init=-0.5)
    with torch.no_grad():
        head.log_std.copy_(torch.tensor([5.0, -30.0, 0.3, 2.0]))
    dist = head(torch.randn(3, 8))
    expected = torch.tensor([2.0, -20.0, 0.3, 2.0]).expand(3, 4)
    torch.testing.assert_close(dist.log_std, expected)
    with pytest.raises(ValueError, match="log_std_init must lie in"):
        HybridPolicyHead(8, space(), log_std_init=3.0)


def test_gradients_reach_every_parameter():
    head = HybridPolicyHead(8, space())
    features = torch.randn(32, 8)
    dist = head(features)
    action = dist.sample()
    (dist.log_prob(action).mean() + dist.entropy().mean()).backward()
    for name, param in head.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_state_dict_round_trip_and_bad_inputs():
    head = HybridPolicyHead(8, space())
    other = HybridPolicyHead(8, space())
    other.load_state_dict(head.state_dict())
    features = torch.randn(5, 8)
    torch.testing.assert_close(other(features).entropy(), head(features).entropy())
    with pytest.raises(ValueError, match=r"features must have shape \[B, 8\].*got \[5, 7\]"):
        head(torch.randn(5, 7))
    unbounded = HybridSpace([2], low=[-math.inf], high=[1.0])
    with pytest.raises(ValueError, match="squash='tanh' needs finite low and high"):
        HybridPolicyHead(8, unbounded, squash="tanh")


def test_spaces_without_a_discrete_or_continuous_part():
    cont = HybridPolicyHead(4, HybridSpace(low=[0.0], high=[1.0]))
    assert cont.logits_head is None
    assert cont(torch.randn(2, 4)).sample().discrete.shape == (2, 0)
    disc = HybridPolicyHead(4, HybridSpace.multi_discrete([2, 2]))
    assert disc.mean_head is None
    assert disc(torch.randn(2, 4)).sample().continuous.shape == (2, 0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_head_runs_on_cuda():
    head = HybridPolicyHead(8, space()).to("cuda")
    dist = head(torch.randn(128, 8, device="cuda"))
    action = dist.sample(torch.Generator(device="cuda").manual_seed(0))
    assert action.discrete.is_cuda and action.continuous.is_cuda
    assert dist.log_prob(action).is_cuda and dist.entropy().is_cuda

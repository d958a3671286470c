"""HPO's policy: the per-parameter box map, separate networks, detached critic, greedy acting."""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.algorithms.hpo import BoxMap, HPOPolicy
from hybrid_toolkit.spaces import HybridSpace
from hybrid_toolkit.spaces.discontinuity import Cell


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ([0.0, -1.0], [1.0, 2.0]),  # bounded
        ([0.0, 3.0], [math.inf, math.inf]),  # lower (the JRP quantities)
        ([-math.inf, -math.inf], [math.inf, math.inf]),  # free (LQR controls)
        ([0.0, -math.inf, -math.inf, -2.0], [1.0, math.inf, 5.0, math.inf]),  # mixed
    ],
)
def test_box_map_matches_each_cells_own_map(low: list[float], high: list[float]) -> None:
    raw = torch.randn(6, len(low), generator=torch.Generator().manual_seed(0))
    scale = torch.rand(6, 1) + 0.5
    mapped = BoxMap(torch.tensor(low), torch.tensor(high))(raw, scale)
    for j, (lo, hi) in enumerate(zip(low, high, strict=True)):
        torch.testing.assert_close(mapped[:, j], Cell(lo, hi).map(raw[:, j], scale[:, 0]))
        assert bool((mapped[:, j] >= lo).all() and (mapped[:, j] <= hi).all())


def policy(scale_index: int | None = None) -> HPOPolicy:
    space = HybridSpace.parameterized([2, 2], low=0.0, high=math.inf)
    return HPOPolicy(4, space, (8,), (8,), (8,), continuous_shift=1.0, scale_index=scale_index)


def test_networks_are_separate_and_the_first_discrete_policy_is_uniform() -> None:
    torch.manual_seed(0)
    p = policy()
    groups = p.parameter_groups()
    ids = [{id(x) for x in groups[name]} for name in ("discrete", "continuous", "value")]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    dist = p.discrete_distribution(torch.randn(5, 4))
    torch.testing.assert_close(dist.probs[:, 0], torch.full((5, 2), 0.5))


def test_value_network_reads_detached_features() -> None:
    p = policy()
    feats = torch.randn(3, 4, requires_grad=True)
    p.value(feats).sum().backward()
    assert feats.grad is None


def test_quantities_are_scaled_by_the_named_feature_without_gradient() -> None:
    torch.manual_seed(0)
    p = policy(scale_index=3)
    feats = torch.randn(4, 4).abs().requires_grad_(True)
    q = p.continuous_action(feats)
    raw = p.continuous_net(feats) + 1.0  # type: ignore[misc]
    torch.testing.assert_close(q, torch.nn.functional.softplus(raw) * feats[:, 3:4])
    (grad,) = torch.autograd.grad(q.sum(), feats)
    unscaled = torch.autograd.grad(
        (torch.nn.functional.softplus(p.continuous_net(feats) + 1.0) * feats[:, 3:4].detach())  # type: ignore[misc]
        .sum(),
        feats,
    )[0]
    torch.testing.assert_close(grad, unscaled)  # the scale feature itself is not differentiated


def test_greedy_action_is_the_argmax_and_sampling_uses_the_generator() -> None:
    torch.manual_seed(1)
    p = policy()
    torch.nn.init.normal_(p.discrete_net[-1].weight)  # a non-uniform policy
    obs = torch.randn(64, 4)
    greedy = p.act(obs, deterministic=True)
    assert torch.equal(greedy.discrete, p.discrete_distribution(obs).log_probs.argmax(-1))
    a = p.act(obs, deterministic=False, generator=torch.Generator().manual_seed(3))
    b = p.act(obs, deterministic=False, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.discrete, b.discrete)
    assert torch.equal(a.continuous, greedy.continuous)  # the continuous part is deterministic

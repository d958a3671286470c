"""DistributionLayout's gather paths against the computations they replace: activation
probabilities against the table product, active-parameter densities against the masked ones."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.nn import DistributionLayout, HybridDistribution
from hybrid_toolkit.spaces import HybridAction, HybridSpace


def _logits(layout: DistributionLayout, seed: int) -> torch.Tensor:
    """Random logits `[3, n_discrete, max_n]` (-inf on padding) that require grad."""
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(3, layout.n_discrete, layout.max_n, generator=gen)
    logits = logits.masked_fill(~layout.valid, -torch.inf).requires_grad_(True)
    return logits


def _table_product(layout: DistributionLayout, probs: torch.Tensor) -> torch.Tensor:
    """The definition: Σ over governed choices of P(choice) · table[choice, j], plus always."""
    chosen = probs[:, layout.governed, :].reshape(probs.shape[0], -1)
    always = layout.always_active.to(probs.dtype)
    return always + chosen @ layout.table_rows.to(probs.dtype)


@pytest.mark.parametrize(
    "space",
    [
        HybridSpace.parameterized([1] * 300, low=-1.0, high=1.0),
        HybridSpace.parameterized([1, 2, 0, 3], low=-1.0, high=1.0),
        HybridSpace([3, 4], low=-1.0, high=[1.0] * 4, activation={1: [[0], [1, 2], [], []]}),
    ],
    ids=["300-choices", "regimes", "free-component-and-parameter"],
)
def test_one_activator_per_parameter_gathers_the_table_product(space):
    layout = DistributionLayout.of(space, "cpu")
    assert layout.source_row is not None
    logits = _logits(layout, seed=0)
    weights = torch.randn(layout.n_continuous, generator=torch.Generator().manual_seed(1))
    got = layout.active_probability(logits.softmax(-1))
    (grad_got,) = torch.autograd.grad((got * weights).sum(), logits)
    expected = _table_product(layout, logits.softmax(-1))
    (grad_expected,) = torch.autograd.grad((expected * weights).sum(), logits)
    torch.testing.assert_close(got, expected, rtol=0, atol=0)
    torch.testing.assert_close(grad_got, grad_expected)


def test_parameters_shared_by_choices_keep_the_table_product():
    # Dim 4 is active for choices 0 and 2 of component 2: no single activator.
    space = HybridSpace(
        [3, 2, 4],
        low=-2.0,
        high=[2.0] * 5,
        activation={0: [[0], [1, 2], []], 2: [[4], [], [4], []]},
    )
    layout = DistributionLayout.of(space, "cpu")
    assert layout.source_row is None
    probs = _logits(layout, seed=2).softmax(-1)
    torch.testing.assert_close(layout.active_probability(probs), _table_product(layout, probs))


def test_hard_move_layouts_pick_the_path_their_parameters_need():
    per_choice = make("HardMove-v0", num_envs=1, n_actuators=8).action_space
    per_actuator = make("HardMove-v0", num_envs=1, n_actuators=8, parameters="per_actuator")
    assert DistributionLayout.of(per_choice, "cpu").source_row is not None
    assert DistributionLayout.of(per_actuator.action_space, "cpu").source_row is None


GATHERED_SPACES = [
    HybridSpace.parameterized([1] * 64, low=-1.0, high=1.0),
    # Two governed components: one active parameter each, of 44.
    HybridSpace(
        [40, 4],
        low=-2.0,
        high=[3.0] * 44,
        activation={0: [[j] for j in range(40)], 1: [[40 + j] for j in range(4)]},
    ),
    # Two parameters per choice and two no component governs: four active of 42.
    HybridSpace(
        [20, 3],
        low=-1.0,
        high=[1.0] * 42,
        activation={0: [[2 * j, 2 * j + 1] for j in range(20)]},
    ),
]
GATHERED_IDS = ["64-choices", "two-components", "always-active"]
EXACT = [True, True, False]
"""At most two active parameters per action: their sum has one rounding whatever the order."""


@pytest.mark.parametrize("squash", [None, "tanh"])
@pytest.mark.parametrize(
    ("space", "exact"), list(zip(GATHERED_SPACES, EXACT, strict=True)), ids=GATHERED_IDS
)
def test_active_parameter_densities_equal_the_masked_full_computation(space, exact, squash):
    layout = DistributionLayout.of(space, "cpu")
    assert layout.active_index is not None
    gen = torch.Generator().manual_seed(3)
    batch, n_c = 32, space.n_continuous
    logits = torch.randn(batch, int(space.nvec.sum()), generator=gen, requires_grad=True)
    mean = torch.randn(batch, n_c, generator=gen, requires_grad=True)
    log_std = (0.3 * torch.randn(n_c, generator=gen)).requires_grad_(True)
    dist = HybridDistribution(space, logits, mean, log_std, squash=squash)
    action = dist.sample(gen)
    got = dist.log_prob(action)
    grads = torch.autograd.grad(got.sum(), (logits, mean, log_std))
    full = HybridDistribution(space, logits, mean, log_std, squash=squash)
    full.layout = replace(layout, active_index=None, active_slots=None)
    expected = full.log_prob(action)
    expected_grads = torch.autograd.grad(expected.sum(), (logits, mean, log_std))
    # Gradients flow back through the same full-width tensors, so with an exact sum the numbers
    # are the same; more active parameters are summed in another order: equal up to rounding.
    rtol, atol = (0.0, 0.0) if exact else (None, None)
    torch.testing.assert_close(got, expected, rtol=rtol, atol=atol)
    for g, e in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(g, e, rtol=rtol, atol=atol)


def test_active_parameters_ignore_inactive_values():
    space = GATHERED_SPACES[2]
    gen = torch.Generator().manual_seed(4)
    mean = torch.zeros(8, space.n_continuous)
    logits = torch.zeros(8, int(space.nvec.sum()))
    dist = HybridDistribution(space, logits, mean, torch.zeros(space.n_continuous))
    action = dist.sample(gen)
    inactive = ~space.active_mask(action.discrete)
    poisoned = action.continuous.masked_fill(inactive, float("nan"))
    got = dist.log_prob(HybridAction(action.discrete, poisoned))
    torch.testing.assert_close(got, dist.log_prob(action), rtol=0, atol=0)


def test_few_parameters_or_many_active_keep_the_masked_computation():
    per_actuator = make("HardMove-v0", num_envs=1, n_actuators=8, parameters="per_actuator")
    assert DistributionLayout.of(per_actuator.action_space, "cpu").active_index is None
    platform_like = HybridSpace.parameterized([1, 1, 1], low=-1.0, high=1.0)
    assert DistributionLayout.of(platform_like, "cpu").active_index is None
    per_choice = make("HardMove-v0", num_envs=1, n_actuators=8).action_space
    assert DistributionLayout.of(per_choice, "cpu").active_index is not None

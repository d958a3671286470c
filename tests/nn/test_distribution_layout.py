"""DistributionLayout's activation probabilities: the gather path against the table product."""

from __future__ import annotations

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.nn import DistributionLayout
from hybrid_toolkit.spaces import HybridSpace


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

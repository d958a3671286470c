"""The discontinuity → hybrid-action reformulation (HPO spec §7)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch

from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.spaces.cell import Cell
from hybrid_toolkit.spaces.discontinuity import Discontinuity, DiscontinuityReformulation

INF = math.inf
TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "discontinuities.md"


def jrp(n: int = 3, per_axis: bool = False) -> DiscontinuityReformulation:
    return DiscontinuityReformulation([Discontinuity.fixed_cost(64.0)], n, per_axis=per_axis)


def test_fixed_cost_gives_no_order_point_and_order_half_line() -> None:
    reform = jrp()
    assert reform.cells == (Cell(0.0, 0.0), Cell(0.0, INF))
    assert [c.kind for c in reform.cells] == ["point", "lower"]
    assert reform.values("fixed_cost") == (0.0, 64.0)
    assert reform.n_params == 3  # only the order regime owns quantities


def test_union_of_thresholds_splits_cells_and_reads_each_feature() -> None:
    bulk = Discontinuity("price", (0.0, 100.0, INF), (2.0, 1.5))
    express = Discontinuity("express", (0.0, 40.0, 250.0, INF), (0.0, 5.0, 9.0))
    reform = DiscontinuityReformulation([Discontinuity.fixed_cost(10.0), bulk, express])
    assert [(c.low, c.high) for c in reform.cells] == [
        (0.0, 0.0),
        (0.0, 40.0),
        (40.0, 100.0),
        (100.0, 250.0),
        (250.0, INF),
    ]
    assert reform.values("fixed_cost") == (0.0, 10.0, 10.0, 10.0, 10.0)
    assert reform.values("price") == (2.0, 2.0, 2.0, 1.5, 1.5)
    assert reform.values("express") == (0.0, 0.0, 5.0, 5.0, 9.0)


def test_reference_code_style_tiny_negative_cell_is_supported() -> None:
    # The reference code writes the fixed cost as thresholds [-1e-4, 0, inf], values [0, K].
    reform = DiscontinuityReformulation([Discontinuity("k", (-1e-4, 0.0, INF), (0.0, 64.0))])
    assert [c.kind for c in reform.cells] == ["bounded", "lower"]
    q = reform.map_raw(torch.zeros(1, 1, 2))
    assert -1e-4 < float(q[0, 0, 0]) < 0.0


@pytest.mark.parametrize(
    ("thresholds", "values", "match"),
    [
        ((0.0,), (), "at least 2"),
        ((0.0, math.nan), (1.0,), "NaN"),
        ((1.0, 0.0), (1.0,), "non-decreasing"),
        ((0.0, 0.0, 0.0, 1.0), (1.0, 2.0, 3.0), "repeat at most once"),
        ((0.0, INF, INF), (1.0, 2.0), "infinite end"),
        ((0.0, 1.0), (1.0, 2.0), "one entry per cell"),
        ((0.0, 1.0), (math.inf,), "finite"),
    ],
)
def test_invalid_discontinuities_raise(thresholds: tuple, values: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Discontinuity("bad", thresholds, values)


def test_features_must_share_the_axis_and_names_be_unique() -> None:
    a = Discontinuity("a", (0.0, 1.0, INF), (0.0, 1.0))
    with pytest.raises(ValueError, match="same axis"):
        DiscontinuityReformulation([a, Discontinuity("b", (-1.0, INF), (0.0,))])
    with pytest.raises(ValueError, match="unique"):
        DiscontinuityReformulation([a, a])
    with pytest.raises(ValueError, match="n_axes"):
        DiscontinuityReformulation([a], n_axes=0)


def test_global_action_space_activates_the_chosen_regimes_block() -> None:
    space = jrp(3).action_space()
    assert space.n_discrete == 1 and space.discrete[0].n == 2
    assert space.low.tolist() == [0.0] * 3 and space.high.tolist() == [INF] * 3
    mask = space.active_mask(torch.tensor([[0], [1]]))
    assert mask.tolist() == [[False] * 3, [True] * 3]


def test_per_axis_action_space_gives_each_axis_its_own_regime() -> None:
    space = jrp(3, per_axis=True).action_space()
    assert space.n_discrete == 3
    mask = space.active_mask(torch.tensor([[1, 0, 1]]))
    assert mask.tolist() == [[True, False, True]]


def test_map_raw_lands_in_each_cell_with_the_documented_maps() -> None:
    reform = DiscontinuityReformulation(
        [Discontinuity("f", (-INF, -2.0, -2.0, 3.0, INF), (1.0, 0.0, 2.0, 4.0))]
    )
    kinds = [c.kind for c in reform.cells]
    assert kinds == ["upper", "point", "bounded", "lower"]
    raw = torch.tensor([[[0.5, 7.0, 0.0, -1.0]]])
    q = reform.map_raw(raw)[0, 0]
    softplus = math.log1p(math.exp(0.5))
    assert q[0].item() == pytest.approx(-2.0 - softplus)
    assert q[1].item() == -2.0
    assert q[2].item() == pytest.approx(-2.0 + 5.0 * 0.5)  # sigmoid(0) = 1/2
    assert q[3].item() == pytest.approx(3.0 + math.log1p(math.exp(-1.0)))
    free = DiscontinuityReformulation([Discontinuity("u", (-INF, INF), (0.0,))])
    assert free.map_raw(torch.tensor([[[-3.5]]])).item() == -3.5


def test_map_raw_scale_multiplies_only_the_softplus_term() -> None:
    reform = jrp(2)
    raw = torch.zeros(1, 2, 2)
    q = reform.map_raw(raw, scale=torch.tensor([[10.0]]))
    assert q[0, :, 1].tolist() == pytest.approx([10.0 * math.log(2.0)] * 2)
    assert q[0, :, 0].tolist() == [0.0, 0.0]


def test_executed_reads_the_chosen_regime_and_ignores_nan_in_inactive_entries() -> None:
    reform = jrp(2)
    continuous = torch.tensor([[5.0, 7.0], [math.nan, math.nan]], requires_grad=True)
    q = reform.executed(torch.tensor([[1], [0]]), continuous)
    assert q.tolist() == [[5.0, 7.0], [0.0, 0.0]]
    q.sum().backward()
    assert continuous.grad is not None
    assert continuous.grad.tolist() == [[1.0, 1.0], [0.0, 0.0]]


def test_executed_per_axis_and_nonzero_point_cells() -> None:
    reform = DiscontinuityReformulation(
        [Discontinuity("f", (2.0, 2.0, 9.0), (0.0, 1.0))], 3, per_axis=True
    )
    q = reform.executed(torch.tensor([[0, 1, 0]]), torch.tensor([[4.0, 5.0, 6.0]]))
    assert q.tolist() == [[2.0, 5.0, 2.0]]


def test_charge_and_to_continuous_layout() -> None:
    reform = jrp(2)
    assert reform.charge("fixed_cost", torch.tensor([[0], [1]])).tolist() == [[0.0], [64.0]]
    quantities = torch.tensor([[[0.0, 3.0], [0.0, 4.0]]])
    assert reform.to_continuous(quantities).tolist() == [[3.0, 4.0]]
    with pytest.raises(KeyError, match="unknown discontinuity"):
        reform.values("nope")
    with pytest.raises(ValueError, match="K=2"):
        reform.map_raw(torch.zeros(1, 2, 3))


def test_regime_of_classifies_boundaries_and_rejects_values_off_the_axis() -> None:
    reform = DiscontinuityReformulation(
        [Discontinuity.fixed_cost(1.0), Discontinuity("p", (0.0, 10.0, INF), (1.0, 0.5))]
    )
    x = torch.tensor([0.0, 1e-9, 9.99, 10.0, 1e6])
    assert reform.regime_of(x).tolist() == [0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="outside the action axis"):
        reform.regime_of(torch.tensor([-1.0]))


def test_a_policy_built_from_the_maps_produces_valid_actions() -> None:
    reform = jrp(4)
    space = reform.action_space()
    raw = torch.randn(16, 4, 2, generator=torch.Generator().manual_seed(0)) * 5
    regime = torch.randint(0, 2, (16, 1), generator=torch.Generator().manual_seed(1))
    action = HybridAction(regime, reform.to_continuous(reform.map_raw(raw)))
    space.validate(action)


def test_tutorial_code_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(), re.S)
    assert blocks, "the tutorial has no python code blocks"
    exec(compile("\n".join(blocks), str(TUTORIAL), "exec"), {})

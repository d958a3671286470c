"""SDN: candidates stay in the Chebyshev ball and the space, the nearest neighbour is always one,
sampling follows the distance scheme, selection follows the critic."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hybrid_toolkit.algorithms.dgrl.sdn import (
    SampledDynamicNeighborhood,
    heuristic_num_candidates,
    heuristic_radius,
    select_candidates,
)
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace

IRREGULAR = HybridSpace(
    [
        DiscreteComponent(6, "ordinal", positions=(0.0, 1.0, 2.0, 10.0, 20.0, 21.0)),
        DiscreteComponent(4, "ordinal", positions=(-3.0, 0.0, 0.5, 7.0)),
        DiscreteComponent(2, "ordinal"),
    ]
)

SPACES = {
    "job-shop-like": HybridSpace.multi_discrete([101] * 6),
    "mixed sizes": HybridSpace.multi_discrete([2, 3, 17, 50, 1]),
    "irregular positions": IRREGULAR,
    "hybrid": HybridSpace(
        [DiscreteComponent(17, "ordinal")] * 3, low=[0.0, -2.0], high=[0.18, 5.0]
    ),
}


def sample_case(
    space: HybridSpace, radius: int, k: int, batch: int = 64, seed: int = 0, scheme: str = "linear"
):
    coords = space.relaxed()
    sdn = SampledDynamicNeighborhood(coords, radius, k, scheme)  # type: ignore[arg-type]
    gen = torch.Generator().manual_seed(seed)
    proto = torch.rand(batch, coords.dim, generator=gen) * 2 - 1
    proto[:4, : space.n_discrete] = torch.tensor([-1.0, 1.0, 0.0, 1.0])[:, None]  # box corners
    return coords, sdn, proto, sdn.sample(proto, gen)


@pytest.mark.parametrize("name", list(SPACES))
@pytest.mark.parametrize("radius", [1, 2, 5])
def test_candidates_lie_in_the_chebyshev_ball_and_the_space(name: str, radius: int) -> None:
    space = SPACES[name]
    coords, sdn, proto, cands = sample_case(space, radius, k=30)
    batch, slots = cands.valid.shape
    assert slots == 31 and cands.discrete.shape == (batch, slots, space.n_discrete)
    flat = cands.discrete.reshape(-1, space.n_discrete)
    cont = cands.continuous.reshape(flat.shape[0], space.n_continuous)
    space.validate(HybridAction(flat, cont))  # every candidate is a valid action
    frac = sdn.fractional_index(coords.from_unit(proto))  # proto-action in index units
    gap = (cands.discrete.double() - frac[:, None, :].double()).abs()
    assert bool((gap.amax(dim=-1) <= radius + 1e-6).all()), "a candidate left the Chebyshev ball"


@pytest.mark.parametrize("name", list(SPACES))
def test_nearest_neighbour_is_always_candidate_zero(name: str) -> None:
    space = SPACES[name]
    coords, _, proto, cands = sample_case(space, radius=2, k=10)
    box = coords.from_unit(proto)
    assert torch.equal(cands.discrete[:, 0], coords.project_indices(box))
    assert torch.allclose(cands.continuous[:, 0], coords.clamp_continuous(box))
    assert bool(cands.valid[:, 0].all())


def test_discrete_candidates_are_distinct_and_differ_from_the_nearest_neighbour() -> None:
    space = HybridSpace.multi_discrete([101] * 4)
    _, _, _, cands = sample_case(space, radius=3, k=40)
    for b in range(cands.valid.shape[0]):  # checking the test's result, not the hot path
        rows = cands.discrete[b][cands.valid[b]]
        assert len({tuple(r.tolist()) for r in rows}) == rows.shape[0]
    # a 4-d ball of radius 3 has >= 6^4 points, so 80 draws give (nearly) 40 distinct ones
    assert cands.valid[:, 1:].float().mean() > 0.95


def test_tiny_neighbourhood_marks_the_missing_candidates_invalid() -> None:
    # one binary component: the ball holds at most two actions, the nearest neighbour and one more
    space = HybridSpace.multi_discrete([2])
    _, _, _, cands = sample_case(space, radius=1, k=10, batch=32)
    assert bool((cands.valid.sum(dim=1) <= 2).all())
    assert torch.equal(
        cands.discrete[~cands.valid], cands.discrete[:, :1].expand(-1, 11, -1)[~cands.valid]
    )


def test_option_weights_follow_the_distance_schemes() -> None:
    coords = HybridSpace.multi_discrete([10]).relaxed()
    frac = torch.tensor([[3.4]])
    lin = SampledDynamicNeighborhood(coords, 2, 5, "linear", temperature=0.5)
    options, weights = lin.options(frac)
    inside = weights[0, 0] > 0
    assert options[0, 0][inside].tolist() == [2, 3, 4, 5]  # |x - 3.4| <= 2
    dist = (options[0, 0][inside] - 3.4).abs()
    assert torch.allclose(weights[0, 0][inside], 2 - dist + 0.5)
    soft = SampledDynamicNeighborhood(coords, 2, 5, "softmax", temperature=0.7)
    _, w = soft.options(frac)
    ratio = w[0, 0][inside] / w[0, 0][inside].max()
    assert torch.allclose(ratio, torch.exp(-(dist - dist.min()) / 0.7))


@pytest.mark.parametrize("scheme", ["linear", "softmax"])
def test_sampling_frequencies_match_the_scheme(scheme: str) -> None:
    # with a continuous part nothing is de-duplicated, so slots 1..k are the raw draws
    space = HybridSpace([DiscreteComponent(10, "ordinal")] * 2, low=[0.0], high=[1.0])
    coords = space.relaxed()
    sdn = SampledDynamicNeighborhood(coords, 2, 200, scheme, temperature=0.8)  # type: ignore[arg-type]
    frac = torch.tensor([[3.4, 7.0]])
    options, weights = sdn.options(frac)
    expected = weights[0] / weights[0].sum(dim=-1, keepdim=True)  # [2, n_options]
    proto = coords.to_unit(torch.tensor([[3.4, 7.0, 0.5]])).expand(50, -1)
    cands = sdn.sample(proto, torch.Generator().manual_seed(1))
    draws = cands.discrete[:, 1:].reshape(-1, 2)  # 10,000 draws per dimension
    for j in range(2):
        counts = torch.stack([(draws[:, j] == o).sum() for o in options[0, j]]).float()
        assert torch.allclose(counts / draws.shape[0], expected[j], atol=0.015)


@pytest.mark.parametrize("scheme", ["linear", "softmax"])
def test_every_option_inside_the_ball_can_be_drawn(scheme: str) -> None:
    """Full support over the trust region: each option of each dimension shows up."""
    coords = HybridSpace.multi_discrete([30, 30]).relaxed()
    sdn = SampledDynamicNeighborhood(coords, 3, 50, scheme)  # type: ignore[arg-type]
    proto = coords.to_unit(torch.tensor([[10.5, 20.2]])).expand(200, -1)
    cands = sdn.sample(proto, torch.Generator().manual_seed(3))
    seen0 = set(cands.discrete[..., 0][cands.valid].tolist())
    seen1 = set(cands.discrete[..., 1][cands.valid].tolist())
    assert seen0 == set(range(8, 14))  # |x - 10.5| <= 3
    assert seen1 == set(range(18, 24))  # |x - 20.2| <= 3


def test_hybrid_candidates_sample_the_continuous_part_jointly() -> None:
    space = SPACES["hybrid"]
    coords, _, proto, cands = sample_case(space, radius=2, k=20, batch=128)
    cont_unit = coords.to_unit(
        torch.cat([coords.positions_of(cands.discrete), cands.continuous], dim=-1)
    )[..., space.n_discrete :]
    spread = (cont_unit[:, 1:] - proto[:, None, space.n_discrete :].clamp(-1, 1)).std()
    assert 0.05 < float(spread) < 0.2  # Gaussian neighbourhood of std 0.1 (clipped at the box)
    assert bool(cands.valid.all())  # joint tuples are distinct almost surely: nothing dropped
    assert (cands.discrete[:, 1:] != cands.discrete[:, :1]).any(dim=-1).float().mean() > 0.5


def test_large_spaces_never_enumerate() -> None:
    """A 10^80 space (40 components of 101 levels): tensors of size B * k * d, all distinct."""
    space = HybridSpace.multi_discrete([101] * 40)
    assert space.log10_cardinality > 80
    *_, cands = sample_case(space, radius=5, k=100, batch=8)
    assert cands.discrete.shape == (8, 101, 40)
    assert cands.valid[:, 1:].all()


def test_selection_argmax_and_rank_probabilities() -> None:
    q = torch.tensor([[0.1, 3.0, 2.0, -1.0]]).expand(20000, -1)
    valid = torch.tensor([[True, True, True, False]]).expand(20000, -1)
    assert bool((select_candidates(q, valid, deterministic=True) == 1).all())
    gen = torch.Generator().manual_seed(0)
    index = select_candidates(q, valid, False, "rank", temperature=1.0, generator=gen)
    freq = torch.bincount(index, minlength=4).float() / index.numel()
    ranks = torch.tensor([2.0, 0.0, 1.0])  # rank 0 is the best valid candidate
    expected = torch.softmax(-ranks, dim=0)
    assert freq[3] == 0  # an invalid slot is never chosen
    assert torch.allclose(freq[:3], expected, atol=0.015)
    soft = select_candidates(q, valid, False, "softmax", temperature=0.5, generator=gen)
    freq = torch.bincount(soft, minlength=4).float() / soft.numel()
    z = q[0, :3]
    z = (z - z.mean()) / z.std(unbiased=False)
    assert torch.allclose(freq[:3], torch.softmax(z / 0.5, dim=0), atol=0.015)


def test_heuristics_follow_the_documented_formulas() -> None:
    assert heuristic_radius([2] * 12) == 1
    assert heuristic_radius([17] * 4) == 1
    assert heuristic_radius([101] * 10) == 5
    assert heuristic_radius([67] * 10) == 4
    assert heuristic_radius([1639, 1639]) == 10
    for d, r in [(4, 1), (10, 5), (2, 10), (40, 5)]:
        assert heuristic_num_candidates(d, r) == min(100, max(10, 2 * r * d))
    assert 1 <= heuristic_radius([3]) <= 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"radius": 0}, "SDN radius must be an integer >= 1, got 0"),
        ({"num_candidates": 0}, "SDN num_candidates must be an integer >= 1, got 0"),
        ({"scheme": "cubic"}, "SDN scheme must be 'linear' or 'softmax', got 'cubic'"),
        ({"temperature": 0.0}, "SDN temperature must be > 0, got 0.0"),
    ],
)
def test_bad_sampler_arguments_name_the_parameter(kwargs: dict, match: str) -> None:
    args = {"radius": 1, "num_candidates": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        SampledDynamicNeighborhood(HybridSpace.multi_discrete([5]).relaxed(), **args)


def test_irregular_positions_are_read_in_index_steps() -> None:
    coords = IRREGULAR.relaxed()
    sdn = SampledDynamicNeighborhood(coords, 1, 4)
    box = torch.tensor([[6.0, 0.25, 0.5]])  # between 2 and 10; between 0 and 0.5; mid-bit
    frac = sdn.fractional_index(box)
    assert torch.allclose(frac, torch.tensor([[2.5, 1.5, 0.5]]))
    assert math.isclose(float(sdn.fractional_index(torch.tensor([[21.0, 7.0, 1.0]]))[0, 0]), 5.0)


@st.composite
def sdn_cases(draw: st.DrawFn) -> tuple[HybridSpace, int, int, int]:
    """A random space (sizes 1-40, default or irregular positions, maybe parameters), radius,
    candidate count and seed."""
    comps = []
    for _ in range(draw(st.integers(1, 5))):
        n = draw(st.integers(1, 40))
        positions = None
        if draw(st.booleans()):
            values = draw(st.lists(st.integers(-400, 400), min_size=n, max_size=n, unique=True))
            positions = tuple(sorted(v / 4 for v in values))
        comps.append(DiscreteComponent(n, "ordinal", positions))
    n_cont = draw(st.integers(0, 2))
    low = [draw(st.integers(-8, 0)) / 4 for _ in range(n_cont)]
    high = [lo + draw(st.integers(0, 8)) / 4 for lo in low]
    space = HybridSpace(comps, low, high)
    return space, draw(st.integers(1, 6)), draw(st.integers(1, 30)), draw(st.integers(0, 999))


@settings(max_examples=60, deadline=None)
@given(sdn_cases())
def test_property_candidates_stay_in_the_ball_and_the_space(
    case: tuple[HybridSpace, int, int, int],
) -> None:
    space, radius, k, seed = case
    coords, sdn, proto, cands = sample_case(space, radius, k, batch=16, seed=seed)
    n = cands.discrete.shape[0] * cands.discrete.shape[1]
    space.validate(
        HybridAction(
            cands.discrete.reshape(n, space.n_discrete),
            cands.continuous.reshape(n, space.n_continuous),
        )
    )
    box = coords.from_unit(proto)
    frac = sdn.fractional_index(box).double()
    assert bool(((cands.discrete.double() - frac[:, None, :]).abs() <= radius + 1e-6).all())
    assert torch.equal(cands.discrete[:, 0], coords.project_indices(box))
    assert bool(cands.valid[:, 0].all())

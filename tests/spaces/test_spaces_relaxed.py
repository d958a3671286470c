"""Relaxed coordinates: encode/project, nearest-position correctness, distances, unit maps."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from spaces_strategies import QUARTERS, hybrid_spaces, seeded

from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace, RelaxedCoordinates

# Queries on a 1/8 grid land exactly on midpoints between positions (a 1/4 grid) now and then.
EIGHTHS = st.integers(-9000, 9000).map(lambda k: k / 8)


def reference_bounds(space: HybridSpace) -> tuple[np.ndarray, np.ndarray]:
    """low/high of the relaxed box straight from the definition."""
    lows = [min(c.position_values()) for c in space.discrete] + space.low.tolist()
    highs = [max(c.position_values()) for c in space.discrete] + space.high.tolist()
    return np.array(lows), np.array(highs)


def nearest_by_brute_force(positions: tuple[float, ...], x: float) -> int:
    """Index of the nearest position, the lowest index among equally near ones."""
    distances = [abs(x - p) for p in positions]
    return distances.index(min(distances))


# ---------------------------------------------------------------------------- by hand
def irregular_space() -> HybridSpace:
    return HybridSpace(
        [DiscreteComponent(3, "ordinal", (0.0, 1.0, 10.0)), DiscreteComponent(2)],
        low=[-1.0],
        high=[2.0],
    )


def test_bounds_and_encode_by_hand() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    assert relaxed.dim == 3
    assert relaxed.low.tolist() == [0.0, 0.0, -1.0] and relaxed.high.tolist() == [10.0, 1.0, 2.0]
    action = HybridAction(torch.tensor([[2, 1], [1, 0]]), torch.tensor([[0.5], [-1.0]]))
    assert relaxed.encode(action).tolist() == [[10.0, 1.0, 0.5], [1.0, 0.0, -1.0]]


def test_projection_by_hand_including_ties_and_infinities() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    x = torch.tensor(
        [
            [5.5, 0.5, 3.0],  # 5.5 is the 1..10 midpoint -> lower index; 0.5 tie -> 0
            [5.6, 0.51, -7.0],
            [-math.inf, math.inf, 1.0],
            [0.4, -3.0, math.inf],
        ]
    )
    action = relaxed.project(x)
    assert action.discrete.tolist() == [[1, 0], [2, 1], [0, 1], [0, 0]]
    assert action.continuous.tolist() == [[2.0], [-1.0], [1.0], [2.0]]


def test_nan_maps_to_a_valid_index() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    index = relaxed.project_indices(torch.tensor([[math.nan, math.nan, 0.0]]))
    assert ((index >= 0) & (index < torch.tensor([3, 2]))).all()


def test_leading_dims_are_kept_or_flattened() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    x = torch.randn(4, 5, 3, generator=seeded(0)) * 6
    indices = relaxed.project_indices(x)
    assert indices.shape == (4, 5, 2) and indices.dtype == torch.int64
    assert relaxed.clamp_continuous(x).shape == (4, 5, 1)
    flat = relaxed.project(x)
    assert flat.batch_size == 20 and torch.equal(flat.discrete, indices.reshape(20, 2))


def test_shape_errors_name_the_expected_dimension() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    with pytest.raises(ValueError, match=r"\[\.\.\., 3\].*n_discrete=2.*got \[4, 2\]"):
        relaxed.project(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="norm must be"):
        relaxed.distance(torch.zeros(3), torch.zeros(3), norm="cosine")  # type: ignore[arg-type]


def test_normalized_distance_needs_finite_bounds() -> None:
    relaxed = RelaxedCoordinates(HybridSpace([3], low=[0.0], high=[math.inf]))
    with pytest.raises(ValueError, match="finite bounds"):
        relaxed.distance(torch.zeros(2), torch.ones(2), normalized=True)


def test_gradients_flow_through_encode_and_clamp() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    x = torch.tensor([[0.0, 0.0, 0.5], [0.0, 0.0, 5.0]], requires_grad=True)
    relaxed.clamp_continuous(x).sum().backward()
    assert x.grad is not None and x.grad[:, 2].tolist() == [1.0, 0.0]  # clamped -> no gradient
    cont = torch.tensor([[0.3]], requires_grad=True)
    relaxed.encode(HybridAction(torch.tensor([[0, 0]]), cont)).sum().backward()
    assert cont.grad is not None and cont.grad.tolist() == [[1.0]]


def test_unit_maps_by_hand() -> None:
    space = HybridSpace([DiscreteComponent(5), DiscreteComponent(1)], [-2.0, 0.0], [2.0, math.inf])
    relaxed = RelaxedCoordinates(space)
    x = torch.tensor([[0.0, 0.0, -2.0, 3.0], [4.0, 0.0, 2.0, -8.0]])
    u = relaxed.to_unit(x)
    # 5 levels span [0, 4]; the 1-level component is degenerate; the half-bounded dim passes.
    assert u.tolist() == [[-1.0, 0.0, -1.0, 3.0], [1.0, 0.0, 1.0, -8.0]]
    assert torch.equal(relaxed.from_unit(u), x)
    # centre 2, half-width 2: 2 + 0.7 * 2; the degenerate dim stays at its only value.
    got = relaxed.from_unit(torch.tensor([0.7, 0.7, 0.0, 5.0])).tolist()
    assert got == pytest.approx([3.4, 0.0, 0.0, 5.0])


# ---------------------------------------------------------------------------- large spaces
def test_10_to_the_20_space_projects_like_rounding() -> None:
    space = HybridSpace.multi_discrete([101] * 10)
    relaxed = RelaxedCoordinates(space)
    assert relaxed.positions.shape == (10, 101)
    x = torch.rand(2048, 8, 10, generator=seeded(1)) * 120 - 10
    x[0, 0] = torch.arange(10) + 0.5  # exact ties round down
    indices = relaxed.project_indices(x)
    expected = torch.ceil(x - 0.5).clamp(0, 100).long()  # nearest integer, ties to the lower
    assert torch.equal(indices, expected)
    space.validate(relaxed.project(x))


def test_3000_item_categorical_component_with_irregular_positions() -> None:
    positions = tuple(float(i * i) for i in range(3000))  # gaps grow: 1, 3, 5, ...
    space = HybridSpace([DiscreteComponent(3000, "categorical", positions), DiscreteComponent(4)])
    relaxed = RelaxedCoordinates(space)
    assert relaxed.positions.numel() == 2 * 3000  # one padded row per component, no product
    x = torch.rand(512, 2, generator=seeded(2), dtype=torch.float64) * 3000.0**2
    got = relaxed.project_indices(x)[:, 0]
    table = torch.tensor(positions, dtype=torch.float64)
    brute = (x[:, :1] - table).abs().argmin(dim=1)  # argmin returns the first minimum
    assert torch.equal(got, brute)


# ---------------------------------------------------------------------------- properties
@settings(max_examples=80, deadline=None)
@given(space=hybrid_spaces(), seed=st.integers(0, 2**31 - 1))
def test_project_inverts_encode_on_valid_actions(space: HybridSpace, seed: int) -> None:
    action = space.sample(8, generator=seeded(seed))
    for dtype in (torch.float32, torch.float64):
        relaxed = RelaxedCoordinates(space, dtype=dtype)
        back = relaxed.project(relaxed.encode(action))
        assert torch.equal(back.discrete, action.discrete)
        assert torch.equal(back.continuous.float(), action.continuous)


@settings(max_examples=80, deadline=None)
@given(space=hybrid_spaces(), data=st.data())
def test_projection_is_valid_and_the_true_nearest(space: HybridSpace, data: st.DataObject) -> None:
    relaxed = RelaxedCoordinates(space)
    # Discrete coordinates: anywhere, or exactly on a position or a midpoint (a tie).
    coords = []
    for comp in space.discrete:
        p = comp.position_values()
        special = [*p, *((a + b) / 2 for a, b in itertools.pairwise(p))]
        coords.append(st.one_of(EIGHTHS, st.sampled_from(special)))
    point = st.tuples(*coords, *[EIGHTHS] * space.n_continuous).map(list)
    rows = data.draw(st.lists(point, min_size=1, max_size=6))
    x = torch.tensor(rows, dtype=torch.float32).reshape(len(rows), 1, relaxed.dim)
    action = relaxed.project(x)
    space.validate(action)
    low, high = space.low.tolist(), space.high.tolist()
    for row, got, cont in zip(
        rows, action.discrete.tolist(), action.continuous.tolist(), strict=True
    ):
        for i, comp in enumerate(space.discrete):
            assert got[i] == nearest_by_brute_force(comp.position_values(), row[i])
        params = row[space.n_discrete :]
        assert cont == [min(max(v, lo), hi) for v, lo, hi in zip(params, low, high, strict=True)]


@settings(max_examples=60, deadline=None)
@given(space=hybrid_spaces(), data=st.data(), normalized=st.booleans())
def test_distances_match_numpy(space: HybridSpace, data: st.DataObject, normalized: bool) -> None:
    relaxed = RelaxedCoordinates(space, dtype=torch.float64)
    low, high = reference_bounds(space)
    assert relaxed.low.tolist() == low.tolist() and relaxed.high.tolist() == high.tolist()
    vectors = st.lists(QUARTERS, min_size=relaxed.dim, max_size=relaxed.dim)
    x = np.array(data.draw(st.lists(vectors, min_size=1, max_size=4)))[:, None, :]  # [B, 1, D]
    y = np.array(data.draw(st.lists(vectors, min_size=1, max_size=3)))[None, :, :]  # [1, K, D]
    diff = np.abs(x - y)
    if normalized:
        if not (np.isfinite(low).all() and np.isfinite(high).all()):
            with pytest.raises(ValueError):
                relaxed.distance(torch.tensor(x), torch.tensor(y), normalized=True)
            return
        span = high - low
        diff = diff / np.where(span > 0, span, 1.0)
    reference = {
        "chebyshev": diff.max(axis=-1),
        "euclidean": np.sqrt((diff**2).sum(axis=-1)),
        "manhattan": diff.sum(axis=-1),
    }
    for norm, want in reference.items():
        got = relaxed.distance(torch.tensor(x), torch.tensor(y), norm, normalized)  # type: ignore[arg-type]
        assert got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=0)


@settings(max_examples=60, deadline=None)
@given(space=hybrid_spaces(finite=True), data=st.data())
def test_unit_maps_send_the_box_to_minus_one_one(space: HybridSpace, data: st.DataObject) -> None:
    relaxed = RelaxedCoordinates(space, dtype=torch.float64)
    low, high = relaxed.low, relaxed.high
    wide = high > low
    assert torch.equal(relaxed.to_unit(low)[wide], -torch.ones(int(wide.sum()), dtype=low.dtype))
    assert torch.equal(relaxed.to_unit(high)[wide], torch.ones(int(wide.sum()), dtype=low.dtype))
    u = torch.tensor(
        data.draw(st.lists(st.floats(-1, 1), min_size=relaxed.dim, max_size=relaxed.dim))
    )
    x = relaxed.from_unit(u.double())
    assert ((x >= low) & (x <= high)).all()
    torch.testing.assert_close(relaxed.to_unit(x)[wide], u.double()[wide])
    assert torch.equal(x[~wide], low[~wide])


def test_to_device_keeps_results() -> None:
    relaxed = RelaxedCoordinates(irregular_space())
    x = torch.randn(64, 3, generator=seeded(3)) * 6
    moved = relaxed.to("cpu")
    assert moved is not relaxed and moved.device == torch.device("cpu")
    assert torch.equal(moved.project_indices(x), relaxed.project_indices(x))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu() -> None:
    space = HybridSpace.multi_discrete([101] * 10)
    relaxed = RelaxedCoordinates(space)
    x = torch.rand(256, 10, generator=seeded(4)) * 120 - 10
    on_gpu = relaxed.to("cuda")
    assert torch.equal(on_gpu.project_indices(x.cuda()).cpu(), relaxed.project_indices(x))
    assert torch.equal(
        space.relaxed("cuda").encode(relaxed.project(x).to("cuda")).cpu(),
        relaxed.encode(relaxed.project(x)),
    )


@pytest.mark.parametrize("positions", [None, (-3.0, -2.75, -2.5, -2.25), (1.0, 4.0, 7.0)])
def test_evenly_spaced_fast_path_agrees_with_searchsorted(positions: tuple | None) -> None:
    comps = [DiscreteComponent(4 if positions is None else len(positions), "ordinal", positions)]
    relaxed = RelaxedCoordinates(HybridSpace([*comps, DiscreteComponent(1)]))
    assert relaxed._uniform  # evenly spaced grids take the closed form
    general = relaxed.to("cpu")
    general._uniform = False  # force the searchsorted path on the same tables
    grid = relaxed.positions[0, : comps[0].n].double()
    mids = (grid[:-1] + grid[1:]) / 2
    specials = torch.cat([grid, mids, torch.tensor([math.inf, -math.inf])])  # NaN: unspecified
    x = torch.cat([specials, torch.rand(500, generator=seeded(5), dtype=torch.float64) * 30 - 15])
    points = torch.stack([x, x], dim=-1)
    assert torch.equal(relaxed.project_indices(points), general.project_indices(points))

"""Hypothesis strategies for random hybrid spaces of the three shapes, plus a brute-force
activation mask that the tests compare the library against."""

from __future__ import annotations

import math

import torch
from hypothesis import strategies as st

from hybrid_toolkit.spaces import DiscreteComponent, DiscreteKind, HybridSpace

# Multiples of 1/4 are exact in float32 and float64, so reference arithmetic in the tests is exact
# and midpoints between two positions (multiples of 1/8) can be hit exactly to exercise ties.
QUARTERS = st.integers(-4000, 4000).map(lambda k: k / 4)


@st.composite
def bounds(draw: st.DrawFn, n: int) -> tuple[list[float], list[float]]:
    """Bounds for ``n`` parameters: bounded (possibly zero width), half-bounded or unbounded."""
    low, high = [], []
    for _ in range(n):
        kind = draw(st.sampled_from(["bounded", "bounded", "lower", "upper", "none"]))
        a, b = sorted((draw(QUARTERS), draw(QUARTERS)))
        low.append(a if kind in ("bounded", "lower") else -math.inf)
        high.append(b if kind in ("bounded", "upper") else math.inf)
    return low, high


@st.composite
def finite_bounds(draw: st.DrawFn, n: int) -> tuple[list[float], list[float]]:
    pairs = [sorted((draw(QUARTERS), draw(QUARTERS))) for _ in range(n)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@st.composite
def components(draw: st.DrawFn, max_n: int = 7) -> DiscreteComponent:
    """A component with default, or irregular (strictly increasing, exact) positions."""
    n = draw(st.integers(1, max_n))
    kind: DiscreteKind = draw(st.sampled_from(["categorical", "ordinal"]))
    positions = None
    if draw(st.booleans()):
        positions = tuple(sorted(draw(st.lists(QUARTERS, min_size=n, max_size=n, unique=True))))
    name = draw(st.sampled_from(["", "lever"]))
    return DiscreteComponent(n, kind, positions, name)


@st.composite
def regime_spaces(draw: st.DrawFn, finite: bool = False) -> HybridSpace:
    """Regime + parameters: one categorical choice activating its own parameter block."""
    param_dims = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    total = sum(param_dims)
    low, high = draw(finite_bounds(total) if finite else bounds(total))
    if total == 0:
        return HybridSpace.parameterized(param_dims)
    names = [f"p{j}" for j in range(total)] if draw(st.booleans()) else None
    return HybridSpace.parameterized(param_dims, low, high, continuous_names=names)


@st.composite
def multi_discrete_spaces(draw: st.DrawFn, max_n: int = 7) -> HybridSpace:
    """Many discrete components (ordinal/categorical, default or irregular positions)."""
    comps = draw(st.lists(components(max_n), min_size=1, max_size=6))
    return HybridSpace(comps)


@st.composite
def mixed_spaces(draw: st.DrawFn, finite: bool = False, max_n: int = 7) -> HybridSpace:
    """Many components plus parameters; optionally component 0 governs some of them."""
    comps = draw(st.lists(components(max_n), min_size=1, max_size=5))
    n_cont = draw(st.integers(1, 4))
    low, high = draw(finite_bounds(n_cont) if finite else bounds(n_cont))
    activation = None
    if draw(st.booleans()):
        governed = draw(st.lists(st.integers(0, n_cont - 1), unique=True, max_size=n_cont))
        rows = [
            draw(st.lists(st.sampled_from(governed), unique=True)) if governed else []
            for _ in range(comps[0].n)
        ]
        activation = {0: rows}
    return HybridSpace(comps, low, high, activation=activation)


def hybrid_spaces(finite: bool = False, max_n: int = 7) -> st.SearchStrategy[HybridSpace]:
    """Any of the three shapes (and a pure box now and then)."""
    box = st.integers(1, 3).flatmap(finite_bounds if finite else bounds)
    return st.one_of(
        regime_spaces(finite),
        multi_discrete_spaces(max_n),
        mixed_spaces(finite, max_n),
        box.map(lambda lh: HybridSpace((), lh[0], lh[1])),
    )


def brute_force_active_mask(space: HybridSpace, discrete: list[int]) -> list[bool]:
    """Which parameters are active for one discrete action, straight from the definition."""
    mask = []
    for j in range(space.n_continuous):
        owners = [c for c, rows in space.activation.items() if any(j in r for r in rows)]
        mask.append(not owners or j in space.activation[owners[0]][discrete[owners[0]]])
    return mask


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)

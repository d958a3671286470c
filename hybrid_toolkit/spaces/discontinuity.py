"""Action discontinuities reformulated as hybrid actions (HPO paper, spec §7).

A cost or transition that jumps at known points of a scalar action axis (a fixed ordering cost
at ``q = 0``, a bulk discount above ``q = 100``) is awkward for gradient methods: the jump has
no useful derivative. The reformulation moves the jump into a discrete choice:

1. each discontinuity is declared as a :class:`Discontinuity` — sorted ``thresholds`` over the
   axis and one cost ``value`` per cell between consecutive thresholds;
2. the union of all thresholds splits the axis into ``K`` cells; **each cell is one regime**;
3. the action becomes a regime (a categorical) plus, per regime, a quantity inside its cell;
   every declared value now depends only on the regime, and inside a regime costs and
   transitions are smooth in the quantity.

:class:`DiscontinuityReformulation` builds the :class:`~hybrid_toolkit.spaces.HybridSpace` of
that action (one global regime, or one regime per axis), maps raw network outputs into each
cell (sigmoid for bounded cells, softplus for half-open ones, identity for the whole line),
and turns a hybrid action back into executed quantities and per-regime charges.

Cell convention: a repeated threshold ``(t, t)`` declares a **point cell** ``{t}`` (e.g. "order
exactly nothing"); interval cells are half-open ``[t_k, t_{k+1})`` when classifying a value
(:meth:`DiscontinuityReformulation.regime_of`), the last one closed, and a point cell wins over
the interval that starts at it. The action space uses the closed cells as bounds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.spaces.cell import Cell
from hybrid_toolkit.spaces.components import DiscreteComponent
from hybrid_toolkit.spaces.hybrid_space import HybridSpace


@dataclass(frozen=True)
class Discontinuity:
    """One discontinuous feature of a scalar action axis.

    Attributes:
        name: Feature name (e.g. ``"fixed_cost"``), used to read its per-regime values.
        thresholds: Non-decreasing cell boundaries including the two outer ends (``±inf``
            allowed); a repeated value ``(t, t)`` declares a point cell ``{t}``.
        values: One finite value per cell, ``len(thresholds) - 1`` of them (e.g. the fixed
            cost charged in each cell).

    Examples:
        A fixed cost of 64 for any positive quantity: the point ``{0}`` is free, ``[0, ∞)``
        pays 64.

        >>> Discontinuity("fixed_cost", (0.0, 0.0, math.inf), (0.0, 64.0))
    """

    name: str
    thresholds: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        t = tuple(float(x) for x in self.thresholds)
        v = tuple(float(x) for x in self.values)
        object.__setattr__(self, "thresholds", t)
        object.__setattr__(self, "values", v)
        where = f"Discontinuity {self.name!r}"
        if len(t) < 2:
            raise ValueError(f"{where}: thresholds needs at least 2 entries, got {t}")
        if any(math.isnan(x) for x in t):
            raise ValueError(f"{where}: thresholds must not contain NaN, got {t}")
        if any(b < a for a, b in itertools.pairwise(t)):
            raise ValueError(f"{where}: thresholds must be non-decreasing, got {t}")
        if any(a == b == c for a, b, c in zip(t, t[1:], t[2:], strict=False)):
            raise ValueError(
                f"{where}: a threshold may repeat at most once (a point cell), got {t}"
            )
        if not (math.isfinite(t[0]) or t[0] < t[1]) or not (math.isfinite(t[-1]) or t[-2] < t[-1]):
            raise ValueError(f"{where}: an infinite end cannot be a point cell, got {t}")
        if len(v) != len(t) - 1:
            raise ValueError(
                f"{where}: values needs one entry per cell ({len(t) - 1}), got {len(v)}: {v}"
            )
        if not all(math.isfinite(x) for x in v):
            raise ValueError(f"{where}: values must be finite, got {v}")

    @classmethod
    def fixed_cost(cls, cost: float, *, at: float = 0.0, name: str = "fixed_cost") -> Discontinuity:
        """A fixed charge for any quantity above ``at``: cells ``{at}`` (free) and ``[at, ∞)``.

        This is the joint-replenishment setting: regime 0 orders nothing, regime 1 orders a
        non-negative quantity and pays ``cost``.
        """
        return cls(name, (at, at, math.inf), (0.0, cost))

    @property
    def cells(self) -> tuple[Cell, ...]:
        """The feature's own cells, in axis order."""
        t = self.thresholds
        return tuple(Cell(a, b) for a, b in itertools.pairwise(t))


def _merge_cells(features: Sequence[Discontinuity]) -> tuple[Cell, ...]:
    """Cells of the union of every feature's thresholds (point cells kept)."""
    lows = {f.thresholds[0] for f in features}
    highs = {f.thresholds[-1] for f in features}
    if len(lows) != 1 or len(highs) != 1:
        spans = {f.name: (f.thresholds[0], f.thresholds[-1]) for f in features}
        raise ValueError(f"every Discontinuity must span the same axis [low, high], got {spans}")
    breaks = sorted({x for f in features for x in f.thresholds})
    points = {c.low for f in features for c in f.cells if c.kind == "point"}
    cells: list[Cell] = []
    for j, b in enumerate(breaks):
        if b in points:
            cells.append(Cell(b, b))
        if j + 1 < len(breaks):
            cells.append(Cell(b, breaks[j + 1]))
    return tuple(cells)


def _feature_value(feature: Discontinuity, cell: Cell) -> float:
    """The value ``feature`` charges everywhere in the merged ``cell``."""
    own = feature.cells
    for k, c in enumerate(own):
        if cell.kind == "point" and c.kind == "point" and c.low == cell.low:
            return feature.values[k]
    for k, c in enumerate(own):
        if c.kind == "point":
            continue
        is_last = k == len(own) - 1
        if cell.kind == "point":
            inside = c.low <= cell.low < c.high or (is_last and cell.low == c.high)
        else:
            inside = c.low <= cell.low and cell.high <= c.high
        if inside:
            return feature.values[k]
    raise AssertionError(f"cell {cell} not covered by {feature}")  # merged cells always are


class DiscontinuityReformulation:
    """The hybrid action that replaces one or more discontinuities of a scalar action axis.

    The same scalar axis is used by ``n_axes`` quantities (e.g. one order quantity per item);
    either one **global** regime is shared by every axis, or each axis picks its own
    (``per_axis=True``). Continuous parameters are laid out regime-major: for every non-point
    regime ``k`` in order, one parameter per axis (point regimes have no parameter).

    Args:
        features: The discontinuities; all must span the same ``[low, high]``.
        n_axes: Number of quantities sharing the axis.
        per_axis: One regime component per axis instead of one global regime.
        regime_name: Name of the regime component(s) in the action space.

    Examples:
        >>> reform = DiscontinuityReformulation([Discontinuity.fixed_cost(64.0)], n_axes=3)
        >>> reform.n_regimes, reform.cells[1].kind
        (2, 'lower')
    """

    def __init__(
        self,
        features: Sequence[Discontinuity],
        n_axes: int = 1,
        *,
        per_axis: bool = False,
        regime_name: str = "regime",
    ) -> None:
        if not features:
            raise ValueError("DiscontinuityReformulation needs at least one Discontinuity")
        names = [f.name for f in features]
        if len(set(names)) != len(names):
            raise ValueError(f"Discontinuity names must be unique, got {names}")
        if isinstance(n_axes, bool) or not isinstance(n_axes, int) or n_axes < 1:
            raise ValueError(f"n_axes must be an integer >= 1, got {n_axes!r}")
        self.features = tuple(features)
        self.n_axes = n_axes
        self.per_axis = per_axis
        self.regime_name = regime_name
        self.cells: tuple[Cell, ...] = _merge_cells(self.features)
        self._values = {f.name: tuple(_feature_value(f, c) for c in self.cells) for f in features}
        # Parameter block of each regime (None for point cells, which have no parameter).
        self._blocks: list[slice | None] = []
        start = 0
        for cell in self.cells:
            if cell.kind == "point":
                self._blocks.append(None)
            else:
                self._blocks.append(slice(start, start + n_axes))
                start += n_axes
        self.n_params = start
        # What executed() looks at: regimes with a parameter block, and point cells whose
        # value is not 0 (a zero-valued point executes nothing).
        self._executed_plan = tuple(
            (k, block, cell.low)
            for k, (cell, block) in enumerate(zip(self.cells, self._blocks, strict=True))
            if block is not None or cell.low != 0.0
        )
        self._single_block = self.n_params == n_axes  # one block spanning every parameter
        # Per-regime value tables, by feature and dtype, on the device last asked for.
        self._tables: dict[tuple[str, torch.dtype], Tensor] = {}

    @property
    def n_regimes(self) -> int:
        """Number of regimes ``K`` (cells of the merged axis)."""
        return len(self.cells)

    def values(self, name: str) -> tuple[float, ...]:
        """The per-regime values of feature ``name`` (length ``K``)."""
        if name not in self._values:
            raise KeyError(
                f"unknown discontinuity {name!r}; declared ones are {list(self._values)}"
            )
        return self._values[name]

    def param_block(self, regime: int) -> slice | None:
        """The slice of continuous parameters owned by ``regime`` (``None`` for a point cell)."""
        return self._blocks[regime]

    # ------------------------------------------------------------------ the action space
    def action_space(self, axis_names: Sequence[str] | None = None) -> HybridSpace:
        """The :class:`HybridSpace` of the reformulated action.

        Global regime: one categorical component of ``K`` choices, choice ``k`` activating the
        ``n_axes`` parameters of regime ``k``. Per-axis: ``n_axes`` components, choice ``k`` of
        component ``i`` activating parameter ``i`` of regime ``k``'s block. Bounds are the
        closed cells.
        """
        low: list[float] = []
        high: list[float] = []
        names: list[str] = []
        axes = list(axis_names) if axis_names is not None else [str(i) for i in range(self.n_axes)]
        if len(axes) != self.n_axes:
            raise ValueError(f"axis_names must have n_axes={self.n_axes} entries, got {len(axes)}")
        for k, cell in enumerate(self.cells):
            if cell.kind != "point":
                low += [cell.low] * self.n_axes
                high += [cell.high] * self.n_axes
                names += [f"{self.regime_name}{k}/{a}" for a in axes]
        if not self.per_axis:
            rows = [tuple(range(b.start, b.stop)) if b is not None else () for b in self._blocks]
            component = DiscreteComponent(self.n_regimes, "categorical", name=self.regime_name)
            return HybridSpace([component], low, high, {0: rows}, continuous_names=names or None)
        components = [
            DiscreteComponent(self.n_regimes, "categorical", name=f"{self.regime_name}/{a}")
            for a in axes
        ]
        activation = {
            i: [(b.start + i,) if b is not None else () for b in self._blocks]
            for i in range(self.n_axes)
        }
        return HybridSpace(components, low, high, activation, continuous_names=names or None)

    # ------------------------------------------------------------------ policy side
    def map_raw(self, raw: Tensor, scale: Tensor | float | None = None) -> Tensor:
        """Map raw outputs ``[..., n_axes, K]`` into each regime's cell (same shape).

        Args:
            raw: One unconstrained output per (axis, regime), e.g. HPO's continuous head.
            scale: Optional factor on the softplus of half-open cells, broadcastable to
                ``raw[..., 0]`` (e.g. ``[B, 1]`` mean demand).
        """
        if raw.shape[-1] != self.n_regimes:
            raise ValueError(
                f"raw must end with one entry per regime (K={self.n_regimes}), "
                f"got shape {tuple(raw.shape)}"
            )
        return torch.stack(
            [cell.map(raw[..., k], scale) for k, cell in enumerate(self.cells)], dim=-1
        )

    def to_continuous(self, quantities: Tensor) -> Tensor:
        """Pack per-(axis, regime) quantities ``[..., n_axes, K]`` into the action's layout.

        Point regimes are dropped (they have no parameter); the result has ``n_params``
        entries and keeps the autograd graph.
        """
        if quantities.shape[-2:] != (self.n_axes, self.n_regimes):
            raise ValueError(
                f"quantities must end with shape [n_axes={self.n_axes}, K={self.n_regimes}], "
                f"got {tuple(quantities.shape)}"
            )
        parts = [quantities[..., k] for k, b in enumerate(self._blocks) if b is not None]
        if not parts:
            return quantities.new_zeros(*quantities.shape[:-2], 0)
        return torch.cat(parts, dim=-1)

    def regime_of(self, x: Tensor) -> Tensor:
        """The regime (``int64``, same shape) whose cell contains each value of ``x``.

        Raises:
            ValueError: if a value lies outside the axis ``[low, high]`` or is NaN.
        """
        scores = []
        last = max(k for k, c in enumerate(self.cells) if c.kind != "point")
        for k, cell in enumerate(self.cells):
            if cell.kind == "point":
                scores.append((x == cell.low).to(torch.int64) * 2)  # points win ties
            else:
                upper = x <= cell.high if k == last else x < cell.high
                scores.append(((x >= cell.low) & upper).to(torch.int64))
        stacked = torch.stack(scores, dim=-1)
        outside = (stacked == 0).all(dim=-1)
        if bool(outside.any()):
            bad = x[outside]
            lo, hi = self.cells[0].low, self.cells[-1].high
            raise ValueError(
                f"value {float(bad.flatten()[0])} lies outside the action axis [{lo}, {hi}]"
            )
        return stacked.argmax(dim=-1)

    # ------------------------------------------------------------------ env side
    def executed(self, regime: Tensor, continuous: Tensor) -> Tensor:
        """The quantity each axis executes: its regime's parameter, or the point value.

        Args:
            regime: ``int64`` ``[B, 1]`` (global regime, broadcast over axes) or
                ``[B, n_axes]`` (per-axis regimes) — i.e. ``action.discrete``.
            continuous: ``[B, n_params]`` — ``action.continuous``; inactive entries may hold
                anything (even NaN): they are never read into the result or its gradient.

        Returns:
            ``[B, n_axes]``, differentiable w.r.t. the active entries of ``continuous``.
        """
        out: Tensor | float = 0.0
        # A Python loop over the few regimes that execute something (not over scenarios);
        # where() rather than a product keeps NaN in inactive entries out of the result and
        # its gradient.
        for k, block, point in self._executed_plan:
            if block is None:
                value: Tensor | float = point
            else:
                value = continuous if self._single_block else continuous[:, block]
            out = torch.where(regime == k, value, out)
        if isinstance(out, float):  # only zero-valued point cells: nothing is ever executed
            return continuous.new_zeros(continuous.shape[0], self.n_axes)
        if out.shape[1] != self.n_axes:
            out = out.expand(continuous.shape[0], self.n_axes)
        return out

    def charge(self, name: str, regime: Tensor, dtype: torch.dtype | None = None) -> Tensor:
        """Feature ``name``'s value for each regime entry (same shape as ``regime``).

        Args:
            name: A declared feature.
            regime: ``int64`` regimes of any shape, each in ``0 .. K-1`` (out-of-range
                regimes raise).
            dtype: Floating dtype of the result (default: torch's default dtype).
        """
        dtype = dtype or torch.get_default_dtype()
        table = self._tables.get((name, dtype))
        if table is None or table.device != regime.device:
            table = torch.tensor(self.values(name), dtype=dtype, device=regime.device)
            self._tables[(name, dtype)] = table
        # One table look-up per entry, whatever the number of regimes.
        return torch.take(table, regime)

    def decode(
        self, regime: Tensor, continuous: Tensor, dtype: torch.dtype | None = None
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """:meth:`executed` and :meth:`charge` of every feature.

        Returns:
            ``(quantities [B, n_axes], {feature name: charges shaped like regime})``.
        """
        charges = {f.name: self.charge(f.name, regime, dtype) for f in self.features}
        return self.executed(regime, continuous), charges

    def __repr__(self) -> str:
        cells = ", ".join(
            f"{{{c.low:g}}}" if c.kind == "point" else f"[{c.low:g}, {c.high:g}]"
            for c in self.cells
        )
        mode = "per-axis" if self.per_axis else "global"
        return (
            f"DiscontinuityReformulation(cells=[{cells}], features={list(self._values)}, "
            f"n_axes={self.n_axes}, regime={mode})"
        )

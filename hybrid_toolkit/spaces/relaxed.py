"""Relaxed coordinates: a hybrid action as one point of a continuous box.

Proto-action algorithms (DGRL, DNC, Cacla, HyAR decoders) let an actor output a continuous
vector and map it back to the nearest valid action. `RelaxedCoordinates` is that map for a
`HybridSpace`: discrete component ``i`` becomes the coordinate holding its chosen position
(``DiscreteComponent.positions``, ``0 .. n-1`` by default), followed by the continuous
parameters. Everything is batched and never enumerates the discrete action set, so a space of
``101**10`` actions or a 3000-item component costs ``n_discrete * max_n`` table entries.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.hybrid_space import HybridSpace

Norm = Literal["chebyshev", "euclidean", "manhattan"]

# Every tensor attribute; `to()` moves exactly these.
_TENSORS: tuple[str, ...] = (
    *("positions", "sizes", "low", "high", "_midpoints", "_offsets", "_start", "_step"),
    *("_range", "_center", "_to_scale", "_from_scale", "_cont_low", "_cont_high"),
)


def _uniform_grid(positions: tuple[float, ...]) -> tuple[float, float] | None:
    """``(start, step)`` when ``positions[i] == start + i * step`` exactly, else ``None``."""
    if len(positions) == 1:
        return positions[0], 1.0
    start, step = positions[0], positions[1] - positions[0]
    exact = all(p == start + i * step for i, p in enumerate(positions))
    return (start, step) if exact else None


def _unit_maps(low: Tensor, high: Tensor, dtype: torch.dtype) -> tuple[Tensor, ...]:
    """Per-dim range (for normalised distances), centre and the scales of the unit maps."""
    span = high - low
    scalable = torch.isfinite(span) & (span > 0)
    one, zero = torch.ones_like(span), torch.zeros_like(span)
    # Infinite dims pass through the unit maps unchanged (centre 0, scale 1); zero-width dims map
    # to 0 and back to their single value; a zero range counts as 1 in normalised distances.
    range_ = torch.where(scalable, span, one)
    center = torch.where(scalable, (low + high) / 2, torch.where(span == 0, low, zero))
    to_scale = torch.where(scalable, span / 2, one)
    from_scale = torch.where(span == 0, zero, to_scale)
    return tuple(t.to(dtype) for t in (range_, center, to_scale, from_scale))


class RelaxedCoordinates:
    """Map hybrid actions to a box of dimension ``D = n_discrete + n_continuous`` and back.

    Args:
        space: The hybrid action space.
        device: Device of the precomputed tables (default CPU); inputs must live there too.
        dtype: Floating dtype of `encode`, `low`/`high` and the unit maps. Projection decides
            nearest positions in float64 whatever this is, so ties are resolved exactly.

    Attributes:
        space: The space the coordinates belong to.
        positions: ``[n_discrete, max_n]`` position of every choice, padded with ``+inf``.
        sizes: ``int64 [n_discrete]`` number of choices of each component.
        low: ``[D]`` lower bounds: the smallest position of each discrete component, then the
            continuous lower bounds (``-inf`` kept).
        high: ``[D]`` upper bounds, built the same way.
    """

    def __init__(
        self,
        space: HybridSpace,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        if not hasattr(space, "discrete") or not hasattr(space, "low"):
            raise TypeError(f"space must be a HybridSpace, got {type(space).__name__}")
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise ValueError(f"dtype must be a floating torch.dtype, got {dtype!r}")
        self.space = space
        self.dtype = dtype
        self.device = torch.device(device) if device is not None else torch.device("cpu")
        n_d = space.n_discrete
        max_n = max((c.n for c in space.discrete), default=1)
        table = torch.full((n_d, max_n), float("inf"), dtype=torch.float64)
        for i, comp in enumerate(space.discrete):
            table[i, : comp.n] = torch.tensor(comp.position_values(), dtype=torch.float64)
        self.sizes = torch.tensor([c.n for c in space.discrete], dtype=torch.int64)
        # Choice i of a component wins on (mid[i-1], mid[i]]: counting the midpoints strictly
        # below x (searchsorted, side="left") gives the nearest index with ties to the lower one.
        # Padding is +inf, so a shorter component never counts past its own last choice.
        self._midpoints = 0.5 * (table[:, :-1] + table[:, 1:])
        self._offsets = torch.arange(n_d, dtype=torch.int64) * max_n
        grids = [_uniform_grid(c.position_values()) for c in space.discrete]
        self._uniform = all(g is not None for g in grids)
        self._start = torch.tensor([g[0] if g else 0.0 for g in grids], dtype=torch.float64)
        self._step = torch.tensor([g[1] if g else 1.0 for g in grids], dtype=torch.float64)
        self.positions = table.to(dtype)
        first = table[:, 0]
        last = table.gather(1, (self.sizes - 1).clamp(min=0)[:, None])[:, 0]
        self.low = torch.cat([first, space.low.double()]).to(dtype)
        self.high = torch.cat([last, space.high.double()]).to(dtype)
        self._cont_low, self._cont_high = space.low.to(dtype), space.high.to(dtype)
        self._finite = bool(torch.isfinite(self.low).all() and torch.isfinite(self.high).all())
        self._range, self._center, self._to_scale, self._from_scale = _unit_maps(
            self.low.double(), self.high.double(), dtype
        )
        self._move(self.device)

    def _move(self, device: torch.device) -> None:
        for name in _TENSORS:
            setattr(self, name, getattr(self, name).to(device))
        self.device = device

    def to(self, device: torch.device | str) -> RelaxedCoordinates:
        """Return the same coordinates with their tables on ``device``."""
        moved = RelaxedCoordinates.__new__(RelaxedCoordinates)
        moved.__dict__.update(self.__dict__)
        moved._move(torch.device(device))
        return moved

    # ------------------------------------------------------------------ sizes
    @property
    def n_discrete(self) -> int:
        """Number of discrete coordinates (the first ``n_discrete`` of ``D``)."""
        return self.space.n_discrete

    @property
    def n_continuous(self) -> int:
        """Number of continuous coordinates (the last ``n_continuous`` of ``D``)."""
        return self.space.n_continuous

    @property
    def dim(self) -> int:
        """``D = n_discrete + n_continuous``."""
        return self.n_discrete + self.n_continuous

    def _check_last_dim(self, x: Tensor, name: str) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
        if x.dim() == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"{name} must have shape [..., {self.dim}] (n_discrete={self.n_discrete} + "
                f"n_continuous={self.n_continuous}), got {list(x.shape)}"
            )

    # ------------------------------------------------------------------ encode
    def positions_of(self, discrete: Tensor) -> Tensor:
        """Positions of discrete indices ``[..., n_discrete]`` (indices must be valid)."""
        flat = self.positions.reshape(-1)
        return flat[discrete + self._offsets]

    def encode(self, action: HybridAction) -> Tensor:
        """Relaxed coordinates ``[B, D]`` of a batch of actions.

        Discrete indices become their positions; continuous parameters (inactive ones too) are
        copied, keeping their autograd graph.
        """
        cont = action.continuous.to(self.dtype)
        return torch.cat([self.positions_of(action.discrete), cont], dim=-1)

    # ------------------------------------------------------------------ projection
    def project_indices(self, x: Tensor) -> Tensor:
        """Index of the nearest position of every discrete component.

        Args:
            x: ``[..., D]`` relaxed points (only the first ``n_discrete`` coordinates are read).

        Returns:
            ``int64 [..., n_discrete]``; ties go to the lower index; ``±inf`` go to the ends and
            NaN to a valid (unspecified) index.
        """
        self._check_last_dim(x, "x")
        lead = x.shape[:-1]
        if self.n_discrete == 0:
            return torch.zeros(*lead, 0, dtype=torch.int64, device=x.device)
        coords = x[..., : self.n_discrete].detach().to(torch.float64)
        if self._uniform:
            return self._nearest_on_grids(coords)
        # searchsorted wants one row of queries per sorted row: [n_discrete, M].
        queries = coords.reshape(lead.numel(), self.n_discrete).T.contiguous()
        index = torch.searchsorted(self._midpoints, queries, side="left")
        index = torch.minimum(index, (self.sizes - 1)[:, None])
        return index.T.reshape(*lead, self.n_discrete)

    def _nearest_on_grids(self, coords: Tensor) -> Tensor:
        """Closed-form nearest index when every component has evenly spaced positions.

        Same answer as the searchsorted path (the midpoint test below uses the same float64
        midpoints), several times faster: no sort-table walk, no transposes.
        """
        coords = torch.nan_to_num(coords, nan=0.0)
        last_gap = (self.sizes - 2).clamp(min=0).to(torch.float64)
        # floor may be one off next to a position; the exact midpoint test below corrects it.
        k = torch.minimum(torch.floor((coords - self._start) / self._step).clamp(min=0), last_gap)
        lower = self._start + k * self._step
        upper = self._start + (k + 1) * self._step
        up = (coords > 0.5 * (lower + upper)) & (self.sizes > 1)
        return k.long() + up.long()

    def clamp_continuous(self, x: Tensor) -> Tensor:
        """The continuous coordinates ``[..., n_continuous]`` clamped to the box.

        Gradients flow where a value is inside its bounds; NaN stays NaN.
        """
        self._check_last_dim(x, "x")
        cont = x[..., self.n_discrete :]
        return torch.maximum(torch.minimum(cont, self._cont_high), self._cont_low)

    def project(self, x: Tensor) -> HybridAction:
        """The nearest valid action of every point, as one batch over the leading dims.

        Args:
            x: ``[..., D]`` relaxed points, e.g. ``[B, k, D]`` candidates.

        Returns:
            A `HybridAction` of ``prod(...)`` actions in row-major order of the leading dims.
            Use `project_indices` / `clamp_continuous` to keep the leading dims.
        """
        batch = x.shape[:-1].numel()
        discrete = self.project_indices(x).reshape(batch, self.n_discrete)
        continuous = self.clamp_continuous(x).reshape(batch, self.n_continuous)
        return HybridAction(discrete, continuous)

    # ------------------------------------------------------------------ distances
    def distance(
        self, x: Tensor, y: Tensor, norm: Norm = "chebyshev", normalized: bool = False
    ) -> Tensor:
        """Distance between relaxed points, broadcasting over leading dims.

        Args:
            x: ``[..., D]`` points.
            y: ``[..., D]`` points, broadcastable against ``x``.
            norm: ``"chebyshev"`` (L∞, DGRL's neighbourhoods), ``"euclidean"`` (L2) or
                ``"manhattan"`` (L1).
            normalized: Divide each coordinate by its range ``high - low`` first, so every
                dimension counts equally; needs all ranges finite (a zero range counts as 1).

        Returns:
            ``[...]`` distances (the broadcast leading shape).
        """
        self._check_last_dim(x, "x")
        self._check_last_dim(y, "y")
        diff = (x - y).abs()
        if normalized:
            if not self._finite:
                raise ValueError(
                    "distance(normalized=True) needs finite bounds on every coordinate, got "
                    f"low={self.low.tolist()} high={self.high.tolist()}"
                )
            diff = diff / self._range
        if norm == "chebyshev":
            return diff.amax(dim=-1) if self.dim else diff.sum(dim=-1)
        if norm == "euclidean":
            return torch.linalg.vector_norm(diff, dim=-1)
        if norm == "manhattan":
            return diff.sum(dim=-1)
        raise ValueError(f"norm must be 'chebyshev', 'euclidean' or 'manhattan', got {norm!r}")

    # ------------------------------------------------------------------ unit box
    def to_unit(self, x: Tensor) -> Tensor:
        """Map the box to ``[-1, 1]^D`` affinely per dim (infinite dims are left unchanged)."""
        return (x - self._center) / self._to_scale

    def from_unit(self, u: Tensor) -> Tensor:
        """Inverse of `to_unit`: ``[-1, 1]^D`` (e.g. a tanh actor output) to the box."""
        return self._center + u * self._from_scale

    def __repr__(self) -> str:
        return (
            f"RelaxedCoordinates(D={self.dim}, n_discrete={self.n_discrete}, "
            f"n_continuous={self.n_continuous}, device={self.device}, dtype={self.dtype})"
        )

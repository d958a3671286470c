"""`DistributionLayout`: a `HybridSpace` turned into device tensors for batched distributions.

:class:`~hybrid_toolkit.nn.HybridDistribution` is rebuilt at every environment step, so the
parts that depend only on the space (how to pad per-component logits into one rectangular
tensor, which choice activates which continuous parameter) are computed once per space and
device and cached here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridSpace

GATHER_RATIO = 8
"""Densities are gathered for the active parameters when an action has at most
``1 / GATHER_RATIO`` of all parameters active (and at least one governed component): below that,
the extra index look-ups cost more than the masked element-wise work they save."""

_CACHE: dict[tuple[int, torch.device], tuple[weakref.ref[HybridSpace], DistributionLayout]] = {}


@dataclass(frozen=True, eq=False)
class DistributionLayout:
    """Space-dependent constant tensors, all on one device.

    Components of different sizes are padded to ``max_n`` choices, so every per-component
    quantity is one ``[B, n_discrete, max_n]`` tensor and no code loops over components.

    Attributes:
        sizes: Number of choices of each discrete component.
        max_n: Largest component size (``1`` when there are no components).
        n_continuous: Number of continuous parameters.
        gather_index: ``[n_discrete, max_n]`` positions in the concatenated ``[B, sum(sizes)]``
            layout, or ``None`` when all components have the same size (then a reshape suffices).
        valid: Bool ``[n_discrete, max_n]``, ``False`` on padding.
        governed: ``int64 [g]``, the components that govern some continuous parameter.
        tables: Bool ``[g, max_n, n_continuous]``: choice ``i`` of governed component ``g``
            activates parameter ``j`` (all ``False`` on padding).
        always_active: Bool ``[n_continuous]``: parameters no component governs.
        table_rows: ``tables`` flattened to ``[g * max_n, n_continuous]`` (row ``g·max_n + i``
            is choice ``i`` of governed component ``g``), for one ``index_select`` per batch.
        table_offsets: ``int64 [g]``, the first row of each governed component in
            ``table_rows``.
        source_row: ``int64 [n_continuous]``, the one row of ``table_rows`` that activates
            each parameter (``0`` where none does), or ``None`` when some parameter is
            activated by more than one choice. Parameterised action spaces (one parameter set
            per choice) have one, so activation probabilities are a gather, not a product
            with the ``[g * max_n, n_continuous]`` table (quadratic in the choices).
        sourced: Bool ``[n_continuous]``: some choice activates the parameter.
        active_index: ``int64 [g * max_n, k]``, the parameters each row of ``table_rows``
            activates (``k`` the most any row activates; padded with ``0``), or ``None`` when
            an action's active parameters are not much fewer than all of them (see
            :data:`GATHER_RATIO`). With it, densities are computed for the active parameters
            only, not for every parameter and then masked (Hard Move n = 10: 1 of 1024).
        active_slots: Bool ``[g * max_n, k]``, ``False`` on the padding of ``active_index``
            (``None`` with it).
        always_index: ``int64 [a]``, the parameters no component governs.
        loc: ``[n_continuous]`` centre of the box ``(low + high) / 2``.
        half_width: ``[n_continuous]`` half-width of the box ``(high - low) / 2``.
        bounded: Whether every continuous parameter has finite bounds.
    """

    sizes: tuple[int, ...]
    max_n: int
    n_continuous: int
    gather_index: Tensor | None
    valid: Tensor
    governed: Tensor
    tables: Tensor
    always_active: Tensor
    table_rows: Tensor
    table_offsets: Tensor
    source_row: Tensor | None
    sourced: Tensor
    active_index: Tensor | None
    active_slots: Tensor | None
    always_index: Tensor
    loc: Tensor
    half_width: Tensor
    bounded: bool

    @property
    def n_discrete(self) -> int:
        """Number of discrete components."""
        return len(self.sizes)

    @property
    def total_choices(self) -> int:
        """Width of the concatenated logits, ``sum(sizes)``."""
        return sum(self.sizes)

    @classmethod
    def of(cls, space: HybridSpace, device: torch.device | str) -> DistributionLayout:
        """The (cached) layout of ``space`` on ``device``.

        The cache is keyed on the space object itself (held weakly), so it costs one dictionary
        lookup per call and forgets spaces that are garbage-collected.
        """
        key = (id(space), torch.device(device))
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is space:
            return hit[1]
        layout = cls.build(space, key[1])
        _CACHE[key] = (weakref.ref(space, lambda _ref: _CACHE.pop(key, None)), layout)
        return layout

    @classmethod
    def build(cls, space: HybridSpace, device: torch.device | str) -> DistributionLayout:
        """Compute the layout of ``space`` on ``device`` (uncached)."""
        sizes = tuple(c.n for c in space.discrete)
        max_n = max(sizes, default=1)
        n_c = space.n_continuous
        nvec = torch.tensor(sizes, dtype=torch.int64)
        offsets = torch.cumsum(nvec, 0) - nvec
        arange = torch.arange(max_n)
        valid = arange[None, :] < nvec[:, None]
        gather_index = None
        if len(set(sizes)) > 1:
            gather_index = torch.where(valid, offsets[:, None] + arange[None, :], 0).to(device)

        governed = sorted(space.activation)
        tables = torch.zeros(len(governed), max_n, n_c, dtype=torch.bool)
        for g, comp in enumerate(governed):
            for choice, dims in enumerate(space.activation[comp]):
                tables[g, choice, list(dims)] = True
        table_rows = tables.reshape(len(governed) * max_n, n_c)
        activators = table_rows.sum(dim=0)
        source_row = None
        if table_rows.shape[0] > 0 and bool((activators <= 1).all()):
            source_row = table_rows.to(torch.int64).argmax(dim=0).to(device)
        active_index, active_slots = _active_index(
            table_rows, len(governed), int(space.always_active.sum())
        )
        low, high = space.low.to(torch.float64), space.high.to(torch.float64)
        return cls(
            sizes=sizes,
            max_n=max_n,
            n_continuous=n_c,
            gather_index=gather_index,
            valid=valid.to(device),
            governed=torch.tensor(governed, dtype=torch.int64, device=device),
            tables=tables.to(device),
            always_active=space.always_active.to(device),
            table_rows=table_rows.to(device),
            table_offsets=(torch.arange(len(governed), dtype=torch.int64) * max_n).to(device),
            source_row=source_row,
            sourced=(activators > 0).to(device),
            active_index=None if active_index is None else active_index.to(device),
            active_slots=None if active_slots is None else active_slots.to(device),
            always_index=torch.nonzero(space.always_active).flatten().to(device),
            loc=((low + high) / 2).to(torch.float32).to(device),
            half_width=((high - low) / 2).to(torch.float32).to(device),
            bounded=bool(torch.isfinite(low).all() and torch.isfinite(high).all()),
        )

    def pad(self, flat: Tensor, fill: float | bool) -> Tensor:
        """Reshape concatenated per-component values ``[B, sum(sizes)]`` to ``[B, n_d, max_n]``.

        Padding entries are set to ``fill`` (``-inf`` for logits, ``False`` for masks).
        """
        batch = flat.shape[0]
        if self.gather_index is None:
            return flat.reshape(batch, self.n_discrete, self.max_n)
        picked = flat.index_select(1, self.gather_index.flatten())
        return picked.view(batch, self.n_discrete, self.max_n).masked_fill(~self.valid, fill)

    def _rows(self, discrete: Tensor) -> Tensor:
        """``int64 [B * g]``: the ``table_rows`` row of every (scenario, governed component)."""
        governed = self.table_offsets.shape[0]
        chosen = discrete if governed == self.n_discrete else discrete[:, self.governed]
        return (chosen + self.table_offsets).reshape(-1)

    def active_mask(self, discrete: Tensor) -> Tensor:
        """Bool ``[B, n_continuous]``: parameters active for the discrete actions ``[B, n_d]``.

        Same result as :meth:`HybridSpace.active_mask`, without host-to-device copies.
        """
        batch = discrete.shape[0]
        mask = self.always_active.expand(batch, self.n_continuous)
        governed = self.table_offsets.shape[0]
        if governed == 0:
            return mask
        hits = self.table_rows.index_select(0, self._rows(discrete))
        if governed == 1:
            return mask | hits
        return mask | hits.view(batch, governed, self.n_continuous).any(dim=1)

    def active_parameters(self, discrete: Tensor) -> tuple[Tensor, Tensor]:
        """The parameters active for the discrete actions ``[B, n_d]``, as indices.

        Only for layouts with ``active_index`` (the caller checks).

        Returns:
            ``int64 [B, K]`` parameter indices (the always-active ones first, then each
            governed component's, in component order) and bool ``[B, K]``, ``False`` on
            padding slots (whose index is a valid position, ``0``, to be masked).
        """
        assert self.active_index is not None and self.active_slots is not None
        batch = discrete.shape[0]
        rows = self._rows(discrete)
        index = self.active_index.index_select(0, rows).view(batch, -1)
        slots = self.active_slots.index_select(0, rows).view(batch, -1)
        if self.always_index.shape[0] == 0:
            return index, slots
        always = self.always_index.expand(batch, -1)
        real = torch.ones_like(always, dtype=torch.bool)
        return torch.cat([always, index], dim=1), torch.cat([real, slots], dim=1)

    def active_probability(self, probs: Tensor) -> Tensor:
        """``P(parameter j is active)`` ``[B, n_continuous]`` from choice probabilities.

        Args:
            probs: ``[B, n_d, max_n]`` probabilities of every choice (zero on padding).

        Each parameter is governed by at most one component, so its activation probability is
        the total probability of the choices of that component that activate it; parameters no
        component governs are active with probability one.
        """
        batch = probs.shape[0]
        always = self.always_active.to(probs.dtype).expand(batch, self.n_continuous)
        governed = self.table_offsets.shape[0]
        if governed == 0:
            return always
        if governed != self.n_discrete:
            probs = probs[:, self.governed, :]  # [B, g, max_n]
        flat = probs.reshape(batch, governed * self.max_n)
        if self.source_row is not None:
            # At most one choice activates each parameter: its probability, gathered.
            picked = flat.index_select(1, self.source_row)
            return always + torch.where(self.sourced, picked, 0.0)
        # Σ_g Σ_i P(choice i of g) · table[g, i, j]: one matrix product over (g, i).
        return always + flat @ self.table_rows.to(probs.dtype)


def _active_index(
    table_rows: Tensor, governed: int, n_always: int
) -> tuple[Tensor, Tensor] | tuple[None, None]:
    """``active_index`` and ``active_slots`` of a layout (see its docstring) from its table."""
    n_continuous = table_rows.shape[1]
    if governed == 0:
        return None, None
    per_row = table_rows.sum(dim=1)
    width = max(1, int(per_row.max()))
    if (n_always + governed * width) * GATHER_RATIO > n_continuous:
        return None, None
    slots = torch.arange(width)[None, :] < per_row[:, None]
    # A stable sort puts each row's active parameters first, in ascending order.
    order = torch.sort(table_rows.to(torch.int8), dim=1, descending=True, stable=True).indices
    index = torch.where(slots, order[:, :width], 0)
    return index, slots

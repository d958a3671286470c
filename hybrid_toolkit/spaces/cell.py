"""One regime's sub-range of an action axis, and the differentiable map of raw outputs into it.

A :class:`~hybrid_toolkit.spaces.discontinuity.DiscontinuityReformulation` splits an action axis
into cells at its discontinuities; each cell is one regime, and a policy's raw output for the
quantity is mapped into the chosen regime's cell by :meth:`Cell.map`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

CellKind = Literal["point", "bounded", "lower", "upper", "free"]


@dataclass(frozen=True)
class Cell:
    """One regime's sub-range ``[low, high]`` of the action axis (infinite ends allowed).

    Attributes:
        low: Lower end (``-inf`` allowed).
        high: Upper end (``+inf`` allowed); ``low == high`` is a point cell.
    """

    low: float
    high: float

    @property
    def kind(self) -> CellKind:
        """One of ``point``, ``bounded`` [a, b], ``lower`` [a, ∞), ``upper`` (-∞, b], ``free``."""
        if self.low == self.high:
            return "point"
        finite_low, finite_high = math.isfinite(self.low), math.isfinite(self.high)
        if finite_low and finite_high:
            return "bounded"
        if finite_low:
            return "lower"
        return "upper" if finite_high else "free"

    def map(self, raw: Tensor, scale: Tensor | float | None = None) -> Tensor:
        """Map raw network outputs into the cell, differentiably.

        Args:
            raw: Any-shaped tensor of unconstrained outputs.
            scale: Optional factor (broadcastable to ``raw``) on the softplus term of half-open
                cells, e.g. HPO's mean-demand normalisation. Ignored by other kinds.

        Returns:
            ``low + (high - low)·sigmoid(raw)`` (bounded), ``low + scale·softplus(raw)``,
            ``high - scale·softplus(raw)``, ``raw`` (free), or the constant ``low`` (point;
            zero gradient, but still attached to ``raw``'s graph).
        """
        kind = self.kind
        if kind == "point":
            return raw * 0.0 + self.low
        if kind == "bounded":
            return self.low + (self.high - self.low) * torch.sigmoid(raw)
        if kind == "free":
            return raw
        soft = F.softplus(raw) if scale is None else F.softplus(raw) * scale
        return self.low + soft if kind == "lower" else self.high - soft

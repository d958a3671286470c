"""`DiscreteComponent`: one discrete axis of a hybrid action."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

from hybrid_toolkit.spaces.arguments import check_int, check_sequence, component_kwargs

DiscreteKind = Literal["categorical", "ordinal"]


@dataclass(frozen=True)
class DiscreteComponent:
    """One discrete component of a `HybridSpace`.

    Attributes:
        n: Number of choices; valid values are ``0 .. n-1``.
        kind: ``"categorical"`` (unordered labels, e.g. a regime or an item id) or ``"ordinal"``
            (ordered numeric levels, e.g. an order-up-to level or an actuator on/off).
        positions: Optional numeric position of each choice (strictly increasing, length ``n``),
            used by relaxed coordinates and distances; irregular grids are allowed. ``None`` means
            the positions ``0, 1, …, n-1``.
        name: Optional human-readable name used in error messages.
    """

    n: int
    kind: DiscreteKind = "categorical"
    positions: tuple[float, ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "DiscreteComponent.n", 1))
        if not isinstance(self.name, str):
            raise ValueError(f"DiscreteComponent.name must be a string, got {self.name!r}")
        if not isinstance(self.kind, str) or self.kind not in ("categorical", "ordinal"):
            raise ValueError(
                f"DiscreteComponent.kind must be 'categorical' or 'ordinal', got {self.kind!r}"
            )
        if self.positions is not None:
            positions = _float_tuple(self.positions)
            object.__setattr__(self, "positions", positions)
            if len(positions) != self.n:
                raise ValueError(
                    f"DiscreteComponent.positions must have n={self.n} entries, "
                    f"got {len(positions)}"
                )
            if not all(math.isfinite(p) for p in positions):
                raise ValueError(f"DiscreteComponent.positions must be finite, got {positions}")
            if any(b <= a for a, b in itertools.pairwise(positions)):
                raise ValueError(
                    f"DiscreteComponent.positions must be strictly increasing, got {positions}"
                )

    def position_values(self) -> tuple[float, ...]:
        """The numeric position of every choice (``0 .. n-1`` when none were given)."""
        if self.positions is not None:
            return self.positions
        return tuple(float(i) for i in range(self.n))

    def label(self, index: int) -> str:
        """How error messages refer to this component."""
        return f"component {index} ({self.name!r})" if self.name else f"component {index}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable description."""
        return {
            "n": self.n,
            "kind": self.kind,
            "positions": list(self.positions) if self.positions is not None else None,
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiscreteComponent:
        """Inverse of :meth:`to_json`; a malformed document raises ``ValueError``."""
        return cls(**component_kwargs(data, 0))


def _float_tuple(values: Any) -> tuple[float, ...]:
    try:
        return tuple(float(p) for p in check_sequence(values, "DiscreteComponent.positions"))
    except (TypeError, ValueError) as err:
        if "DiscreteComponent.positions" in str(err):
            raise
        raise ValueError(f"DiscreteComponent.positions must be numbers, got {values!r}") from None

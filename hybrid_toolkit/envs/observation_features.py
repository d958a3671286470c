"""What an environment's observation features are, so algorithms can condition their inputs.

An env may declare, for each named slice of its flat observation, what kind of quantity it
holds (:meth:`HybridEnv.observation_features`):

============  =================================================================================
kind          meaning, and what HPO's ``input_map="declared"`` does with it
============  =================================================================================
``constant``  the same in every scenario and period of an instance (per-item costs, means):
              it tells a policy trained on that one instance nothing, so it is dropped
``quantity``  a quantity in natural units (stock, a state coordinate); ``scale`` is its unit,
              the map divides by it (1.0: already in the unit the policy should see)
``scalar``    a single summary number (a demand estimate, a cost ratio); ``scale`` is its
              typical size, the map divides by it so it enters the network as O(1)
============  =================================================================================

A declaration covers every entry of the observation exactly once, in any order of slices.
Envs that declare nothing keep their observation as the network input, unchanged.

Examples:
    >>> features = ObservationFeatures(
    ...     [
    ...         ObservationFeature.quantity("stock", slice(0, 3), scale=10.0),
    ...         ObservationFeature.constant("unit_costs", slice(3, 6)),
    ...         ObservationFeature.scalar("demand_estimate", slice(6, 7), scale=10.0),
    ...     ]
    ... )
    >>> features.kept_indices()
    [0, 1, 2, 6]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

FeatureKind = Literal["constant", "quantity", "scalar"]
"""What an observation slice holds (see the module docstring)."""
FEATURE_KINDS: tuple[FeatureKind, ...] = ("constant", "quantity", "scalar")


@dataclass(frozen=True)
class ObservationFeature:
    """One named slice of the flat observation and what it holds.

    Attributes:
        name: Unique name of the feature.
        index: Where it sits in the flat observation (``slice(start, stop)``, no step).
        kind: ``constant``, ``quantity`` or ``scalar``.
        scale: Natural unit (``quantity``) or typical size (``scalar``) the declared input map
            divides by; finite and > 0; ignored for ``constant``.
    """

    name: str
    index: slice
    kind: FeatureKind
    scale: float = 1.0

    def __post_init__(self) -> None:
        where = f"ObservationFeature {self.name!r}"
        if self.kind not in FEATURE_KINDS:
            raise ValueError(f"{where}: kind must be one of {FEATURE_KINDS}, got {self.kind!r}")
        start, stop, step = self.index.start, self.index.stop, self.index.step
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, stop))
        if not ints or step not in (None, 1) or not 0 <= start < stop:
            raise ValueError(
                f"{where}: index must be slice(start, stop) with integers 0 <= start < stop and "
                f"no step, got {self.index!r}"
            )
        scale = float(self.scale)
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"{where}: scale must be finite and > 0, got {self.scale!r}")

    @property
    def size(self) -> int:
        """Number of observation entries the feature covers."""
        return int(self.index.stop - self.index.start)

    @classmethod
    def constant(cls, name: str, index: slice) -> ObservationFeature:
        """A per-instance constant (dropped by the declared input map)."""
        return cls(name, index, "constant")

    @classmethod
    def quantity(cls, name: str, index: slice, scale: float = 1.0) -> ObservationFeature:
        """A quantity whose natural unit is ``scale`` (the declared map divides by it)."""
        return cls(name, index, "quantity", scale)

    @classmethod
    def scalar(cls, name: str, index: slice, scale: float = 1.0) -> ObservationFeature:
        """A summary number of typical size ``scale`` (the declared map divides by it)."""
        return cls(name, index, "scalar", scale)


class ObservationFeatures:
    """The declaration of a whole flat observation: features covering it exactly once.

    Args:
        features: The features, in any order.

    Raises:
        ValueError: Two features share a name or an entry, or the slices leave a gap.
    """

    def __init__(self, features: Iterable[ObservationFeature]) -> None:
        self.features: tuple[ObservationFeature, ...] = tuple(features)
        if not self.features:
            raise ValueError("ObservationFeatures needs at least one feature, got none")
        names = [f.name for f in self.features]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"ObservationFeatures: feature names must be unique, got {duplicates}")
        covered = sorted(
            (i, f.name) for f in self.features for i in range(f.index.start, f.index.stop)
        )
        for position, (entry, name) in enumerate(covered):
            if entry != position:
                what = "covered twice" if entry < position else "not covered"
                raise ValueError(
                    f"ObservationFeatures: observation entry {min(entry, position)} is {what} "
                    f"(at feature {name!r}); the slices must cover 0 .. {len(covered) - 1} "
                    "exactly once"
                )
        self.obs_dim = len(covered)
        """Size of the flat observation the declaration covers."""

    def __iter__(self) -> Iterator[ObservationFeature]:
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, name: str) -> ObservationFeature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(f"no observation feature {name!r}; declared: {[f.name for f in self]}")

    def check_obs_dim(self, obs_dim: int, owner: str) -> None:
        """Raise ``ValueError`` unless the declaration covers an observation of ``obs_dim``."""
        if obs_dim != self.obs_dim:
            raise ValueError(
                f"{owner}.observation_features() covers {self.obs_dim} entries, but the flat "
                f"observation has {obs_dim}; declare every entry exactly once"
            )

    def kept(self) -> list[ObservationFeature]:
        """The features the declared input map keeps (every non-constant), in observation
        order."""
        live = [f for f in self.features if f.kind != "constant"]
        return sorted(live, key=lambda f: f.index.start)

    def kept_indices(self) -> list[int]:
        """Observation entries the declared input map keeps, in order."""
        return [i for f in self.kept() for i in range(f.index.start, f.index.stop)]

    def kept_divisors(self) -> list[float]:
        """The divisor of every kept entry (its feature's ``scale``)."""
        return [float(f.scale) for f in self.kept() for _ in range(f.size)]

    def is_identity(self) -> bool:
        """Whether the declared input map keeps every entry, in order, divided by 1."""
        everything = self.kept_indices() == list(range(self.obs_dim))
        return everything and all(d == 1.0 for d in self.kept_divisors())

    def describe(self) -> str:
        """One line per feature: ``name  kind  [start, stop)  scale`` (for docs and errors)."""
        rows = []
        for f in sorted(self.features, key=lambda f: f.index.start):
            unit = "" if f.kind == "constant" else f"  scale {f.scale:g}"
            rows.append(f"{f.name}  {f.kind}  [{f.index.start}, {f.index.stop}){unit}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return f"ObservationFeatures({list(self.features)!r})"

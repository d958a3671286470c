"""`HybridSpace`: discrete components × a continuous box, with an optional activation map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.arguments import (
    check_activation,
    check_batch_size,
    check_bounds,
    check_int,
    check_names,
    check_sequence,
    float_vector,
    space_kwargs,
)
from hybrid_toolkit.spaces.components import DiscreteComponent, DiscreteKind

if TYPE_CHECKING:
    import gymnasium

    from hybrid_toolkit.spaces.relaxed import RelaxedCoordinates

ActivationMap = Mapping[int, Sequence[Sequence[int]]]


def _count(values: Any, name: str) -> int:
    """Number of entries of a bound argument (a scalar counts as one)."""
    try:
        return int(torch.as_tensor(values, dtype=torch.float64).numel())
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"HybridSpace {name} must be numbers, got {values!r}") from None


class HybridSpace:
    """A hybrid action space: ``n_discrete`` discrete components and an ``n_continuous`` box.

    It expresses the three shapes of hybrid problems:

    * **regime + parameters**: one categorical component whose choice activates a block of
      continuous parameters (Platform, the HPO inventory regime, switched LQR) — see
      `parameterized`;
    * **large multi-dimensional discrete vectors**: many ordinal or categorical components and
      no continuous part (DGRL maze, job shop, order-up-to levels) — see `multi_discrete`;
    * **both**: many discrete components plus shared, always-active parameters.

    Args:
        discrete: The discrete components (a ``DiscreteComponent`` or a bare size each).
        low: Lower bounds of the continuous parameters (``-inf`` allowed); a scalar broadcasts.
        high: Upper bounds of the continuous parameters (``+inf`` allowed).
        activation: Optional map ``component index -> per choice, the continuous dims it
            activates``. A continuous dim governed by a component is active only when that
            component's chosen value lists it; dims no component governs are always active. A dim
            may be governed by at most one component.
        continuous_names: Optional names of the continuous parameters (for error messages).
    """

    def __init__(
        self,
        discrete: Sequence[DiscreteComponent | int] = (),
        low: Any = (),
        high: Any = (),
        activation: ActivationMap | None = None,
        continuous_names: Sequence[str] | None = None,
    ) -> None:
        self.discrete: tuple[DiscreteComponent, ...] = tuple(
            c if isinstance(c, DiscreteComponent) else DiscreteComponent(c)
            for c in check_sequence(discrete, "HybridSpace discrete")
        )
        n_cont = max(_count(low, "low"), _count(high, "high"))
        self.low = float_vector(low, n_cont, "low").to(torch.float32)
        self.high = float_vector(high, n_cont, "high").to(torch.float32)
        check_bounds(self.low, self.high)
        if len(self.discrete) == 0 and n_cont == 0:
            raise ValueError("HybridSpace needs at least one discrete component or parameter")
        self.continuous_names: tuple[str, ...] = check_names(continuous_names, n_cont)
        self.activation: dict[int, tuple[tuple[int, ...], ...]] = check_activation(
            activation, [c.n for c in self.discrete], n_cont
        )
        self._tables = self._activation_tables()

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def parameterized(
        cls,
        param_dims: Sequence[int],
        low: Any = -1.0,
        high: Any = 1.0,
        *,
        name: str = "choice",
        continuous_names: Sequence[str] | None = None,
    ) -> HybridSpace:
        """A regime + parameters space: choice ``k`` activates its own block of ``param_dims[k]``.

        Example: Platform is ``HybridSpace.parameterized([1, 1, 1], low=0, high=[30, 720, 430])``.
        """
        if not param_dims:
            raise ValueError("HybridSpace.parameterized needs at least one choice in param_dims")
        blocks: list[tuple[int, ...]] = []
        start = 0
        for k, d in enumerate(check_sequence(param_dims, "param_dims")):
            d = check_int(d, f"param_dims[{k}]", 0)
            blocks.append(tuple(range(start, start + d)))
            start += d
        n_cont = start
        return cls(
            [DiscreteComponent(len(param_dims), "categorical", name=name)],
            low=float_vector(low, n_cont, "low") if n_cont else (),
            high=float_vector(high, n_cont, "high") if n_cont else (),
            activation={0: blocks},
            continuous_names=continuous_names,
        )

    @classmethod
    def multi_discrete(
        cls,
        sizes: Sequence[int],
        kind: DiscreteKind = "ordinal",
        positions: Sequence[Sequence[float] | None] | None = None,
    ) -> HybridSpace:
        """A purely discrete space of ``len(sizes)`` components (e.g. ``[2] * 12`` actuators)."""
        sizes = check_sequence(sizes, "sizes")
        pos = list(positions) if positions is not None else [None] * len(sizes)
        if len(pos) != len(sizes):
            raise ValueError(
                f"positions must have one entry per component ({len(sizes)}), got {len(pos)}"
            )
        return cls(
            [
                DiscreteComponent(n, kind, tuple(p) if p is not None else None)
                for n, p in zip(sizes, pos, strict=True)
            ]
        )

    # ------------------------------------------------------------------ basic properties
    @property
    def n_discrete(self) -> int:
        """Number of discrete components."""
        return len(self.discrete)

    @property
    def n_continuous(self) -> int:
        """Number of continuous parameters."""
        return int(self.low.numel())

    @property
    def nvec(self) -> Tensor:
        """Sizes of the discrete components as an ``int64`` tensor ``[n_discrete]``."""
        return torch.tensor([c.n for c in self.discrete], dtype=torch.int64)

    @property
    def log10_cardinality(self) -> float:
        """``log10`` of the number of discrete actions, computed without enumerating them."""
        return float(sum(math.log10(c.n) for c in self.discrete))

    @property
    def bounded_below(self) -> Tensor:
        """Which continuous parameters have a finite lower bound."""
        return torch.isfinite(self.low)

    @property
    def bounded_above(self) -> Tensor:
        """Which continuous parameters have a finite upper bound."""
        return torch.isfinite(self.high)

    def continuous_label(self, j: int) -> str:
        """How error messages refer to continuous parameter ``j``."""
        if self.continuous_names:
            return f"parameter {j} ({self.continuous_names[j]!r})"
        return f"parameter {j}"

    # ------------------------------------------------------------------ activation
    def _activation_tables(self) -> dict[int, Tensor]:
        tables = {}
        for comp, rows in self.activation.items():
            table = torch.zeros(len(rows), self.n_continuous, dtype=torch.bool)
            for choice, dims in enumerate(rows):
                table[choice, list(dims)] = True
            tables[comp] = table
        return tables

    @property
    def always_active(self) -> Tensor:
        """Bool ``[n_continuous]``: parameters that no discrete component governs."""
        governed = torch.zeros(self.n_continuous, dtype=torch.bool)
        for table in self._tables.values():
            governed |= table.any(dim=0)
        return ~governed

    def active_mask(self, discrete: Tensor) -> Tensor:
        """Which continuous parameters are active for each row of ``discrete``.

        Args:
            discrete: ``int64`` tensor ``[..., n_discrete]`` of valid discrete actions.

        Returns:
            Bool tensor ``[..., n_continuous]`` on the device of ``discrete``.
        """
        lead = discrete.shape[:-1]
        mask = self.always_active.to(discrete.device).expand(*lead, self.n_continuous).clone()
        for comp, table in self._tables.items():
            mask |= table.to(discrete.device)[discrete[..., comp]]
        return mask

    # ------------------------------------------------------------------ sampling
    def sample(
        self,
        batch_size: int = 1,
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
    ) -> HybridAction:
        """Draw ``batch_size`` uniform discrete actions and continuous parameters.

        Bounded parameters are uniform on ``[low, high]``; half-bounded ones are
        ``bound ± Exponential(1)``; unbounded ones are standard normal (gymnasium's convention).
        """
        batch_size = check_batch_size(batch_size)
        gen_device = generator.device if generator is not None else torch.device("cpu")
        out_device = torch.device(device) if device is not None else gen_device
        nvec = self.nvec.to(gen_device)
        u = torch.rand(batch_size, self.n_discrete, generator=generator, device=gen_device)
        discrete = torch.minimum((u * nvec).long(), nvec - 1)
        low, high = self.low.to(gen_device), self.high.to(gen_device)
        shape = (batch_size, self.n_continuous)
        uniform = torch.rand(shape, generator=generator, device=gen_device)
        normal = torch.randn(shape, generator=generator, device=gen_device)
        expo = torch.empty(shape, device=gen_device).exponential_(1.0, generator=generator)
        lo_fin, hi_fin = torch.isfinite(low), torch.isfinite(high)
        both = low * (1 - uniform) + high * uniform  # no overflow for huge finite ranges
        cont = torch.where(
            lo_fin & hi_fin,
            both,
            torch.where(lo_fin, low + expo, torch.where(hi_fin, high - expo, normal)),
        )
        return HybridAction(discrete.to(out_device), cont.to(out_device))

    # ------------------------------------------------------------------ validation
    def validate(self, action: HybridAction, *, name: str = "action") -> None:
        """Raise ``ValueError`` unless ``action`` is a valid batch of actions of this space.

        The message names the component or parameter, the offending value, its batch index and
        the valid range. Inactive continuous parameters are not checked.
        """
        if not isinstance(action, HybridAction):
            raise TypeError(f"{name} must be a HybridAction, got {type(action).__name__}")
        d, c = action.discrete, action.continuous
        if d.shape[1] != self.n_discrete or c.shape[1] != self.n_continuous:
            raise ValueError(
                f"{name} must have discrete shape [B, {self.n_discrete}] and continuous shape "
                f"[B, {self.n_continuous}], got {list(d.shape)} and {list(c.shape)}"
            )
        if d.dtype != torch.int64:
            raise ValueError(f"{name}.discrete must have dtype torch.int64, got {d.dtype}")
        if self.n_continuous and not torch.is_floating_point(c):
            raise ValueError(f"{name}.continuous must be a floating tensor, got {c.dtype}")
        if self.n_discrete:
            nvec = self.nvec.to(d.device)
            bad = (d < 0) | (d >= nvec)
            if bad.any():
                row, comp = (int(v) for v in torch.nonzero(bad)[0])
                raise ValueError(
                    f"{name}.discrete[{row}, {comp}] ({self.discrete[comp].label(comp)}) is "
                    f"{int(d[row, comp])}; expected an integer in [0, {self.discrete[comp].n - 1}]"
                )
        if not self.n_continuous:
            return
        active = self.active_mask(d)
        values = c.detach()
        low, high = self.low.to(c.device), self.high.to(c.device)
        bad = active & ~((values >= low) & (values <= high) & torch.isfinite(values))
        if bad.any():
            row, j = (int(v) for v in torch.nonzero(bad)[0])
            value = float(values[row, j])
            kind = "value" if math.isfinite(value) else "finite value"
            raise ValueError(
                f"{name}.continuous[{row}, {j}] ({self.continuous_label(j)}, active for the chosen "
                f"discrete values) is {value}; expected a {kind} in "
                f"[{float(low[j])}, {float(high[j])}]"
            )

    def contains(self, action: HybridAction) -> bool:
        """Whether ``action`` is a valid batch of actions (never raises for wrong values)."""
        try:
            self.validate(action)
        except (ValueError, TypeError):
            return False
        return True

    # ------------------------------------------------------------------ serialisation
    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable description (infinite bounds become ``"inf"``/``"-inf"``)."""

        def enc(x: float) -> float | str:
            return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")

        return {
            "discrete": [c.to_json() for c in self.discrete],
            "low": [enc(float(x)) for x in self.low.tolist()],
            "high": [enc(float(x)) for x in self.high.tolist()],
            "activation": {str(k): [list(d) for d in v] for k, v in self.activation.items()},
            "continuous_names": list(self.continuous_names),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HybridSpace:
        """Inverse of `to_json`; a malformed document raises ``ValueError`` naming the key."""
        kwargs = space_kwargs(data)
        kwargs["discrete"] = [DiscreteComponent(**c) for c in kwargs["discrete"]]
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HybridSpace) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(repr(self.to_json()))

    def __repr__(self) -> str:
        comps = ", ".join(f"{c.kind[:3]}{c.n}" for c in self.discrete)
        return (
            f"HybridSpace(discrete=[{comps}], n_continuous={self.n_continuous}, "
            f"governed_components={sorted(self.activation)}, "
            f"log10|A_discrete|={self.log10_cardinality:.2f})"
        )

    # ------------------------------------------------------------------ conversions (delegating)
    def to_gymnasium(self) -> gymnasium.spaces.Dict:
        """The native gymnasium export; see `hybrid_toolkit.spaces.to_gymnasium`."""
        from hybrid_toolkit.spaces.gymnasium_conversion import to_gymnasium

        return to_gymnasium(self)

    @classmethod
    def from_gymnasium(
        cls,
        gym_space: gymnasium.Space[Any],
        *,
        activation: ActivationMap | None = None,
        kind: DiscreteKind = "categorical",
    ) -> HybridSpace:
        """Import a gymnasium space; see `hybrid_toolkit.spaces.from_gymnasium`."""
        from hybrid_toolkit.spaces.gymnasium_conversion import from_gymnasium

        return from_gymnasium(gym_space, activation=activation, kind=kind)

    def relaxed(
        self, device: torch.device | str | None = None, dtype: torch.dtype = torch.float32
    ) -> RelaxedCoordinates:
        """Relaxed coordinates of this space; see `hybrid_toolkit.spaces.RelaxedCoordinates`."""
        from hybrid_toolkit.spaces.relaxed import RelaxedCoordinates

        return RelaxedCoordinates(self, device=device, dtype=dtype)

"""`HybridSpace`: discrete components × a continuous box, with an optional activation map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.components import DiscreteComponent, DiscreteKind

if TYPE_CHECKING:
    import gymnasium

    from hybrid_toolkit.spaces.relaxed import RelaxedCoordinates

ActivationMap = Mapping[int, Sequence[Sequence[int]]]


def _as_float_vector(values: Any, length: int, name: str) -> Tensor:
    tensor = torch.as_tensor(values, dtype=torch.float64).flatten()
    if tensor.numel() == 1 and length != 1:
        tensor = tensor.expand(length).clone()
    if tensor.numel() != length:
        raise ValueError(f"HybridSpace {name} must have {length} entries, got {tensor.numel()}")
    if torch.isnan(tensor).any():
        raise ValueError(f"HybridSpace {name} must not contain NaN, got {tensor.tolist()}")
    return tensor


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
            c if isinstance(c, DiscreteComponent) else DiscreteComponent(int(c)) for c in discrete
        )
        n_low = torch.as_tensor(low).numel()
        n_high = torch.as_tensor(high).numel()
        n_cont = max(n_low, n_high)
        self.low = _as_float_vector(low, n_cont, "low").to(torch.float32)
        self.high = _as_float_vector(high, n_cont, "high").to(torch.float32)
        bad = torch.nonzero(self.low > self.high).flatten()
        if bad.numel():
            i = int(bad[0])
            raise ValueError(
                f"HybridSpace low must be <= high, got low[{i}]={self.low[i].item()} > "
                f"high[{i}]={self.high[i].item()}"
            )
        if len(self.discrete) == 0 and n_cont == 0:
            raise ValueError("HybridSpace needs at least one discrete component or parameter")
        self.continuous_names: tuple[str, ...] = tuple(continuous_names or ())
        if self.continuous_names and len(self.continuous_names) != n_cont:
            raise ValueError(
                f"HybridSpace continuous_names must have {n_cont} entries, "
                f"got {len(self.continuous_names)}"
            )
        self.activation: dict[int, tuple[tuple[int, ...], ...]] = self._check_activation(
            activation or {}
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
        for k, d in enumerate(param_dims):
            if d < 0:
                raise ValueError(f"param_dims[{k}] must be >= 0, got {d}")
            blocks.append(tuple(range(start, start + d)))
            start += d
        n_cont = start
        return cls(
            [DiscreteComponent(len(param_dims), "categorical", name=name)],
            low=_as_float_vector(low, n_cont, "low") if n_cont else (),
            high=_as_float_vector(high, n_cont, "high") if n_cont else (),
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
        pos = list(positions) if positions is not None else [None] * len(sizes)
        if len(pos) != len(sizes):
            raise ValueError(
                f"positions must have one entry per component ({len(sizes)}), got {len(pos)}"
            )
        return cls(
            [
                DiscreteComponent(int(n), kind, tuple(p) if p is not None else None)
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
    def _check_activation(
        self, activation: ActivationMap
    ) -> dict[int, tuple[tuple[int, ...], ...]]:
        checked: dict[int, tuple[tuple[int, ...], ...]] = {}
        owner: dict[int, int] = {}
        for comp, per_choice in activation.items():
            if not 0 <= comp < self.n_discrete:
                raise ValueError(
                    f"HybridSpace activation names component {comp}; expected an index in "
                    f"[0, {self.n_discrete})"
                )
            if len(per_choice) != self.discrete[comp].n:
                raise ValueError(
                    f"HybridSpace activation for component {comp} must list the active dims of "
                    f"each of its {self.discrete[comp].n} choices, got {len(per_choice)} entries"
                )
            rows = tuple(tuple(int(j) for j in dims) for dims in per_choice)
            for dims in rows:
                for j in dims:
                    if not 0 <= j < self.n_continuous:
                        raise ValueError(
                            f"HybridSpace activation for component {comp} names continuous dim "
                            f"{j}; expected an index in [0, {self.n_continuous})"
                        )
                    if owner.setdefault(j, comp) != comp:
                        raise ValueError(
                            f"HybridSpace activation: continuous dim {j} is governed by both "
                            f"component {owner[j]} and component {comp}; at most one is allowed"
                        )
            checked[int(comp)] = rows
        return checked

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
        bad = active & ~((values >= low) & (values <= high))
        if bad.any():
            row, j = (int(v) for v in torch.nonzero(bad)[0])
            raise ValueError(
                f"{name}.continuous[{row}, {j}] ({self.continuous_label(j)}, active for the chosen "
                f"discrete values) is {float(values[row, j])}; expected a value in "
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
        """Inverse of `to_json`."""
        return cls(
            [DiscreteComponent.from_json(c) for c in data.get("discrete", [])],
            low=[float(x) for x in data.get("low", [])],
            high=[float(x) for x in data.get("high", [])],
            activation={int(k): v for k, v in data.get("activation", {}).items()},
            continuous_names=data.get("continuous_names") or None,
        )

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

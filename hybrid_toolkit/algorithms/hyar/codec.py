"""`ActionCodec`: hybrid actions as HyAR sees them — one discrete choice k and its parameters x_k.

HyAR embeds each discrete action as a row of a table and encodes **only the parameters of the
chosen action** with the VAE. For a `HybridSpace` with several discrete components the "discrete
action" is the joint choice (a mixed-radix number over the components, so Hard Move's n on/off
actuators are its 2ⁿ actions), and its parameters are the continuous dimensions that choice
activates (`HybridSpace.active_mask`), packed left to right into ``P = max_k |active(k)|`` slots
and scaled to [-1, 1]. Unused slots are padding and marked invalid.

Everything is a table lookup built once at construction (one row per joint choice, which HyAR's
embedding table needs anyway), so encoding and decoding are batched gathers and scatters with no
Python loop over the batch.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridAction, HybridSpace


class ActionCodec:
    """Translate between `HybridAction` batches and (joint choice, unit-scaled parameters).

    Args:
        space: The action space.
        max_choices: Refuse spaces with more joint discrete choices than this.
        device: Device of the lookup tables.

    Raises:
        ValueError: If the space has more than ``max_choices`` joint choices, or a parameter
            that some choice activates has an infinite bound (the VAE decodes into a box).

    Attributes:
        n_choices: Number of joint discrete actions K (1 for a space without discrete part).
        param_dim: Packed parameter slots P (at least 1; all padding when nothing is active).
        index: ``int64 [K, P]``: the continuous dimension held by slot p of choice k
            (``n_continuous`` — a dump column — for padding).
        valid: Bool ``[K, P]``: which slots hold a real parameter.
    """

    def __init__(
        self, space: HybridSpace, max_choices: int, device: torch.device | str = "cpu"
    ) -> None:
        self.space = space
        self.device = torch.device(device)
        if space.log10_cardinality > math.log10(max_choices) + 1e-9:
            raise ValueError(
                f"HyAR embeds every joint discrete action, and this space has "
                f"10^{space.log10_cardinality:.1f} of them, more than max_discrete_choices="
                f"{max_choices}; raise max_discrete_choices or use a proto-action method (DGRL)"
            )
        nvec = space.nvec
        self.n_choices = int(torch.prod(nvec)) if space.n_discrete else 1
        # Mixed radix, first component most significant: k = sum_i d_i * stride_i.
        strides = torch.ones(space.n_discrete, dtype=torch.int64)
        for i in range(space.n_discrete - 2, -1, -1):
            strides[i] = strides[i + 1] * nvec[i + 1]
        self._nvec, self._strides = nvec.to(self.device), strides.to(self.device)
        every_choice = self.to_discrete(torch.arange(self.n_choices, device=self.device))
        active = space.active_mask(every_choice.cpu())  # [K, C]
        self._check_bounds(active.any(dim=0))
        n_cont = space.n_continuous
        self.param_dim = max(1, int(active.sum(dim=1).max())) if n_cont else 1
        index = torch.full((self.n_choices, self.param_dim), n_cont, dtype=torch.int64)
        rows, cols = torch.nonzero(active, as_tuple=True)
        ranks = (torch.cumsum(active.long(), dim=1) - 1)[rows, cols]
        index[rows, ranks] = cols
        self.index = index.to(self.device)
        self.valid = (index < n_cont).to(self.device)
        self._build_scaling()

    def _check_bounds(self, used: Tensor) -> None:
        finite = torch.isfinite(self.space.low) & torch.isfinite(self.space.high)
        bad = torch.nonzero(used & ~finite).flatten()
        if bad.numel():
            j = int(bad[0])
            raise ValueError(
                f"HyAR decodes parameters into a bounded box, but {self.space.continuous_label(j)} "
                f"has bounds [{float(self.space.low[j])}, {float(self.space.high[j])}]; expected "
                "finite low and high for every parameter a discrete choice activates"
            )

    def _build_scaling(self) -> None:
        low, high = self.space.low.to(self.device), self.space.high.to(self.device)
        finite = torch.isfinite(low) & torch.isfinite(high)
        span = torch.where(finite, high - low, torch.ones_like(low))
        self._center = torch.where(finite, (low + high) / 2, torch.zeros_like(low))
        # A zero-width parameter maps every unit value to its single value (and back to 0).
        self._half = span / 2
        self._unit_divisor = torch.where(self._half > 0, self._half, torch.ones_like(low))
        # Parameters no choice activates get a harmless in-bounds value: the centre of a finite
        # box, else the bound nearest to 0.
        self._default = torch.where(
            finite, self._center, torch.clamp(torch.zeros_like(low), low, high)
        )
        self._low, self._high = low, high

    # ------------------------------------------------------------------ discrete part
    def to_index(self, discrete: Tensor) -> Tensor:
        """Joint choices ``int64 [B]`` of discrete vectors ``[B, n_discrete]``."""
        if self.space.n_discrete == 0:
            return torch.zeros(discrete.shape[0], dtype=torch.int64, device=discrete.device)
        return (discrete * self._strides.to(discrete.device)).sum(dim=1)

    def to_discrete(self, index: Tensor) -> Tensor:
        """Discrete vectors ``[B, n_discrete]`` of joint choices ``int64 [B]``."""
        strides, nvec = self._strides.to(index.device), self._nvec.to(index.device)
        return (index.unsqueeze(1) // strides) % nvec

    # ------------------------------------------------------------------ parameters
    def params_of(self, action: HybridAction, index: Tensor | None = None) -> Tensor:
        """The chosen action's parameters, unit-scaled and packed: ``x [B, P]`` in [-1, 1].

        Args:
            action: A batch of valid actions.
            index: Their joint choices, if already known.

        Padding slots hold 0 (see :meth:`slot_mask`).
        """
        if index is None:
            index = self.to_index(action.discrete)
        unit = (action.continuous.to(torch.float32) - self._center) / self._unit_divisor
        unit = unit.clamp(-1.0, 1.0)
        # The dump column (zeros) is what padding slots read.
        padded = torch.cat([unit, unit.new_zeros(unit.shape[0], 1)], dim=1)
        return padded.gather(1, self.index[index])

    def slot_mask(self, index: Tensor) -> Tensor:
        """Bool ``[B, P]``: the real (non-padding) parameter slots of joint choices ``[B]``."""
        return self.valid[index]

    def action_from(self, index: Tensor, params: Tensor) -> HybridAction:
        """A valid `HybridAction` from joint choices ``[B]`` and unit parameters ``[B, P]``.

        Parameters are clamped into [-1, 1] (NaN counts as 0) and mapped onto their box;
        dimensions the choice does not activate get an in-bounds default.
        """
        batch, n_cont = index.shape[0], self.space.n_continuous
        slots = self.index[index]
        values = torch.zeros(batch, n_cont + 1, device=params.device)
        unit = torch.nan_to_num(params.to(torch.float32), nan=0.0).clamp(-1.0, 1.0)
        values.scatter_(1, slots, unit)
        chosen = torch.zeros(batch, n_cont + 1, dtype=torch.bool, device=params.device)
        chosen.scatter_(1, slots, self.valid[index])
        scaled = self._center + values[:, :n_cont] * self._half
        # rounding may step a hair outside the box
        scaled = torch.maximum(torch.minimum(scaled, self._high), self._low)
        continuous = torch.where(chosen[:, :n_cont], scaled, self._default)
        return HybridAction(self.to_discrete(index), continuous)

    def sample(self, batch: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """Uniform joint choices ``[B]`` and uniform unit parameters ``[B, P]`` (warm-up)."""
        index = torch.randint(self.n_choices, (batch,), generator=generator, device=self.device)
        params = torch.rand(batch, self.param_dim, generator=generator, device=self.device)
        params = (2.0 * params - 1.0) * self.valid[index]
        return index, params

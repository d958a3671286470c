"""Native or unit-box continuous parameters for one environment.

The classic benchmarks publish their parameters in physical units (Platform's hop distance in
``[0, 720]``, Goal's kick target in metres). Agents usually see them rescaled to ``[-1, 1]``
(MP-DQN's and HyAR's ``ScaledParameterisedActionWrapper``); a Gaussian policy whose initial mean
is 0 and standard deviation 1 cannot explore a range of width 720. An env built with
``action_scale="unit"`` exposes the unit box and maps actions back to native units itself.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridAction, HybridSpace

ActionScale = Literal["native", "unit"]
ACTION_SCALES: tuple[str, ...] = ("native", "unit")


class ParameterScaling:
    """The action space an env exposes, and the map from it to the native parameter box.

    Args:
        native: The action space in native units (finite bounds on every parameter).
        scale: ``"native"`` exposes ``native`` itself; ``"unit"`` exposes the same discrete
            components and activation map with every parameter in ``[-1, 1]``, mapped linearly
            (``-1`` to ``low``, ``+1`` to ``high``).

    Raises:
        ValueError: ``scale`` is unknown, or ``"unit"`` is asked for with an infinite bound.
    """

    def __init__(self, native: HybridSpace, scale: ActionScale) -> None:
        if scale not in ACTION_SCALES:
            raise ValueError(f"action_scale must be one of {ACTION_SCALES}, got {scale!r}")
        finite = bool(torch.isfinite(native.low).all() and torch.isfinite(native.high).all())
        if scale == "unit" and not finite:
            raise ValueError(
                "action_scale='unit' needs finite parameter bounds, got low="
                f"{native.low.tolist()} and high={native.high.tolist()}"
            )
        self.scale: ActionScale = scale
        self.native_space = native
        if scale == "native" or native.n_continuous == 0:
            self.action_space = native
        else:
            n = native.n_continuous
            self.action_space = HybridSpace(
                native.discrete,
                low=[-1.0] * n,
                high=[1.0] * n,
                activation=native.activation,
                continuous_names=native.continuous_names or None,
            )
        self._half_range = (native.high - native.low).to(torch.float64) / 2.0
        self._mid = (native.high + native.low).to(torch.float64) / 2.0
        self._on_device: dict[torch.device, tuple[Tensor, ...]] = {}

    def _tensors(self, device: torch.device) -> tuple[Tensor, ...]:
        """``(mid, half range, exposed low, exposed high)`` on ``device``, copied once."""
        if device not in self._on_device:
            space = self.action_space
            parts = (self._mid, self._half_range, space.low, space.high)
            self._on_device[device] = tuple(t.to(device) for t in parts)
        return self._on_device[device]

    def to_native(self, continuous: Tensor) -> Tensor:
        """Parameters of the exposed space ``[B, n_continuous]`` in native units (float64)."""
        x = continuous.to(torch.float64)
        if self.scale == "native":
            return x
        mid, half, _, _ = self._tensors(x.device)
        return mid + half * x

    def from_native(self, action: HybridAction) -> HybridAction:
        """An action given in native units, expressed in the exposed space (float32).

        Reference policies plan in native units and call this before returning their action.
        Values are clipped into the exposed box, so rounding to float32 never leaves it.
        """
        x = action.continuous.to(torch.float64)
        mid, half, low, high = self._tensors(x.device)
        if self.scale == "unit":
            x = torch.where(half > 0, (x - mid) / half.clamp_min(1e-300), 0.0)
        return HybridAction(action.discrete, torch.clamp(x.to(torch.float32), low, high))

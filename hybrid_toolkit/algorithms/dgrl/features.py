"""`StateFeatures`: observations scaled to [0, 1], optionally with an uncoupled Fourier basis.

The DGRL paper (App. C) scales every state feature to [0, 1] with the observation bounds and, in
the maze and recommender, appends an uncoupled Fourier basis of order 3 (as DNC and Chandak et
al. do). Observation boxes with an infinite bound (e.g. backorders in replenishment) cannot be
scaled that way; they are standardised with running statistics instead.
"""

from __future__ import annotations

import math
from typing import Literal

import gymnasium
import numpy as np
import torch
from torch import Tensor, nn

from hybrid_toolkit.nn import ObservationNormalizer

ObsScaling = Literal["auto", "bounds", "running", "none"]
OBS_SCALINGS: tuple[str, ...] = ("auto", "bounds", "running", "none")


class StateFeatures(nn.Module):
    """Observation → feature vector ``[B, out_dim]`` (no trainable parameters).

    Args:
        observation_space: The env's per-scenario observation box.
        scaling: ``"bounds"`` maps the box to [0, 1] per feature (the paper); ``"running"``
            standardises with running mean/std (updated by :meth:`update`); ``"auto"`` picks
            bounds when every bound is finite and running statistics otherwise; ``"none"``
            passes observations through.
        fourier_order: Append ``cos(pi k x)`` for ``k = 1..order`` of every scaled feature
            ("uncoupled" basis); 0 disables it. It needs ``"bounds"`` scaling (the basis is
            periodic on [0, 1]). No constant feature is added: every layer has a bias.

    Raises:
        ValueError: On an unknown scaling, ``"bounds"`` with an infinite bound, or a Fourier
            basis without bounds scaling.
    """

    low: Tensor
    span: Tensor
    frequencies: Tensor

    def __init__(
        self,
        observation_space: gymnasium.spaces.Box,
        scaling: ObsScaling = "auto",
        fourier_order: int = 0,
    ) -> None:
        super().__init__()
        if scaling not in OBS_SCALINGS:
            raise ValueError(f"obs_scaling must be one of {OBS_SCALINGS}, got {scaling!r}")
        shape = tuple(observation_space.shape or ())
        self.obs_dim = int(np.prod(shape)) if shape else 1
        low = torch.as_tensor(np.asarray(observation_space.low, dtype=np.float64)).reshape(-1)
        high = torch.as_tensor(np.asarray(observation_space.high, dtype=np.float64)).reshape(-1)
        finite = bool(torch.isfinite(low).all() and torch.isfinite(high).all())
        if scaling == "auto":
            scaling = "bounds" if finite else "running"
        if scaling == "bounds" and not finite:
            raise ValueError(
                "obs_scaling='bounds' needs a finite observation box, got low="
                f"{low.tolist()} high={high.tolist()}; use obs_scaling='running' or 'auto'"
            )
        if fourier_order and scaling != "bounds":
            raise ValueError(
                f"fourier_order={fourier_order} needs observations scaled to [0, 1] "
                f"(obs_scaling='bounds' on a finite box), got obs_scaling={scaling!r}"
            )
        self.scaling: str = scaling
        self.fourier_order = int(fourier_order)
        span = high - low
        span = torch.where(torch.isfinite(span) & (span > 0), span, torch.ones_like(span))
        self.register_buffer("low", torch.where(torch.isfinite(low), low, 0.0).float())
        self.register_buffer("span", span.float())
        orders = torch.arange(1, self.fourier_order + 1, dtype=torch.float32)
        self.register_buffer("frequencies", math.pi * orders)
        self.normalizer = ObservationNormalizer((self.obs_dim,))
        self.out_dim = self.obs_dim * (1 + self.fourier_order)

    def update(self, obs: Tensor) -> None:
        """Merge observations into the running statistics (only ``"running"`` uses them)."""
        if self.scaling == "running":
            self.normalizer.update(obs.reshape(obs.shape[0], -1).float())

    def forward(self, obs: Tensor) -> Tensor:
        """Features of observations ``[B, *obs_shape]``."""
        x = obs.reshape(obs.shape[0], -1).float()
        if self.scaling == "bounds":
            x = (x - self.low) / self.span
        elif self.scaling == "running":
            x = self.normalizer(x)
        if not self.fourier_order:
            return x
        waves = torch.cos(x[..., None] * self.frequencies).flatten(1)
        return torch.cat([x, waves], dim=1)

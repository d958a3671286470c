"""`StateFeatures`: what the actor and the critic of the Q-actor-critic baselines read.

The DNC reference code scales the state to ``[0, 1]`` with the observation-space bounds and
expands it in a Fourier cosine basis (the maze and recommender use order 3). Three modes:

* raw: the flattened observation;
* running normalisation (`ObservationNormalizer`);
* Fourier basis of order ``n``: the bounded state ``x ∈ [0, 1]^d`` becomes
  ``cos(π k x_j)`` for ``k = 1..n`` and every ``j`` ("uncoupled", ``n·d`` features, the
  reference's current default), or ``cos(π c·x)`` for every ``c ∈ {0..n}^d`` ("coupled",
  ``(n+1)^d`` features, refused above 1000 as in the reference).

The uncoupled basis has no constant feature (pitfall 8 of the spec); every layer that reads
the features has a bias, so nothing is lost and we keep the reference's basis.
"""

from __future__ import annotations

import itertools
import math

import gymnasium
import numpy as np
import torch
from torch import Tensor, nn

from hybrid_toolkit.nn import ObservationNormalizer

MAX_COUPLED_FEATURES = 1000
"""The reference code refuses coupled bases with more features than this."""
MAX_SCALED_SPAN = 1e3
"""Dimensions whose bounds span more than this are not scaled to ``[0, 1]`` (reference code)."""


class StateFeatures(nn.Module):
    """Observation → feature vector, batched; its state (normaliser statistics) is saved.

    Args:
        observation_space: The env's per-scenario observation space (bounds for the basis).
        fourier_order: Order ``n`` of the Fourier basis; 0 disables it.
        fourier_coupled: Use the coupled basis (all frequency vectors) instead of the uncoupled.
        normalize: Running mean/std normalisation (only without the Fourier basis).

    Attributes:
        dim: Number of features.
    """

    def __init__(
        self,
        observation_space: gymnasium.spaces.Box,
        fourier_order: int = 0,
        fourier_coupled: bool = False,
        normalize: bool = False,
    ) -> None:
        super().__init__()
        if fourier_order and normalize:
            raise ValueError(
                "normalize_observations and fourier_order > 0 exclude each other: the Fourier "
                "basis needs the state scaled by its bounds, not by running statistics"
            )
        shape = tuple(observation_space.shape)
        obs_dim = int(np.prod(shape)) if shape else 1
        self.obs_shape = shape
        self.fourier_order = int(fourier_order)
        self.normalize = normalize
        self.normalizer = ObservationNormalizer((obs_dim,))
        low, high, scalable = self._scaling(observation_space, obs_dim)
        self.low: Tensor
        self.span: Tensor
        self.scalable: Tensor
        self.frequencies: Tensor
        self.register_buffer("low", low)
        self.register_buffer("span", high - low)
        self.register_buffer("scalable", scalable)
        self.register_buffer(
            "frequencies", self._frequencies(obs_dim, self.fourier_order, fourier_coupled)
        )
        self.dim = int(self.frequencies.shape[0]) if self.fourier_order else obs_dim

    @staticmethod
    def _scaling(space: gymnasium.spaces.Box, obs_dim: int) -> tuple[Tensor, Tensor, Tensor]:
        """Per-dim ``low``/``high`` of the ``[0, 1]`` scaling and which dims it applies to.

        Dims with infinite, empty or wider than `MAX_SCALED_SPAN` bounds keep their raw values
        (as in the reference code).
        """
        low = torch.as_tensor(np.asarray(space.low, dtype=np.float64).reshape(obs_dim))
        high = torch.as_tensor(np.asarray(space.high, dtype=np.float64).reshape(obs_dim))
        span = high - low
        scalable = torch.isfinite(span) & (span > 0) & (span <= MAX_SCALED_SPAN)
        low = torch.where(scalable, low, torch.zeros_like(low))
        high = torch.where(scalable, high, torch.ones_like(high))
        return low.float(), high.float(), scalable

    @staticmethod
    def _frequencies(obs_dim: int, order: int, coupled: bool) -> Tensor:
        """``[n_features, obs_dim]`` frequency vectors of the basis (empty when ``order == 0``)."""
        if order < 0:
            raise ValueError(f"fourier_order must be >= 0, got {order!r}")
        if order == 0:
            return torch.zeros(0, obs_dim)
        if not coupled:
            eye = torch.eye(obs_dim)
            return torch.cat([k * eye for k in range(1, order + 1)], dim=0)
        count = (order + 1) ** obs_dim
        if count > MAX_COUPLED_FEATURES:
            raise ValueError(
                f"a coupled Fourier basis of order {order} over {obs_dim} observation dims has "
                f"{count} features, above the limit of {MAX_COUPLED_FEATURES}; use "
                "fourier_coupled=False or a lower fourier_order"
            )
        grid = itertools.product(range(order + 1), repeat=obs_dim)
        return torch.tensor(list(grid), dtype=torch.float32)

    def forward(self, obs: Tensor, update_stats: bool = False) -> Tensor:
        """Features ``[B, dim]`` of observations ``[B, *obs_shape]``.

        Args:
            obs: A batch of observations.
            update_stats: Fold the batch into the running normaliser first (collection only).
        """
        flat = obs.to(self.low.device, torch.float32).reshape(obs.shape[0], -1)
        if self.normalize:
            if update_stats:
                self.normalizer.update(flat)
            return self.normalizer(flat)
        if not self.fourier_order:
            return flat
        scaled = ((flat - self.low) / self.span).clamp(0.0, 1.0)
        unit = torch.where(self.scalable, scaled, flat)
        return torch.cos(math.pi * unit @ self.frequencies.T)

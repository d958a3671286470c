"""`ObservationScaler`: flattened observations, each finite-bounded dimension mapped onto [-1, 1].

HyAR's VAE predicts the state change ``s' - s`` through a bounded (tanh) head, and the official
code runs every environment behind a wrapper that scales observations into [-1, 1]. This is that
wrapper as a fixed affine map computed from the env's observation box: dimensions with an
infinite (or zero-width) bound pass through unchanged. An env whose observations are already
scaled and whose box is wider only for clipping says so with ``nominal_observation_bounds``
(Goal); those bounds are used instead, so the observations are not scaled twice.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs import HybridEnv


class ObservationScaler:
    """Affine ``[low, high] → [-1, 1]`` map of flattened observations.

    Args:
        env: The environment whose ``observation_space`` box sets the map.
        enabled: ``False`` gives the identity (observations are only flattened).
        device: Device of the map.
        use_nominal: Scale by the env's ``nominal_observation_bounds`` where it declares them;
            ``False`` always scales by the observation box.
    """

    def __init__(
        self, env: HybridEnv, enabled: bool, device: torch.device, use_nominal: bool = True
    ) -> None:
        space = env.observation_space
        dim = int(np.prod(env.obs_shape))
        nominal = getattr(env, "nominal_observation_bounds", None)
        if nominal is not None and use_nominal:
            low, high = np.full(dim, nominal[0]), np.full(dim, nominal[1])
        else:
            low = np.asarray(getattr(space, "low", np.full(dim, -np.inf)), dtype=np.float64)
            high = np.asarray(getattr(space, "high", np.full(dim, np.inf)), dtype=np.float64)
        low, high = low.reshape(-1), high.reshape(-1)
        scalable = np.isfinite(low) & np.isfinite(high) & (high > low) & enabled
        center = np.where(scalable, (low + high) / 2, 0.0)
        half = np.where(scalable, (high - low) / 2, 1.0)
        self.dim = dim
        self.center = torch.as_tensor(center, dtype=torch.float32, device=device)
        self.half = torch.as_tensor(half, dtype=torch.float32, device=device)

    def __call__(self, obs: Tensor) -> Tensor:
        """Scaled observations ``[B, dim]`` on the scaler's device."""
        flat = obs.to(self.center.device, torch.float32).reshape(obs.shape[0], -1)
        return (flat - self.center) / self.half

"""What ``predict`` does at its edges: turn user observations into a checked batch, and actions
back into the gymnasium ``Dict`` convention when the input was numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridAction


def observation_batch(
    observation: np.ndarray | Tensor, obs_shape: tuple[int, ...], device: torch.device
) -> tuple[Tensor, bool]:
    """``observation`` as a float32 batch on ``device``, and whether it was a single one.

    Raises:
        ValueError: The shape is neither ``obs_shape`` nor ``[B, *obs_shape]``, or the
            observation holds NaN or infinite values (naming how many and the first index).
    """
    as_numpy = not isinstance(observation, Tensor)
    obs = torch.as_tensor(np.asarray(observation) if as_numpy else observation)
    obs = obs.to(device, torch.float32)
    single = tuple(obs.shape) == obs_shape
    if single:
        obs = obs.unsqueeze(0)
    if tuple(obs.shape[1:]) != obs_shape:
        raise ValueError(
            f"observation has shape {tuple(obs.shape)}; expected {obs_shape} or [B, *{obs_shape}]"
        )
    bad = ~torch.isfinite(obs)
    if bool(bad.any()):
        first = tuple(int(i) for i in bad.nonzero()[0])
        first = first[1:] if single else first
        raise ValueError(
            f"observation holds {int(bad.sum())} non-finite value(s) (NaN or inf in "
            f"float32), the first at index {first}; predict needs finite observations"
        )
    return obs, single


def gymnasium_action(action: HybridAction, single: bool) -> dict[str, Any]:
    """``{"discrete": int64 array, "continuous": float32 array}``, unbatched when ``single``."""
    out = {
        "discrete": action.discrete.cpu().numpy(),
        "continuous": action.continuous.detach().cpu().numpy().astype(np.float32),
    }
    return {k: v[0] for k, v in out.items()} if single else out

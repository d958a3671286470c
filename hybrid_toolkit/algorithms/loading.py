"""`hybrid_toolkit.load`: open any saved model, dispatching on the saved algorithm name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.registry import get_algorithm
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.training import load_checkpoint


def load(
    path: str | Path,
    env: HybridEnv | None = None,
    *,
    device: torch.device | str = "cpu",
    **kwargs: Any,
) -> BaseAlgorithm:
    """Load a model saved by any algorithm's ``save``.

    Example:
        >>> model = hybrid_toolkit.load("runs/ppo_target.zip")
    """
    algorithm = load_checkpoint(path, map_location="cpu").metadata.get("algorithm", "")
    return get_algorithm(algorithm).load(path, env, device=device, **kwargs)

"""`hybrid_toolkit.load`: open any saved model, dispatching on the saved algorithm name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.registry import ALGO_REGISTRY, get_algorithm
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.training import CheckpointError, load_checkpoint


def load(
    path: str | Path,
    env: HybridEnv | None = None,
    *,
    device: torch.device | str = "cpu",
    **kwargs: Any,
) -> BaseAlgorithm:
    """Load a model saved by any algorithm's ``save``; the file is read (decompressed) once.

    Args:
        path: The ``.zip`` checkpoint.
        env: The env to attach; by default the saved env is rebuilt (one scenario).
        device: Device for the networks.
        **kwargs: Passed to the algorithm's constructor (``tensorboard_log``, ``verbose``…).

    Raises:
        FileNotFoundError: No file at ``path``.
        CheckpointError: The file is damaged, foreign, or holds an algorithm this
            hybrid_toolkit does not know.
        ValueError: ``env`` differs from the saved observation shape or action space.

    Examples:
        >>> model = hybrid_toolkit.load("runs/ppo_target.zip")
    """
    checkpoint = load_checkpoint(path, map_location=device)
    if checkpoint.algorithm not in ALGO_REGISTRY:
        raise CheckpointError(
            f"{path} holds a {checkpoint.algorithm!r} model, which this hybrid_toolkit does not "
            f"know; known algorithms: {', '.join(ALGO_REGISTRY.names())}"
        )
    return get_algorithm(checkpoint.algorithm)._from_checkpoint(
        checkpoint, path, env, device=device, **kwargs
    )

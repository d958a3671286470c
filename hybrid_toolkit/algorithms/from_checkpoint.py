"""Build the model a checkpoint holds: check the env, rebuild config and weights, restore the
training state, and report any foreign content as a `CheckpointError`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import torch

from hybrid_toolkit.algorithms.saved_env import REBUILD_ERRORS, check_env_matches, rebuild_env
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.training import Checkpoint, CheckpointError
from hybrid_toolkit.utils.config import config_from_json

if TYPE_CHECKING:
    from hybrid_toolkit.algorithms.base import BaseAlgorithm

A = TypeVar("A", bound="BaseAlgorithm")


def build_from_checkpoint(
    cls: type[A],
    checkpoint: Checkpoint,
    path: str | Path,
    env: HybridEnv | None,
    *,
    device: torch.device | str,
    **kwargs: Any,
) -> A:
    """The ``cls`` model saved in ``checkpoint`` (already read from ``path``), on ``env``.

    Without ``env`` the saved env is rebuilt (one scenario); a given ``env`` must match the saved
    observation shape and action space (``ValueError`` saying what differs).
    """
    extra = checkpoint.extra
    if env is None:
        env = rebuild_env(extra.get("env", {}), device, str(path))
        check_env_matches(env, checkpoint.spaces, str(path), error=CheckpointError)
    else:
        check_env_matches(env, checkpoint.spaces, str(path))
    kwargs.setdefault("verbose", 0)
    try:
        config: Any = config_from_json(cls.config_class, checkpoint.config)
        seed, num_timesteps = extra.get("seed", 0), extra.get("num_timesteps", 0)
        if type(seed) is not int or type(num_timesteps) is not int:
            raise TypeError(f"seed and num_timesteps must be ints, got {seed!r}, {num_timesteps!r}")
        algo = cls(env, config, seed=seed, device=device, **kwargs)
        algo.load_state_dicts(checkpoint.state_dicts)
        algo.num_timesteps = num_timesteps
        algo._load_training_state(checkpoint)
    except REBUILD_ERRORS as err:
        raise CheckpointError(
            f"{path}: the saved {cls.name} model cannot be rebuilt from its config.json, "
            f"extra.json and state dicts ({type(err).__name__}: {err})"
        ) from err
    return algo

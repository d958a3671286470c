"""`TrainableAlgorithm`: what the trainer loop needs from an algorithm, and nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training.episode_stats import EpisodeStats
from hybrid_toolkit.training.logger import Logger


@runtime_checkable
class TrainableAlgorithm(Protocol):
    """The surface `train` and the callbacks use.

    Every algorithm's base class satisfies it; the training layer never imports a concrete
    algorithm, so this protocol is the whole contract between the two layers.

    Attributes:
        name: Algorithm registry name (``"ppo"``), written into checkpoints.
        env: The batched environment being trained on.
        seed: The run's seed.
        num_timesteps: Environment steps so far, summed over the batch: one ``env.step``
            adds ``env.num_envs``.
        config: The algorithm's config dataclass.
        logger: Where metrics go.
        episode_stats: Finished training episodes, fed by `collect`.
    """

    env: HybridEnv
    seed: int
    num_timesteps: int
    config: Any
    logger: Logger
    episode_stats: EpisodeStats

    @property
    def name(self) -> str:
        """Algorithm registry name (``"ppo"``); a plain class attribute satisfies it."""
        ...

    def collect(self) -> Any:
        """Gather experience (a rollout, or env steps into a replay buffer).

        Must increase ``num_timesteps`` and feed ``episode_stats``. Returns whatever
        `update` consumes.
        """
        ...

    def update(self, batch: Any) -> dict[str, float]:
        """Run gradient steps on ``batch``; return metrics keyed like ``"train/policy_loss"``."""
        ...

    def act(self, obs: Tensor, deterministic: bool) -> HybridAction:
        """Batched actions for observations ``[B, *obs_shape]`` (no autograd graph)."""
        ...

    def save(self, path: str | Path) -> object:
        """Write a checkpoint to ``path`` (the return value, e.g. the path written, is unused)."""
        ...

    def hyperparameters(self) -> dict[str, Any]:
        """The run's hyperparameters, recorded once at the start of training."""
        ...

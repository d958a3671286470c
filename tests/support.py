"""Helpers several test folders share (importable as ``support``: pytest puts ``tests/`` on
``sys.path`` for its ``conftest.py``)."""

from __future__ import annotations

from typing import Any

import hybrid_toolkit as ht
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig
from hybrid_toolkit.training import Callback, TrainingContext

TINY_JRP = JointReplenishmentConfig(
    n_items=2,
    horizon=12,
    ignore_periods=2,
    past_periods=4,
    num_train_scenarios=32,
    num_eval_scenarios=16,
)
"""A joint-replenishment instance small enough for HPO to update in milliseconds."""


class MetricsRecorder(Callback):
    """Keeps every iteration's metrics (``ctx.metrics``) in ``self.metrics``."""

    def __init__(self) -> None:
        self.metrics: list[dict[str, float]] = []

    def on_iteration(self, ctx: TrainingContext) -> bool:
        self.metrics.append(dict(ctx.metrics))
        return True


CHEAP: dict[str, dict[str, Any]] = {
    "hyar": {"warmup_episodes": 4, "vae_pretrain_steps": 2, "learning_starts": 8},
    "dgrl": {"batch_size": 8},
    "lar": {"buffer_size": 32, "pretrain_epochs": 1},
    "h-cacla": {"batch_size": 8},
    "hpo": {
        "num_envs": 8,
        "n_steps": 8,
        "buffer_periods": 0,
        "discrete_hidden": (16,),
        "continuous_hidden": (16,),
        "value_hidden": (16,),
    },
}
"""Small settings that reach a gradient step within a few iterations."""


def cheap_env_id(name: str) -> str:
    """A Target env algorithm ``name`` accepts: the table-based ones (VAC, Wolpertinger, LAR)
    need ``TargetMultiDiscrete-v0``, the others take ``TargetRegime-v0``."""
    return "TargetMultiDiscrete-v0" if name in {"vac", "wolpertinger", "lar"} else "TargetRegime-v0"


def cheap_model(name: str, **overrides: Any) -> Any:
    """Algorithm ``name`` with `CHEAP` settings on `cheap_env_id`'s env, its ``target`` preset
    where it has one, seed 0."""
    env = cheap_env_id(name)
    cls = ht.get_algorithm(name)
    preset = "target" if "target" in cls.presets else None
    return cls(env, preset, seed=0, verbose=0, **{**CHEAP.get(name, {}), **overrides})

"""Helpers several test folders share (importable as ``support``: pytest puts ``tests/`` on
``sys.path`` for its ``conftest.py``)."""

from __future__ import annotations

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

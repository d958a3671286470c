"""Stopping at the first non-finite training metric, with an error that says what to do.

Algorithms report, in the metrics their ``update`` returns (already read back in one sync):

* their losses (keys ending in ``loss``),
* their pre-clipping gradient norms (keys containing ``grad_norm``),
* ``train/nonfinite_parameters``: how many parameter entries are NaN or infinite.

The trainer raises `NonFiniteTrainingError` when `first_nonfinite` finds one of them not finite
(or the parameter count not 0), right after ``update`` and before any callback can save the
broken weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from hybrid_toolkit.nn.finite import NONFINITE_PARAMETERS

ADVICE = (
    "Lower the learning rate or max_grad_norm, and check that the env's rewards and "
    "observations are finite and of moderate scale (scale_rewards / reward_scale help)."
)
"""What to try, appended to every `NonFiniteTrainingError` message."""


class NonFiniteTrainingError(RuntimeError):
    """Training produced a NaN or infinite loss, gradient norm, parameter or action; it stopped.

    The trainer raises it through `from_metric` (all attributes set); algorithm code that meets
    a non-finite tensor mid-update (a NaN proto-action about to become an index) raises it with
    a message only, and the attributes stay ``None``.

    Attributes:
        metric: The metric key that was not finite (e.g. ``"train/value_loss"``).
        value: Its value.
        iteration: The trainer iteration whose update produced it.
        num_timesteps: Environment steps at that point.
        last_checkpoint: The last checkpoint saved during this run (with finite weights), if any.
    """

    metric: str | None = None
    value: float | None = None
    iteration: int | None = None
    num_timesteps: int | None = None
    last_checkpoint: Path | None = None

    @classmethod
    def from_metric(
        cls,
        metric: str,
        value: float,
        iteration: int,
        num_timesteps: int,
        last_checkpoint: Path | None,
    ) -> NonFiniteTrainingError:
        """The error the trainer raises for a non-finite metric of iteration ``iteration``."""
        what = (
            f"{value:g} non-finite parameter value(s)"
            if metric == NONFINITE_PARAMETERS
            else f"{metric}={value}"
        )
        saved = (
            f"the last good checkpoint is {last_checkpoint}"
            if last_checkpoint is not None
            else "no checkpoint was saved during this run"
        )
        err = cls(
            f"training stopped: {what} at iteration {iteration} (num_timesteps={num_timesteps}); "
            f"{saved}. {ADVICE}"
        )
        err.metric, err.value, err.iteration = metric, value, iteration
        err.num_timesteps, err.last_checkpoint = num_timesteps, last_checkpoint
        return err


def is_watched(key: str) -> bool:
    """Whether the trainer requires ``key`` to be finite: losses, gradient norms, the count."""
    if not key.startswith("train/"):
        return False
    name = key.removeprefix("train/")
    return name.endswith("loss") or "grad_norm" in name or key == NONFINITE_PARAMETERS


def first_nonfinite(metrics: Mapping[str, float]) -> tuple[str, float] | None:
    """The first watched metric that is NaN/infinite (or a non-zero parameter count)."""
    for key, value in metrics.items():
        if not is_watched(key):
            continue
        bad = value != 0 if key == NONFINITE_PARAMETERS else not math.isfinite(value)
        if bad:
            return key, value
    return None

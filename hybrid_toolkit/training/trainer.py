"""`train`: the one loop every algorithm runs through.

```text
on_training_start
while algo.num_timesteps < total_timesteps:
    batch = algo.collect()            # rollout, or env steps into a replay buffer
    metrics = algo.update(batch)      # gradient steps
    metrics += rollout/* and time/*   # episode stats, fps, ...
    logger.record(metrics); callbacks.on_iteration(ctx)   # False stops training
    logger.dump()                     # files every iteration; stdout every log_interval
on_training_end                       # always, then the logger is closed
```
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from hybrid_toolkit.training._checks import check_nonnegative_int, check_positive_int
from hybrid_toolkit.training.callbacks import (
    Callback,
    ProgressBarCallback,
    TrainingContext,
    as_callback_list,
)
from hybrid_toolkit.training.nonfinite import NonFiniteTrainingError, first_nonfinite
from hybrid_toolkit.training.protocol import TrainableAlgorithm

AUTO_STDOUT_TABLES = 100
"""About how many stdout tables a run prints with ``log_interval=0`` (plus the last one)."""


def auto_log_interval(total_timesteps: int, start_steps: int, steps_per_iteration: int) -> int:
    """The ``log_interval`` that prints at most `AUTO_STDOUT_TABLES` tables in a run.

    Args:
        total_timesteps: The budget the run trains up to.
        start_steps: ``num_timesteps`` when the run started (non-zero when it continues).
        steps_per_iteration: Environment steps the first iteration took.

    Example:
        >>> auto_log_interval(50_000, 0, 16)  # 3,125 iterations: a table every 32
        32
    """
    iterations = math.ceil(max(total_timesteps - start_steps, 1) / max(steps_per_iteration, 1))
    return max(1, math.ceil(iterations / AUTO_STDOUT_TABLES))


def _time_metrics(
    algo: TrainableAlgorithm, iteration: int, start_time: float, start_steps: int
) -> dict[str, float]:
    elapsed = max(time.perf_counter() - start_time, 1e-9)
    return {
        "time/fps": int((algo.num_timesteps - start_steps) / elapsed),
        "time/iterations": iteration,
        "time/total_timesteps": algo.num_timesteps,
        "time/time_elapsed": int(elapsed),
    }


def _stop_if_nonfinite(metrics: dict[str, float], ctx: TrainingContext) -> None:
    """Raise `NonFiniteTrainingError` if the update reported a non-finite loss, norm or weight."""
    found = first_nonfinite(metrics)
    if found is not None:
        key, value = found
        raise NonFiniteTrainingError.from_metric(
            key, value, ctx.iteration, ctx.num_timesteps, ctx.last_checkpoint
        )


def train(
    algo: TrainableAlgorithm,
    total_timesteps: int,
    callback: Callback | Sequence[Callback] | None = None,
    progress_bar: bool = False,
    log_interval: int = 0,
) -> None:
    """Train ``algo`` until ``algo.num_timesteps >= total_timesteps`` or a callback stops it.

    ``total_timesteps`` is absolute: an algorithm that already ran 1000 steps and is asked for
    1500 runs about 500 more (algorithms that count "more steps" add their current count before
    calling). The last iteration may overshoot by up to one ``collect``.

    Training stops with `NonFiniteTrainingError` at the first update that reports a NaN or
    infinite loss or gradient norm, or a non-finite parameter (``train/nonfinite_parameters``),
    before any callback runs on that iteration, so no checkpoint holds the broken weights; the
    error names the metric, the iteration, ``num_timesteps`` and the last checkpoint a
    `CheckpointCallback` or `EvalCallback` saved.

    Metrics logged each iteration: what ``algo.update`` returns, ``rollout/ep_rew_mean`` and
    ``rollout/ep_len_mean`` (last 100 finished episodes, once one has finished), ``time/fps``,
    ``time/iterations``, ``time/total_timesteps`` and ``time/time_elapsed``. The hyperparameters
    are recorded once at the start. Every iteration's metrics go to the logger's files
    (``progress.csv``, TensorBoard); the stdout table is printed every ``log_interval``
    iterations and after the last one.

    The logger is closed when training ends — normally, through a callback, an exception or
    Ctrl-C — after every callback's ``on_training_end``; exceptions are re-raised.

    Args:
        algo: Anything satisfying `TrainableAlgorithm`.
        total_timesteps: Environment-step budget, summed over the batch.
        callback: One callback, a sequence of them, or ``None``.
        progress_bar: Add a `ProgressBarCallback`.
        log_interval: Print the stdout table every this many iterations (and after the last
            one); ``0`` picks the interval from the first iteration's steps so that a run
            prints about `AUTO_STDOUT_TABLES` tables (see `auto_log_interval`).
    """
    check_positive_int("total_timesteps", total_timesteps)
    check_nonnegative_int("log_interval", log_interval)
    callbacks = as_callback_list(callback)
    if progress_bar:
        callbacks = as_callback_list([*callbacks.callbacks, ProgressBarCallback()])
    logger = algo.logger
    ctx = TrainingContext(algo, total_timesteps, iteration=0, metrics={}, logger=logger)
    start_time, start_steps = time.perf_counter(), algo.num_timesteps
    try:
        logger.record_hparams(algo.hyperparameters())
        callbacks.on_training_start(ctx)
        while algo.num_timesteps < total_timesteps:
            before = algo.num_timesteps
            batch = algo.collect()
            if algo.num_timesteps <= before:
                raise RuntimeError(
                    f"{type(algo).__name__}.collect() did not advance num_timesteps (still "
                    f"{before}); the loop would never reach total_timesteps={total_timesteps}"
                )
            metrics = dict(algo.update(batch))
            ctx.iteration += 1
            _stop_if_nonfinite(metrics, ctx)
            metrics.update(algo.episode_stats.summary())
            metrics.update(_time_metrics(algo, ctx.iteration, start_time, start_steps))
            ctx.metrics = metrics
            for key, value in metrics.items():
                logger.record(key, value)
            keep_going = callbacks.on_iteration(ctx)
            last = not keep_going or algo.num_timesteps >= total_timesteps
            if not log_interval:
                steps = algo.num_timesteps - before
                log_interval = auto_log_interval(total_timesteps, start_steps, steps)
            table = last or ctx.iteration % log_interval == 0
            logger.dump(step=algo.num_timesteps, stdout=table)
            if not keep_going:
                break
    finally:
        try:
            callbacks.on_training_end(ctx)
        finally:
            logger.close()

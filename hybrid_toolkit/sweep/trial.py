"""One sweep trial: an ordinary ``train`` run that reports its evaluations to Ray Tune.

The trial builds its run exactly as ``hybrid-toolkit train --config`` does (the same
``config.json`` document, :func:`~hybrid_toolkit.cli.train.prepare_train`), so its run directory
holds TensorBoard events, ``progress.csv``, ``model.zip`` and a ``config.json`` that
``train --config`` trains again with the same result. Only a :class:`TuneReport` callback is
added: it hands every evaluation to Tune, where the scheduler (ASHA) may stop the trial early.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hybrid_toolkit.cli.result import has_reported_metric, reported_metric_value
from hybrid_toolkit.cli.run_record import RunRecord, record_from_document
from hybrid_toolkit.cli.train import make_eval_env, prepare_train
from hybrid_toolkit.sweep.spec import SweepSpec, trial_document
from hybrid_toolkit.training import Callback, TrainingContext, evaluate_policy

REPORTED_METRIC = "eval/reported_metric"
"""Key of the env's own reported metric (a cost, lower is better) where the env has one."""
EVAL_KEYS = ("eval/mean_reward", "eval/std_reward", "eval/mean_ep_length")
"""Keys of every evaluation report (the evaluation callback's)."""
TIME_KEY = "timesteps"
"""Key of the trial's environment steps in every report (ASHA's time axis)."""
FINAL_SEED_OFFSET = 10_000
"""The final evaluation uses seed ``run.seed + 10_000``, as ``train``'s final result does."""


class TuneReport(Callback):
    """Report each evaluation, and the final one, through ``report`` (``ray.tune.report``).

    Every report holds :data:`TIME_KEY`, the :data:`EVAL_KEYS`, :data:`REPORTED_METRIC` where
    the env has one, and ``final`` (1 for the evaluation at the end of training, which is the
    one ``train`` prints: same episodes, same seed).

    Args:
        record: The trial's run.
        report: Called with each report's metrics.
    """

    def __init__(self, record: RunRecord, report: Callable[[dict[str, float]], None]) -> None:
        self.run = record.run
        self.report = report
        self.eval_env = make_eval_env(record.env_name, record.env, record.run)

    def _reported(self, ctx: TrainingContext, eval_metrics: dict[str, float], final: bool) -> None:
        metrics = {TIME_KEY: float(ctx.num_timesteps), **eval_metrics, "final": float(final)}
        if has_reported_metric(self.eval_env):
            metrics[REPORTED_METRIC] = reported_metric_value(
                self._act(ctx), self.eval_env, self.run.seed + FINAL_SEED_OFFSET
            )
        self.report(metrics)

    @staticmethod
    def _act(ctx: TrainingContext) -> Callable[[Any], Any]:
        return lambda obs: ctx.algo.act(obs, True)

    def on_iteration(self, ctx: TrainingContext) -> bool:
        if EVAL_KEYS[0] in ctx.metrics and ctx.num_timesteps < self.run.total_timesteps:
            self._reported(ctx, {k: float(ctx.metrics[k]) for k in EVAL_KEYS}, final=False)
        return True

    def on_training_end(self, ctx: TrainingContext) -> None:
        if ctx.num_timesteps < self.run.total_timesteps:  # stopped by an error: nothing to report
            return
        result = evaluate_policy(
            self._act(ctx),
            self.eval_env,
            self.run.eval_episodes,
            seed=self.run.seed + FINAL_SEED_OFFSET,
        )
        values = (result.mean_reward, result.std_reward, result.mean_ep_length)
        self._reported(ctx, dict(zip(EVAL_KEYS, map(float, values), strict=True)), final=True)


def trial_root(sweep_dir: Path, trial_id: str) -> Path:
    """The folder of one trial's run directory (``run.run_root`` of the trial)."""
    return sweep_dir / "trials" / trial_id


def run_trial(
    config: dict[str, Any], spec: SweepSpec, base: dict[str, Any], sweep_dir: str
) -> None:
    """The Tune trainable: train one configuration of the sweep as an ordinary run.

    Args:
        config: The drawn values, ``group.field`` → value (see
            :meth:`~hybrid_toolkit.sweep.spec.SweepSpec.trial_values`).
        spec: The sweep.
        base: The sweep's base ``config.json`` document.
        sweep_dir: The sweep's folder (absolute); the run directory goes under
            ``trials/<trial id>/``.
    """
    from ray import tune

    root = trial_root(Path(sweep_dir), tune.get_context().get_trial_id())
    shutil.rmtree(root, ignore_errors=True)  # a trial restarted after an interruption
    values = {**spec.trial_values(config), "run.run_root": str(root)}
    document = trial_document(base, values)
    record = record_from_document(document, "sweep trial", root)
    prepare_train(record, [TuneReport(record, tune.report)])()

"""Training callbacks: the Stable-Baselines3 lifecycle with a typed context instead of ``locals()``.

The trainer calls, in order: ``on_training_start(ctx)`` once; ``on_iteration(ctx)`` after every
collect + update (returning ``False`` stops training); ``on_training_end(ctx)`` once, even when
training stops because of an exception or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.training._checks import check_positive_int
from hybrid_toolkit.training.evaluation import EvalResult, evaluate_policy
from hybrid_toolkit.training.logger import Logger
from hybrid_toolkit.training.protocol import TrainableAlgorithm


@dataclass
class TrainingContext:
    """What a callback sees at each point of the loop.

    Attributes:
        algo: The algorithm being trained (``algo.num_timesteps``, ``algo.save`` ...).
        total_timesteps: The timestep budget of this ``train`` call.
        iteration: Completed collect + update iterations (0 in ``on_training_start``).
        metrics: This iteration's metrics (``train/*``, ``rollout/*``, ``time/*``); callbacks may
            add keys (``EvalCallback`` adds ``eval/*``), which later callbacks then see.
        logger: The run's logger; values recorded here are written at the next dump.
        last_checkpoint: The latest checkpoint a callback saved in this run (callbacks that
            save go through `save_model`); named by `NonFiniteTrainingError` as the last good
            one.
    """

    algo: TrainableAlgorithm
    total_timesteps: int
    iteration: int
    metrics: dict[str, float]
    logger: Logger
    last_checkpoint: Path | None = None

    @property
    def num_timesteps(self) -> int:
        """Environment steps so far (``algo.num_timesteps``)."""
        return self.algo.num_timesteps

    def save_model(self, path: Path) -> Path:
        """Save the model to ``path`` through ``algo.save`` and remember it as the last one.

        The trainer stops (`NonFiniteTrainingError`) before callbacks run on an update that
        left non-finite weights, so a path recorded here holds finite ones.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self.algo.save(path)
        self.last_checkpoint = path
        return path


class Callback:
    """Base class: override any of the three hooks.

    Attributes:
        parent: Set by a callback that owns this one (``EvalCallback`` for its
            ``callback_on_new_best``), ``None`` otherwise.
    """

    parent: Callback | None = None

    def on_training_start(self, ctx: TrainingContext) -> None:
        """Called once before the first iteration."""

    def on_iteration(self, ctx: TrainingContext) -> bool:
        """Called after every iteration; return ``False`` to stop training."""
        return True

    def on_training_end(self, ctx: TrainingContext) -> None:
        """Called once when training ends, however it ends."""


class CallbackList(Callback):
    """Runs several callbacks in order; training stops if any of them returns ``False``.

    Every callback's ``on_iteration`` runs even after an earlier one asked to stop, and every
    ``on_training_end`` runs even if an earlier one raised (the first error is re-raised).
    """

    def __init__(self, callbacks: Sequence[Callback]) -> None:
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks[{i}] must be a Callback, got {type(cb).__name__}")
        self.callbacks = list(callbacks)

    def on_training_start(self, ctx: TrainingContext) -> None:
        for cb in self.callbacks:
            cb.on_training_start(ctx)

    def on_iteration(self, ctx: TrainingContext) -> bool:
        results = [cb.on_iteration(ctx) for cb in self.callbacks]
        return all(results)

    def on_training_end(self, ctx: TrainingContext) -> None:
        first_error: BaseException | None = None
        for cb in self.callbacks:
            try:
                cb.on_training_end(ctx)
            except BaseException as err:
                first_error = first_error or err
        if first_error is not None:
            raise first_error


def as_callback_list(callback: Callback | Sequence[Callback] | None) -> CallbackList:
    """Normalise ``None`` / one callback / a sequence of callbacks into a `CallbackList`."""
    if callback is None:
        return CallbackList([])
    if isinstance(callback, CallbackList):
        return callback
    if isinstance(callback, Callback):
        return CallbackList([callback])
    if isinstance(callback, Sequence) and not isinstance(callback, str):
        return CallbackList(list(callback))
    raise TypeError(
        "callback must be a Callback, a sequence of Callbacks or None, "
        f"got {type(callback).__name__}"
    )


class _EveryNTimesteps(Callback):
    """Fires when ``num_timesteps`` crosses a multiple of ``freq`` (iterations span many steps)."""

    def __init__(self, freq: int, name: str) -> None:
        check_positive_int(name, freq)
        self.freq = freq
        self._last_fired = 0

    def on_training_start(self, ctx: TrainingContext) -> None:
        self._last_fired = ctx.num_timesteps

    def _due(self, ctx: TrainingContext) -> bool:
        if ctx.num_timesteps // self.freq > self._last_fired // self.freq:
            self._last_fired = ctx.num_timesteps
            return True
        return False


@contextlib.contextmanager
def _random_state_kept(algo: TrainableAlgorithm) -> Iterator[None]:
    """Restore the algorithm's random generator (its ``generator`` attribute, which every
    algorithm of the library has) after the block, so that sampled actions drawn during an
    evaluation leave training exactly as it would have been without the evaluation."""
    generator = getattr(algo, "generator", None)
    if not isinstance(generator, torch.Generator):
        yield
        return
    state = generator.get_state()
    try:
        yield
    finally:
        generator.set_state(state)


class EvalCallback(_EveryNTimesteps):
    """Evaluate the policy every ``eval_freq`` timesteps; keep and save the best model.

    Records ``eval/mean_reward``, ``eval/std_reward`` and ``eval/mean_ep_length`` (also added to
    ``ctx.metrics``).

    A non-finite mean reward (NaN or inf, e.g. from an env whose rewards overflow) is recorded
    and warned about (`RuntimeWarning`) but is never a new best: nothing is saved, the
    ``callback_on_new_best`` is not called, and the next finite evaluation is compared with the
    best finite one before it. It does not stop training by itself — a non-finite *training*
    metric does (`NonFiniteTrainingError`).

    Args:
        eval_env: A separate environment to evaluate on (it is reset at every evaluation).
        eval_freq: Evaluate whenever ``num_timesteps`` crosses a multiple of this.
        n_eval_episodes: Episodes per evaluation (see `evaluate_policy`).
        deterministic: Act with the policy's mode instead of sampling. Sampled actions come
            from the algorithm's random generator, whose state is restored after the
            evaluation: evaluating, greedily or not, never changes the training run.
        best_model_save_path: Folder for ``best_model.zip``, written via ``algo.save`` on every
            new best mean reward; ``None`` saves nothing.
        callback_on_new_best: Called (``on_iteration``) after each new best; returning ``False``
            stops training. Typically `StopTrainingOnRewardThreshold`.
        verbose: ``1`` prints one line per evaluation.
        seed: Reset seed for every evaluation, so successive evaluations see the same scenarios;
            ``None`` continues the env's random stream.

    Attributes:
        best_mean_reward: Best finite ``eval/mean_reward`` so far (``-inf`` before the first).
        last_mean_reward: ``eval/mean_reward`` of the latest evaluation.
        evaluations: ``(num_timesteps, EvalResult)`` of every evaluation.
    """

    def __init__(
        self,
        eval_env: HybridEnv,
        eval_freq: int,
        n_eval_episodes: int = 10,
        deterministic: bool = True,
        best_model_save_path: str | Path | None = None,
        callback_on_new_best: Callback | None = None,
        verbose: int = 1,
        seed: int | None = None,
    ) -> None:
        super().__init__(eval_freq, "eval_freq")
        check_positive_int("n_eval_episodes", n_eval_episodes)
        self.eval_env = eval_env
        self.n_eval_episodes = n_eval_episodes
        self.deterministic = deterministic
        self.best_model_save_path = Path(best_model_save_path) if best_model_save_path else None
        self.callback_on_new_best = callback_on_new_best
        if callback_on_new_best is not None:
            callback_on_new_best.parent = self
        self.verbose = verbose
        self.seed = seed
        self.best_mean_reward = -math.inf
        self.last_mean_reward = -math.inf
        self.evaluations: list[tuple[int, EvalResult]] = []

    def on_training_start(self, ctx: TrainingContext) -> None:
        super().on_training_start(ctx)
        if self.callback_on_new_best is not None:
            self.callback_on_new_best.on_training_start(ctx)

    def on_iteration(self, ctx: TrainingContext) -> bool:
        if not self._due(ctx):
            return True
        algo = ctx.algo
        with _random_state_kept(algo):
            result = evaluate_policy(
                lambda obs: algo.act(obs, self.deterministic),
                self.eval_env,
                self.n_eval_episodes,
                seed=self.seed,
            )
        self.evaluations.append((ctx.num_timesteps, result))
        self.last_mean_reward = result.mean_reward
        metrics = {
            "eval/mean_reward": result.mean_reward,
            "eval/std_reward": result.std_reward,
            "eval/mean_ep_length": result.mean_ep_length,
        }
        ctx.metrics.update(metrics)
        for key, value in metrics.items():
            ctx.logger.record(key, value)
        if self.verbose >= 1:
            print(
                f"Eval num_timesteps={ctx.num_timesteps}, episode_reward="
                f"{result.mean_reward:.2f} +/- {result.std_reward:.2f}, "
                f"episode_length={result.mean_ep_length:.2f}"
            )
        if not math.isfinite(result.mean_reward):
            warnings.warn(
                f"evaluation at num_timesteps={ctx.num_timesteps} gave a non-finite mean reward "
                f"({result.mean_reward}); it is not a new best. Check that the env's rewards "
                "are finite.",
                RuntimeWarning,
                stacklevel=2,
            )
            return True
        if result.mean_reward <= self.best_mean_reward:
            return True
        self.best_mean_reward = result.mean_reward
        if self.best_model_save_path is not None:
            ctx.save_model(self.best_model_save_path / "best_model.zip")
            if self.verbose >= 1:
                print(f"New best mean reward; saved {self.best_model_save_path / 'best_model.zip'}")
        if self.callback_on_new_best is not None:
            return self.callback_on_new_best.on_iteration(ctx)
        return True

    def on_training_end(self, ctx: TrainingContext) -> None:
        if self.callback_on_new_best is not None:
            self.callback_on_new_best.on_training_end(ctx)


class StopTrainingOnRewardThreshold(Callback):
    """Stop training once the mean reward reaches ``reward_threshold``.

    As ``EvalCallback(callback_on_new_best=...)`` it checks ``eval/mean_reward``; used on its own
    it checks ``rollout/ep_rew_mean`` (the last 100 finished training episodes) and does nothing
    until an episode has finished.

    A NaN or infinite watched value never reaches the threshold.

    Args:
        reward_threshold: Stop when the watched mean reward is ``>=`` this (``-inf``: at the
            first finished episode; NaN is refused, it could never be reached).
        verbose: ``1`` prints a line when it stops training.

    Raises:
        ValueError: If ``reward_threshold`` is not a number or is NaN.
    """

    def __init__(self, reward_threshold: float, verbose: int = 1) -> None:
        given: object = reward_threshold
        if isinstance(given, bool) or not isinstance(given, numbers.Real) or math.isnan(given):
            raise ValueError(
                f"reward_threshold must be a number (not NaN), got {reward_threshold!r}"
            )
        self.reward_threshold = float(reward_threshold)
        self.verbose = verbose

    @property
    def watched_key(self) -> str:
        """The metric compared against the threshold."""
        return "eval/mean_reward" if self.parent is not None else "rollout/ep_rew_mean"

    def on_iteration(self, ctx: TrainingContext) -> bool:
        value = ctx.metrics.get(self.watched_key)
        if value is None or not math.isfinite(value) or value < self.reward_threshold:
            return True
        if self.verbose >= 1:
            print(
                f"Stopping training: {self.watched_key}={value:.2f} reached the threshold "
                f"{self.reward_threshold:.2f}"
            )
        return False


class CheckpointCallback(_EveryNTimesteps):
    """Save the model every ``save_freq`` timesteps as ``{name_prefix}_{num_timesteps}_steps.zip``.

    Args:
        save_freq: Save whenever ``num_timesteps`` crosses a multiple of this.
        save_path: Folder for the checkpoints (created by the save).
        name_prefix: File name prefix.
        verbose: ``1`` prints the path of each checkpoint.

    It never runs on an update that left non-finite weights: the trainer stops first with
    `NonFiniteTrainingError`, naming the last checkpoint saved here.

    Attributes:
        saved: Paths written so far, oldest first.
    """

    def __init__(
        self, save_freq: int, save_path: str | Path, name_prefix: str = "model", verbose: int = 0
    ) -> None:
        super().__init__(save_freq, "save_freq")
        self.save_path = Path(save_path)
        self.name_prefix = name_prefix
        self.verbose = verbose
        self.saved: list[Path] = []

    def on_iteration(self, ctx: TrainingContext) -> bool:
        if self._due(ctx):
            path = self.save_path / f"{self.name_prefix}_{ctx.num_timesteps}_steps.zip"
            self.saved.append(ctx.save_model(path))
            if self.verbose >= 1:
                print(f"Saving model checkpoint to {path}")
        return True


class ProgressBarCallback(Callback):
    """A tqdm progress bar over timesteps (what ``train(..., progress_bar=True)`` adds)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0

    def on_training_start(self, ctx: TrainingContext) -> None:
        from tqdm.auto import tqdm

        self._shown = min(ctx.num_timesteps, ctx.total_timesteps)
        self._bar = tqdm(total=ctx.total_timesteps, initial=self._shown, unit="step")

    def on_iteration(self, ctx: TrainingContext) -> bool:
        if self._bar is not None:
            now = min(ctx.num_timesteps, ctx.total_timesteps)
            self._bar.update(now - self._shown)
            self._shown = now
        return True

    def on_training_end(self, ctx: TrainingContext) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

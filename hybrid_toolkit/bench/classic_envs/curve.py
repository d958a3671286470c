"""A reference run's learning curve, its progress file and its checkpoint, so that a run
stopped early (Ctrl-C, a crash, the end of a session) still leaves its curve so far and
continues where it stopped.

While a run that records a curve trains, ``<case>-seed<k>.progress.json`` holds the curve so
far and ``<case>-seed<k>.checkpoint.zip`` the model as it was at the newest curve point (its
weights, optimisers, random streams, env state and replay buffers: see
`hybrid_toolkit.algorithms.base.BaseAlgorithm.save`). Both are written atomically. A run
started again with the same recipe loads the checkpoint, keeps the curve points up to it and
trains on, which on the same machine gives the same run as one that was never stopped; the
training time adds up over the pieces. The suite deletes both files once the finished run is
cached.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.classic_envs.cases import Case
from hybrid_toolkit.envs.outcomes import first_episode_outcomes
from hybrid_toolkit.training.callbacks import Callback, TrainingContext

CURVE_EPISODES = 100
"""Scenarios of each learning-curve evaluation (the official scripts evaluate 100 episodes)."""


def progress_path(run: Path) -> Path:
    """Where a run that records a learning curve keeps it while it trains."""
    return run.with_name(run.stem + ".progress.json")


def checkpoint_path(progress: Path) -> Path:
    """Where a run keeps the checkpoint of its newest curve point, beside its progress file."""
    return progress.with_name(progress.name.removesuffix(".progress.json") + ".checkpoint.zip")


class LearningCurve(Callback):
    """Evaluates the deterministic policy every ``every`` steps (HyAR: in its TD3 phase), keeps
    the curve so far in ``progress_path`` and, with ``checkpoint``, saves the model beside it
    after every point (all written atomically).

    ``points`` and the ``offset_*`` times are those of an earlier piece of the same run when
    it is resumed; the time spent evaluating and saving is not training time.
    """

    def __init__(
        self,
        eval_env: Any,
        case: Case,
        seed: int,
        every: int,
        progress_path: Path | None,
        header: dict[str, Any],
        checkpoint: Path | None = None,
    ) -> None:
        self.eval_env, self.case, self.seed, self.every = eval_env, case, seed, every
        self.progress_path, self.header, self.checkpoint = progress_path, header, checkpoint
        self.points: list[dict[str, Any]] = []
        self.offset_seconds = self.offset_cpu_seconds = 0.0
        self.eval_seconds = self.eval_cpu_seconds = 0.0
        self.start = self.start_cpu = 0.0
        self.next_at = every

    def resume_from(self, points: list[dict[str, Any]]) -> None:
        """Continue the curve of an earlier piece: its points and its training time so far."""
        self.points = list(points)
        if points:
            self.offset_seconds = points[-1]["train_seconds"]
            self.offset_cpu_seconds = points[-1]["train_cpu_seconds"]

    def training_seconds(self) -> tuple[float, float]:
        """Wall and CPU seconds of training so far, over every piece of the run."""
        wall = time.perf_counter() - self.start - self.eval_seconds
        cpu = time.process_time() - self.start_cpu - self.eval_cpu_seconds
        return self.offset_seconds + wall, self.offset_cpu_seconds + cpu

    def on_training_start(self, ctx: TrainingContext) -> None:
        self.start, self.start_cpu = time.perf_counter(), time.process_time()
        self.next_at = (ctx.num_timesteps // self.every + 1) * self.every

    def on_iteration(self, ctx: TrainingContext) -> bool:
        model = ctx.algo
        if ctx.num_timesteps < self.next_at or _phase(model) == "warmup":
            return True
        if ctx.num_timesteps >= ctx.total_timesteps:  # the final evaluation follows
            return True
        while self.next_at <= ctx.num_timesteps:
            self.next_at += self.every
        self.add(model, ctx.num_timesteps, self.eval_env, save=True)
        return True

    def add(
        self, model: Any, timesteps: int, eval_env: Any, *, save: bool = False
    ) -> dict[str, Any]:
        """Evaluate ``model`` on ``eval_env`` now, append the point, write the progress file
        and (with ``save`` and a ``checkpoint`` path) the checkpoint."""
        begin, begin_cpu = time.perf_counter(), time.process_time()
        train_seconds, train_cpu_seconds = self.training_seconds()
        outcome = first_episode_outcomes(
            eval_env,
            lambda obs: model.act(obs, deterministic=True),
            seed=10_000 + self.seed,
            max_steps=self.case.max_steps,
        )
        point = {
            "timesteps": timesteps,
            "td3_updates": _td3_updates(model),
            "success_rate": outcome.success_rate,
            "mean_return": outcome.mean_return,
            "std_return": outcome.std_return,
            "eval_episodes": eval_env.num_envs,
            "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(train_cpu_seconds, 1),
        }
        self.points.append(point)
        if self.progress_path is not None:
            print(
                f"{self.header['label']}: {timesteps:,} steps, {point['td3_updates']} TD3 "
                f"updates, success {point['success_rate']:.3f}, return "
                f"{point['mean_return']:.3f}, {point['train_seconds']:.0f} s",
                flush=True,
            )
            write_json_atomic(
                self.progress_path, {**self.header, "status": "unfinished", "curve": self.points}
            )
        if save and self.checkpoint is not None:
            model.save(self.checkpoint)
        self.eval_seconds += time.perf_counter() - begin
        self.eval_cpu_seconds += time.process_time() - begin_cpu
        return point


def resumable(progress: Path, key: dict[str, Any]) -> tuple[Path, dict[str, Any]] | None:
    """The checkpoint and progress of an unfinished run of recipe ``key``, or ``None``.

    A checkpoint left by a run of another recipe (or without its progress file) cannot
    continue this one: it is deleted.
    """
    checkpoint = checkpoint_path(progress)
    if not checkpoint.exists():
        return None
    saved = json.loads(progress.read_text()) if progress.exists() else {}
    if saved.get("recipe") != key:
        checkpoint.unlink()
        return None
    return checkpoint, saved


def _phase(model: Any) -> str:
    progress = getattr(model, "progress", None)
    return str(getattr(progress, "phase", "train"))


def _td3_updates(model: Any) -> int | None:
    progress = getattr(model, "progress", None)
    return None if progress is None else int(progress.td3_updates)


def write_json_atomic(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON through a temporary file and a rename, so a reader (or
    a run killed mid-write) never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(data, indent=2) + "\n")
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would be odd for a result file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

"""Helpers of the sweep tests: a tiny sweep file, and one small local Ray per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

TINY_PPO = """\
algo: ppo
env: TargetRegime-v0
fixed:
  algo.num_envs: 4
  algo.n_steps: 16
  algo.n_epochs: 1
  run.total_timesteps: {steps}
  run.eval_freq: {eval_freq}
  run.eval_episodes: 4
space:
  algo.learning_rate: {{grid: [0.003, 0.0003]}}
  run.seed: {{grid: {seeds}}}
num_samples: 1
searcher: random
scheduler: fifo
"""
"""A grid of 2 learning rates x the seeds of a tiny PPO; ``steps`` sets a trial's cost."""


def write_tiny_sweep(
    path: Path, steps: int = 128, eval_freq: int = 64, seeds: tuple[int, ...] = (0,)
) -> Path:
    """Write :data:`TINY_PPO` (``2 * len(seeds)`` trials of ``steps`` each) to ``path``."""
    path.write_text(TINY_PPO.format(steps=steps, eval_freq=eval_freq, seeds=list(seeds)))
    return path


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray on two CPUs for the module's tests (skipped without the extra)."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("optuna")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()

"""The three ways to train PPO that the speed suites time, and one timed run of each.

* ``ours``: hybrid_toolkit's PPO on the batched env (``hybrid_toolkit.make(id, num_envs=B)``);
* ``sb3-dummyvecenv``: what a Stable-Baselines3 user would otherwise write — SB3's PPO on a
  ``DummyVecEnv`` of ``B`` single envs from ``gymnasium.make("hybrid_toolkit/<id>")``, each
  behind the action-flattening :class:`~hybrid_toolkit.envs.adapters.FlattenHybridAction`
  wrapper (``make_vec_env``, so with SB3's ``Monitor``);
* ``sb3-batched``: SB3's PPO on our batched env through
  :class:`~hybrid_toolkit.envs.adapters.HybridToSB3VecEnv`.

All three use the same network sizes (separate policy and value MLPs, tanh), rollout length,
epochs, minibatch size and learning rate (:class:`PPOTimingSettings`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import gymnasium
import torch
from stable_baselines3 import PPO as SB3PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from hybrid_toolkit.algorithms import PPO
from hybrid_toolkit.bench.timing import Stopwatch
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.adapters import (
    FlattenHybridAction,
    HybridToSB3VecEnv,
    silent_sb3_logger,
)

Kwargs = dict[str, Any]

RUNNERS = ("ours", "sb3-batched", "sb3-dummyvecenv")
"""Runner names, in the order each repeat runs them."""


class PPOTimingSettings(Protocol):
    """What a timed PPO run reads from a suite's options."""

    @property
    def env_id(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def n_steps(self) -> int: ...
    @property
    def n_epochs(self) -> int: ...
    @property
    def n_minibatches(self) -> int: ...
    @property
    def learning_rate(self) -> float: ...
    @property
    def hidden(self) -> tuple[int, ...]: ...
    @property
    def iterations(self) -> int: ...


@dataclass
class Measurement:
    """One timed run of one runner.

    Attributes:
        runner: Runner name.
        num_envs: Scenarios ``B``.
        seed: Seed of the run.
        timesteps: Environment steps timed (summed over the batch).
        seconds: Wall-clock seconds of the timed ``learn``.
        collect_seconds: Part of ``seconds`` spent collecting rollouts.
        update_seconds: Part of ``seconds`` spent in the gradient updates.
    """

    runner: str
    num_envs: int
    seed: int
    timesteps: int
    seconds: float
    collect_seconds: float
    update_seconds: float

    @property
    def steps_per_second(self) -> float:
        """Environment steps per wall-clock second."""
        return self.timesteps / self.seconds

    @property
    def collect_share(self) -> float:
        """Fraction of the timed wall time spent collecting rollouts."""
        return self.collect_seconds / self.seconds

    @property
    def update_share(self) -> float:
        """Fraction of the timed wall time spent in the gradient updates."""
        return self.update_seconds / self.seconds


def _ours(
    opts: PPOTimingSettings, batch: int, seed: int, env_kwargs: Kwargs
) -> tuple[Any, Stopwatch]:
    env = make(opts.env_id, batch, opts.device, validate_actions=False, **env_kwargs)
    model = PPO(
        env,
        seed=seed,
        device=opts.device,
        verbose=0,
        num_envs=batch,
        n_steps=opts.n_steps,
        n_epochs=opts.n_epochs,
        n_minibatches=opts.n_minibatches,
        learning_rate=opts.learning_rate,
        policy_hidden=opts.hidden,
        value_hidden=opts.hidden,
        activation="tanh",
    )
    return model, Stopwatch(model, {"collect": "collect", "update": "update"})


def _sb3_venv(
    opts: PPOTimingSettings, runner: str, batch: int, seed: int, env_kwargs: Kwargs
) -> VecEnv:
    if runner == "sb3-batched":
        return HybridToSB3VecEnv(
            make(opts.env_id, batch, opts.device, validate_actions=False, **env_kwargs)
        )
    gym_id = f"hybrid_toolkit/{opts.env_id}"

    def single() -> gymnasium.Env[Any, Any]:
        env = gymnasium.make(gym_id, device=opts.device, validate_actions=False, **env_kwargs)
        return FlattenHybridAction(env)

    return make_vec_env(single, n_envs=batch, seed=seed, vec_env_cls=DummyVecEnv)


def _sb3(
    opts: PPOTimingSettings, runner: str, batch: int, seed: int, env_kwargs: Kwargs
) -> tuple[Any, Stopwatch]:
    model = SB3PPO(
        "MlpPolicy",
        _sb3_venv(opts, runner, batch, seed, env_kwargs),
        n_steps=opts.n_steps,
        batch_size=opts.n_steps * batch // opts.n_minibatches,
        n_epochs=opts.n_epochs,
        learning_rate=opts.learning_rate,
        seed=seed,
        device=opts.device,
        verbose=0,
        policy_kwargs={
            "net_arch": {"pi": list(opts.hidden), "vf": list(opts.hidden)},
            "activation_fn": torch.nn.Tanh,
        },
    )
    model.set_logger(silent_sb3_logger())
    return model, Stopwatch(model, {"collect_rollouts": "collect", "train": "update"})


def measure(
    opts: PPOTimingSettings, runner: str, batch: int, seed: int, env_kwargs: Kwargs | None = None
) -> Measurement:
    """Build ``runner``'s model for ``B = batch``, warm it up one iteration, time the rest.

    ``env_kwargs`` are the env's config fields (e.g. ``{"n_actuators": 10}``), for every runner.
    """
    kwargs = env_kwargs or {}
    if runner == "ours":
        model, watch = _ours(opts, batch, seed, kwargs)
    else:
        model, watch = _sb3(opts, runner, batch, seed, kwargs)
    rollout = opts.n_steps * batch
    model.learn(rollout)  # warm-up iteration: allocations, lazy imports, first-call costs
    watch.reset()
    total = opts.iterations * rollout
    start = time.perf_counter()
    model.learn(total)
    seconds = time.perf_counter() - start
    return Measurement(
        runner, batch, seed, total, seconds, watch.totals["collect"], watch.totals["update"]
    )


def measure_all(
    opts: PPOTimingSettings,
    runners: Sequence[str],
    repeats: int,
    cases: Sequence[tuple[str, int, Kwargs]],
) -> list[tuple[int, Measurement]]:
    """Time every runner on every case, with seeds ``0 .. repeats-1``, printing each rate.

    Args:
        opts: The timing settings.
        runners: The runners to time, run in :data:`RUNNERS` order within each repeat.
        repeats: Seeds per (case, runner).
        cases: ``(label, B, env_kwargs)``; the label starts each printed line.

    Returns:
        ``(index into cases, measurement)`` per run, seeds outermost so that a change of the
        machine's load hits every case and runner alike.
    """
    measured = []
    for seed in range(repeats):
        for index, (label, batch, env_kwargs) in enumerate(cases):
            for runner in [r for r in RUNNERS if r in runners]:
                m = measure(opts, runner, batch, seed, env_kwargs)
                measured.append((index, m))
                print(
                    f"seed {seed}  {label:<8s} {runner:16s} {m.steps_per_second:>10,.0f} "
                    f"steps/s (collect {m.collect_share:.0%}, update {m.update_share:.0%})",
                    flush=True,
                )
    return measured


def plot_rates(
    rows: Sequence[dict[str, Any]], x_key: str, path: Path, xlabel: str, title: str
) -> Path:
    """Median steps per second against ``row[x_key]`` for every runner (log–log), as a PNG.

    Args:
        rows: Per (x, runner) rows with ``runner`` and ``median_steps_per_second``.
        x_key: The row field on the x axis; its values label the ticks.
        path: PNG to write.
        xlabel: Label of the x axis.
        title: Title of the plot.
    """
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for runner in RUNNERS:
        points = [(r[x_key], r["median_steps_per_second"]) for r in rows if r["runner"] == runner]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=runner)
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel="environment steps / s", title=title)
    ticks = sorted({r[x_key] for r in rows})
    ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

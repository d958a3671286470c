"""``hybrid-toolkit bench ppo-vs-sb3``: PPO training throughput, ours vs Stable-Baselines3.

Three ways to train PPO on the same task, side by side in one run, with the same network sizes
(separate policy and value MLPs, tanh), rollout length, epochs, minibatch size and learning
rate, on the same device and number of torch threads:

* ``ours``: hybrid_toolkit's PPO on the batched env (``hybrid_toolkit.make(id, num_envs=B)``);
* ``sb3-dummyvecenv``: what a Stable-Baselines3 user would otherwise write — SB3's PPO on a
  ``DummyVecEnv`` of ``B`` single envs from ``gymnasium.make("hybrid_toolkit/<id>")``, each
  behind the action-flattening :class:`~hybrid_toolkit.envs.adapters.FlattenHybridAction`
  wrapper (``make_vec_env``, so with SB3's ``Monitor``);
* ``sb3-batched``: SB3's PPO on our batched env through
  :class:`~hybrid_toolkit.envs.adapters.HybridToSB3VecEnv`.

``sb3-batched`` / ``sb3-dummyvecenv`` is what the batched environment alone gives an SB3 user;
``ours`` / ``sb3-batched`` is what our algorithm implementation adds on top. Throughput is
environment steps (summed over the batch) per wall-clock second of ``learn``, after one
untimed warm-up iteration; every setting is repeated with seeds ``0 .. repeats-1``, the
runners interleaved within each repeat, and medians are reported. Time spent collecting
rollouts and in the gradient updates is recorded per runner, which shows where the ratio
comes from.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import gymnasium
import torch
from stable_baselines3 import PPO as SB3PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from hybrid_toolkit.algorithms import PPO
from hybrid_toolkit.bench.registry import (
    BY_MODE,
    BenchOptions,
    register_suite,
    with_mode_defaults,
)
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.bench.timing import Stopwatch
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.adapters import (
    FlattenHybridAction,
    HybridToSB3VecEnv,
    silent_sb3_logger,
)

RUNNERS = ("ours", "sb3-batched", "sb3-dummyvecenv")
"""Runner names, in the order each repeat runs them."""

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "full": {"batch_sizes": (16, 64, 256), "repeats": 3, "iterations": 4},
    "quick": {"batch_sizes": (16, 64), "repeats": 1, "iterations": 1},
    "smoke": {"batch_sizes": (2,), "repeats": 1, "iterations": 1},
}
"""What ``batch_sizes``, ``repeats`` and ``iterations`` mean when left at 0 / empty."""


@dataclass
class PPOvsSB3Options(BenchOptions):
    """Settings of the PPO throughput comparison (`quick` mode shrinks the defaults)."""

    env_id: str = "TargetRegime-v0"
    """Registered env id all three runners train on."""
    batch_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Numbers of scenarios `B`; empty: 16, 64, 256 (quick mode: 16, 64; smoke: 2)."""
    repeats: Annotated[int, BY_MODE] = 0
    """Runs per (runner, B), with seeds 0, 1, …, the median reported; 0: 3 (quick mode: 1)."""
    iterations: Annotated[int, BY_MODE] = 0
    """Timed PPO iterations (rollout + update) per run after one warm-up; 0: 4 (quick: 1)."""
    n_steps: int = 64
    """Steps per scenario per rollout (rollout size = n_steps × B)."""
    n_epochs: int = 4
    """Passes over each rollout."""
    n_minibatches: int = 4
    """Minibatches per pass (SB3's batch_size = n_steps × B / n_minibatches)."""
    hidden: tuple[int, ...] = (64, 64)
    """Hidden sizes of both the policy and the value MLP (tanh)."""
    learning_rate: float = 3e-4
    """Adam learning rate of both libraries."""
    threads: int = 1
    """torch.set_num_threads for the whole run (both libraries share it)."""
    runners: tuple[str, ...] = RUNNERS
    """Which runners to time (a subset of ours, sb3-batched, sb3-dummyvecenv)."""
    docs_page: str = ""
    """Docs page whose results block is rewritten (plot copied beside it); empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = [r for r in self.runners if r not in RUNNERS]
        if unknown or not self.runners:
            raise ValueError(f"runners must be a non-empty subset of {RUNNERS}, got {self.runners}")
        for name in ("repeats", "iterations"):
            if getattr(self, name) < 0:
                raise ValueError(
                    f"PPOvsSB3Options.{name} must be >= 1 (0: the mode's default), "
                    f"got {getattr(self, name)}"
                )
        positive = {
            "n_steps": self.n_steps,
            "n_epochs": self.n_epochs,
            "n_minibatches": self.n_minibatches,
            "threads": self.threads,
        }
        for name, value in positive.items():
            if value < 1:
                raise ValueError(f"PPOvsSB3Options.{name} must be >= 1, got {value}")
        if self.batch_sizes and min(self.batch_sizes) < 1:
            raise ValueError(
                f"PPOvsSB3Options.batch_sizes must be integers >= 1, got {self.batch_sizes}"
            )
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"PPOvsSB3Options.hidden must be layer sizes >= 1, got {self.hidden}")
        small = [b for b in self.batch_sizes if self.n_steps * b < self.n_minibatches]
        if small:
            raise ValueError(
                f"n_steps × B must be at least n_minibatches={self.n_minibatches} "
                f"(one sample per minibatch), got B in {small} with n_steps={self.n_steps}"
            )

    def effective(self) -> PPOvsSB3Options:
        """These options with the mode's defaults filled in where left at 0 / empty."""
        return with_mode_defaults(self, MODE_DEFAULTS)


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


def _ours(opts: PPOvsSB3Options, batch: int, seed: int) -> tuple[Any, Stopwatch]:
    env = make(opts.env_id, num_envs=batch, device=opts.device, validate_actions=False)
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


def _sb3_venv(opts: PPOvsSB3Options, runner: str, batch: int, seed: int) -> VecEnv:
    if runner == "sb3-batched":
        return HybridToSB3VecEnv(
            make(opts.env_id, num_envs=batch, device=opts.device, validate_actions=False)
        )
    gym_id = f"hybrid_toolkit/{opts.env_id}"

    def single() -> gymnasium.Env[Any, Any]:
        env = gymnasium.make(gym_id, device=opts.device, validate_actions=False)
        return FlattenHybridAction(env)

    return make_vec_env(single, n_envs=batch, seed=seed, vec_env_cls=DummyVecEnv)


def _sb3(opts: PPOvsSB3Options, runner: str, batch: int, seed: int) -> tuple[Any, Stopwatch]:
    model = SB3PPO(
        "MlpPolicy",
        _sb3_venv(opts, runner, batch, seed),
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


def measure(opts: PPOvsSB3Options, runner: str, batch: int, seed: int) -> Measurement:
    """Build ``runner``'s model for ``B = batch``, warm it up one iteration, time the rest."""
    model, watch = _ours(opts, batch, seed) if runner == "ours" else _sb3(opts, runner, batch, seed)
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


def summarize(measurements: Sequence[Measurement]) -> list[dict[str, Any]]:
    """Per (B, runner): the seeds, every rate, the median rate and the median time split."""
    rows = []
    for batch in sorted({m.num_envs for m in measurements}):
        for runner in RUNNERS:
            runs = [m for m in measurements if m.num_envs == batch and m.runner == runner]
            if not runs:
                continue
            rates = [m.steps_per_second for m in runs]
            rows.append(
                {
                    "num_envs": batch,
                    "runner": runner,
                    "seeds": [m.seed for m in runs],
                    "steps_per_second": rates,
                    "median_steps_per_second": statistics.median(rates),
                    "collect_fraction": statistics.median(m.collect_share for m in runs),
                    "update_fraction": statistics.median(m.update_share for m in runs),
                }
            )
    return rows


RATIOS = (
    ("ours", "sb3-dummyvecenv", "ours / SB3 + DummyVecEnv"),
    ("ours", "sb3-batched", "ours / SB3 + batched env"),
    ("sb3-batched", "sb3-dummyvecenv", "SB3 + batched env / SB3 + DummyVecEnv"),
)
"""(numerator, denominator, label) of the reported ratios of median rates."""


def ratios(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every ratio of :data:`RATIOS` whose two runners were measured, per ``B``."""
    median = {(r["num_envs"], r["runner"]): r["median_steps_per_second"] for r in rows}
    out = []
    for batch in sorted({r["num_envs"] for r in rows}):
        for top, bottom, label in RATIOS:
            if (batch, top) in median and (batch, bottom) in median:
                value = median[batch, top] / median[batch, bottom]
                out.append({"num_envs": batch, "label": label, "ratio": value})
    return out


def markdown(opts: PPOvsSB3Options, rows: Sequence[dict[str, Any]], env: dict[str, Any]) -> str:
    """The results block: settings, the throughput table with ratios, the time split."""
    present = [r for r in RUNNERS if any(row["runner"] == r for row in rows)]
    median = {(r["num_envs"], r["runner"]): r for r in rows}
    ratio_rows = ratios(rows)
    labels = [label for _, _, label in RATIOS if any(r["label"] == label for r in ratio_rows)]
    head = ["B", *(f"{r} (steps/s)" for r in present), *labels]
    lines = [
        f"Settings: `{opts.env_id}`, mode `{opts.mode}`, policy and value MLPs "
        f"{list(opts.hidden)} (tanh), n_steps={opts.n_steps}, {opts.n_epochs} epochs, "
        f"{opts.n_minibatches} minibatches per epoch, learning rate {opts.learning_rate}, "
        f"{opts.iterations} timed iteration(s) after one warm-up, seeds 0..{opts.repeats - 1} "
        f"(median of {opts.repeats}), `validate_actions=False` everywhere.",
        "",
        *environment_lines(env),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---:|" * len(head),
    ]
    for batch in sorted({r["num_envs"] for r in rows}):
        cells = [f"{median[batch, r]['median_steps_per_second']:,.0f}" for r in present]
        found = {x["label"]: x["ratio"] for x in ratio_rows if x["num_envs"] == batch}
        cells += [f"{found[label]:.1f}×" for label in labels]
        lines.append(f"| {batch} | " + " | ".join(cells) + " |")
    lines += ["", "Share of the timed wall time spent collecting rollouts / updating:", ""]
    lines += ["| B | " + " | ".join(present) + " |", "|" + "---:|" * (len(present) + 1)]
    for batch in sorted({r["num_envs"] for r in rows}):
        shares = [median[batch, r] for r in present]
        cells = [f"{x['collect_fraction']:.0%} / {x['update_fraction']:.0%}" for x in shares]
        lines.append(f"| {batch} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """Median steps per second against ``B`` for every runner (log–log), as a PNG."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for runner in RUNNERS:
        points = [
            (r["num_envs"], r["median_steps_per_second"]) for r in rows if r["runner"] == runner
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=runner)
    ax.set(xscale="log", yscale="log", xlabel="scenarios B", ylabel="environment steps / s")
    batches = sorted({r["num_envs"] for r in rows})
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_title("PPO training throughput")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


@register_suite(
    "ppo-vs-sb3",
    PPOvsSB3Options,
    "PPO training steps/s: ours vs Stable-Baselines3 (DummyVecEnv and batched adapter)",
)
def run(options: PPOvsSB3Options) -> int:
    """Run the comparison; writes ``ppo-vs-sb3.{json,md,png}`` under ``out_dir``."""
    opts = options.effective()
    torch.set_num_threads(opts.threads)
    env = environment(opts.device)
    measurements = []
    for seed in range(opts.repeats):
        for batch in opts.batch_sizes:
            for runner in [r for r in RUNNERS if r in opts.runners]:
                m = measure(opts, runner, batch, seed)
                measurements.append(m)
                print(
                    f"seed {seed}  B={batch:<5d} {runner:16s} {m.steps_per_second:>10,.0f} steps/s "
                    f"(collect {m.collect_share:.0%})",
                    flush=True,
                )
    env["load_average_end"] = load_average()
    rows = summarize(measurements)
    out = Path(opts.out_dir)
    settings = asdict(opts)
    write_json(
        out / "ppo-vs-sb3.json",
        {
            "suite": "ppo-vs-sb3",
            "settings": settings,
            "environment": env,
            "measurements": [asdict(m) for m in measurements],
            "results": rows,
            "ratios": ratios(rows),
        },
    )
    block = markdown(opts, rows, env)
    png = plot(rows, out / "ppo-vs-sb3.png")
    publish(block, out / "ppo-vs-sb3.md", png, opts.docs_page)
    return 0

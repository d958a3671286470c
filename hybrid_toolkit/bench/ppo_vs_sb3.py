"""``hybrid-toolkit bench ppo-vs-sb3``: PPO training throughput, ours vs Stable-Baselines3.

The three runners of :mod:`hybrid_toolkit.bench.ppo_runners` (``ours``, ``sb3-batched``,
``sb3-dummyvecenv``) train PPO on the same task, side by side in one run, with the same network
sizes, rollout length, epochs, minibatch size and learning rate, on the same device and number
of torch threads.

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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.ppo_runners import RUNNERS, Kwargs, Measurement, measure_all, plot_rates
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
    cases: list[tuple[str, int, Kwargs]] = [(f"B={b}", b, {}) for b in opts.batch_sizes]
    measurements = [m for _, m in measure_all(opts, opts.runners, opts.repeats, cases)]
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
    png = plot_rates(
        rows, "num_envs", out / "ppo-vs-sb3.png", "scenarios B", "PPO training throughput"
    )
    publish(block, out / "ppo-vs-sb3.md", png, opts.docs_page)
    return 0

"""``hybrid-toolkit bench ppo-action-size``: PPO training steps/s as a parameterised space grows.

HyAR's Hard Move with one magnitude per discrete choice (``parameters="per_choice"``, the
env's default) has ``2^n`` choices and ``2^n`` parameters for ``n`` actuators, one of them
active per action: n = 4, 6, 8, 10 is 16 to 1024 of each. The suite trains PPO on it with the
runners of :mod:`hybrid_toolkit.bench.ppo_runners`, side by side in one run with the same
networks, rollout, epochs and minibatches: ours (a categorical over the choices and a Gaussian
over the parameters, the active one counted) and, by default, Stable-Baselines3's PPO on the
same batched env (``sb3-batched``: a diagonal Gaussian over the flat ``Box`` of one rounded
choice and every parameter, the encoding an SB3 user gets). The ratio ours / SB3 per ``n``
shows whether the hybrid distribution's bookkeeping keeps pace as the space grows; the share of
time in the gradient updates shows where the cost goes. Medians over seeds
``0 .. repeats-1``, the runners interleaved within each repeat.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.ppo_runners import RUNNERS, Measurement, measure_all, plot_rates
from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.envs.families.hard_move.config import MAX_ACTUATORS_PER_CHOICE

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "full": {"actuators": (4, 6, 8, 10), "repeats": 3, "iterations": 4, "n_steps": 32},
    "quick": {"actuators": (4, 8), "repeats": 1, "iterations": 2, "n_steps": 32},
    "smoke": {"actuators": (2,), "repeats": 1, "iterations": 1, "n_steps": 2},
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class PPOActionSizeOptions(BenchOptions):
    """Settings of the action-size scaling benchmark; 0 or empty: the mode's default."""

    actuators: Annotated[tuple[int, ...], BY_MODE] = ()
    """Hard Move sizes n (2^n choices and parameters); full 4, 6, 8, 10; quick 4, 8."""
    num_envs: int = 64
    """Scenarios B per batched step (the `hard-move` preset's)."""
    n_steps: Annotated[int, BY_MODE] = 0
    """Steps per scenario per rollout; full and quick 32 (the `hard-move` preset's)."""
    n_epochs: int = 4
    """Passes over each rollout."""
    n_minibatches: int = 4
    """Minibatches per pass."""
    hidden: tuple[int, ...] = (64, 64)
    """Hidden sizes of the policy and the value MLP (tanh)."""
    learning_rate: float = 3e-4
    """Adam learning rate of both libraries."""
    repeats: Annotated[int, BY_MODE] = 0
    """Runs per (runner, n) with seeds 0, 1, …, the median reported; full 3, quick 1."""
    iterations: Annotated[int, BY_MODE] = 0
    """Timed PPO iterations (rollout + update) per run after one warm-up; full 4, quick 2."""
    threads: int = 1
    """torch.set_num_threads for the whole run."""
    runners: tuple[str, ...] = ("ours", "sb3-batched")
    """Which runners to time (a subset of ours, sb3-batched, sb3-dummyvecenv)."""
    docs_page: str = ""
    """Docs page whose results block is rewritten (plot copied beside it); empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.runners or any(r not in RUNNERS for r in self.runners):
            raise ValueError(f"runners must be a non-empty subset of {RUNNERS}, got {self.runners}")
        if any(not 1 <= n <= MAX_ACTUATORS_PER_CHOICE for n in self.actuators):
            raise ValueError(
                f"actuators must lie in 1..{MAX_ACTUATORS_PER_CHOICE} (2^n parameters), "
                f"got {self.actuators}"
            )
        counts = {"n_steps": self.n_steps, "repeats": self.repeats, "iterations": self.iterations}
        for name, value in counts.items():
            if value < 0:
                raise ValueError(f"{name} must be >= 1 (0: the mode's default), got {value}")
        sizes = {"num_envs": self.num_envs, "n_epochs": self.n_epochs, "threads": self.threads}
        for name, value in {**sizes, "n_minibatches": self.n_minibatches}.items():
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"hidden must be layer sizes >= 1, got {self.hidden}")

    @property
    def env_id(self) -> str:
        """The env every runner trains on."""
        return "HardMove-v0"

    def effective(self) -> PPOActionSizeOptions:
        """These options with the mode's defaults filled in where left at 0 / empty."""
        return with_mode_defaults(self, MODE_DEFAULTS)


def summarize(measured: Sequence[tuple[int, Measurement]]) -> list[dict[str, Any]]:
    """Per (n, runner): every rate, the median rate and the median share of update time."""
    rows = []
    for n in sorted({n for n, _ in measured}):
        for runner in RUNNERS:
            runs = [m for k, m in measured if k == n and m.runner == runner]
            if runs:
                rates = [m.steps_per_second for m in runs]
                rows.append(
                    {
                        "actuators": n,
                        "choices": 2**n,
                        "runner": runner,
                        "seeds": [m.seed for m in runs],
                        "steps_per_second": rates,
                        "median_steps_per_second": statistics.median(rates),
                        "update_fraction": statistics.median(m.update_share for m in runs),
                    }
                )
    return rows


def markdown(
    opts: PPOActionSizeOptions, rows: Sequence[dict[str, Any]], env: dict[str, Any]
) -> str:
    """The results block: settings, steps/s per n and runner, ours / each other runner."""
    present = [r for r in RUNNERS if any(row["runner"] == r for row in rows)]
    others = [r for r in present if r != "ours"] if "ours" in present else []
    by = {(r["actuators"], r["runner"]): r for r in rows}
    head = ["n", "choices = parameters", *(f"{r} (steps/s)" for r in present)]
    head += [f"ours / {r}" for r in others] + [f"{r} update share" for r in present]
    lines = [
        f"Settings: `HardMove-v0` (per-choice parameters), mode `{opts.mode}`, B = "
        f"{opts.num_envs}, n_steps={opts.n_steps}, {opts.n_epochs} epochs × "
        f"{opts.n_minibatches} minibatches, MLPs {list(opts.hidden)} (tanh), learning rate "
        f"{opts.learning_rate}, {opts.iterations} timed iteration(s) after one warm-up, seeds "
        f"0..{opts.repeats - 1} (median of {opts.repeats}), {opts.threads} torch thread(s), "
        "`validate_actions=False` everywhere.",
        "",
        *environment_lines(env),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---:|" * len(head),
    ]
    for n in sorted({r["actuators"] for r in rows}):
        rates = {r: by[n, r]["median_steps_per_second"] for r in present}
        cells = [str(n), f"{2**n:,}", *(f"{rates[r]:,.0f}" for r in present)]
        cells += [f"{rates['ours'] / rates[r]:.2f}×" for r in others]
        cells += [f"{by[n, r]['update_fraction']:.0%}" for r in present]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@register_suite(
    "ppo-action-size",
    PPOActionSizeOptions,
    "PPO training steps/s on Hard Move(n), 16 to 1024 choices and parameters: ours vs SB3",
)
def run(options: PPOActionSizeOptions) -> int:
    """Run the scaling comparison; writes ``ppo-action-size.{json,md,png}`` under ``out_dir``."""
    opts = options.effective()
    torch.set_num_threads(opts.threads)
    env = environment(opts.device)
    cases = [(f"n={n}", opts.num_envs, {"n_actuators": n}) for n in opts.actuators]
    timed = measure_all(opts, opts.runners, opts.repeats, cases)
    measured = [(opts.actuators[index], m) for index, m in timed]
    env["load_average_end"] = load_average()
    rows = summarize(measured)
    out = Path(opts.out_dir)
    record = {
        "suite": "ppo-action-size",
        "settings": asdict(opts),
        "environment": env,
        "measurements": [{"actuators": n, **asdict(m)} for n, m in measured],
        "results": rows,
    }
    write_json(out / "ppo-action-size.json", record)
    title = "PPO throughput on Hard Move(n)"
    png = plot_rates(rows, "choices", out / "ppo-action-size.png", "choices = parameters", title)
    publish(markdown(opts, rows, env), out / "ppo-action-size.md", png, opts.docs_page)
    return 0

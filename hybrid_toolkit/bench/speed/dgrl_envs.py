"""``hybrid-toolkit bench dgrl-envs-speed``: DGRL environments, batched torch vs a gymnasium loop.

For every env id of :data:`ENVS` and batch size ``B`` it times ``HybridEnv.step`` on ``B``
scenarios at once (``validate_actions=False``, actions pre-sampled), and, side by side, the loop
a gymnasium user would write: ``gymnasium.make("hybrid_toolkit/<id>")`` stepped one scenario
at a time with numpy actions (pre-sampled), resetting when an episode ends. Each number is the
median of ``--repeats`` timed runs of about ``--seconds`` each; ratios divide batched
scenario-steps per second by the gymnasium loop's. Every env runs at its registered default
configuration (the reference returns of those configurations are on each env's docs page).
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import gymnasium
import torch

from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.bench.timing import seconds_since
from hybrid_toolkit.envs import make

ENVS: dict[str, str] = {
    "Maze-v0": "hybrid_toolkit.envs.families.maze",
    "MazeIrregular-v0": "hybrid_toolkit.envs.families.maze",
    "MazeHybrid-v0": "hybrid_toolkit.envs.families.maze",
    "MazeTeleport-v0": "hybrid_toolkit.envs.families.maze",
    "MazeDNC-v0": "hybrid_toolkit.envs.families.maze",
    "JobShop-v0": "hybrid_toolkit.envs.families.job_shop",
    "OrderUpToReplenishment-v0": "hybrid_toolkit.envs.families.order_up_to",
    "Recommender-v0": "hybrid_toolkit.envs.families.recommender",
    "RecommenderPricing-v0": "hybrid_toolkit.envs.families.recommender",
}
"""The env ids to benchmark, each with the module whose import registers it."""

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"batch_sizes": (2,), "repeats": 1, "seconds": 0.01},
    "quick": {"batch_sizes": (1, 64, 1024), "repeats": 1, "seconds": 0.1},
    "full": {"batch_sizes": (1, 64, 1024), "repeats": 5, "seconds": 0.4},
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class DGRLEnvsSpeedOptions(BenchOptions):
    """Settings of the DGRL environment speed benchmark; 0 or empty: the mode's default."""

    envs: tuple[str, ...] = tuple(ENVS)
    """Env ids to run (each one of `ENVS`)."""
    batch_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Batch sizes `B` of the batched env; full and quick 1, 64, 1024."""
    repeats: Annotated[int, BY_MODE] = 0
    """Timed runs per measurement, the median reported; full 5, quick 1."""
    seconds: Annotated[float, BY_MODE] = 0.0
    """Approximate duration of one timed run; full 0.4, quick 0.1."""
    seed: int = 0
    """Seed of the envs and of the pre-sampled actions."""
    threads: int = 1
    """`torch.set_num_threads` (1 keeps small-batch numbers stable)."""
    docs_page: str = ""
    """Docs page whose results block is rewritten; empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = [e for e in self.envs if e not in ENVS]
        if unknown or not self.envs:
            raise ValueError(f"envs must be ids among {', '.join(ENVS)}, got {self.envs}")
        if any(b < 1 for b in self.batch_sizes):
            raise ValueError(f"batch_sizes must be >= 1, got {self.batch_sizes}")
        if self.repeats < 0 or self.seconds < 0:
            raise ValueError("repeats and seconds must be > 0 (0: the mode's default)")
        if self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")


def timed_rate(
    run: Callable[[int], None], items_per_call: int, opts: DGRLEnvsSpeedOptions
) -> list[float]:
    """Items per second of ``repeats`` timed runs of ``run(n)``, ``n`` calibrated to ``seconds``."""
    run(5)  # warm-up
    n, elapsed = 1, 0.0
    while elapsed < opts.seconds / 10:  # grow n until one run is long enough to time
        n *= 4
        start = time.perf_counter()
        run(n)
        elapsed = seconds_since(start, opts.device)
    n = max(1, int(n * opts.seconds / elapsed))
    rates = []
    for _ in range(opts.repeats):
        start = time.perf_counter()
        run(n)
        rates.append(n * items_per_call / seconds_since(start, opts.device))
    return rates


def batched_rate(env_id: str, batch: int, opts: DGRLEnvsSpeedOptions) -> list[float]:
    """Scenario-steps per second of one batched env with ``batch`` scenarios."""
    env = make(env_id, num_envs=batch, device=opts.device, validate_actions=False)
    env.reset(seed=opts.seed)
    gen = torch.Generator(device=env.device).manual_seed(opts.seed)
    pool = [env.action_space.sample(batch, generator=gen) for _ in range(16)]

    def run(n: int) -> None:
        for i in range(n):
            env.step(pool[i % len(pool)])

    return timed_rate(run, batch, opts)


def gymnasium_loop_rate(env_id: str, opts: DGRLEnvsSpeedOptions) -> list[float]:
    """Steps per second of ``gymnasium.make(...)`` stepped one scenario at a time."""
    env = gymnasium.make(f"hybrid_toolkit/{env_id}", device=opts.device)
    env.reset(seed=opts.seed)
    env.action_space.seed(opts.seed)
    pool = [env.action_space.sample() for _ in range(256)]

    def run(n: int) -> None:
        for i in range(n):
            _, _, terminated, truncated, _ = env.step(pool[i % len(pool)])
            if terminated or truncated:
                env.reset()

    return timed_rate(run, 1, opts)


def markdown(
    results: list[dict[str, Any]], opts: DGRLEnvsSpeedOptions, env_info: dict[str, Any]
) -> str:
    """Settings, machine and the table of median rates and ratios."""
    lines = [
        f"Median of {opts.repeats} runs of ~{opts.seconds} s per cell, seed {opts.seed}, "
        "every env at its registered default configuration.",
        "",
        *environment_lines(env_info),
        "",
    ]
    cols = [f"B={b}" for b in opts.batch_sizes]
    ratios = [f"ratio B={b}" for b in opts.batch_sizes]
    lines.append("| env | log10 \\|A\\| | gymnasium loop | " + " | ".join(cols + ratios) + " |")
    lines.append("|---|" + "---:|" * (2 + 2 * len(cols)))
    for row in results:
        loop = statistics.median(row["gymnasium_loop"])
        rates = [statistics.median(row["batched"][str(b)]) for b in opts.batch_sizes]
        cells = [f"{r:,.0f}" for r in rates] + [f"{r / loop:,.1f}×" for r in rates]
        head = f"| {row['env']} | {row['log10_actions']:.1f} | {loop:,.0f} | "
        lines.append(head + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@register_suite(
    "dgrl-envs-speed",
    DGRLEnvsSpeedOptions,
    "DGRL envs scenario-steps/s: batched torch at several B vs a one-scenario gymnasium loop",
)
def run(options: DGRLEnvsSpeedOptions) -> int:
    """Time every env; writes ``dgrl-envs-speed.{json,md}`` under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(opts.threads)
    for module in {ENVS[e] for e in opts.envs}:
        importlib.import_module(module)
    env_info = environment(opts.device)
    results = []
    for env_id in opts.envs:
        loop = gymnasium_loop_rate(env_id, opts)
        batched = {b: batched_rate(env_id, b, opts) for b in opts.batch_sizes}
        results.append(
            {
                "env": env_id,
                "log10_actions": make(env_id).action_space.log10_cardinality,
                "gymnasium_loop": loop,
                "batched": {str(b): rates for b, rates in batched.items()},
            }
        )
        medians = [statistics.median(r) for r in batched.values()]
        print(f"{env_id}: loop {statistics.median(loop):,.0f}, batched {medians}", flush=True)
    env_info["load_average_end"] = load_average()
    out = Path(opts.out_dir)
    write_json(
        out / "dgrl-envs-speed.json",
        {
            "suite": "dgrl-envs-speed",
            "settings": asdict(opts),
            "environment": env_info,
            "results": results,
        },
    )
    publish(markdown(results, opts, env_info), out / "dgrl-envs-speed.md", None, opts.docs_page)
    return 0

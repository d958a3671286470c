"""Steps per second of the DGRL environments: batched torch vs a one-scenario gymnasium loop.

For every env id of ``ENVS`` and batch size ``B`` it times ``HybridEnv.step`` on ``B``
scenarios at once (``validate_actions=False``, actions pre-sampled), and, side by side, the loop
a gymnasium user would write: ``gymnasium.make("hybrid_toolkit/<id>")`` stepped one scenario
at a time with numpy actions (pre-sampled), resetting when an episode ends. Each number is the
median of ``--repeats`` timed runs of about ``--seconds`` each; ratios divide batched
scenario-steps per second by the gymnasium loop's.

Usage::

    python benchmarks/dgrl_envs_speed.py                    # every id of ENVS
    python benchmarks/dgrl_envs_speed.py --envs Maze-v0 JobShop-v0 --out results.md
"""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import gymnasium
import numpy as np
import torch
import tyro

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


@dataclass(frozen=True)
class Args:
    """Options of the DGRL environment speed benchmark."""

    envs: tuple[str, ...] = tuple(ENVS)
    """Env ids to run (each must be a key of ``ENVS``)."""
    batch_sizes: tuple[int, ...] = (1, 64, 1024)
    """Batch sizes ``B`` of the batched env."""
    repeats: int = 5
    """Timed runs per measurement; the median is reported."""
    seconds: float = 0.4
    """Approximate duration of one timed run."""
    seed: int = 0
    """Seed of the envs and of the pre-sampled actions."""
    device: str = "cpu"
    """Torch device of the batched envs and the gymnasium loop's env."""
    threads: int = 1
    """``torch.set_num_threads`` (1 keeps small-batch numbers stable)."""
    out: str = ""
    """Also write the Markdown report to this file (empty: stdout only)."""


def timed_rate(run: Callable[[int], None], items_per_call: int, args: Args) -> float:
    """Median items per second of ``run(n)`` (``n`` calls), ``n`` calibrated to ``seconds``."""
    run(5)  # warm-up
    n, elapsed = 1, 0.0
    while elapsed < args.seconds / 10:  # grow n until one run is long enough to time
        n *= 4
        start = time.perf_counter()
        run(n)
        elapsed = _synced(start, args.device)
    n = max(1, int(n * args.seconds / elapsed))
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        run(n)
        rates.append(n * items_per_call / _synced(start, args.device))
    return statistics.median(rates)


def _synced(start: float, device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def batched_rate(env_id: str, batch: int, args: Args) -> float:
    """Scenario-steps per second of one batched env with ``batch`` scenarios."""
    env = make(env_id, num_envs=batch, device=args.device, validate_actions=False)
    env.reset(seed=args.seed)
    gen = torch.Generator(device=env.device).manual_seed(args.seed)
    pool = [env.action_space.sample(batch, generator=gen) for _ in range(16)]

    def run(n: int) -> None:
        for i in range(n):
            env.step(pool[i % len(pool)])

    return timed_rate(run, batch, args)


def gymnasium_loop_rate(env_id: str, args: Args) -> float:
    """Steps per second of ``gymnasium.make(...)`` stepped one scenario at a time."""
    env = gymnasium.make(f"hybrid_toolkit/{env_id}", device=args.device)
    env.reset(seed=args.seed)
    env.action_space.seed(args.seed)
    pool = [env.action_space.sample() for _ in range(256)]

    def run(n: int) -> None:
        for i in range(n):
            _, _, terminated, truncated, _ = env.step(pool[i % len(pool)])
            if terminated or truncated:
                env.reset()

    return timed_rate(run, 1, args)


def environment_lines(args: Args) -> list[str]:
    """Versions, machine and settings, as Markdown list items."""
    cpu = platform.processor() or platform.machine()
    return [
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.platform()}, {cpu}, {os.cpu_count()} logical CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        f"- python {platform.python_version()}, torch {torch.__version__}, "
        f"gymnasium {gymnasium.__version__}, numpy {np.__version__}",
        f"- device {args.device}, torch threads {torch.get_num_threads()}, seed {args.seed}, "
        f"median of {args.repeats} runs of ~{args.seconds} s",
    ]


def main(args: Args) -> str:
    """Run the benchmark and return (and print) the Markdown report."""
    unknown = [e for e in args.envs if e not in ENVS]
    if unknown:
        raise SystemExit(f"unknown env id(s) {unknown}; valid ids are: {', '.join(ENVS)}")
    torch.set_num_threads(args.threads)
    for module in {ENVS[e] for e in args.envs}:
        importlib.import_module(module)
    lines = ["## Settings", "", *environment_lines(args), "", "## Steps per second", ""]
    cols = [f"B={b}" for b in args.batch_sizes]
    ratios = [f"ratio B={b}" for b in args.batch_sizes]
    lines.append("| env | log10 \\|A\\| | gymnasium loop | " + " | ".join(cols + ratios) + " |")
    lines.append("|---" * (3 + 2 * len(cols)) + "|")
    for env_id in args.envs:
        log10 = make(env_id).action_space.log10_cardinality
        loop = gymnasium_loop_rate(env_id, args)
        rates = [batched_rate(env_id, b, args) for b in args.batch_sizes]
        cells = [f"{r:,.0f}" for r in rates] + [f"{r / loop:,.1f}x" for r in rates]
        lines.append(f"| {env_id} | {log10:.1f} | {loop:,.0f} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
    return report


if __name__ == "__main__":
    main(tyro.cli(Args))

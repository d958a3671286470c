"""Steps per second of the DGRL environments: batched torch vs a one-scenario gymnasium loop.

For every env id of ``ENVS`` and batch size ``B`` it times ``HybridEnv.step`` on ``B``
scenarios at once (``validate_actions=False``, actions pre-sampled), and, side by side, the loop
a gymnasium user would write: ``gymnasium.make("hybrid_toolkit/<id>")`` stepped one scenario
at a time with numpy actions (pre-sampled), resetting when an episode ends. Each number is the
median of ``--repeats`` timed runs of about ``--seconds`` each; ratios divide batched
scenario-steps per second by the gymnasium loop's. Every env runs at its registered default
configuration (the reference returns of those configurations are on each env's docs page).

Writes ``bench_results/dgrl-envs-speed.json`` and rewrites the results block of
``docs/benchmarks/dgrl-envs-speed.md`` (pass ``--docs-page ''`` to leave the docs alone).

Usage::

    python benchmarks/dgrl_envs_speed.py                    # every id of ENVS, updates the docs
    python benchmarks/dgrl_envs_speed.py --envs Maze-v0 JobShop-v0 --docs-page ''
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import gymnasium
import torch
import tyro

from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    replace_results_block,
    write_json,
)
from hybrid_toolkit.envs import make

ROOT = Path(__file__).resolve().parents[1]

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
    json_out: str = str(ROOT / "bench_results" / "dgrl-envs-speed.json")
    """Where the raw results (every run, versions, machine, load) go; empty: nowhere."""
    docs_page: str = str(ROOT / "docs" / "benchmarks" / "dgrl-envs-speed.md")
    """Docs page whose results block is rewritten; empty: none."""


def timed_rate(run: Callable[[int], None], items_per_call: int, args: Args) -> list[float]:
    """Items per second of ``repeats`` timed runs of ``run(n)``, ``n`` calibrated to ``seconds``."""
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
    return rates


def _synced(start: float, device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def batched_rate(env_id: str, batch: int, args: Args) -> list[float]:
    """Scenario-steps per second of one batched env with ``batch`` scenarios."""
    env = make(env_id, num_envs=batch, device=args.device, validate_actions=False)
    env.reset(seed=args.seed)
    gen = torch.Generator(device=env.device).manual_seed(args.seed)
    pool = [env.action_space.sample(batch, generator=gen) for _ in range(16)]

    def run(n: int) -> None:
        for i in range(n):
            env.step(pool[i % len(pool)])

    return timed_rate(run, batch, args)


def gymnasium_loop_rate(env_id: str, args: Args) -> list[float]:
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


def main(args: Args) -> str:
    """Run the benchmark and return (and print) the Markdown results block."""
    unknown = [e for e in args.envs if e not in ENVS]
    if unknown:
        raise SystemExit(f"unknown env id(s) {unknown}; valid ids are: {', '.join(ENVS)}")
    torch.set_num_threads(args.threads)
    for module in {ENVS[e] for e in args.envs}:
        importlib.import_module(module)
    env_info = environment(args.device)
    results = []
    for env_id in args.envs:
        loop = gymnasium_loop_rate(env_id, args)
        batched = {b: batched_rate(env_id, b, args) for b in args.batch_sizes}
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
    block = markdown(results, args, env_info)
    print("\n" + block)
    if args.json_out:
        data = {"settings": asdict(args), "environment": env_info, "results": results}
        write_json(args.json_out, data)
    if args.docs_page:
        print(f"updated {replace_results_block(args.docs_page, block)}")
    return block


def markdown(results: list[dict], args: Args, env_info: dict) -> str:
    """Settings, machine and the table of median rates and ratios."""
    lines = [
        f"Median of {args.repeats} runs of ~{args.seconds} s per cell, seed {args.seed}, "
        "every env at its registered default configuration.",
        "",
        *environment_lines(env_info),
        "",
    ]
    cols = [f"B={b}" for b in args.batch_sizes]
    ratios = [f"ratio B={b}" for b in args.batch_sizes]
    lines.append("| env | log10 \\|A\\| | gymnasium loop | " + " | ".join(cols + ratios) + " |")
    lines.append("|---|" + "---:|" * (2 + 2 * len(cols)))
    for row in results:
        loop = statistics.median(row["gymnasium_loop"])
        rates = [statistics.median(row["batched"][str(b)]) for b in args.batch_sizes]
        cells = [f"{r:,.0f}" for r in rates] + [f"{r / loop:,.1f}×" for r in rates]
        head = f"| {row['env']} | {row['log10_actions']:.1f} | {loop:,.0f} | "
        lines.append(head + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main(tyro.cli(Args))

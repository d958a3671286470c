"""DGRL on the structured vs the irregular maze: a first small comparison (a few seeds).

Trains DGRL (``"maze"`` preset: our batched loop, Fourier features, state-encoding critic) on
``Maze-v0`` (actuators in angular order) and ``MazeIrregular-v0`` (actuator order shuffled,
do-nothing kept first) for ``--steps`` environment steps per seed, evaluating the greedy policy
every ``--eval-every`` steps from the fixed evaluation start (16 episodes) and from random
starts (64 episodes). Writes the learning curves (JSON, PNG) and a Markdown table with the
median and inter-quartile range over seeds of the final evaluations.

Usage::

    python benchmarks/dgrl_maze_structure.py                           # 3 seeds x 50k steps
    python benchmarks/dgrl_maze_structure.py --seeds 0 --steps 10000 --out-dir /tmp/maze
    python benchmarks/dgrl_maze_structure.py --render docs/benchmarks/dgrl-maze-structure.json
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import tyro

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy


@dataclass
class Args:
    """Options of the structured-vs-irregular maze comparison."""

    envs: tuple[str, ...] = ("Maze-v0", "MazeIrregular-v0")
    """Maze ids to compare."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds (each trains one model per env)."""
    steps: int = 50_000
    """Environment steps per run (summed over the 16 batched scenarios)."""
    eval_every: int = 10_000
    """Evaluate the greedy policy every this many steps."""
    preset: str = "maze"
    """DGRL preset."""
    threads: int = 1
    """``torch.set_num_threads``."""
    out_dir: str = "docs/benchmarks"
    """Folder for ``dgrl-maze-structure.{json,md,png}``; empty: print only."""
    render: str = ""
    """Only re-render the Markdown and the plot from this JSON file of an earlier run."""


def evaluate(model: ht.DGRL, env_id: str) -> dict[str, float]:
    """Greedy returns from the evaluation start and from random starts, and solve rates."""
    start = ht.make(env_id, num_envs=16, start="eval")
    fixed = evaluate_policy(lambda o: model.act(o, deterministic=True), start, 16, seed=123)
    spread = ht.make(env_id, num_envs=32)
    anywhere = evaluate_policy(lambda o: model.act(o, deterministic=True), spread, 64, seed=123)

    def solved(returns: list[float]) -> float:
        return sum(r > 0 for r in returns) / len(returns)

    return {
        "eval_start_return": fixed.mean_reward,
        "eval_start_solved": solved(fixed.episode_rewards),
        "random_start_return": anywhere.mean_reward,
        "random_start_solved": solved(anywhere.episode_rewards),
    }


def run(env_id: str, seed: int, args: Args) -> list[dict[str, Any]]:
    """One training run; its evaluation curve."""
    model = ht.DGRL(env_id, args.preset, seed=seed, verbose=0)
    curve, start = [], time.process_time()
    while model.num_timesteps < args.steps:
        model.learn(args.eval_every, reset_num_timesteps=model.num_timesteps == 0)
        point = {"steps": model.num_timesteps, **evaluate(model, env_id)}
        point["cpu_seconds"] = time.process_time() - start
        curve.append(point)
        print(env_id, seed, {k: round(v, 3) for k, v in point.items()}, flush=True)
    return curve


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Median and inter-quartile range (inclusive method; one value gives itself thrice)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q2, q1, q3


def to_markdown(result: dict[str, Any]) -> str:
    """The final evaluations as a Markdown table (median [IQR] over seeds)."""
    meta = result["settings"]
    lines = [
        "| maze | eval start: return | eval start: solved | random starts: return "
        "| random starts: solved |",
        "|---|---|---|---|---|",
    ]
    for env_id, runs in result["runs"].items():
        final = [curve[-1] for curve in runs.values()]
        cells = []
        for key in (
            "eval_start_return",
            "eval_start_solved",
            "random_start_return",
            "random_start_solved",
        ):
            med, lo, hi = quartiles([p[key] for p in final])
            pct = "solved" in key
            fmt = (lambda v: f"{100 * v:.0f} %") if pct else (lambda v: f"{v:.2f}")
            cells.append(f"{fmt(med)} [{fmt(lo)}, {fmt(hi)}]")
        lines.append(f"| `{env_id}` | " + " | ".join(cells) + " |")
    head = [
        "# DGRL on the structured vs the irregular maze",
        "",
        "A first small comparison; produced by `python benchmarks/dgrl_maze_structure.py`",
        "(JSON with every evaluation next to this page).",
        "",
        "<!-- --8<-- [start:summary] -->",
        f"DGRL (`{meta['preset']}` preset), {meta['steps']:,} environment steps per run, seeds "
        f"{', '.join(map(str, meta['seeds']))}; median [inter-quartile range] over seeds of the "
        "final greedy evaluation (16 episodes from the evaluation start, 64 from random starts).",
        "",
        f"- date: {meta['date']}; machine: {meta['machine']}, load average "
        f"{meta['load_average_at_start']:.1f} at start; torch {meta['torch']}",
        f"- CPU time per run: {meta['cpu_seconds_per_run']:.0f} s (median)",
        "",
    ]
    tail = [
        "<!-- --8<-- [end:summary] -->",
        "",
        "![Learning curves](dgrl-maze-structure.png)",
        "",
        "Median (line) and inter-quartile range (band) over seeds of the greedy return.",
    ]
    return "\n".join(head + lines + ["", *tail]) + "\n"


def plot(result: dict[str, Any], path: Path) -> None:
    """Learning curves: median and IQR over seeds of the two evaluation returns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, key, title in zip(
        axes,
        ("eval_start_return", "random_start_return"),
        ("from the evaluation start", "from random starts"),
        strict=True,
    ):
        for env_id, runs in result["runs"].items():
            curves = list(runs.values())
            steps = [p["steps"] for p in curves[0]]
            stats = [quartiles([c[i][key] for c in curves]) for i in range(len(steps))]
            ax.plot(steps, [s[0] for s in stats], label=env_id)
            ax.fill_between(steps, [s[1] for s in stats], [s[2] for s in stats], alpha=0.25)
        ax.set_title(f"greedy return {title}")
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("return (solved ≈ 9.6)")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(args: Args) -> dict[str, Any]:
    """Train every (env, seed), then write JSON, Markdown and the plot."""
    if args.render:
        result = json.loads(Path(args.render).read_text())
        write(result, args.out_dir)
        return result
    torch.set_num_threads(args.threads)
    settings = {
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.platform()}, {os.cpu_count()} logical CPUs",
        "load_average_at_start": os.getloadavg()[0],
        "torch": torch.__version__,
        "preset": args.preset,
        "steps": args.steps,
        "seeds": list(args.seeds),
    }
    runs = {env: {str(s): run(env, s, args) for s in args.seeds} for env in args.envs}
    cpu = [curve[-1]["cpu_seconds"] for env in runs.values() for curve in env.values()]
    settings["cpu_seconds_per_run"] = statistics.median(cpu)
    result = {"settings": settings, "runs": runs}
    write(result, args.out_dir)
    return result


def write(result: dict[str, Any], out_dir: str) -> None:
    """Print the report; write JSON, Markdown and the plot into ``out_dir`` (if set)."""
    report = to_markdown(result)
    print("\n" + report)
    if out_dir:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "dgrl-maze-structure.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "dgrl-maze-structure.md").write_text(report)
        plot(result, out / "dgrl-maze-structure.png")


if __name__ == "__main__":
    main(tyro.cli(Args))

"""DNC on the structured vs the irregular maze: learning curves over several seeds.

The DGRL paper's claim about DNC is that its grid-line search relies on a regular structure:
shuffling the maze's actuator order (``MazeIrregular-v0``) breaks the link between nearby indices
and similar motions, and DNC degrades there (App. E.3: median 9.75 structured vs 9.70 irregular
at the small size, 9.69 vs 5.59 at the large size). This script trains each method on each maze
for ``--timesteps`` steps per seed, evaluates the policy from the evaluation start every
``--eval-freq`` steps — both the deterministic policy (mean proto-action, hill climbing) and the
training-mode decisions (sampled proto-action, SA with exploration; how the DNC reference code
evaluates) — and writes

* ``<out-dir>/dnc_maze_structure.json`` — every evaluation of every run and the settings;
* ``<out-dir>/dnc_maze_structure.md`` — final and peak evaluation return of both evaluation
  modes, median and inter-quartile range over seeds, the goal-reaching rate, and the return of
  the last 100 training episodes (random starts);
* ``<out-dir>/dnc_maze_structure.png`` — median learning curves with IQR bands.

Usage::

    python benchmarks/dnc_maze_structure.py                       # the documented budget
    python benchmarks/dnc_maze_structure.py --seeds 0 --timesteps 20000 --out-dir /tmp/maze
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import tyro

import hybrid_toolkit as ht
from hybrid_toolkit.training import EvalCallback

GOAL_RETURN = 5.0
"""An evaluation episode counts as solved when its return exceeds this (the goal pays 10)."""
MODES = ("deterministic", "sampled")
"""Evaluation modes: ``act(obs)`` and ``act(obs, deterministic=False)``."""


@dataclass(frozen=True)
class Args:
    """Options of the structured-vs-irregular maze comparison."""

    envs: tuple[str, ...] = ("Maze-v0", "MazeIrregular-v0")
    """Maze ids to compare."""
    methods: tuple[str, ...] = ("dnc",)
    """``dnc`` (simulated annealing), ``dnc-greedy``, ``minmax`` or ``cacla``."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds."""
    timesteps: int = 150_000
    """Environment steps per run (summed over the batch)."""
    eval_freq: int = 10_000
    """Evaluate every this many steps."""
    n_eval_episodes: int = 32
    """Episodes per evaluation, from the maze's evaluation start."""
    overrides: dict[str, float | int | str | bool] = field(
        default_factory=lambda: {"fourier_order": 3}
    )
    """Config overrides applied to every method."""
    device: str = "cpu"
    """Torch device."""
    threads: int = 1
    """``torch.set_num_threads``."""
    out_dir: str = "benchmarks/results"
    """Folder for the JSON, Markdown and PNG outputs."""


METHODS: dict[str, tuple[str, dict[str, object]]] = {
    "dnc": ("dnc", {}),
    "dnc-greedy": ("dnc", {"search": "greedy"}),
    "minmax": ("dnc", {"sa_search_steps": 0}),
    "cacla": ("cacla", {}),
}
"""Method name → (algorithm, its extra overrides)."""


def run_one(env_id: str, method: str, seed: int, args: Args) -> dict[str, object]:
    """Train one method on one maze with one seed; return its evaluations."""
    algo, extra = METHODS[method]
    env = ht.make(env_id, num_envs=16, device=args.device)
    model = ht.get_algorithm(algo)(
        env, seed=seed, device=args.device, verbose=0, **{**args.overrides, **extra}
    )
    callbacks = {
        mode: EvalCallback(
            ht.make(env_id, num_envs=args.n_eval_episodes, device=args.device, start="eval"),
            args.eval_freq,
            args.n_eval_episodes,
            deterministic=mode == "deterministic",
            verbose=0,
            seed=seed,
        )
        for mode in MODES
    }
    start = time.perf_counter()
    model.learn(args.timesteps, callback=list(callbacks.values()))
    run: dict[str, object] = {"env": env_id, "method": method, "seed": seed}
    run["seconds"] = time.perf_counter() - start
    run["train_return"] = model.episode_stats.summary().get("rollout/ep_rew_mean", float("nan"))
    for mode, callback in callbacks.items():
        run["steps"] = [int(t) for t, _ in callback.evaluations]
        run[f"{mode}_returns"] = [r.mean_reward for _, r in callback.evaluations]
        run[f"{mode}_solved"] = [
            float(np.mean(np.array(r.episode_rewards) > GOAL_RETURN))
            for _, r in callback.evaluations
        ]
    finals = ", ".join(f"{m} {run[f'{m}_returns'][-1]:6.2f}" for m in MODES)  # type: ignore[index]
    print(
        f"{env_id:<18} {method:<11} seed {seed}: final {finals}; training return "
        f"{run['train_return']:.2f}; {run['seconds']:.0f} s",
        flush=True,
    )
    return run


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return float(med), float(q1), float(q3)


def _cell(values: list[float]) -> str:
    med, q1, q3 = _quartiles(values)
    return f"{med:.2f} ({q1:.2f} – {q3:.2f})"


def markdown(runs: list[dict[str, object]], args: Args) -> str:
    """Median (IQR) over seeds of the final and peak evaluation returns, per maze and method."""
    lines = [
        f"- {len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}), {args.timesteps:,} "
        f"steps each (16 scenarios per batch), evaluation every {args.eval_freq:,} steps on "
        f"{args.n_eval_episodes} episodes from the evaluation start",
        f"- overrides: {args.overrides}",
        f"- date {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{platform.platform()}, load average {os.getloadavg()[0]:.1f}, torch {torch.__version__}",
        "",
        "| maze | method | evaluation | final return | peak return | solved at the end | "
        "training return (last 100 episodes) | minutes per run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for env_id in args.envs:
        for method in args.methods:
            group = [r for r in runs if r["env"] == env_id and r["method"] == method]
            train = _cell([float(r["train_return"]) for r in group])  # type: ignore[arg-type]
            minutes = float(np.mean([r["seconds"] for r in group])) / 60  # type: ignore[arg-type]
            for mode in MODES:
                curves = [list(r[f"{mode}_returns"]) for r in group]  # type: ignore[call-overload]
                solved = [list(r[f"{mode}_solved"])[-1] for r in group]  # type: ignore[call-overload]
                lines.append(
                    f"| {env_id} | {method} | {mode} | {_cell([c[-1] for c in curves])} | "
                    f"{_cell([max(c) for c in curves])} | {float(np.median(solved)):.0%} | "
                    f"{train} | {minutes:.1f} |"
                )
    return "\n".join(lines) + "\n"


def plot(runs: list[dict[str, object]], args: Args, path: Path) -> None:
    """Median learning curves (both evaluation modes) with IQR bands, one panel per maze."""
    fig, axes = plt.subplots(1, len(args.envs), figsize=(5 * len(args.envs), 3.6), sharey=True)
    for ax, env_id in zip(np.atleast_1d(axes), args.envs, strict=True):
        for method in args.methods:
            group = [r for r in runs if r["env"] == env_id and r["method"] == method]
            steps = np.array(group[0]["steps"])
            for mode, style in zip(MODES, ("-", "--"), strict=True):
                curves = np.array([r[f"{mode}_returns"] for r in group])
                q1, med, q3 = np.percentile(curves, [25, 50, 75], axis=0)
                (line,) = ax.plot(steps, med, style, label=f"{method}, {mode}")
                ax.fill_between(steps, q1, q3, alpha=0.2, color=line.get_color())
        ax.set_title(env_id)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("evaluation return")
    np.atleast_1d(axes)[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(args: Args) -> str:
    """Run every (maze, method, seed), write JSON, Markdown and PNG; return the Markdown."""
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        raise SystemExit(f"unknown method(s) {unknown}; valid methods are: {', '.join(METHODS)}")
    torch.set_num_threads(args.threads)
    runs = [
        run_one(env_id, method, seed, args)
        for env_id in args.envs
        for method in args.methods
        for seed in args.seeds
    ]
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dnc_maze_structure.json").write_text(
        json.dumps({"settings": asdict(args), "runs": runs}, indent=2) + "\n"
    )
    report = markdown(runs, args)
    (out / "dnc_maze_structure.md").write_text(report)
    plot(runs, args, out / "dnc_maze_structure.png")
    print("\n" + report)
    return report


if __name__ == "__main__":
    main(tyro.cli(Args))

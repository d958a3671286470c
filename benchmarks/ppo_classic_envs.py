"""Hybrid PPO on the classic PAMDP benchmarks, beside HyAR's Table 2 H-PPO numbers.

For every case (Platform, Goal, Hard Goal, Hard Move n = 4/6/8/10) and seed it trains our PPO
with the env's preset (``PPO_PRESETS``; Platform and Goal with ``action_scale="unit"``) for the
stated budget, then evaluates the deterministic policy on the first episode of each of
``--eval-episodes`` fresh scenarios (env seed ``10_000 + seed``). It reports the success rate
(Platform: reaching the end; Goal: scoring; Hard Move: entering the target) and the mean return
(Platform: the normalised return Table 2 reports for it), and writes

* ``benchmarks/results/ppo_classic_envs.json`` — every run (rewritten after each run, so an
  interrupted sweep keeps what finished; finished runs are skipped unless ``--rerun``);
* ``benchmarks/results/ppo-<case>.md`` — the Markdown tables the env pages include.

Usage::

    python benchmarks/ppo_classic_envs.py                           # everything, 3 seeds
    python benchmarks/ppo_classic_envs.py --cases Platform --seeds 0
    python benchmarks/ppo_classic_envs.py --quick                   # 1/20 budget, 1 seed
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium
import torch
import tyro

from hybrid_toolkit.algorithms.ppo import PPO
from hybrid_toolkit.algorithms.ppo.config import PPO_PRESETS, PPOConfig
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.outcomes import first_episode_outcomes

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Case:
    """One benchmark setting."""

    env: str
    env_overrides: dict[str, Any]
    preset: str
    timesteps: int
    paper_hppo: float
    """HyAR Table 2, HPPO column (Platform: normalised return; the others: success rate)."""
    page: str
    """Name of the Markdown file the env page includes (``ppo-<page>.md``)."""
    max_steps: int


CASES: dict[str, Case] = {
    "Platform": Case(
        "Platform-v0", {"action_scale": "unit"}, "platform", 200_000, 0.80, "platform", 200
    ),
    "Goal": Case("Goal-v0", {"action_scale": "unit"}, "goal", 100_000, 0.0, "goal", 100),
    "HardGoal": Case("HardGoal-v0", {"action_scale": "unit"}, "goal", 100_000, 0.0, "goal", 100),
    "HardMove4": Case(
        "HardMove-v0", {"n_actuators": 4}, "hard-move", 200_000, 0.09, "hard-move", 30
    ),
    "HardMove6": Case(
        "HardMove-v0", {"n_actuators": 6}, "hard-move", 200_000, 0.05, "hard-move", 30
    ),
    "HardMove8": Case(
        "HardMove-v0", {"n_actuators": 8}, "hard-move", 200_000, 0.04, "hard-move", 30
    ),
    "HardMove10": Case(
        "HardMove-v0", {"n_actuators": 10}, "hard-move", 200_000, 0.05, "hard-move", 30
    ),
}
"""Every case: the env, its overrides, the PPO preset, the training budget, Table 2's H-PPO."""


@dataclass(frozen=True)
class Args:
    """Options of the classic-envs PPO benchmark."""

    cases: tuple[str, ...] = tuple(CASES)
    """Cases to run (keys of ``CASES``)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds."""
    eval_episodes: int = 500
    """Evaluation episodes (first episode of this many scenarios)."""
    quick: bool = False
    """1/20 of every budget and only the first seed, written to ``<results>/quick/``: checks
    the pipeline in minutes."""
    rerun: bool = False
    """Re-run (case, seed) pairs already in the JSON file."""
    results: Path = field(default=RESULTS)
    """Folder of the JSON and Markdown outputs."""


def environment() -> dict[str, Any]:
    """Versions and machine facts recorded with every run."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gymnasium": gymnasium.__version__,
        "machine": f"{platform.platform()}, {os.cpu_count()} logical CPUs",
        "torch_threads": torch.get_num_threads(),
    }


def run_one(case: Case, seed: int, timesteps: int, eval_episodes: int) -> dict[str, Any]:
    """Train and evaluate one seed; returns the JSON record."""
    load_start = os.getloadavg()[0]
    num_envs = int(PPO_PRESETS[case.preset].get("num_envs", PPOConfig.num_envs))  # type: ignore[call-overload]
    env = make(case.env, num_envs=num_envs, **case.env_overrides)
    model = PPO(env, case.preset, seed=seed, verbose=0)
    start = time.perf_counter()
    model.learn(timesteps)
    seconds = time.perf_counter() - start
    eval_env = make(case.env, num_envs=eval_episodes, **case.env_overrides)
    outcome = first_episode_outcomes(
        eval_env,
        lambda obs: model.act(obs, deterministic=True),
        seed=10_000 + seed,
        max_steps=case.max_steps,
    )
    return {
        "env": case.env,
        "env_overrides": case.env_overrides,
        "preset": case.preset,
        "seed": seed,
        "timesteps": timesteps,
        "train_seconds": round(seconds, 1),
        "load_average_start": round(load_start, 2),
        "load_average_end": round(os.getloadavg()[0], 2),
        "success_rate": outcome.success_rate,
        "mean_return": outcome.mean_return,
        "std_return": outcome.std_return,
        "eval_episodes": eval_episodes,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        **environment(),
    }


def markdown(records: dict[str, list[dict[str, Any]]], page: str) -> str:
    """The table of every case that belongs to one env page."""
    rows = [
        "| case | env overrides | steps | seeds | success rate | mean return | HyAR Table 2 H-PPO "
        "| train time per seed |",
        "|---|---|---:|---:|---|---|---:|---:|",
    ]
    for name, case in CASES.items():
        runs = records.get(name, [])
        if case.page != page or not runs:
            continue
        success = [r["success_rate"] for r in runs]
        returns = [r["mean_return"] for r in runs]
        overrides = ", ".join(f"`{k}={v!r}`" for k, v in case.env_overrides.items())
        rows.append(
            f"| {name} | {overrides} | {runs[0]['timesteps']:,} | {len(runs)} "
            f"| {_mean_std(success)} | {_mean_std(returns)} | {case.paper_hppo:.2f} "
            f"| {statistics.median(r['train_seconds'] for r in runs):.0f} s |"
        )
    page_runs = [r for name, runs in records.items() if CASES[name].page == page for r in runs]
    loads = [r["load_average_start"] for r in page_runs]
    meta = page_runs[0] if page_runs else None
    note = ""
    if meta is not None:
        note = (
            f"\n\nMeasured {meta['date']} on {meta['machine']}, torch {meta['torch']}, "
            f"{meta['torch_threads']} torch thread; load average at run start "
            f"{min(loads):.1f}–{max(loads):.1f}. Success and return: mean ± standard deviation "
            "over seeds of the deterministic policy's rate on "
            f"{meta['eval_episodes']} evaluation episodes."
        )
    return "\n".join(rows) + note + "\n"


def _mean_std(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f}"


def main(args: Args) -> None:
    """Run the requested cases and seeds, then rewrite the Markdown tables."""
    torch.set_num_threads(1)
    out = args.results / "quick" if args.quick else args.results
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ppo_classic_envs.json"
    records: dict[str, list[dict[str, Any]]] = json.loads(path.read_text()) if path.exists() else {}
    seeds = args.seeds[:1] if args.quick else args.seeds
    for name in args.cases:
        case = CASES[name]
        timesteps = case.timesteps // 20 if args.quick else case.timesteps
        for seed in seeds:
            done = [
                r
                for r in records.get(name, [])
                if r["seed"] == seed and r["timesteps"] == timesteps
            ]
            if done and not args.rerun:
                continue
            print(f"{name} seed {seed}: {timesteps:,} steps ...", flush=True)
            record = run_one(case, seed, timesteps, args.eval_episodes)
            print(
                f"  success {record['success_rate']:.3f}, return {record['mean_return']:.3f}, "
                f"{record['train_seconds']:.0f} s (load {record['load_average_start']})",
                flush=True,
            )
            kept = [r for r in records.get(name, []) if r["seed"] != seed]
            records[name] = sorted([*kept, record], key=lambda r: r["seed"])
            path.write_text(json.dumps(records, indent=1))
    for page in sorted({case.page for case in CASES.values()}):
        (out / f"ppo-{page}.md").write_text(markdown(records, page))


if __name__ == "__main__":
    main(tyro.cli(Args))

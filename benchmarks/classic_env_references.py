"""Reference-policy outcomes of the classic PAMDP envs, written for their docs pages.

For Platform, Goal, Hard Goal and Hard Move (n = 4, 6, 8, 10 and the per-actuator convention)
it evaluates the uniform random policy and the env's scripted reference policy on the first
episode of ``--episodes`` scenarios (env seed 0, policy seed 0), and writes

* ``benchmarks/results/classic_env_references.json`` — every row with timing and versions;
* ``benchmarks/results/reference-<page>.md`` — the Markdown table each env page includes.

Usage::

    python benchmarks/classic_env_references.py                 # the documented tables
    python benchmarks/classic_env_references.py --episodes 20   # a quick check
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import tyro

from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.families.goal import GoalEnv
from hybrid_toolkit.envs.families.goal.policies import GoalPlannerPolicy
from hybrid_toolkit.envs.families.hard_move import HardMoveEnv
from hybrid_toolkit.envs.families.hard_move.policies import (
    HardMoveGreedyPolicy,
    reachable_fraction,
)
from hybrid_toolkit.envs.families.platform import PlatformEnv
from hybrid_toolkit.envs.families.platform.policies import PlatformRolloutPolicy
from hybrid_toolkit.envs.outcomes import Policy, UniformRandomPolicy, first_episode_outcomes

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 0


@dataclass(frozen=True)
class Row:
    """One (env, policy) evaluation."""

    page: str
    label: str
    env: str
    overrides: dict[str, Any]
    policy: str
    build: Callable[[HybridEnv], Policy]
    max_steps: int
    episodes_factor: float = 1.0
    """Multiplier of ``--episodes`` (cheap envs get more episodes)."""


def _platform(env: HybridEnv) -> Policy:
    assert isinstance(env, PlatformEnv)
    return PlatformRolloutPolicy(env)


def _goal(samples: int) -> Callable[[HybridEnv], Policy]:
    def build(env: HybridEnv) -> Policy:
        assert isinstance(env, GoalEnv)
        return GoalPlannerPolicy(env, samples=samples, seed=SEED)

    return build


def _greedy(env: HybridEnv) -> Policy:
    assert isinstance(env, HardMoveEnv)
    return HardMoveGreedyPolicy(env)


def _random(env: HybridEnv) -> Policy:
    return UniformRandomPolicy(env, seed=SEED)


def rows() -> list[Row]:
    """Every evaluation of the tables."""
    out = [
        Row("platform", "Platform-v0", "Platform-v0", {}, "random", _random, 200),
        Row("platform", "Platform-v0", "Platform-v0", {}, "rollout planner", _platform, 200),
    ]
    for name in ("Goal-v0", "HardGoal-v0"):
        out += [
            Row("goal", name, name, {}, "random", _random, 100, 0.5),
            Row("goal", name, name, {}, "planner (3 noisy samples)", _goal(3), 100, 0.5),
        ]
    for n in (4, 6, 8, 10):
        for params in ("per_choice", "per_actuator"):
            overrides = {"n_actuators": n, "parameters": params}
            label = f"n = {n}, {params}"
            for policy, build in (("random", _random), ("greedy", _greedy)):
                out.append(Row("hard-move", label, "HardMove-v0", overrides, policy, build, 30, 5))
    return out


@dataclass(frozen=True)
class Args:
    """Options of the reference-policy tables."""

    episodes: int = 200
    """Episodes per (env, policy) (Goal and Hard Goal: half as many, Hard Move: five times)."""
    pages: tuple[str, ...] = ("platform", "goal", "hard-move")
    """Which env pages to (re)compute."""
    results: Path = field(default=RESULTS)
    """Output folder."""


def evaluate(row: Row, episodes: int) -> dict[str, Any]:
    """Outcomes of one row as a JSON record."""
    env = make(row.env, num_envs=episodes, **row.overrides)
    start = time.perf_counter()
    outcome = first_episode_outcomes(env, row.build(env), seed=SEED, max_steps=row.max_steps)
    record = {
        "page": row.page,
        "label": row.label,
        "env": row.env,
        "overrides": row.overrides,
        "policy": row.policy,
        "episodes": episodes,
        "success_rate": outcome.success_rate,
        "mean_return": outcome.mean_return,
        "std_return": outcome.std_return,
        "mean_length": float(outcome.lengths.double().mean()),
        "seconds": round(time.perf_counter() - start, 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    if isinstance(env, HardMoveEnv):
        record["reachable"] = reachable_fraction(env, seed=SEED)
    return record


def markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The table of one page's records."""
    reach = any("reachable" in r for r in records)
    head = "| env | policy | episodes | success rate | return (mean ± std) | mean length |"
    rule = "|---|---|---:|---:|---|---:|"
    if reach:
        head += " reachable at all |"
        rule += "---:|"
    lines = [head, rule]
    for r in records:
        line = (
            f"| {r['label']} | {r['policy']} | {r['episodes']} | {r['success_rate']:.3f} "
            f"| {r['mean_return']:.3f} ± {r['std_return']:.3f} | {r['mean_length']:.2f} |"
        )
        if reach:
            line += f" {r.get('reachable', float('nan')):.3f} |"
        lines.append(line)
    loads = [r["load_average"] for r in records]
    lines.append("")
    lines.append(
        f"Measured {meta['date']} with `python benchmarks/classic_env_references.py` "
        f"(env seed {SEED}, policy seed {SEED}) on {meta['machine']}, torch {meta['torch']}, "
        f"load average {min(loads):.1f}–{max(loads):.1f}."
    )
    return "\n".join(lines) + "\n"


def main(args: Args) -> None:
    """Evaluate the requested pages and rewrite their tables."""
    torch.set_num_threads(1)
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / "classic_env_references.json"
    stored: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.platform()}, {os.cpu_count()} logical CPUs",
        "torch": torch.__version__,
    }
    for page in args.pages:
        records = []
        for row in (r for r in rows() if r.page == page):
            episodes = int(args.episodes * row.episodes_factor)
            record = evaluate(row, episodes)
            print(
                f"{row.label} / {row.policy}: success {record['success_rate']:.3f}, "
                f"return {record['mean_return']:.3f} ({record['seconds']:.0f} s)",
                flush=True,
            )
            records.append(record)
        stored = [r for r in stored if r["page"] != page] + records
        path.write_text(json.dumps(stored, indent=1))
        (args.results / f"reference-{page}.md").write_text(markdown(records, meta))


if __name__ == "__main__":
    main(tyro.cli(Args))

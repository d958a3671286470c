"""``hybrid-toolkit bench classic-env-references``: reference-policy outcomes of the classic
PAMDP envs, written for their docs pages.

For Platform, Goal, Hard Goal and Hard Move (n = 4, 6, 8, 10 and the per-actuator convention)
it evaluates the uniform random policy and the env's scripted reference policy on the first
episode of ``--episodes`` scenarios (env seed 0, policy seed 0), and writes under ``--out-dir``

* ``classic_env_references.json`` — every row with timing and versions;
* ``reference-<page>.md`` — the Markdown table each env page includes.

The committed tables come from ``--mode full --out-dir benchmarks/results`` (the env pages
include ``benchmarks/results/reference-<page>.md``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.registry import (
    ALL,
    BY_MODE,
    BenchOptions,
    register_suite,
    with_mode_defaults,
)
from hybrid_toolkit.bench.report import environment, load_average, write_json
from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.families.hard_move import HardMoveEnv
from hybrid_toolkit.envs.families.hard_move.policies import reachable_fraction
from hybrid_toolkit.envs.outcomes import Policy, UniformRandomPolicy, first_episode_outcomes
from hybrid_toolkit.envs.references import reference_policy_for

SEED = 0
PAGES = ("platform", "goal", "hard-move")
"""The env pages with a reference table."""

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"episodes": 2, "pages": ("hard-move",)},
    "quick": {"episodes": 20, "pages": PAGES},
    "full": {"episodes": 200, "pages": PAGES},
}
"""What every option left at 0 / empty means in each mode (smoke skips the Platform and Goal
planners, which take seconds per episode whatever the batch)."""


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


def _reference(env: HybridEnv) -> Policy:
    """The family's scripted reference (the one ``train`` and ``eval`` print results beside)."""
    reference = reference_policy_for(env)
    assert reference is not None, f"{type(env).__name__} has no reference policy"
    return reference.policy


def _random(env: HybridEnv) -> Policy:
    return UniformRandomPolicy(env, seed=SEED)


def rows() -> list[Row]:
    """Every evaluation of the tables."""
    out = [
        Row("platform", "Platform-v0", "Platform-v0", {}, "random", _random, 200),
        Row("platform", "Platform-v0", "Platform-v0", {}, "rollout planner", _reference, 200),
    ]
    for name in ("Goal-v0", "HardGoal-v0"):
        out += [
            Row("goal", name, name, {}, "random", _random, 100, 0.5),
            Row("goal", name, name, {}, "planner (3 noisy samples)", _reference, 100, 0.5),
        ]
    for n in (4, 6, 8, 10):
        for params in ("per_choice", "per_actuator"):
            overrides = {"n_actuators": n, "parameters": params}
            label = f"n = {n}, {params}"
            for policy, build in (("random", _random), ("greedy", _reference)):
                out.append(Row("hard-move", label, "HardMove-v0", overrides, policy, build, 30, 5))
    return out


@dataclass
class ClassicEnvReferencesOptions(BenchOptions):
    """Options of the reference-policy tables; 0: the mode's default."""

    episodes: Annotated[int, BY_MODE] = 0
    """Episodes per (env, policy) (Goal and Hard Goal: half as many, Hard Move: five times);
    full 200, quick 20."""
    pages: Annotated[tuple[str, ...], ALL] = ()
    """Which env pages to (re)compute; empty: all (smoke: hard-move)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = [p for p in self.pages if p not in PAGES]
        if unknown:
            raise ValueError(f"pages {unknown} unknown; valid ones are: {', '.join(PAGES)}")
        if self.episodes < 0:
            raise ValueError(f"episodes must be >= 1 (0: the mode's default), got {self.episodes}")


def evaluate(row: Row, episodes: int, device: str) -> dict[str, Any]:
    """Outcomes of one row as a JSON record."""
    env = make(row.env, num_envs=episodes, device=device, **row.overrides)
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
        "load_average": round(load_average(), 2),
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
        f"Measured {meta['date_utc']} UTC with `hybrid-toolkit bench classic-env-references` "
        f"(mode `{meta['mode']}`, env seed {SEED}, policy seed {SEED}) on {meta['cpu']}, "
        f"{meta['logical_cpus']} logical CPUs, torch {meta['versions']['torch']}, "
        f"load average {min(loads):.1f}–{max(loads):.1f}."
    )
    return "\n".join(lines) + "\n"


@register_suite(
    "classic-env-references",
    ClassicEnvReferencesOptions,
    "Random vs scripted reference policies on Platform, Goal, Hard Goal and Hard Move",
)
def run(options: ClassicEnvReferencesOptions) -> int:
    """Evaluate the requested pages and rewrite their tables under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(1)
    out = Path(opts.out_dir)
    path = out / "classic_env_references.json"
    stored: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    meta = {**environment(opts.device), "mode": opts.mode}
    for page in opts.pages:
        records = []
        for row in (r for r in rows() if r.page == page):
            episodes = max(1, int(opts.episodes * row.episodes_factor))
            record = evaluate(row, episodes, opts.device)
            print(
                f"{row.label} / {row.policy}: success {record['success_rate']:.3f}, "
                f"return {record['mean_return']:.3f} ({record['seconds']:.0f} s)",
                flush=True,
            )
            records.append(record)
        stored = [r for r in stored if r["page"] != page] + records
        write_json(path, stored)
        (out / f"reference-{page}.md").write_text(markdown(records, meta))
        print(f"wrote {out / f'reference-{page}.md'}")
    return 0

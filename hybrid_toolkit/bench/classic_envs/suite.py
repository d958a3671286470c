"""``hybrid-toolkit bench classic-envs``: HyAR, hybrid PPO and DGRL on the classic PAMDP
benchmarks, beside the HyAR paper's Table 2.

For every algorithm (``--algos``), case (Platform, Goal, Hard Goal, Hard Move n = 4/6/8/10) and
seed it trains the algorithm with the case's recipe (preset + the overrides of our compute
budget, :data:`~hybrid_toolkit.bench.classic_envs.cases.RECIPES`), then evaluates the
deterministic policy on the first episode of each of ``--eval-episodes`` fresh scenarios (env
seed ``10_000 + seed``, the same for every algorithm). It reports the success rate (Platform:
reaching the end; Goal: scoring; Hard Move: entering the target) and the mean return (Platform:
the normalised return Table 2 reports for it).

Every run is cached as one JSON file, ``<out_dir>/classic_envs/<algo>/<case>-seed<k>.json``,
written as soon as it finishes: an interrupted sweep resumes where it stopped, and a run is
repeated only when its recipe changed or with ``--rerun``. After the runs the suite rewrites,
from every cached run,

* ``<docs_dir>/classic-envs-table.md`` — our three algorithms beside Table 2's HyAR-TD3 and
  H-PPO, plus the per-run details and budgets;
* ``<docs_dir>/classic-envs.png`` — Table 2's metric per env and algorithm, seed spread;
* ``<out_dir>/classic-envs-<page>.md`` — the rows of each env page (platform, goal, hard-move).

The committed results come from ``--mode full --out-dir benchmarks/results --docs-dir
docs/benchmarks``; ``quick`` runs 1/20 of every budget and one seed (about 2.5 minutes on 2 CPU
cores).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.classic_envs.cases import (
    ALGORITHMS,
    CASES,
    RECIPES,
    Case,
    Recipe,
    recipe_key,
    scaled_recipe,
)
from hybrid_toolkit.bench.classic_envs.report import Records, write_report
from hybrid_toolkit.bench.grid_runner import GridJob, GridOptions, run_grid
from hybrid_toolkit.bench.registry import ALL, BY_MODE, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import environment, load_average, write_json
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.outcomes import first_episode_outcomes

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"cases": ("HardMove4",), "seeds": (0,), "eval_episodes": 4},
    "quick": {"cases": tuple(CASES), "seeds": (0,), "eval_episodes": 500},
    "full": {"cases": tuple(CASES), "seeds": (0, 1, 2), "eval_episodes": 500},
}
"""What every option left at 0 / empty means in each mode."""
BUDGET_DIVISOR = {"smoke": 2000, "quick": 20, "full": 1}
"""Every recipe's budget and phase lengths are divided by this in each mode."""
SMOKE_OVERRIDES: dict[str, Any] = {"num_envs": 4}
"""Smoke runs also shrink the batch, so a run takes a second."""


@dataclass
class ClassicEnvsOptions(GridOptions):
    """Options of the classic-envs benchmark; 0 or empty: the mode's default."""

    algos: tuple[str, ...] = tuple(ALGORITHMS)
    """Algorithms to run (hyar, ppo, dgrl)."""
    cases: Annotated[tuple[str, ...], ALL] = ()
    """Cases to run (keys of `CASES`); empty: all (smoke: HardMove4)."""
    seeds: Annotated[tuple[int, ...], BY_MODE] = ()
    """Training seeds; full 0, 1, 2; quick 0."""
    eval_episodes: Annotated[int, BY_MODE] = 0
    """Evaluation episodes (first episode of this many scenarios); full and quick 500."""
    rerun: bool = False
    """Re-run (algo, case, seed) triples that are already cached."""
    report_only: bool = False
    """Run nothing; rewrite the tables and the plot from the cached runs."""
    docs_dir: str = ""
    """Folder of the benchmark page's table and plot; empty: `out_dir`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, valid in (("algos", ALGORITHMS), ("cases", CASES)):
            unknown = [g for g in getattr(self, name) if g not in valid]
            if unknown:
                raise ValueError(f"--{name}: unknown {unknown}, expected some of {list(valid)}")
        if self.eval_episodes < 0:
            raise ValueError(f"--eval-episodes must be >= 1, got {self.eval_episodes}")


def run_one(
    algo: str, case: Case, recipe: Recipe, seed: int, episodes: int, device: str
) -> dict[str, Any]:
    """Train and evaluate one seed; returns the JSON record."""
    cls = ALGORITHMS[algo]
    env_kwargs = {**case.env_kwargs, **recipe.env_kwargs}
    config = cls.config_class(**{**cls.presets[recipe.preset], **recipe.overrides})
    machine = environment(device)
    env = make(case.env, num_envs=config.num_envs, device=device, **env_kwargs)
    model = cls(env, recipe.preset, seed=seed, device=device, verbose=0, **recipe.overrides)
    start = time.perf_counter()
    model.learn(recipe.timesteps)
    seconds = time.perf_counter() - start
    eval_env = make(case.env, num_envs=episodes, device=device, **env_kwargs)
    outcome = first_episode_outcomes(
        eval_env,
        lambda obs: model.act(obs, deterministic=True),
        seed=10_000 + seed,
        max_steps=case.max_steps,
    )
    return {
        "algo": algo,
        "env": case.env,
        "env_kwargs": env_kwargs,
        "recipe": recipe_key(recipe, recipe.timesteps),
        "seed": seed,
        "timesteps": recipe.timesteps,
        "train_seconds": round(seconds, 1),
        "steps_per_second": round(recipe.timesteps / seconds, 1),
        "load_average_start": round(machine["load_average_start"], 2),
        "load_average_end": round(load_average(), 2),
        "success_rate": outcome.success_rate,
        "mean_return": outcome.mean_return,
        "std_return": outcome.std_return,
        "eval_episodes": episodes,
        "date": machine["date_utc"] + " UTC",
        "environment": machine,
    }


def run_path(results: Path, algo: str, case: str, seed: int) -> Path:
    """The cache file of one run."""
    return results / "classic_envs" / algo / f"{case}-seed{seed}.json"


def load_records(results: Path) -> Records:
    """Every cached run, as ``records[algo][case]`` sorted by seed."""
    records: Records = {}
    for algo in ALGORITHMS:
        for case in CASES:
            runs = [
                json.loads(p.read_text())
                for p in sorted((results / "classic_envs" / algo).glob(f"{case}-seed*.json"))
            ]
            if runs:
                records.setdefault(algo, {})[case] = sorted(runs, key=lambda r: r["seed"])
    return records


def _recipe(opts: ClassicEnvsOptions, algo: str, case: str) -> Recipe:
    recipe = RECIPES[algo][case]
    divisor = BUDGET_DIVISOR[opts.mode]
    if divisor == 1:
        return recipe
    return scaled_recipe(recipe, divisor, **(SMOKE_OVERRIDES if opts.mode == "smoke" else {}))


@register_suite(
    "classic-envs",
    ClassicEnvsOptions,
    "HyAR, PPO and DGRL on Platform, Goal, Hard Goal, Hard Move beside HyAR's Table 2",
)
def run(options: ClassicEnvsOptions) -> int:
    """Run the missing (algo, case, seed) triples, then rewrite the tables and the plot."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(1)
    results = Path(opts.out_dir)
    docs = Path(opts.docs_dir) if opts.docs_dir else results
    jobs, paths = [], []
    for algo in [] if opts.report_only else opts.algos:
        for name in opts.cases:
            case, recipe = CASES[name], _recipe(opts, algo, name)
            for seed in opts.seeds:
                path = run_path(results, algo, name, seed)
                if path.exists() and not opts.rerun:
                    cached = json.loads(path.read_text())
                    if cached["recipe"] == recipe_key(recipe, recipe.timesteps):
                        continue
                label = f"{algo} {name} seed {seed}: {recipe.timesteps:,} steps"
                run = partial(run_one, algo, case, recipe, seed, opts.eval_episodes, opts.device)
                jobs.append(GridJob(label, run))
                paths.append(path)

    def store(index: int, record: dict[str, Any]) -> None:
        print(
            f"{jobs[index].label}: success {record['success_rate']:.3f}, return "
            f"{record['mean_return']:.3f}, {record['train_seconds']:.0f} s "
            f"(load {record['load_average_start']})",
            flush=True,
        )
        write_json(paths[index], record)

    run_grid(jobs, opts, store)
    for path in write_report(load_records(results), CASES, RECIPES, results, docs):
        print(f"wrote {path}")
    return 0

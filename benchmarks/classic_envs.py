"""HyAR, hybrid PPO and DGRL on the classic PAMDP benchmarks, beside the HyAR paper's Table 2.

For every algorithm (``--algos``), case (Platform, Goal, Hard Goal, Hard Move n = 4/6/8/10) and
seed it trains the algorithm with the case's recipe (preset + the overrides of our compute
budget, ``RECIPES``), then evaluates the deterministic policy on the first episode of each of
``--eval-episodes`` fresh scenarios (env seed ``10_000 + seed``, the same for every algorithm).
It reports the success rate (Platform: reaching the end; Goal: scoring; Hard Move: entering the
target) and the mean return (Platform: the normalised return Table 2 reports for it).

Every run is cached as one JSON file, ``<results>/classic_envs/<algo>/<case>-seed<k>.json``,
written as soon as it finishes: an interrupted sweep resumes where it stopped, and a run is
repeated only when its recipe changed or with ``--rerun``. After the runs the script rewrites,
from every cached run,

* ``docs/benchmarks/classic-envs-table.md`` — our three algorithms beside Table 2's HyAR-TD3
  and H-PPO, plus the per-run details and budgets;
* ``docs/benchmarks/classic-envs.png`` — Table 2's metric per env and algorithm, seed spread;
* ``<results>/classic-envs-<page>.md`` — the rows of each env page (platform, goal, hard-move).

Usage::

    python benchmarks/classic_envs.py                                  # everything, 3 seeds
    python benchmarks/classic_envs.py --algos hyar --cases Platform --seeds 0 1
    python benchmarks/classic_envs.py --report-only                    # tables and plot only
    python benchmarks/classic_envs.py --quick                          # 1/20 budgets, 1 seed
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import tyro
from classic_envs_report import write_report

from hybrid_toolkit.algorithms.dgrl import DGRL
from hybrid_toolkit.algorithms.hyar import HyAR
from hybrid_toolkit.algorithms.ppo import PPO
from hybrid_toolkit.bench.report import environment, load_average, write_json
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.outcomes import first_episode_outcomes

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DOCS = ROOT.parent / "docs" / "benchmarks"
ALGORITHMS = {"hyar": HyAR, "ppo": PPO, "dgrl": DGRL}


@dataclass(frozen=True)
class Case:
    """One benchmark setting and what HyAR's Table 2 reports for it."""

    env: str
    env_kwargs: dict[str, Any]
    page: str
    """The env page that shows this case (``classic-envs-<page>.md``)."""
    max_steps: int
    """Episode length limit of the env (the evaluation's step cap)."""
    metric: str
    """Table 2's metric: ``"return"`` (Platform's normalised return) or ``"success"``."""
    table2_hyar: float
    """Table 2, HyAR-TD3 column."""
    table2_hppo: float
    """Table 2, HPPO column."""
    paper_hyar_steps: int
    """TD3-phase steps of the official HyAR script (plus its 5000 / 20000 warm-up episodes)."""


def _hard_move(n: int, hyar: float, hppo: float) -> Case:
    return Case(
        "HardMove-v0", {"n_actuators": n}, "hard-move", 30, "success", hyar, hppo, 1_000_000
    )


CASES: dict[str, Case] = {
    "Platform": Case("Platform-v0", {}, "platform", 200, "return", 0.98, 0.80, 200_000),
    "Goal": Case("Goal-v0", {}, "goal", 100, "success", 0.78, 0.0, 300_000),
    "HardGoal": Case("HardGoal-v0", {}, "goal", 100, "success", 0.60, 0.0, 300_000),
    "HardMove4": _hard_move(4, 0.93, 0.09),
    "HardMove6": _hard_move(6, 0.92, 0.05),
    "HardMove8": _hard_move(8, 0.89, 0.04),
    "HardMove10": _hard_move(10, 0.75, 0.05),
}
"""Every case, with the HyAR paper's Table 2 values (5 runs each in the paper)."""


@dataclass(frozen=True)
class Recipe:
    """How one algorithm trains on one case: preset, budget and the overrides on top."""

    preset: str
    timesteps: int
    """Environment steps of ``learn`` (HyAR: warm-up steps included)."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Config fields changed from the preset (our compute budget)."""
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    """Env options beyond the case's own (PPO: ``action_scale="unit"``)."""


# HyAR: the official scripts' values (presets) on a batch of 64 scenarios — one Platform or
# Goal step simulates up to ~150 physics frames, so a single scenario runs at ~10 steps/s here —
# with 16 TD3 updates per batched step (0.25 per transition instead of 1), and shorter warm-up,
# VAE pre-training and (Hard Move) exploration schedule; budgets are a small fraction of the
# paper's (docs: the budget cut).
_HYAR_BATCH = {"num_envs": 64, "gradient_steps": 16, "warmup_chunk": 8, "vae_pretrain_steps": 2000}
_HYAR_SHORT = {**_HYAR_BATCH, "warmup_episodes": 2000, "vae_update_start": 1000}
_HYAR_SHORT |= {"expl_noise_episodes": 1000}
_HYAR_MOVE = {**_HYAR_BATCH, "warmup_episodes": 500, "vae_update_start": 500}
_HYAR_MOVE |= {"expl_noise_episodes": 500}
_UNIT = {"action_scale": "unit"}
QUICK_SCALED = ("warmup_episodes", "vae_pretrain_steps", "vae_update_start", "expl_noise_episodes")
"""Overrides divided by 20 (like the budget) in ``--quick`` runs."""

RECIPES: dict[str, dict[str, Recipe]] = {
    "hyar": {
        "Platform": Recipe("platform", 30_000, _HYAR_SHORT),
        "Goal": Recipe("goal", 22_000, _HYAR_SHORT),
        "HardGoal": Recipe("hard-goal", 22_000, _HYAR_SHORT),
        **{f"HardMove{n}": Recipe("hard-move", 60_000, _HYAR_MOVE) for n in (4, 6, 8, 10)},
    },
    "ppo": {
        "Platform": Recipe("platform", 100_000, env_kwargs=_UNIT),
        "Goal": Recipe("goal", 50_000, env_kwargs=_UNIT),
        "HardGoal": Recipe("goal", 50_000, env_kwargs=_UNIT),
        **{f"HardMove{n}": Recipe("hard-move", 200_000) for n in (4, 6, 8, 10)},
    },
    "dgrl": {
        "Platform": Recipe("platform", 20_000),
        "Goal": Recipe("goal", 20_000),
        "HardGoal": Recipe("goal", 20_000),
        **{f"HardMove{n}": Recipe("hard-move", 40_000) for n in (4, 6, 8, 10)},
    },
}
"""Every algorithm's recipe per case."""


@dataclass(frozen=True)
class Args:
    """Options of the classic-envs benchmark."""

    algos: tuple[str, ...] = tuple(ALGORITHMS)
    """Algorithms to run (hyar, ppo, dgrl)."""
    cases: tuple[str, ...] = tuple(CASES)
    """Cases to run (keys of ``CASES``)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds."""
    eval_episodes: int = 500
    """Evaluation episodes (first episode of this many scenarios)."""
    quick: bool = False
    """1/20 of every budget and only the first seed, into ``<results>/quick/`` (nothing in the
    docs changes): checks the pipeline in minutes."""
    rerun: bool = False
    """Re-run (algo, case, seed) triples that are already cached."""
    report_only: bool = False
    """Run nothing; rewrite the tables and the plot from the cached runs."""
    results: Path = field(default=RESULTS)
    """Folder of the run cache and the env-page tables."""
    docs: Path = field(default=DOCS)
    """Folder of the benchmark page's table and plot."""

    def __post_init__(self) -> None:
        for name, given, valid in (
            ("algos", self.algos, ALGORITHMS),
            ("cases", self.cases, CASES),
        ):
            unknown = [g for g in given if g not in valid]
            if unknown:
                raise ValueError(f"--{name}: unknown {unknown}, expected some of {list(valid)}")
        if self.eval_episodes < 1:
            raise ValueError(f"--eval-episodes must be >= 1, got {self.eval_episodes}")


def quick_recipe(recipe: Recipe) -> Recipe:
    """The recipe at 1/20 of its budget and phase lengths (``--quick``)."""
    overrides = {
        k: max(1, v // 20) if k in QUICK_SCALED else v for k, v in recipe.overrides.items()
    }
    return Recipe(recipe.preset, max(1, recipe.timesteps // 20), overrides, recipe.env_kwargs)


def recipe_key(recipe: Recipe, timesteps: int) -> dict[str, Any]:
    """What must match for a cached run to count: preset, budget, overrides, env options."""
    return {**asdict(recipe), "timesteps": timesteps}


def run_one(algo: str, case: Case, recipe: Recipe, seed: int, timesteps: int, episodes: int):
    """Train and evaluate one seed; returns the JSON record."""
    cls = ALGORITHMS[algo]
    env_kwargs = {**case.env_kwargs, **recipe.env_kwargs}
    config = cls.config_class(**{**cls.presets[recipe.preset], **recipe.overrides})
    machine = environment()
    env = make(case.env, num_envs=config.num_envs, **env_kwargs)
    model = cls(env, recipe.preset, seed=seed, verbose=0, **recipe.overrides)
    start = time.perf_counter()
    model.learn(timesteps)
    seconds = time.perf_counter() - start
    eval_env = make(case.env, num_envs=episodes, **env_kwargs)
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
        "recipe": recipe_key(recipe, timesteps),
        "seed": seed,
        "timesteps": timesteps,
        "train_seconds": round(seconds, 1),
        "steps_per_second": round(timesteps / seconds, 1),
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


def load_records(results: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every cached run, as ``records[algo][case]`` sorted by seed."""
    records: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for algo in ALGORITHMS:
        for case in CASES:
            runs = [
                json.loads(p.read_text())
                for p in sorted((results / "classic_envs" / algo).glob(f"{case}-seed*.json"))
            ]
            if runs:
                records.setdefault(algo, {})[case] = sorted(runs, key=lambda r: r["seed"])
    return records


def main(args: Args) -> None:
    """Run the requested (algo, case, seed) triples, then rewrite the tables and the plot."""
    torch.set_num_threads(1)
    results = args.results / "quick" if args.quick else args.results
    docs = results if args.quick else args.docs
    seeds = args.seeds[:1] if args.quick else args.seeds
    for algo in [] if args.report_only else args.algos:
        for name in args.cases:
            case, recipe = CASES[name], RECIPES[algo][name]
            recipe = quick_recipe(recipe) if args.quick else recipe
            timesteps = recipe.timesteps
            for seed in seeds:
                path = run_path(results, algo, name, seed)
                if path.exists() and not args.rerun:
                    cached = json.loads(path.read_text())
                    if cached["recipe"] == recipe_key(recipe, timesteps):
                        continue
                print(f"{algo} {name} seed {seed}: {timesteps:,} steps ...", flush=True)
                record = run_one(algo, case, recipe, seed, timesteps, args.eval_episodes)
                print(
                    f"  success {record['success_rate']:.3f}, return "
                    f"{record['mean_return']:.3f}, {record['train_seconds']:.0f} s "
                    f"(load {record['load_average_start']})",
                    flush=True,
                )
                write_json(path, record)
    write_report(load_records(results), CASES, RECIPES, results, docs)


if __name__ == "__main__":
    main(tyro.cli(Args))

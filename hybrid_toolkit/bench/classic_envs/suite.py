"""``hybrid-toolkit bench classic-envs``: HyAR, hybrid PPO and DGRL on the classic PAMDP
benchmarks, beside the HyAR paper's Table 2.

For every algorithm (``--algos``), case (Platform, Goal, Hard Goal, Hard Move n = 4/6/8/10) and
seed it trains the algorithm with the case's recipe from the recipe set ``--recipe`` (``budget``:
:data:`~hybrid_toolkit.bench.classic_envs.cases.RECIPES`, our compute-limited first runs;
``reference``: :data:`~hybrid_toolkit.bench.classic_envs.cases.REFERENCE_RECIPES`, HyAR at the
official scripts' schedule and replay ratio, PPO and DGRL at the same step budgets), then
evaluates the deterministic policy on the first episode of each of ``--eval-episodes`` fresh
scenarios (env
seed ``10_000 + seed``, the same for every algorithm). It reports the success rate (Platform:
reaching the end; Goal: scoring; Hard Move: entering the target) and the mean return (Platform:
the normalised return Table 2 reports for it).

Every run is cached as one JSON file, ``<out_dir>/classic_envs/<algo>/<case>-seed<k>.json``
(``reference`` runs: ``<out_dir>/classic_envs/reference/<algo>/...``), written atomically as soon
as it finishes: an interrupted sweep resumes where it stopped, and a run is repeated only when
its recipe changed or with ``--rerun``. ``reference`` runs also record a learning curve (the
deterministic policy on ``CURVE_EPISODES`` scenarios at ``CURVE_POINTS`` points of the budget;
HyAR: in its TD3 phase only), and while they train keep the curve so far in
``<case>-seed<k>.progress.json`` beside the cache file, so a run stopped early still leaves one,
and the model at the newest point in ``<case>-seed<k>.checkpoint.zip``: started again, a
stopped run continues from there (see `hybrid_toolkit.bench.classic_envs.curve`).
After the runs the suite rewrites, from every cached run of the recipe set,

* ``<docs_dir>/classic-envs-table.md`` — our three algorithms beside Table 2's HyAR-TD3 and
  H-PPO, plus the per-run details and budgets;
* ``<docs_dir>/classic-envs.png`` — Table 2's metric per env and algorithm, seed spread;
* ``<out_dir>/classic-envs-<page>.md`` — the rows of each env page (platform, goal, hard-move);

(``reference``: ``<docs_dir>/classic-envs-reference.png`` and
``<docs_dir>/classic-envs-reference-curves.png`` — the learning curves — and
``classic-envs-reference-table.md``,
``classic-envs-reference-curves.md`` — every run's learning curve — and
``classic-envs-reference-<page>.md`` in ``<out_dir>``).

The committed results come from ``--mode full --out-dir benchmarks/results --docs-dir
docs/benchmarks``; ``quick`` runs 1/20 of every budget and one seed (about 2.5 minutes on 2 CPU
cores).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import torch

from hybrid_toolkit.bench.classic_envs.cases import (
    ALGORITHMS,
    CASES,
    RECIPE_SETS,
    Case,
    Recipe,
    recipe_key,
    scaled_recipe,
)
from hybrid_toolkit.bench.classic_envs.curve import (
    CURVE_EPISODES,
    LearningCurve,
    checkpoint_path,
    progress_path,
    resumable,
    write_json_atomic,
)
from hybrid_toolkit.bench.classic_envs.pages import write_report
from hybrid_toolkit.bench.classic_envs.report import Records
from hybrid_toolkit.bench.classic_envs.variants import (
    check_variant,
    parse_overrides,
    variant_note,
    variant_recipes,
    variant_set_name,
    with_overrides,
)
from hybrid_toolkit.bench.grid_runner import GridJob, GridOptions, run_grid
from hybrid_toolkit.bench.registry import (
    ALL,
    BY_MODE,
    register_suite,
    shown_default,
    with_mode_defaults,
)
from hybrid_toolkit.bench.report import environment, load_average
from hybrid_toolkit.envs import make

RecipeSet = Literal["budget", "reference"]

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"cases": ("HardMove4",), "seeds": (0,), "eval_episodes": 4},
    "quick": {"cases": tuple(CASES), "seeds": (0,), "eval_episodes": 500},
    "full": {"cases": tuple(CASES), "seeds": (0, 1, 2), "eval_episodes": 500},
}
"""What every option left at 0 / empty means in each mode."""
BUDGET_DIVISOR = {"smoke": 2000, "quick": 20, "full": 1}
"""Every recipe's budget and phase lengths are divided by this in each mode."""
REFERENCE_SMOKE_DIVISOR = 8000
"""Smoke's divisor for the ``reference`` recipes, whose budgets are 4–20 × ``budget``'s (HyAR
still reaches its TD3 phase, not yet its first update)."""
SMOKE_OVERRIDES: dict[str, Any] = {"num_envs": 4}
"""Smoke runs also shrink the batch, so a run takes a second."""
CURVE_POINTS: dict[str, int] = {"budget": 0, "reference": 40}
"""Learning-curve evaluations per run (every ``timesteps / CURVE_POINTS`` steps) per recipe set;
``budget`` runs record none (as when they were cached)."""
SMOKE_CURVE_POINTS = 2
"""Smoke runs evaluate the curve this many times at most (each evaluation costs a second)."""


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
    recipe: RecipeSet = "budget"
    """Recipe set. budget: our compute-limited first runs (HyAR at 0.25 TD3 updates per
    transition, shortened warm-up and VAE pre-training); reference: HyAR at the official
    scripts' schedule (1 TD3 update per transition, their warm-up episodes, 5000 VAE
    pre-training steps, their TD3-phase steps) and PPO and DGRL at the same step budgets."""
    rerun: bool = False
    """Re-run (algo, case, seed) triples that are already cached, and start stopped runs
    afresh instead of continuing them from their checkpoints."""
    checkpoints: bool = True
    """Keep each reference run's model at its newest curve point beside its progress file, so
    that a stopped run (Ctrl-C, a crash) continues from there when started again; deleted
    once the run is cached (HyAR on Hard Move: a few hundred MB while it trains)."""
    variant: str = ""
    """Name of a variant of the recipe set: its runs take the set's recipes with --override
    on top and are cached apart, in <out_dir>/classic_envs/<recipe>-<variant>/, with their
    tables and plots in out_dir (never in docs_dir). Empty: the recipe set as it is."""
    override: Annotated[tuple[str, ...], shown_default("none")] = ()
    """KEY=VALUE config settings of a variant, e.g. tau=0.005 (values read as JSON, else as
    text); every key must be a setting of each algorithm in --algos."""
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
        if self.recipe not in RECIPE_SETS:
            raise ValueError(f"--recipe must be one of {list(RECIPE_SETS)}, got {self.recipe!r}")
        if self.eval_episodes < 0:
            raise ValueError(f"--eval-episodes must be >= 1, got {self.eval_episodes}")
        check_variant(self.variant, parse_overrides(self.override), self.algos)


def run_one(
    algo: str,
    case: Case,
    recipe: Recipe,
    seed: int,
    episodes: int,
    device: str,
    recipe_set: str = "budget",
    curve_points: int = 0,
    progress_path: Path | None = None,
    *,
    checkpoints: bool = True,
    resume: bool = True,
) -> dict[str, Any]:
    """Train and evaluate one seed; returns the JSON record.

    With ``curve_points`` > 0 the record also has the learning curve (``curve``: steps, TD3
    updates, both metrics and the training time so far at each point; the last point is the
    final evaluation), kept in ``progress_path`` while the run trains, and with
    ``checkpoints`` the model at the newest point beside it (see
    `hybrid_toolkit.bench.classic_envs.curve`). With ``resume`` a run of the same recipe that
    was stopped continues from that checkpoint (the record's ``resumed_from`` lists the steps
    it continued from); without, it starts afresh.
    """
    cls = ALGORITHMS[algo]
    env_kwargs = {**case.env_kwargs, **recipe.env_kwargs}
    config = cls.config_class(**{**cls.presets[recipe.preset], **recipe.overrides})
    machine = environment(device)
    env = make(case.env, num_envs=config.num_envs, device=device, **env_kwargs)
    key = recipe_key(recipe, recipe.timesteps, recipe_set)
    header = {"label": f"{algo} {case.env} seed {seed}", "algo": algo, "seed": seed, "recipe": key}
    curve_env = (
        make(case.env, num_envs=min(CURVE_EPISODES, episodes), device=device, **env_kwargs)
        if curve_points
        else None
    )
    every = max(1, recipe.timesteps // curve_points) if curve_points else recipe.timesteps + 1
    checkpoint = checkpoint_path(progress_path) if progress_path and checkpoints else None
    curve = LearningCurve(curve_env, case, seed, every, progress_path, header, checkpoint)
    unfinished = resumable(progress_path, key) if progress_path and curve_points else None
    if unfinished is not None and resume:
        model = cls.load(unfinished[0], env=env, device=device, verbose=0)
        steps = model.num_timesteps
        curve.resume_from([p for p in unfinished[1]["curve"] if p["timesteps"] <= steps])
        header["resumed_from"] = [*unfinished[1].get("resumed_from", []), steps]
    else:
        if unfinished is not None:
            unfinished[0].unlink()
        model = cls(env, recipe.preset, seed=seed, device=device, verbose=0, **recipe.overrides)
    model.learn(  # the curve also times the training (an empty curve when curve_points is 0)
        recipe.timesteps - model.num_timesteps,
        callback=[curve],
        reset_num_timesteps=model.num_timesteps == 0,
    )
    seconds, cpu_seconds = curve.training_seconds()
    eval_env = make(case.env, num_envs=episodes, device=device, **env_kwargs)
    final = curve.add(model, model.num_timesteps, eval_env)
    record = {
        "algo": algo,
        "env": case.env,
        "env_kwargs": env_kwargs,
        "recipe": key,
        "seed": seed,
        "timesteps": recipe.timesteps,
        "train_seconds": round(seconds, 1),
        "steps_per_second": round(recipe.timesteps / seconds, 1),
        "load_average_start": round(machine["load_average_start"], 2),
        "load_average_end": round(load_average(), 2),
        "success_rate": final["success_rate"],
        "mean_return": final["mean_return"],
        "std_return": final["std_return"],
        "eval_episodes": episodes,
        "date": machine["date_utc"] + " UTC",
        "environment": machine,
    }
    if curve_points:
        record |= {
            "recipe_set": recipe_set,
            "train_cpu_seconds": round(cpu_seconds, 1),
            "td3_updates": final["td3_updates"],
            "curve": curve.points,
        }
    if "resumed_from" in header:
        record["resumed_from"] = header["resumed_from"]
    return record


def _folder(results: Path, recipe_set: str) -> Path:
    base = results / "classic_envs"
    return base if recipe_set == "budget" else base / recipe_set


def run_path(results: Path, algo: str, case: str, seed: int, recipe_set: str = "budget") -> Path:
    """The cache file of one run (``budget`` runs keep the folder they were cached in)."""
    return _folder(results, recipe_set) / algo / f"{case}-seed{seed}.json"


def load_records(results: Path, recipe_set: str = "budget", *, progress: bool = False) -> Records:
    """Every cached run of a recipe set, as ``records[algo][case]`` sorted by seed; with
    ``progress``, the progress files of unfinished runs instead."""
    records: Records = {}
    suffix = r"\.progress\.json" if progress else r"\.json"
    for algo in ALGORITHMS:
        folder = _folder(results, recipe_set) / algo
        for case in CASES:
            pattern = re.compile(rf"{re.escape(case)}-seed\d+{suffix}")
            files = sorted(p for p in folder.glob(f"{case}-seed*") if pattern.fullmatch(p.name))
            runs = [json.loads(p.read_text()) for p in files]
            if runs:
                records.setdefault(algo, {})[case] = sorted(runs, key=lambda r: r["seed"])
    return records


def _recipe(opts: ClassicEnvsOptions, algo: str, case: str) -> Recipe:
    recipe = with_overrides(RECIPE_SETS[opts.recipe][algo][case], parse_overrides(opts.override))
    divisor = BUDGET_DIVISOR[opts.mode]
    if opts.mode == "smoke" and opts.recipe == "reference":
        divisor = REFERENCE_SMOKE_DIVISOR
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
    results = Path(opts.out_dir).resolve()  # Ray trials run in other folders
    docs = Path(opts.docs_dir) if opts.docs_dir and not opts.variant else results
    recipe_set, points = variant_set_name(opts.recipe, opts.variant), CURVE_POINTS[opts.recipe]
    if opts.mode == "smoke":
        points = min(points, SMOKE_CURVE_POINTS)
    jobs, paths = [], []
    for algo in [] if opts.report_only else opts.algos:
        for name in opts.cases:
            case, recipe = CASES[name], _recipe(opts, algo, name)
            for seed in opts.seeds:
                path = run_path(results, algo, name, seed, recipe_set)
                if path.exists() and not opts.rerun:
                    cached = json.loads(path.read_text())
                    if cached["recipe"] == recipe_key(recipe, recipe.timesteps, recipe_set):
                        continue
                label = f"{algo} {name} seed {seed}: {recipe.timesteps:,} steps"
                run = partial(
                    run_one,
                    algo,
                    case,
                    recipe,
                    seed,
                    opts.eval_episodes,
                    opts.device,
                    recipe_set,
                    points,
                    progress_path(path) if points else None,
                    checkpoints=opts.checkpoints,
                    resume=not opts.rerun,
                )
                jobs.append(GridJob(label, run))
                paths.append(path)

    def store(index: int, record: dict[str, Any]) -> None:
        print(
            f"{jobs[index].label}: success {record['success_rate']:.3f}, return "
            f"{record['mean_return']:.3f}, {record['train_seconds']:.0f} s "
            f"(load {record['load_average_start']})",
            flush=True,
        )
        write_json_atomic(paths[index], record)
        progress = progress_path(paths[index])
        progress.unlink(missing_ok=True)
        checkpoint_path(progress).unlink(missing_ok=True)

    run_grid(jobs, opts, store)
    records = load_records(results, recipe_set)
    running = load_records(results, recipe_set, progress=True) if points else {}
    recipes = variant_recipes(opts.recipe, parse_overrides(opts.override))
    note = variant_note(opts.recipe, opts.variant, opts.override)
    for path in write_report(records, CASES, recipes, results, docs, recipe_set, running, note):
        print(f"wrote {path}")
    return 0

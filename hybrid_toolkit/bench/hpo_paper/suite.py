"""``hybrid-toolkit bench hpo-paper``: the HPO paper's comparisons, reproduced.

Parts (``--parts``): ``estimator`` — the mixed estimator against the exact gradient of a small
problem and the decentralized estimator's bias; ``jrp`` / ``lqr`` — HPO against the PPO
baseline and the reference policies across instance sizes (dev cost, gap, updates to target);
``cross-term`` — alignment of the gradient pieces near and far from a discrete best response.

``smoke`` runs every part at toy sizes in seconds (the tests run it); ``quick`` checks the
pipeline in about 1.5 minutes on 2 CPU cores (small networks, 48 updates, JRP n = 1, 3 and
LQR n = 3; :data:`MODE_DEFAULTS` holds each mode's budget); ``full`` uses the paper's settings
([512, 512] networks, 1600 JRP / 4000 LQR updates, three seeds, the whole grid) — days of CPU
time. Every size can be set on the command line, so a budget in between is one command (see
the docs page for the one that produced the committed results).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import torch

from hybrid_toolkit.bench.grid_runner import GridJob, GridOptions, run_grid
from hybrid_toolkit.bench.hpo_paper.cross_term import CrossTermSettings, cross_term_cached
from hybrid_toolkit.bench.hpo_paper.estimator_check import check_estimator
from hybrid_toolkit.bench.hpo_paper.report import (
    ablation_table,
    comparison_table,
    cross_term_table,
    estimator_table,
    plot_cross_term,
    plot_dev_curves,
    plot_updates_to_target,
    results_table,
)
from hybrid_toolkit.bench.hpo_paper.runs import (
    Algo,
    RunResult,
    RunSpec,
    load_run,
    run_path,
    runs_on,
    store_run,
    train_run,
)
from hybrid_toolkit.bench.hpo_paper.summary import TaskSummary, summarize
from hybrid_toolkit.bench.hpo_paper.tasks import References, Task, reference_costs
from hybrid_toolkit.bench.registry import BY_MODE, register_suite, shown_default
from hybrid_toolkit.bench.report import environment

Part = Literal["estimator", "jrp", "lqr", "cross-term"]


MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {
        "seeds": 1,
        "batch": 16,
        "jrp_items": (1,),
        "lqr_states": (2,),
        "lqr_modes": (2,),
        "hidden": (8,),
        "jrp_updates": 8,
        "lqr_updates": 8,
        "cross_term_updates": 4,
        "cross_term_response_updates": 4,
        "cross_term_warmup": 2,
        "cross_term_early": 2,
        "cross_term_measure_every": 2,
        "cross_term_samples": 16,
        "cross_term_repeats": 2,
        "cross_term_replicas": 1,
    },
    "quick": {
        "seeds": 1,
        "batch": 128,
        "jrp_items": (1, 3),
        "lqr_states": (3,),
        "lqr_modes": (2,),
        "hidden": (64, 64),
        "jrp_updates": 48,
        "lqr_updates": 48,
        "cross_term_updates": 48,
        "cross_term_response_updates": 16,
        "cross_term_warmup": 16,
        "cross_term_early": 8,
        "cross_term_measure_every": 4,
        "cross_term_samples": 128,
        "cross_term_repeats": 2,
        "cross_term_replicas": 1,
    },
    "full": {
        "seeds": 3,
        "batch": 128,
        "jrp_items": (1, 3, 5, 10, 20, 50),
        "lqr_states": (1, 3, 5, 10, 20),
        "lqr_modes": (2, 4),
        "hidden": (512, 512),
        "jrp_updates": 1600,
        "lqr_updates": 4000,
        "cross_term_updates": 1600,
        "cross_term_response_updates": 200,
        "cross_term_warmup": 80,
        "cross_term_early": 12,
        "cross_term_measure_every": 8,
        "cross_term_samples": 512,
        "cross_term_repeats": 16,
        "cross_term_replicas": 3,
    },
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class HPOPaperOptions(GridOptions):
    """Options of the HPO reproduction; 0 or empty means "the mode's default"."""

    parts: tuple[Part, ...] = ("estimator", "jrp", "lqr", "cross-term")
    """Which parts to run."""
    algos: tuple[Algo, ...] = ("hpo", "ppo")
    """Algorithms compared on jrp / lqr (add hpo_decentralized for the decentralized HPO;
    ppo_paper-FIELD is the paper's PPO with only FIELD set back to this library's value, one
    per difference, skipped on a family where FIELD is no difference;
    ppo_paper-reward_scaling+buffer_periods sets those two back together)."""
    seeds: Annotated[int, BY_MODE] = 0
    """Seeds per (task, algorithm); quick 1, full 3."""
    jrp_items: Annotated[tuple[int, ...], BY_MODE] = ()
    """Joint-replenishment sizes n; quick (1, 3), full (1, 3, 5, 10, 20, 50)."""
    lqr_states: Annotated[tuple[int, ...], BY_MODE] = ()
    """Switched-LQR state dimensions n; quick (3,), full (1, 3, 5, 10, 20)."""
    lqr_modes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Switched-LQR mode counts M (pairs with M > n are skipped); quick (2,), full (2, 4)."""
    hidden: Annotated[tuple[int, ...], BY_MODE] = ()
    """Hidden sizes of every network; quick (64, 64), full (512, 512)."""
    jrp_updates: Annotated[int, BY_MODE] = 0
    """Updates per joint-replenishment run; quick 48, full 1600."""
    lqr_updates: Annotated[int, BY_MODE] = 0
    """Updates per switched-LQR run; quick 48, full 4000."""
    batch: Annotated[int, BY_MODE] = 0
    """Scenarios per rollout B; quick and full 128."""
    eval_every: int = 8
    """Updates between dev evaluations (8 = one pass over the 1024 train scenarios)."""
    entropy_anneal_updates: Annotated[int, shown_default("the run's length")] = 0
    """Anneal the entropy coefficient (0.5 to 0.001, linear per training epoch: 8 updates at
    B = 128) as in a run of this many updates, cut off at the run's end: with 1600 a 400-update
    run sees the paper's first 400 updates (0.5 to about 0.377). 0: the anneal spans the run;
    else at least the runs' updates. Every annealing HPO and PPO follows it (not the
    low-entropy variants); a run's cache key gains __a<N> when N differs from its updates."""
    target: float = 0.1
    """Relative distance to the best known cost that counts as reached."""
    tight_target: float = 0.05
    """A second, tighter relative distance, reported beside the first (5 %: within 5 %)."""
    cross_term_updates: Annotated[int, BY_MODE] = 0
    """HPO training updates before the cross-term study; quick 48, full 1600."""
    cross_term_warmup: Annotated[int, BY_MODE] = 0
    """Value warm-up updates after the perturbation; quick 16, full 80."""
    cross_term_response_updates: Annotated[int, BY_MODE] = 0
    """Best-response updates of the re-initialised discrete network; quick 16, full 200."""
    cross_term_early: Annotated[int, BY_MODE] = 0
    """First best-response updates each followed by a measurement; quick 8, full 12."""
    cross_term_measure_every: Annotated[int, BY_MODE] = 0
    """Best-response updates between two later measurements; quick 4, full 8."""
    cross_term_samples: Annotated[int, BY_MODE] = 0
    """Scenarios behind each gradient estimate (the spec's d); quick 128, full 512."""
    cross_term_repeats: Annotated[int, BY_MODE] = 0
    """Independent estimate pairs per measurement; quick 2, full 16."""
    cross_term_replicas: Annotated[int, BY_MODE] = 0
    """Independent best-response runs from the trained model; quick 1, full 3."""
    docs_dir: str = ""
    """Also write results.md and the plots into this folder (the docs page includes them)."""
    threads: int = 1
    """torch CPU threads (1 is fastest for B = 128 on small machines)."""
    only_cached: bool = False
    """Train nothing: aggregate the runs already cached in the output folder (a partly run grid);
    the missing runs are listed in the results."""

    def __post_init__(self) -> None:
        super().__post_init__()
        defaults = MODE_DEFAULTS[self.mode]
        for name, value in defaults.items():
            if not getattr(self, name):
                setattr(self, name, value)
        for name in ("batch", "eval_every", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("target", "tight_target"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be in (0, 1), got {getattr(self, name)}")
        runs = [self.jrp_updates * ("jrp" in self.parts), self.lqr_updates * ("lqr" in self.parts)]
        n = self.entropy_anneal_updates
        if n < 0 or 0 < n < max(runs):
            raise ValueError(
                f"entropy_anneal_updates must be 0 or >= the runs' updates ({max(runs)}), got {n}"
            )


def plan(options: HPOPaperOptions) -> list[Task]:
    """The tasks of the enabled parts."""
    tasks: list[Task] = []
    if "jrp" in options.parts:
        tasks += [Task("jrp", n) for n in options.jrp_items]
    if "lqr" in options.parts:
        tasks += [
            Task("lqr", n, m) for m in options.lqr_modes for n in options.lqr_states if m <= n
        ]
    return tasks


def _references(tasks: list[Task], out: Path, device: str) -> dict[str, References]:
    path = out / "references.json"
    cached = json.loads(path.read_text()) if path.exists() else {}
    refs = {}
    for task in tasks:
        if task.key not in cached:
            cached[task.key] = dataclasses.asdict(reference_costs(task, device))
            path.write_text(json.dumps(cached, indent=1))
        refs[task.key] = References(**cached[task.key])
    return refs


def _train_all(
    tasks: list[Task], options: HPOPaperOptions, out: Path
) -> dict[str, list[RunResult]]:
    pairs = [(task, algo) for task in tasks for algo in options.algos]
    distinct = {(task.key, algo): runs_on(algo, task) for task, algo in pairs}
    skipped = [f"{task.key} {algo}" for task, algo in pairs if not distinct[task.key, algo]]
    if skipped:
        print(
            f"skipped {len(skipped)} (task, algorithm) pairs that would repeat another run: "
            f"an ablated field that is no difference of the paper's PPO on that family (the "
            f"run would be ppo_paper), or declared inputs where the env declares its "
            f"observation as it is (the run would be hpo): {', '.join(skipped)}"
        )
    specs = [
        RunSpec(
            task,
            algo,
            seed,
            options.hidden,
            options.jrp_updates if task.family == "jrp" else options.lqr_updates,
            options.batch,
            options.eval_every,
            options.entropy_anneal_updates,
        )
        for task, algo in pairs
        if distinct[task.key, algo]
        for seed in range(options.seeds)
    ]
    folder = out / "runs"
    missing = [spec for spec in specs if not run_path(spec, folder).exists()]
    if options.only_cached:
        specs = [spec for spec in specs if spec not in missing]
        names = ", ".join(spec.key for spec in missing) or "none"
        print(f"--only-cached: {len(missing)} of the grid's runs are not cached ({names})")
        missing = []
    trained: dict[str, RunResult] = {}

    def store(index: int, result: RunResult) -> None:
        store_run(result, run_path(missing[index], folder))
        trained[missing[index].key] = result

    jobs = [
        GridJob(f"{s.task.label} {s.algo} seed {s.seed}", partial(train_run, s, options.device))
        for s in missing
    ]
    run_grid(jobs, options, store, threads=options.threads, progress="hpo-paper runs")
    runs: dict[str, list[RunResult]] = {task.key: [] for task in tasks}
    for spec in specs:
        result = trained.get(spec.key) or load_run(run_path(spec, folder))
        runs[spec.task.key].append(result)
    return runs


def run(options: HPOPaperOptions) -> int:
    """Run the enabled parts and write JSON, Markdown and PNG results; returns 0."""
    torch.set_num_threads(options.threads)
    out = Path(options.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = Path(options.docs_dir) if options.docs_dir else None
    if docs is not None:
        docs.mkdir(parents=True, exist_ok=True)  # the plots are written before results.md
    sections: list[str] = []
    results: dict[str, Any] = {"options": dataclasses.asdict(options)}
    start = time.perf_counter()
    if "estimator" in options.parts:
        check = check_estimator()
        results["estimator"] = dataclasses.asdict(check)
        sections.append(
            "### Estimator check (exact gradient by enumeration)\n\n" + estimator_table(check)
        )
    tasks = plan(options)
    if tasks:
        runs = _train_all(tasks, options, out)
        tasks = [t for t in tasks if runs[t.key]]  # --only-cached: tasks with a cached run
        refs = _references(tasks, out, options.device)
        targets = (options.target, options.tight_target)
        summaries = [summarize(t, refs[t.key], runs[t.key], *targets) for t in tasks]
        results["tasks"] = [_summary_json(s) for s in summaries]
        sections.append(
            "### HPO vs PPO vs reference policies\n\n" + results_table(summaries, *targets)
        )
        comparison = comparison_table(summaries, options.target)
        if comparison:
            sections.append("### Does HPO need fewer updates than PPO?\n\n" + comparison)
        ablation = ablation_table(summaries, options.target)
        if ablation:
            sections.append("### The paper's PPO, one difference at a time\n\n" + ablation)
        for folder in filter(None, (out, docs)) if summaries else ():
            plot_updates_to_target(summaries, folder / "updates_to_target.png", *targets)
            plot_dev_curves(summaries, runs, folder / "dev_curves.png")
    if "cross-term" in options.parts:
        settings = CrossTermSettings(
            hidden=options.hidden,
            batch=options.batch,
            train_updates=options.cross_term_updates,
            warmup_updates=options.cross_term_warmup,
            discrete_updates=options.cross_term_response_updates,
            early_updates=options.cross_term_early,
            measure_every=options.cross_term_measure_every,
            samples=options.cross_term_samples,
            repeats=options.cross_term_repeats,
            replicas=options.cross_term_replicas,
        )
        study = cross_term_cached(settings, out, options.device)
        results["cross_term"] = dataclasses.asdict(study)
        sections.append(
            "### Cross-term study (homogeneous JRP, n = 1)\n\n" + cross_term_table(study, 5.0)
        )
        for folder in filter(None, (out, docs)):
            plot_cross_term(study, folder / "cross_term.png")
    results["wall_s"] = time.perf_counter() - start
    results["environment"] = environment(options.device)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    markdown = "\n\n".join(sections) + "\n"
    for folder in filter(None, (out, docs)):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.md").write_text(markdown)
    print(markdown)
    print(f"results, tables and plots written to {out}")
    return 0


def _summary_json(summary: TaskSummary) -> dict[str, Any]:
    return {
        "task": summary.task.key,
        "reference": dataclasses.asdict(summary.reference),
        "best_known": summary.best_known,
        "threshold": summary.threshold,
        "tight_threshold": summary.tight_threshold,
        "algos": {k: dataclasses.asdict(v) for k, v in summary.algos.items()},
    }


register_suite(
    "hpo-paper",
    HPOPaperOptions,
    "HPO paper: estimator check, HPO vs PPO vs references on JRP and switched LQR, cross term",
)(run)

"""``hybrid-toolkit bench dgrl-paper``: DGRL against the DGRL paper's baselines on its environments.

Trains every (method, environment, seed) of the grid (:mod:`~hybrid_toolkit.bench.dgrl_paper.grid`)
— the structured and the irregular maze, the recommender at two sizes and the job shop against
DNC, Cacla and LAR; the hybrid maze and the priced recommender against H-DNC, H-Cacla and HyAR —
evaluating the greedy policy along the way, and reports peak and final returns over seeds
(median and inter-quartile range), the paper's percentage gaps, the paper's own App. E.3 numbers
beside them, and learning curves. A method that does not apply to a case is shown as n/a with
the reason (:mod:`~hybrid_toolkit.bench.dgrl_paper.scope`). Each run is cached as one JSON file
under ``<out_dir>/cache/``; re-running the suite reuses every run whose protocol matches and
trains only the missing ones, so an interrupted run resumes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.dgrl_paper.aggregate import NotApplicable, Summary, summarize
from hybrid_toolkit.bench.dgrl_paper.cache import (
    load_cached,
    protocol,
    run_path,
    train_and_evaluate,
)
from hybrid_toolkit.bench.dgrl_paper.grid import (
    ENV_CASES,
    FULL_ENVS,
    FULL_METHODS,
    FULL_SEEDS,
    METHODS,
    QUICK_BUDGET,
    SMOKE_BUDGET,
    SMOKE_ENVS,
    Loop,
)
from hybrid_toolkit.bench.dgrl_paper.report import Results, Summaries, markdown, plot_curves
from hybrid_toolkit.bench.dgrl_paper.scope import not_applicable
from hybrid_toolkit.bench.grid_runner import GridJob, GridOptions, run_grid
from hybrid_toolkit.bench.registry import ALL, BY_MODE, register_suite
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)


@dataclass
class DGRLPaperOptions(GridOptions):
    """Settings of the DGRL-paper reproduction (`quick`: one seed, a tiny budget; `smoke`: the
    structured and the hybrid maze, a budget of seconds)."""

    envs: Annotated[tuple[str, ...], ALL] = ()
    """Environment cases (maze, maze-irregular, recommender, recommender-large, job-shop,
    job-shop-interior, maze-hybrid, recommender-hybrid, recommender-hybrid-large); empty: all
    but job-shop-interior (smoke mode: maze, maze-hybrid)."""
    methods: Annotated[tuple[str, ...], ALL] = ()
    """Methods (dgrl, dnc, dnc-greedy, cacla, lar, h-dnc, h-cacla, hyar); empty: all of them,
    each shown as n/a where it does not apply."""
    loop: Loop = "paper"
    """Training loop of DGRL, H-Cacla and LAR: `paper` (their paper presets: one environment,
    DGRL and H-Cacla a minibatch of 16 every 8 steps) or `batched` (our batched presets); the
    other methods have one loop. The runs of the two loops are cached apart."""
    seeds: Annotated[tuple[int, ...], BY_MODE] = ()
    """Training seeds; empty: 0-4 (quick and smoke mode: 0)."""
    steps: Annotated[int, BY_MODE] = 0
    """Training steps per run for every environment; 0: each case's budget (quick: 3,000)."""
    sampled_eval: bool = False
    """Also evaluate the exploring (sampled) policy at every evaluation, on the same scenarios
    as the greedy one; the report adds a table of both. Such runs are cached beside the
    greedy-only ones (their greedy curves are the same: sampling leaves training unchanged)."""
    threads: int = 1
    """`torch.set_num_threads` for the whole suite."""
    cache_only: bool = False
    """Report from the cached runs only; a missing run is an error instead of being trained."""
    docs_page: str = ""
    """Docs page whose results block is rewritten (plot copied beside it); empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, valid in (("envs", ENV_CASES), ("methods", METHODS)):
            unknown = [k for k in getattr(self, name) if k not in valid]
            if unknown:
                raise ValueError(
                    f"DGRLPaperOptions.{name} has unknown keys {unknown}; valid ones are: "
                    f"{', '.join(valid)}"
                )
        if self.steps < 0:
            raise ValueError(f"DGRLPaperOptions.steps must be >= 0 (0: default), got {self.steps}")
        if self.threads < 1:
            raise ValueError(f"DGRLPaperOptions.threads must be >= 1, got {self.threads}")
        if any(s < 0 for s in self.seeds):
            raise ValueError(f"DGRLPaperOptions.seeds must be >= 0, got {self.seeds}")

    def effective(self) -> DGRLPaperOptions:
        """These options with the mode's defaults filled in where left empty."""
        values = asdict(self)
        values["envs"] = self.envs or (SMOKE_ENVS if self.mode == "smoke" else FULL_ENVS)
        values["methods"] = self.methods or FULL_METHODS
        values["seeds"] = self.seeds or (FULL_SEEDS if self.mode == "full" else (0,))
        return DGRLPaperOptions(**values)

    def protocols(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Env key → method key → the run protocol (the budget of the mode)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for env_key in self.envs:
            case = ENV_CASES[env_key]
            budget = (
                {"steps": case.steps, "eval_every": case.eval_every}
                if self.mode == "full"
                else dict(SMOKE_BUDGET if self.mode == "smoke" else QUICK_BUDGET)
            )
            budget.setdefault("eval_episodes", case.eval_episodes)
            if self.steps:
                budget["steps"] = self.steps
                budget["eval_every"] = min(budget["eval_every"], self.steps)
            out[env_key] = {
                m: protocol(
                    METHODS[m],
                    case,
                    budget["steps"],
                    budget["eval_every"],
                    budget["eval_episodes"],
                    self.loop,
                    self.sampled_eval,
                )
                for m in self.methods
            }
        return out


def collect(opts: DGRLPaperOptions, cache_dir: Path) -> tuple[Results, dict[str, dict[str, str]]]:
    """Every run's record, from the cache or trained now (printing one line per run), and
    env key → method key → why it is n/a, for the methods that do not apply.

    Raises:
        LookupError: ``--cache-only`` and a run is not cached.
    """
    skipped: dict[str, dict[str, str]] = {}
    grid: list[tuple[str, str, int, dict[str, Any]]] = []
    for env_key, by_method in opts.protocols().items():
        for method_key, proto in by_method.items():
            reason = not_applicable(METHODS[method_key], ENV_CASES[env_key], proto, opts.device)
            if reason is not None:
                skipped.setdefault(env_key, {})[method_key] = reason
                print(f"[n/a] {env_key:24s} {method_key:10s} {reason}", flush=True)
                continue
            grid.extend((env_key, method_key, seed, proto) for seed in opts.seeds)
    records: dict[int, dict[str, Any]] = {}
    missing: list[int] = []
    for index, (env_key, method_key, seed, proto) in enumerate(grid):
        path = run_path(cache_dir, env_key, method_key, seed, proto)
        found = load_cached(path, proto)
        if found is None and opts.cache_only:
            raise LookupError(f"no cached run matches the wanted protocol at {path}")
        if found is None:
            missing.append(index)
        else:
            records[index] = found
            _report(len(records), len(grid), grid[index], found, cached=True)

    def store(job: int, record: dict[str, Any]) -> None:
        index = missing[job]
        env_key, method_key, seed, proto = grid[index]
        write_json(run_path(cache_dir, env_key, method_key, seed, proto), record)
        records[index] = record
        _report(len(records), len(grid), grid[index], record, cached=False)

    jobs = [
        GridJob(
            f"{env_key} {method_key} seed {seed}",
            partial(
                train_and_evaluate,
                METHODS[method_key],
                ENV_CASES[env_key],
                seed,
                proto,
                opts.device,
            ),
        )
        for env_key, method_key, seed, proto in (grid[i] for i in missing)
    ]
    run_grid(jobs, opts, store, threads=opts.threads)
    results: Results = {}
    for index, (env_key, method_key, _, _) in enumerate(grid):
        results.setdefault(env_key, {}).setdefault(method_key, []).append(records[index])
    return results, skipped


def _report(
    done: int, total: int, run: tuple[str, str, int, Any], record: dict[str, Any], cached: bool
) -> None:
    env_key, method_key, seed, _ = run
    peak = max(p["return"] for p in record["curve"])
    cost = "cached" if cached else f"{record['cpu_seconds'] / 60:.1f} CPU min"
    print(
        f"[{done}/{total}] {env_key:24s} {method_key:10s} seed {seed}: peak "
        f"{peak:9.2f}, final {record['curve'][-1]['return']:9.2f} ({cost})",
        flush=True,
    )


@register_suite(
    "dgrl-paper",
    DGRLPaperOptions,
    "DGRL vs DNC, Cacla, LAR, H-DNC, H-Cacla, HyAR on the paper's mazes, recommenders, job shop",
)
def run(options: DGRLPaperOptions) -> int:
    """Run (or resume) the grid; write ``dgrl-paper.{json,md,png}`` and the run cache."""
    opts = options.effective()
    torch.set_num_threads(opts.threads)
    env_info = environment(opts.device)
    out = Path(opts.out_dir)
    try:
        results, skipped = collect(opts, out / "cache")
    except LookupError as missing:  # --cache-only and a run is not cached
        print(f"error: {missing}; run without --cache-only to train it")
        return 2
    env_info["load_average_end"] = load_average()
    summaries: Summaries = {}
    for env in opts.envs:  # in the grid's order, n/a rows where the method would be
        by_method: dict[str, Summary | NotApplicable] = {}
        for m in opts.methods:
            if m in skipped.get(env, {}):
                by_method[m] = NotApplicable(skipped[env][m])
            else:
                by_method[m] = summarize(results[env][m])
        summaries[env] = by_method
    first_protocols = {env: next(iter(p.values())) for env, p in opts.protocols().items()}
    write_json(
        out / "dgrl-paper.json",
        {
            "suite": "dgrl-paper",
            "settings": asdict(opts),
            "environment": env_info,
            "summaries": {
                env: {m: asdict(s) for m, s in by_method.items()}
                for env, by_method in summaries.items()
            },
        },
    )
    block = markdown(summaries, first_protocols, environment_lines(env_info), opts.mode, opts.loop)
    png = plot_curves(results, out / "dgrl-paper.png")
    publish(block, out / "dgrl-paper.md", png, opts.docs_page)
    return 0

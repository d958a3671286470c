"""``hybrid-toolkit bench learning-sweep``: every learning check over seeds and MKL settings.

The default test suite runs each :data:`~hybrid_toolkit.bench.learning.cases.LEARNING_CASES`
entry at seed 0. This suite re-runs them over several seeds under each ``MKL_CBWR`` setting
(default kernels, ``COMPATIBLE``, ``AVX2``) and reports how many runs met their threshold, so a
change to an algorithm, a budget or a threshold can be checked the way it must hold: on every
seed and every CPU, not on one. Runs are cached per CPU model under ``<out_dir>/cache/``; an
interrupted sweep resumes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.learning.cases import LEARNING_CASES
from hybrid_toolkit.bench.learning.report import markdown, plot, summarize
from hybrid_toolkit.bench.learning.runs import MKL_SETTINGS, load_run, run_worker
from hybrid_toolkit.bench.registry import ALL, BY_MODE, BenchOptions, register_suite
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)

SMOKE_CASES: tuple[str, ...] = ("hpo-target-regime",)
"""``--mode smoke``: the cheapest case only, at seed 0 under the default kernels."""
MODE_SEEDS: dict[str, tuple[int, ...]] = {"smoke": (0,), "quick": (0,), "full": tuple(range(5))}
"""Seeds of each mode; quick (every case, seed 0, default kernels) takes about 1.5 minutes on 2
CPU cores."""
MODE_MKL: dict[str, tuple[str, ...]] = {
    "smoke": ("default",),
    "quick": ("default",),
    "full": MKL_SETTINGS,
}
"""MKL_CBWR settings of each mode."""


@dataclass
class LearningSweepOptions(BenchOptions):
    """Settings of the learning sweep (smoke: one case, seed 0; quick: every case, seed 0, MKL
    default; full: seeds 0-4, all three MKL settings)."""

    cases: Annotated[tuple[str, ...], ALL] = ()
    """Learning cases to run; empty: all of them (smoke: hpo-target-regime)."""
    seeds: Annotated[tuple[int, ...], BY_MODE] = ()
    """Training seeds; empty: 0 (smoke and quick) or 0-4 (full)."""
    mkl: Annotated[tuple[str, ...], BY_MODE] = ()
    """MKL_CBWR settings (default, COMPATIBLE, AVX2); empty: default (quick) or all (full)."""
    cache_only: bool = False
    """Report from the cached runs only; a missing run is an error instead of being trained."""
    docs_page: str = ""
    """Docs page whose results block is rewritten (plot copied beside it); empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, valid in (("cases", tuple(LEARNING_CASES)), ("mkl", MKL_SETTINGS)):
            unknown = [k for k in getattr(self, name) if k not in valid]
            if unknown:
                raise ValueError(
                    f"LearningSweepOptions.{name} has unknown values {unknown}; valid ones "
                    f"are: {', '.join(valid)}"
                )
        if any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in self.seeds):
            raise ValueError(f"LearningSweepOptions.seeds must be ints >= 0, got {self.seeds}")

    def effective(self) -> LearningSweepOptions:
        """These options with the mode's defaults filled in where left empty."""
        values = asdict(self)
        smoke = self.mode == "smoke"
        values["cases"] = self.cases or (SMOKE_CASES if smoke else tuple(LEARNING_CASES))
        values["seeds"] = self.seeds or MODE_SEEDS[self.mode]
        values["mkl"] = self.mkl or MODE_MKL[self.mode]
        return LearningSweepOptions(**values)


def _missing(opts: LearningSweepOptions, cache: Path, mkl: str) -> list[tuple[str, int]]:
    return [
        (name, seed)
        for name in opts.cases
        for seed in opts.seeds
        if load_run(cache, name, LEARNING_CASES[name].task, mkl, seed) is None
    ]


@register_suite(
    "learning-sweep",
    LearningSweepOptions,
    "Every learning test over seeds and MKL kernel settings: pass rates against the thresholds",
)
def run(options: LearningSweepOptions) -> int:
    """Train the missing runs, then write ``learning-sweep.{json,md,png}``; 1 if any run failed."""
    opts = options.effective()
    torch.set_num_threads(1)  # what the workers use, so the recorded environment says so
    out = Path(opts.out_dir)
    cache = out / "cache"
    env_info = environment(opts.device)
    for mkl in opts.mkl:
        missing = _missing(opts, cache, mkl)
        if missing and opts.cache_only:
            print(f"error: {len(missing)} runs are not cached, e.g. {missing[0]} under {mkl}")
            return 2
        cases = sorted({name for name, _ in missing}, key=list(opts.cases).index)
        if cases:
            run_worker(cache, cases, sorted({seed for _, seed in missing}), mkl)
    env_info["load_average_end"] = load_average()
    summaries = []
    for name in opts.cases:
        case = LEARNING_CASES[name]
        runs: list[dict[str, Any]] = [
            run
            for mkl in opts.mkl
            for seed in opts.seeds
            if (run := load_run(cache, name, case.task, mkl, seed)) is not None
        ]
        summaries.append(summarize(case, runs))
    block = markdown(summaries, opts.mkl, environment_lines(env_info))
    write_json(
        out / "learning-sweep.json",
        {
            "suite": "learning-sweep",
            "settings": asdict(opts),
            "environment": env_info,
            "summaries": [asdict(s) for s in summaries],
        },
    )
    png = plot(summaries, opts.mkl, out / "learning-sweep.png")
    publish(block, out / "learning-sweep.md", png, opts.docs_page)
    failed = sum(s.total_runs - s.total_passed for s in summaries)
    return 1 if failed else 0

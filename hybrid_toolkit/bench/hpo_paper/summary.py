"""From runs to the reproduction's numbers: gaps, updates to target, medians over seeds.

**Updates to target** (the spec leaves the definition open; decided here): for a task, the
*best known cost* is the lowest dev cost of anything evaluated on it — the reference policies
and every run of every algorithm. A run's updates to target is the first evaluated update
count at which its dev cost is within ``target`` (10 %) of that, i.e.
``dev ≤ (1 + target) · best known``; a run that never gets there is censored at its update
budget. The reported value is the median over seeds (a censored median prints as ``> budget``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from hybrid_toolkit.bench.hpo_paper.runs import RunResult
from hybrid_toolkit.bench.hpo_paper.tasks import References, Task


def updates_to_target(curve: Sequence[tuple[int, float]], threshold: float) -> float:
    """First update count with dev cost ``≤ threshold``; ``inf`` if never."""
    for updates, cost in curve:
        if cost <= threshold:
            return float(updates)
    return math.inf


@dataclass
class AlgoSummary:
    """One algorithm on one task, over seeds.

    Attributes:
        algo: Algorithm name.
        seeds: Number of runs.
        best_dev: Median best dev cost.
        test: Median test cost of the best-dev weights.
        gap: ``test / reference test - 1`` of the median test cost.
        updates_to_target: Median updates to target (``inf``: censored).
        budget: Update budget of the runs.
        seconds_per_update: Median wall-clock seconds per update (evaluations included).
    """

    algo: str
    seeds: int
    best_dev: float
    test: float
    gap: float
    updates_to_target: float
    budget: int
    seconds_per_update: float


@dataclass
class TaskSummary:
    """Every algorithm on one task, with the reference and the target."""

    task: Task
    reference: References
    best_known: float
    threshold: float
    algos: dict[str, AlgoSummary]


def summarize(
    task: Task, reference: References, runs: Sequence[RunResult], target: float
) -> TaskSummary:
    """Aggregate the runs of one task (see the module docstring)."""
    best_known = min([reference.dev, *(r.best_dev for r in runs)])
    threshold = (1 + target) * best_known
    by_algo: dict[str, list[RunResult]] = {}
    for run in runs:
        by_algo.setdefault(run.algo, []).append(run)
    algos = {}
    for algo, members in by_algo.items():
        test = statistics.median(r.test for r in members)
        budget = int(members[0].settings.get("updates", 0))
        speed = statistics.median(r.wall_s / max(budget, 1) for r in members)
        algos[algo] = AlgoSummary(
            algo=algo,
            seeds=len(members),
            best_dev=statistics.median(r.best_dev for r in members),
            test=test,
            gap=test / reference.test - 1,
            updates_to_target=_censored_median(
                [updates_to_target(r.curve, threshold) for r in members]
            ),
            budget=budget,
            seconds_per_update=speed,
        )
    return TaskSummary(task, reference, best_known, threshold, algos)


def _censored_median(values: Sequence[float]) -> float:
    """The median, where ``inf`` (censored) values sort last; ``inf`` if the median is one."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    return math.inf if math.isinf(high) else (low + high) / 2


def format_updates(value: float, budget: int) -> str:
    """``123`` or ``> 1600`` for a censored median."""
    return f"> {budget}" if math.isinf(value) else f"{value:.0f}"

"""From runs to the reproduction's numbers: gaps, updates to target, medians and IQRs over seeds.

**Updates to target** (the spec leaves the definition open; decided here): for a task, the
*best known cost* is the lowest dev cost of anything evaluated on it — the reference policies
and every run of every algorithm. A run's updates to target is the first evaluated update
count at which its dev cost is within ``target`` (10 %) of that, i.e.
``dev ≤ (1 + target) · best known``; a run that never gets there is censored at its update
budget. The suite reports it for two targets (10 % and 5 % by default).

**Over seeds**: the median and the interquartile range (25th-75th percentile, linear
interpolation between order statistics — with 3 seeds, the midpoints of the lower and upper
pairs). A censored run sorts last; a quantile that touches a censored run is censored itself
(printed ``> budget``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hybrid_toolkit.algorithms.ppo.paper import paper_differences
from hybrid_toolkit.bench.hpo_paper.runs import ALGOS, RunResult, ablated_fields
from hybrid_toolkit.bench.hpo_paper.tasks import References, Task


def updates_to_target(curve: Sequence[tuple[int, float]], threshold: float) -> float:
    """First update count with dev cost ``≤ threshold``; ``inf`` if never."""
    for updates, cost in curve:
        if cost <= threshold:
            return float(updates)
    return math.inf


def censored_quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (linear interpolation), ``inf`` if it touches an ``inf`` value.

    Example:
        >>> censored_quantile([8.0, 16.0, 24.0], 0.25), censored_quantile([8.0, 16.0, 24.0], 0.5)
        (12.0, 16.0)
        >>> censored_quantile([8.0, 16.0, math.inf], 0.75)
        inf
    """
    if not values:
        raise ValueError("censored_quantile needs at least one value, got none")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q}")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = ordered[math.floor(position)], ordered[math.ceil(position)]
    if math.isinf(low) or math.isinf(high):
        return math.inf
    return low + (high - low) * (position - math.floor(position))


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of one quantity over seeds (``inf``: censored)."""

    median: float
    q25: float
    q75: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The spread of ``values``."""
        return cls(*(censored_quantile(values, q) for q in (0.5, 0.25, 0.75)))


@dataclass
class AlgoSummary:
    """One algorithm on one task, over seeds.

    Attributes:
        algo: Algorithm name.
        seeds: Number of runs.
        best_dev: Median best dev cost.
        test: Median test cost of the best-dev weights.
        gap: ``test / reference test - 1`` of the median test cost.
        updates_to_target: Median updates to the (10 %) target (``inf``: censored).
        budget: Update budget of the runs.
        seconds_per_update: Median wall-clock seconds per update (evaluations included).
        spreads: Median and IQR of ``best_dev``, ``test``, ``gap`` (per run, against the
            reference's test cost), ``updates`` (to the target) and ``updates_tight`` (to the
            tight target).
        per_seed: The per-run values behind ``spreads``, in seed order.
    """

    algo: str
    seeds: int
    best_dev: float
    test: float
    gap: float
    updates_to_target: float
    budget: int
    seconds_per_update: float
    spreads: dict[str, Spread]
    per_seed: dict[str, list[float]]


@dataclass
class TaskSummary:
    """Every algorithm on one task, with the reference and the targets."""

    task: Task
    reference: References
    best_known: float
    threshold: float
    algos: dict[str, AlgoSummary]
    tight_threshold: float = math.nan


def summarize(
    task: Task,
    reference: References,
    runs: Sequence[RunResult],
    target: float,
    tight_target: float = 0.05,
) -> TaskSummary:
    """Aggregate the runs of one task (see the module docstring)."""
    best_known = min([reference.dev, *(r.best_dev for r in runs)])
    threshold = (1 + target) * best_known
    tight = (1 + tight_target) * best_known
    by_algo: dict[str, list[RunResult]] = {}
    for run in runs:
        by_algo.setdefault(run.algo, []).append(run)
    algos = {}
    for algo, members in by_algo.items():
        members = sorted(members, key=lambda r: r.seed)
        budget = int(members[0].settings.get("updates", 0))
        per_seed = {
            "best_dev": [r.best_dev for r in members],
            "test": [r.test for r in members],
            "gap": [r.test / reference.test - 1 for r in members],
            "updates": [updates_to_target(r.curve, threshold) for r in members],
            "updates_tight": [updates_to_target(r.curve, tight) for r in members],
        }
        spreads = {name: Spread.of(values) for name, values in per_seed.items()}
        test = statistics.median(per_seed["test"])
        algos[algo] = AlgoSummary(
            algo=algo,
            seeds=len(members),
            best_dev=spreads["best_dev"].median,
            test=test,
            gap=test / reference.test - 1,
            updates_to_target=spreads["updates"].median,
            budget=budget,
            seconds_per_update=statistics.median(r.wall_s / max(budget, 1) for r in members),
            spreads=spreads,
            per_seed=per_seed,
        )
    return TaskSummary(task, reference, best_known, threshold, algos, tight)


def format_updates(value: float, budget: int) -> str:
    """``123`` or ``> 1600`` for a censored median."""
    return f"> {budget}" if math.isinf(value) else f"{value:.0f}"


def format_spread(spread: Spread, budget: int) -> str:
    """``56 [48, 64]`` (median [IQR]) of an update count, censored parts as ``> budget``."""
    parts = [format_updates(v, budget) for v in (spread.median, spread.q25, spread.q75)]
    return f"{parts[0]} [{parts[1]}, {parts[2]}]"


def faster_share(first: Sequence[float], second: Sequence[float]) -> float:
    """Share of run pairs (one of each) in which ``first`` needed fewer updates (ties: ½).

    The probability that a run of the first method beats a run of the second (the
    Mann-Whitney statistic over all pairs); censored runs (``inf``) tie with each other.

    Example:
        >>> faster_share([40.0, 48.0], [56.0, math.inf])
        1.0
        >>> faster_share([40.0], [40.0])
        0.5
    """
    if not first or not second:
        raise ValueError("faster_share needs runs of both methods")
    wins = sum(1.0 if a < b else 0.5 if a == b else 0.0 for a in first for b in second)
    return wins / (len(first) * len(second))


def verdict(first: Spread, second: Spread, share: float) -> str:
    """How the first method's updates to target compare with the second's.

    ``fewer`` / ``more`` when the interquartile ranges do not overlap, ``fewer (IQRs
    overlap)`` / ``more (IQRs overlap)`` when only the medians differ, ``level`` when the
    medians are equal; ``share`` (see :func:`faster_share`) is appended.
    """
    if first.median == second.median:
        word = "level"
    else:
        better = first.median < second.median
        separate = first.q75 < second.q25 if better else second.q75 < first.q25
        word = ("fewer" if better else "more") + ("" if separate else " (IQRs overlap)")
    return f"{word}, {100 * share:.0f} % of pairs faster"


@dataclass(frozen=True)
class AblationRow:
    """One ``ppo_paper-<field>[+<field>…]`` run set on one task, beside the two PPOs it lies
    between.

    Attributes:
        fields: The ``PAPER_SWITCHES`` fields set back to this library's values.
        paper: Their values in the paper's PPO, in ``fields`` order.
        ours: Their values in this library's PPO (the ablation's).
        ablation: The ablation's summary.
        paper_ppo: ``ppo_paper`` on the task, if run.
        our_ppo: ``ppo`` on the task, if run.
    """

    fields: tuple[str, ...]
    paper: tuple[Any, ...]
    ours: tuple[Any, ...]
    ablation: AlgoSummary
    paper_ppo: AlgoSummary | None
    our_ppo: AlgoSummary | None


def ablation_rows(summary: TaskSummary) -> list[AblationRow]:
    """The task's ablation runs in ``ALGOS`` order: one field at a time in ``PAPER_SWITCHES``
    order, then the fields set back together."""
    differences = paper_differences(f"paper-{summary.task.family}")
    paper, ours = summary.algos.get("ppo_paper"), summary.algos.get("ppo")
    rows = []
    for algo in ALGOS:
        fields, ablation = ablated_fields(algo), summary.algos.get(algo)
        if fields and ablation is not None and all(f in differences for f in fields):
            switched = [differences[f] for f in fields]
            rows.append(
                AblationRow(
                    fields,
                    tuple(d.paper for d in switched),
                    tuple(d.ours for d in switched),
                    ablation,
                    paper,
                    ours,
                )
            )
    return rows


def median_change(first: AlgoSummary, second: AlgoSummary) -> str:
    """How many updates to target ``first``'s median needs more (``+``) or fewer (``−``) than
    ``second``'s, with the ratio; a censored median bounds the change by its budget.

    Example:
        >>> def at(median: float) -> AlgoSummary:
        ...     spread = Spread(median, median, median)
        ...     return AlgoSummary("a", 3, 0, 0, 0, median, 400, 0, {"updates": spread}, {})
        >>> median_change(at(96), at(128)), median_change(at(math.inf), at(320))
        ('−32 (×0.75)', '> +80')
        >>> median_change(at(96), at(math.inf)), median_change(at(math.inf), at(math.inf))
        ('< −304', 'both > budget')
    """
    a, b = first.spreads["updates"].median, second.spreads["updates"].median
    if math.isinf(a) and math.isinf(b):
        return "both > budget"
    if math.isinf(a):
        return f"> {_signed(first.budget - b)}"
    if math.isinf(b):
        return f"< {_signed(a - second.budget)}"
    return _signed(a - b) + (f" (×{a / b:.2f})" if b > 0 else "")


def _signed(value: float) -> str:
    return f"+{value:.0f}" if value > 0 else f"−{-value:.0f}" if value < 0 else "±0"

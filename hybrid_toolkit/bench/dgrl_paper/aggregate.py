"""Statistics over seeds of ``bench dgrl-paper`` runs: medians, quartiles, paper-style gaps.

The paper (App. E.3) reports, per method, the mean, median and standard deviation over seeds of
each run's **peak** evaluation return, and the percentage difference of the median against DNC
and against Cacla. :func:`summarize` computes the same from run records (plus the final return
and the inter-quartile ranges), :func:`percent_vs` the paper's percentage column.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hybrid_toolkit.bench.quartiles import Quartiles, quartiles


@dataclass(frozen=True)
class Summary:
    """One method on one environment, over seeds."""

    seeds: tuple[int, ...]
    peak: Quartiles
    """Of each run's best evaluation return (the paper's statistic)."""
    peak_mean: float
    peak_std: float
    """Sample standard deviation (0 for one seed), as the paper reports."""
    final: Quartiles
    """Of each run's last evaluation return."""
    final_solved: float | None
    """Median over seeds of the solved share of the last evaluation (``None``: no goal)."""
    train_return: float | None
    """Median over seeds of the mean return of each run's last 100 training episodes (with
    exploration); ``None`` when no run recorded it (runs migrated from older scripts)."""
    cpu_minutes: float
    """Median CPU minutes per run."""
    sampled: SampledSummary | None = None
    """The exploring policy's evaluations (``None``: runs without ``--sampled-eval``)."""


@dataclass(frozen=True)
class SampledSummary:
    """The sampled (exploring-policy) evaluations of runs made with ``--sampled-eval``."""

    peak: Quartiles
    """Of each run's best sampled evaluation return."""
    final: Quartiles
    """Of each run's last sampled evaluation return."""
    final_solved: float | None
    """Median over seeds of the solved share of the last sampled evaluation."""


@dataclass(frozen=True)
class NotApplicable:
    """A method that does not run on an environment, and why (shown as n/a)."""

    reason: str


def summarize(records: Sequence[dict[str, Any]]) -> Summary:
    """Peak and final statistics over the runs ``records`` (one per seed).

    Raises:
        ValueError: No records, or a record without evaluations.
    """
    if not records:
        raise ValueError("summarize needs at least one run record, got none")
    for record in records:
        if not record["curve"]:
            raise ValueError(f"run with seed {record['seed']} has no evaluations")
    peaks = [max(p["return"] for p in r["curve"]) for r in records]
    finals = [r["curve"][-1]["return"] for r in records]
    solved = [r["curve"][-1]["solved"] for r in records if "solved" in r["curve"][-1]]
    train = [r["train_return"] for r in records if r.get("train_return") is not None]
    return Summary(
        seeds=tuple(int(r["seed"]) for r in records),
        peak=quartiles(peaks),
        peak_mean=statistics.fmean(peaks),
        peak_std=statistics.stdev(peaks) if len(peaks) > 1 else 0.0,
        final=quartiles(finals),
        final_solved=statistics.median(solved) if solved else None,
        train_return=statistics.median(train) if train else None,
        cpu_minutes=statistics.median(r["cpu_seconds"] for r in records) / 60,
        sampled=_sampled(records),
    )


def has_sampled(records: Sequence[dict[str, Any]]) -> bool:
    """Whether every evaluation of every run also evaluated the sampled policy."""
    return all("sampled_return" in p for r in records for p in r["curve"])


def _sampled(records: Sequence[dict[str, Any]]) -> SampledSummary | None:
    """Statistics of the sampled evaluations, when every run has them."""
    if not has_sampled(records):
        return None
    last = [r["curve"][-1] for r in records]
    solved = [p["sampled_solved"] for p in last if "sampled_solved" in p]
    return SampledSummary(
        peak=quartiles([max(p["sampled_return"] for p in r["curve"]) for r in records]),
        final=quartiles([p["sampled_return"] for p in last]),
        final_solved=statistics.median(solved) if len(solved) == len(records) else None,
    )


def percent_vs(value: float, reference: float) -> float:
    """The paper's percentage difference ``100 (value - reference) / |reference|``.

    ``nan`` when the reference is 0 (the paper's table then shows huge numbers instead).
    """
    if reference == 0:
        return math.nan
    return 100.0 * (value - reference) / abs(reference)


def curve_quartiles(
    records: Sequence[dict[str, Any]], key: str = "return"
) -> tuple[list[int], list[Quartiles]]:
    """Evaluation steps and the quartiles over seeds of the curve points' ``key`` (``return``
    or ``sampled_return``) at each, up to the shortest curve."""
    length = min(len(r["curve"]) for r in records)
    steps = [int(p["steps"]) for p in records[0]["curve"][:length]]
    stats = [quartiles([r["curve"][i][key] for r in records]) for i in range(length)]
    return steps, stats

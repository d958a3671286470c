"""Medians and inter-quartile ranges over seeds, the statistic every benchmark table reports."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Quartiles:
    """Median and inter-quartile range of a sample (inclusive method)."""

    median: float
    q25: float
    q75: float

    def cell(self, digits: int = 2) -> str:
        """``median [q25, q75]`` for a Markdown table."""
        return f"{self.median:.{digits}f} [{self.q25:.{digits}f}, {self.q75:.{digits}f}]"


def quartiles(values: Sequence[float]) -> Quartiles:
    """Median and quartiles of ``values`` (one value is its own median and quartiles).

    Raises:
        ValueError: ``values`` is empty.
    """
    if not values:
        raise ValueError("quartiles needs at least one value, got none")
    if len(values) == 1:
        return Quartiles(values[0], values[0], values[0])
    q25, median, q75 = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(median, q25, q75)

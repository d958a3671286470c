"""Pass rates of the learning sweep: a Markdown table and a plot of every score against its
threshold."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.learning.cases import LearningCase


@dataclass
class CaseSummary:
    """Scores of one case over seeds, per MKL setting."""

    case: str
    task: str
    score_name: str
    threshold: float
    chance: float
    higher_is_better: bool
    scores: dict[str, list[float]]
    """MKL setting -> scores in seed order."""
    passed: dict[str, int]
    """MKL setting -> number of seeds that met the threshold."""

    @property
    def total_passed(self) -> int:
        """Runs that met the threshold, over every MKL setting."""
        return sum(self.passed.values())

    @property
    def total_runs(self) -> int:
        """Runs, over every MKL setting."""
        return sum(len(s) for s in self.scores.values())

    @property
    def worst(self) -> float:
        """The score furthest on the wrong side (the one a threshold has to allow for)."""
        every = [s for scores in self.scores.values() for s in scores]
        return min(every) if self.higher_is_better else max(every)


def summarize(case: LearningCase, runs: Sequence[dict[str, Any]]) -> CaseSummary:
    """Group the cached runs of ``case`` by MKL setting (each list in seed order)."""
    scores: dict[str, list[float]] = {}
    passed: dict[str, int] = {}
    for run in sorted(runs, key=lambda r: (r["mkl"], r["seed"])):
        scores.setdefault(run["mkl"], []).append(float(run["score"]))
        passed[run["mkl"]] = passed.get(run["mkl"], 0) + int(case.passes(float(run["score"])))
    return CaseSummary(
        case.name,
        case.task,
        case.score_name,
        case.threshold,
        case.chance,
        case.higher_is_better,
        scores,
        passed,
    )


def markdown(summaries: Sequence[CaseSummary], mkl: Sequence[str], env_lines: list[str]) -> str:
    """The results table: pass counts per MKL setting, worst and median score, threshold."""
    head = " | ".join(f"MKL_CBWR={m}" if m != "default" else "MKL default" for m in mkl)
    lines = [
        f"| case | task | score | threshold | chance | {head} | worst | median |",
        "|---|---|---|---|---|" + "---|" * len(mkl) + "---|---|",
    ]
    for s in summaries:
        every = [x for scores in s.scores.values() for x in scores]
        cells = " | ".join(f"{s.passed.get(m, 0)}/{len(s.scores.get(m, []))}" for m in mkl)
        relation = "≥" if s.higher_is_better else "≤"
        lines.append(
            f"| `{s.case}` | {s.task} | {s.score_name} | {relation} {s.threshold:g} | "
            f"{s.chance:g} | {cells} | {s.worst:.3f} | {statistics.median(every):.3f} |"
        )
    passed = sum(s.total_passed for s in summaries)
    runs = sum(s.total_runs for s in summaries)
    return "\n".join(
        [
            f"**{passed} of {runs} runs met their threshold** "
            f"({len(summaries)} cases; pass counts are seeds per MKL setting).",
            "",
            *lines,
            "",
            "Measured on:",
            "",
            *env_lines,
            "",
        ]
    )


def plot(summaries: Sequence[CaseSummary], mkl: Sequence[str], path: Path) -> Path:
    """Every run's score divided by its threshold, one row per case (1 is the threshold)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.35 * len(summaries) + 1.2))
    markers = dict(zip(("default", "COMPATIBLE", "AVX2"), "o^s", strict=True))
    colors = dict(zip(("default", "COMPATIBLE", "AVX2"), ("C0", "C1", "C2"), strict=True))
    for row, s in enumerate(summaries):
        for offset, m in enumerate(mkl):
            ratio = [x / s.threshold if s.threshold else x for x in s.scores.get(m, [])]
            if not s.higher_is_better:
                ratio = [1 / r if r else float("inf") for r in ratio]
            y = [row + 0.2 * (offset - 1)] * len(ratio)
            label = (m if m != "default" else "MKL default") if row == 0 else None
            marker, color = markers.get(m, "x"), colors.get(m, "C3")
            ax.scatter(ratio, y, marker=marker, color=color, s=18, alpha=0.8, label=label)
    ax.axvline(1.0, color="black", lw=1)
    ax.set_yticks(range(len(summaries)), [s.case for s in summaries], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("score / threshold (right of the line passes)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

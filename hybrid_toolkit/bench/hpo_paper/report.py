"""Markdown tables and PNG plots of the reproduction (written next to the JSON results)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.hpo_paper.cross_term import PIECES, CrossTermResult, bucket_rows
from hybrid_toolkit.bench.hpo_paper.estimator_check import EstimatorCheck
from hybrid_toolkit.bench.hpo_paper.runs import ALGOS, RunResult, ablated_fields
from hybrid_toolkit.bench.hpo_paper.summary import (
    Spread,
    TaskSummary,
    ablation_rows,
    faster_share,
    format_spread,
    format_updates,
    median_change,
    verdict,
)

ALGO_LABELS: dict[str, str] = {
    "hpo": "HPO (paper's inputs)",
    "hpo_declared": "HPO (declared inputs)",
    "hpo_decentralized": "HPO (decentralized)",
    "hpo_low_entropy": "HPO (entropy 0.01)",
    "ppo": "PPO (this library's)",
    "ppo_paper": "PPO (paper's)",
    "ppo_low_entropy": "PPO (entropy 0.01)",
    **{
        algo: "PPO (paper's), ours: " + " + ".join(ablated_fields(algo))
        for algo in ALGOS
        if ablated_fields(algo)
    },
}
COLORS: dict[str, str] = {
    "hpo": "tab:blue",
    "hpo_declared": "tab:purple",
    "hpo_decentralized": "tab:green",
    "hpo_low_entropy": "tab:cyan",
    "ppo": "tab:orange",
    "ppo_paper": "tab:brown",
    "ppo_low_entropy": "tab:red",
}
# one colour per ablation of the paper's PPO (every seed of an algorithm shares its colour)
_ABLATION_COLORS = ("tab:pink", "tab:olive", "gold", "navy", "teal", "magenta", "yellowgreen",
                    "sienna", "slateblue", "black")  # fmt: skip
COLORS.update(zip([a for a in ALGOS if ablated_fields(a)], _ABLATION_COLORS, strict=True))


def _cell(spread: Spread, seeds: int, fmt: str) -> str:
    """``median`` or, over several seeds, ``median [q25, q75]``."""
    if seeds < 2:
        return format(spread.median, fmt)
    return f"{spread.median:{fmt}} [{spread.q25:{fmt}}, {spread.q75:{fmt}}]"


def results_table(summaries: Sequence[TaskSummary], target: float, tight_target: float) -> str:
    """One row per (task, algorithm): dev/test cost, gap to the reference, updates to both
    targets; over several seeds every cell is ``median [interquartile range]``."""
    lines = [
        "| task | reference (test) | algorithm | seeds | best dev | test | gap to reference "
        f"| updates to within {100 * target:.0f} % | to within {100 * tight_target:.0f} % "
        "| s / update |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        task, ref = s.task.label, f"{s.reference.name}: {s.reference.test:.4g}"
        for algo, a in s.algos.items():
            sp = a.spreads
            gap = Spread(*(100 * v for v in (sp["gap"].median, sp["gap"].q25, sp["gap"].q75)))
            updates = [sp["updates"], sp["updates_tight"]]
            counts = [
                format_spread(u, a.budget) if a.seeds > 1 else format_updates(u.median, a.budget)
                for u in updates
            ]
            lines.append(
                f"| {task} | {ref} | {ALGO_LABELS.get(algo, algo)} | {a.seeds} "
                f"| {_cell(sp['best_dev'], a.seeds, '.4g')} | {_cell(sp['test'], a.seeds, '.4g')} "
                f"| {_cell(gap, a.seeds, '+.2f')} % | {counts[0]} | {counts[1]} "
                f"| {a.seconds_per_update:.2f} |"
            )
            task = ref = ""
    return "\n".join(lines)


HPO_VARIANTS = ("hpo_declared", "hpo")
PPO_VARIANTS = ("ppo", "ppo_paper")


def comparison_table(summaries: Sequence[TaskSummary], target: float) -> str:
    """Per task: does each HPO need fewer updates to the target than each PPO?

    Cells: the verdict of :func:`~hybrid_toolkit.bench.hpo_paper.summary.verdict` and the
    ratio of median updates (HPO / PPO; below 1: HPO faster). Empty when a task lacks a pair.
    """
    pairs = [
        (h, p)
        for h in HPO_VARIANTS
        for p in PPO_VARIANTS
        if any(h in s.algos and p in s.algos for s in summaries)
    ]
    if not pairs:
        return ""
    head = " | ".join(f"{ALGO_LABELS[h]} vs {ALGO_LABELS[p]}" for h, p in pairs)
    lines = [f"| task | {head} |", "|---|" + "---|" * len(pairs)]
    for s in summaries:
        cells = []
        for h, p in pairs:
            if h not in s.algos or p not in s.algos:
                cells.append("–")
                continue
            a, b = s.algos[h], s.algos[p]
            share = faster_share(a.per_seed["updates"], b.per_seed["updates"])
            text = verdict(a.spreads["updates"], b.spreads["updates"], share)
            ua, ub = a.spreads["updates"].median, b.spreads["updates"].median
            ratio = "" if math.isinf(ua) or math.isinf(ub) else f" (×{ua / ub:.2f})"
            cells.append(text + ratio)
        lines.append(f"| {s.task.label} | " + " | ".join(cells) + " |")
    note = (
        f"\n\nUpdates to within {100 * target:.0f} % of the best known cost; "
        '"fewer" means the interquartile ranges over seeds do not overlap, '
        '"% of pairs faster" is the share of (HPO run, PPO run) pairs in which the HPO run '
        "got there first, and ×r the ratio of the medians."
    )
    return "\n".join(lines) + note


def ablation_table(summaries: Sequence[TaskSummary], target: float) -> str:
    """Per task, one row per ``ppo_paper-<field>`` run: the field's two values, the updates to
    the target (median [IQR] over seeds) and the change of the median against the paper's PPO
    and ours (see :func:`~hybrid_toolkit.bench.hpo_paper.summary.median_change`). Empty when
    no ablation was run."""
    head = (
        "| task | set back to ours | paper's value | ours "
        f"| updates to within {100 * target:.0f} % | vs {ALGO_LABELS['ppo_paper']} "
        f"| vs {ALGO_LABELS['ppo']} | seeds |"
    )
    lines = [head, "|---|---|---|---|---:|---:|---:|---:|"]
    for s in summaries:
        task = s.task.label
        for row in ablation_rows(s):
            a = row.ablation
            updates = a.spreads["updates"]
            count = (
                format_spread(updates, a.budget)
                if a.seeds > 1
                else format_updates(updates.median, a.budget)
            )
            changes = [
                "–" if other is None else median_change(a, other)
                for other in (row.paper_ppo, row.our_ppo)
            ]
            names, paper, ours = (
                ", ".join(_code(v) for v in values) for values in (row.fields, row.paper, row.ours)
            )
            lines.append(
                f"| {task} | {names} | {paper} | {ours} | {count} "
                f"| {changes[0]} | {changes[1]} | {a.seeds} |"
            )
            task = ""
    if len(lines) == 2:
        return ""
    note = (
        "\n\nEach row is the paper's PPO with one difference (or the listed ones together) set "
        "back to this library's value; "
        f"updates to within {100 * target:.0f} % of the best known cost; the changes compare "
        "medians over seeds (− : fewer updates than that PPO; > / < : a censored median, "
        "bounded by the budget)."
    )
    return "\n".join(lines) + note


def _code(value: object) -> str:
    """A config value as inline code (the empty string as ``""``)."""
    return f"`{value}`" if value != "" else '`""`'


def cross_term_table(result: CrossTermResult, width: float) -> str:
    """Alignment and noise of each piece by optimality-gap bucket."""
    head = " | ".join(f"alignment: {p}" for p in PIECES)
    noise = " | ".join(f"noise: {p}" for p in PIECES)
    lines = [
        f"| gap bucket | measurements | {head} | {noise} |",
        "|---|---:|" + "---:|" * (2 * len(PIECES)),
    ]
    for row in bucket_rows(result, width):
        cells = [f"{row[f'alignment_{p}']:.3f}" for p in PIECES]
        cells += [f"{row[f'noise_{p}']:.3g}" for p in PIECES]
        lines.append(
            f"| [{row['low']:g}, {row['high']:g}) | {row['count']:.0f} | "
            + " | ".join(cells)
            + " |"
        )
    if result.jacobian_share:
        shares = ", ".join(f"{share:.3f}" for share in result.jacobian_share)
        lines.append(f"\nTop singular direction's share of ∂u(s)/∂θ_c per run: {shares}.")
    return "\n".join(lines)


def estimator_table(check: EstimatorCheck) -> str:
    """The small problem's measured estimator properties."""
    return "\n".join(
        [
            "| quantity | value |",
            "|---|---:|",
            f"| policy parameters | {check.parameters} |",
            f"| estimates × scenarios each | {check.estimates} × {check.batch} |",
            f"| mixed estimator: largest \\|z\\| against the exact gradient "
            f"| {check.max_z_full:.2f} (threshold {check.z_threshold:.2f}) |",
            f"| mixed estimator: ‖standard error‖ / ‖∇J‖ | {check.relative_se:.4f} |",
            f"| cross term: ‖E[cross]‖ / ‖∂J/∂θ_c‖ (decentralized relative bias) "
            f"| {check.cross_share:.3f} |",
            f"| ‖E[pathwise]‖ / ‖∂J/∂θ_c‖ | {check.pathwise_share:.3f} |",
            f"| cosine(E[pathwise], ∂J/∂θ_c): direction of the decentralized estimate "
            f"| {check.decentralized_cosine:.3f} |",
            f"| decentralized estimator: largest \\|z\\| against ∂J/∂θ_c "
            f"| {check.max_z_decentralized:.1f} |",
        ]
    )


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _scaling_panel(ax: Any, summaries: Sequence[TaskSummary], family: str, metric: str) -> None:
    """One metric (``updates``, ``updates_tight`` or ``gap``) against n: medians with IQR bars;
    a censored median is drawn at the budget as an open triangle."""
    groups: dict[tuple[str, int], list[TaskSummary]] = {}
    for s in summaries:
        if s.task.family == family:
            for algo in s.algos:
                groups.setdefault((algo, s.task.modes), []).append(s)
    for (algo, modes), members in sorted(groups.items()):
        xs, ys, lows, highs, censored = [], [], [], [], []
        for m in members:
            a = m.algos[algo]
            scale = 100.0 if metric == "gap" else 1.0
            sp = a.spreads[metric]
            cap = float(a.budget)
            med, q25, q75 = (scale * min(v, cap) for v in (sp.median, sp.q25, sp.q75))
            xs.append(m.task.continuous_dim)
            ys.append(med)
            lows.append(med - q25)
            highs.append(q75 - med)
            censored.append(math.isinf(sp.median))
        label = ALGO_LABELS.get(algo, algo) + (f", M={modes}" if family == "lqr" else "")
        color = COLORS.get(algo)
        ax.errorbar(xs, ys, yerr=[lows, highs], fmt="-o" if modes <= 2 else "--o", color=color,
                    label=label, capsize=3, ms=4)  # fmt: skip
        cx = [x for x, c in zip(xs, censored, strict=True) if c]
        cy = [y for y, c in zip(ys, censored, strict=True) if c]
        ax.scatter(cx, cy, marker="^", s=80, facecolors="white", edgecolors=color, zorder=3)
    ax.set_xscale("log")
    ax.set_xlabel("continuous action dimension n")
    ax.grid(alpha=0.3)


def plot_updates_to_target(
    summaries: Sequence[TaskSummary], path: Path, target: float, tight_target: float = 0.05
) -> None:
    """Per family (one row each): median updates to both targets and the test gap to the
    reference policy against n, with interquartile-range bars over seeds."""
    plt = _pyplot()
    families = [f for f in ("jrp", "lqr") if any(s.task.family == f for s in summaries)]
    metrics = {
        "updates": f"updates to within {100 * target:.0f} % of best known",
        "updates_tight": f"updates to within {100 * tight_target:.0f} % of best known",
        "gap": "test cost vs reference policy (%)",
    }
    fig, axes = plt.subplots(
        len(families), len(metrics), figsize=(15, 4 * len(families)), squeeze=False
    )
    for row, family in zip(axes, families, strict=True):
        for ax, (metric, ylabel) in zip(row, metrics.items(), strict=True):
            _scaling_panel(ax, summaries, family, metric)
            ax.set_ylabel(ylabel)
            name = "joint replenishment" if family == "jrp" else "switched LQR"
            ax.set_title(f"{name}: median and IQR over seeds", fontsize=10)
            if metric == "gap":
                ax.axhline(0.0, color="black", lw=1, ls=":")
        row[0].legend(fontsize=8)
    fig.text(0.01, 0.01, "open triangles: budget reached without hitting the target", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def drawn_algorithms(runs: dict[str, list[RunResult]]) -> list[str]:
    """The algorithms with at least one curve in ``runs``, in the legend's order.

    Example:
        >>> ppo = RunResult("t", "ppo", 0, [(8, 1.0)], 1.0, 1.0, 1.0, {})
        >>> hpo = RunResult("t", "hpo", 0, [(8, 1.0)], 1.0, 1.0, 1.0, {})
        >>> drawn_algorithms({"t": [ppo, hpo]})
        ['hpo', 'ppo']
    """
    drawn = {run.algo for task_runs in runs.values() for run in task_runs}
    return [a for a in [*COLORS, *sorted(drawn - COLORS.keys())] if a in drawn]


def plot_dev_curves(
    summaries: Sequence[TaskSummary], runs: dict[str, list[RunResult]], path: Path
) -> None:
    """Dev cost against updates (every seed), with the reference and the target line."""
    plt = _pyplot()
    cols = min(3, len(summaries))
    rows = math.ceil(len(summaries) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    for ax, s in zip(axes.flat, summaries, strict=False):
        for run in runs[s.task.key]:
            xs = [u for u, _ in run.curve]
            ys = [c for _, c in run.curve]
            ax.plot(xs, ys, color=COLORS.get(run.algo), alpha=0.8, lw=1.2)
        ax.axhline(s.reference.dev, color="black", lw=1, ls=":", label=s.reference.name)
        ax.axhline(s.threshold, color="gray", lw=1, ls="--", label="target")
        low = min(s.best_known, s.reference.dev)
        ax.set_ylim(low * 0.97, low * 1.6)
        ax.set_title(s.task.label, fontsize=10)
        ax.set_xlabel("updates")
        ax.set_ylabel("dev cost")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(summaries) :]:
        ax.axis("off")
    handles = [
        plt.Line2D([], [], color=COLORS.get(a), label=ALGO_LABELS.get(a, a))
        for a in drawn_algorithms(runs)
    ]
    handles += [plt.Line2D([], [], color="black", ls=":", label="best reference policy")]
    handles += [plt.Line2D([], [], color="gray", ls="--", label="target")]
    # Only the curves drawn, in as many columns as fit the figure's width; the saved image
    # grows to hold the legend rather than clipping it.
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8,
               ncol=max(1, min(len(handles), 2 * cols)))  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_cross_term(result: CrossTermResult, path: Path) -> None:
    """Alignment of each piece against the optimality gap (one point per measurement)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    gaps = [m.gap for m in result.measurements]
    for piece, color in zip(PIECES, ("tab:blue", "tab:red", "tab:purple"), strict=True):
        ax.plot(gaps, [m.alignment[piece] for m in result.measurements], "o", color=color,
                label=piece, alpha=0.8)  # fmt: skip
    ax.set_xlabel("optimality gap of the discrete policy (current cost − best in run)")
    ax.set_ylabel("alignment of two independent estimates")
    ax.set_xscale("symlog", linthresh=1.0)  # gaps span 0.01 to hundreds
    ax.set_ylim(-1.05, 1.05)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

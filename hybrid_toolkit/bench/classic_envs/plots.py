"""The classic-envs suite's figures: Table 2's metric per case and algorithm (bars), and the
learning curves of the runs that recorded one (the ``reference`` recipe set)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.classic_envs.report import COLOURS, LABELS, Records, table2_value


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bars(records: Records, cases: dict[str, Any], path: Path) -> None:
    """Table 2's metric per env: a bar per algorithm (median over seeds), its seeds as dots,
    the paper's HyAR-TD3 as a black mark and its H-PPO as a grey one."""
    plt = _pyplot()
    names = list(cases)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    width = 0.26
    for j, algo in enumerate(LABELS):
        for i, name in enumerate(names):
            runs = records.get(algo, {}).get(name, [])
            if not runs:
                continue
            values = [table2_value(r, cases[name].metric) for r in runs]
            x = i + (j - 1) * width
            label = LABELS[algo] if i == names.index(_first_with(records, algo, names)) else None
            ax.bar(
                x, statistics.median(values), width, color=COLOURS[algo], alpha=0.75, label=label
            )
            ax.scatter([x] * len(values), values, color="black", s=10, zorder=3)
    paper_marks = (
        ("table2_hyar", "black", "-", "Table 2 HyAR-TD3"),
        ("table2_hppo", "grey", "--", "Table 2 H-PPO"),
    )
    for i, name in enumerate(names):
        for column, colour, style, label in paper_marks:
            ax.hlines(
                getattr(cases[name], column),
                i - 1.5 * width,
                i + 1.5 * width,
                color=colour,
                lw=2,
                ls=style,
                label=label if i == 0 else "_nolegend_",
            )
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("success rate (Platform: normalised return)")
    ax.set_ylim(0, 1.05)
    ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 1.13))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _first_with(records: Records, algo: str, names: list[str]) -> str:
    return next((n for n in names if records.get(algo, {}).get(n)), names[0])


def _thousands(x: float, _position: int) -> str:
    return f"{x / 1000:.0f}k" if x else "0"


def curves(records: Records, running: Records, cases: dict[str, Any], path: Path) -> bool:
    """Table 2's metric against environment steps, one panel per case that has a curve (a case
    whose metric is the normalised return, Platform, gets a second panel with the success rate,
    which a high return does not imply): every seed a line (dashed: unfinished), the paper's
    HyAR-TD3 as a black line. Returns whether anything was drawn (no figure is written when no
    run has a curve)."""
    names = [
        name
        for name in cases
        if any(
            "curve" in r
            for source in (records, running)
            for runs in source.values()
            for r in runs.get(name, [])
        )
    ]
    if not names:
        return False
    panels = [(n, m) for n in names for m in dict.fromkeys((cases[n].metric, "success"))]
    plt = _pyplot()
    columns = min(len(panels), 4)
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    for ax, (name, metric) in zip(axes.flat, panels, strict=False):
        for algo in LABELS:
            finished = [(r, "-") for r in records.get(algo, {}).get(name, []) if "curve" in r]
            unfinished = [(r, "--") for r in running.get(algo, {}).get(name, [])]
            for k, (run, style) in enumerate(finished + unfinished):
                steps = [p["timesteps"] for p in run["curve"]]
                values = [table2_value(p, metric) for p in run["curve"]]
                label = LABELS[algo] if k == 0 else None
                ax.plot(steps, values, style, color=COLOURS[algo], lw=1.2, alpha=0.8, label=label)
        if metric == cases[name].metric:
            ax.axhline(cases[name].table2_hyar, color="black", lw=1.5, label="Table 2 HyAR-TD3")
        what = "normalised return" if metric == "return" else "success rate"
        ax.set_title(name if metric == cases[name].metric == "success" else f"{name} ({what})")
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("environment steps", fontsize=8)
        ax.xaxis.set_major_formatter(_thousands)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("success rate (or return, as titled)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True

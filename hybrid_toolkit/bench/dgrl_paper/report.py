"""The Markdown tables and learning-curve plots of ``bench dgrl-paper``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.dgrl_paper.aggregate import Summary, curve_quartiles, percent_vs
from hybrid_toolkit.bench.dgrl_paper.grid import ENV_CASES, METHODS, PAPER_RESULTS

Results = dict[str, dict[str, list[dict[str, Any]]]]
"""Env key → method key → run records (one per seed)."""


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:+.0f} %"


def ours_table(summaries: dict[str, dict[str, Summary]]) -> list[str]:
    """Our results: peak and final median [IQR] over seeds, percentage gaps, cost."""
    lines = [
        "| environment | method | seeds | peak return | vs DNC | vs Cacla | final return "
        "| solved (final) | training return | CPU min / run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for env_key, by_method in summaries.items():
        dnc, cacla = by_method.get("dnc"), by_method.get("cacla")
        for method_key, s in by_method.items():
            vs_dnc = percent_vs(s.peak.median, dnc.peak.median) if dnc else math.nan
            vs_cacla = percent_vs(s.peak.median, cacla.peak.median) if cacla else math.nan
            solved = "–" if s.final_solved is None else f"{s.final_solved:.0%}"
            train = "–" if s.train_return is None else f"{s.train_return:.2f}"
            lines.append(
                f"| {ENV_CASES[env_key].label} | {METHODS[method_key].label} | {len(s.seeds)} "
                f"| {s.peak.cell()} | {_pct(vs_dnc)} | {_pct(vs_cacla)} | {s.final.cell()} "
                f"| {solved} | {train} | {s.cpu_minutes:.1f} |"
            )
    return lines


def paper_table(env_keys: list[str], method_keys: list[str]) -> list[str]:
    """The paper's App. E.3 rows for the configurations our environments stand in for."""
    lines = [
        "| paper configuration | method | peak mean | peak median | std | vs DNC | vs Cacla |",
        "|---|---|---|---|---|---|---|",
    ]
    shown = dict.fromkeys(key for env in env_keys for key in ENV_CASES[env].paper)
    for key in shown:
        label, rows = PAPER_RESULTS[key]
        for method_key in method_keys:
            row = rows.get(method_key)
            if row is None:
                continue
            vs_dnc = percent_vs(row.median, rows["dnc"].median)
            vs_cacla = percent_vs(row.median, rows["cacla"].median)
            lines.append(
                f"| {label} | {METHODS[method_key].label} | {row.mean:.2f} | {row.median:.2f} "
                f"| {row.std:.2f} | {_pct(vs_dnc)} | {_pct(vs_cacla)} |"
            )
    return lines


def plot_curves(results: Results, path: Path) -> Path:
    """Learning curves: median (line) and IQR (band) over seeds, one panel per environment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = list(results)
    fig, axes = plt.subplots(1, len(envs), figsize=(4.8 * len(envs), 3.6), squeeze=False)
    for ax, env_key in zip(axes[0], envs, strict=True):
        for method_key, records in results[env_key].items():
            steps, stats = curve_quartiles(records)
            (line,) = ax.plot(
                steps, [s.median for s in stats], marker=".", label=METHODS[method_key].label
            )
            ax.fill_between(
                steps,
                [s.q25 for s in stats],
                [s.q75 for s in stats],
                alpha=0.2,
                color=line.get_color(),
            )
        ax.set_title(ENV_CASES[env_key].label, fontsize=10)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("greedy evaluation return")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(
    summaries: dict[str, dict[str, Summary]],
    protocols: dict[str, dict[str, Any]],
    environment_lines: list[str],
    mode: str,
) -> str:
    """The results block of the docs page: settings, our table, the paper's, the plot."""
    budget = [
        f"- {ENV_CASES[env].label} (`{ENV_CASES[env].env_id}`): {p['steps']:,} steps per run, "
        f"greedy evaluation every {p['eval_every']:,} steps on {p['eval_episodes']} episodes"
        + (" from the evaluation start" if ENV_CASES[env].eval_overrides else "")
        for env, p in protocols.items()
    ]
    methods = list(dict.fromkeys(m for by_method in summaries.values() for m in by_method))
    return "\n".join(
        [
            f"Mode `{mode}`.",
            "",
            *environment_lines,
            *budget,
            "",
            "**Ours** — median [inter-quartile range] over seeds; *peak* is each run's best "
            "evaluation (the paper's statistic), *final* its last; the percentage columns "
            "compare peak medians, as the paper does; *training return* is the median of each "
            "run's last 100 training episodes (exploring, from the training starts):",
            "",
            "<!-- --8<-- [start:ours] -->",
            *ours_table(summaries),
            "<!-- --8<-- [end:ours] -->",
            "",
            "**The paper** (App. E.3, ten seeds, peak returns; its sizes were lost in the text "
            "extraction):",
            "",
            *paper_table(list(summaries), methods),
            "",
            "![Learning curves: median and inter-quartile range over seeds](dgrl-paper.png)",
            "",
        ]
    )

"""The Markdown tables and learning-curve plots of ``bench dgrl-paper``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.dgrl_paper.aggregate import (
    NotApplicable,
    Summary,
    curve_quartiles,
    has_sampled,
    percent_vs,
)
from hybrid_toolkit.bench.dgrl_paper.grid import ENV_CASES, METHODS
from hybrid_toolkit.bench.dgrl_paper.paper_results import PAPER_RESULTS, PaperRow

Results = dict[str, dict[str, list[dict[str, Any]]]]
"""Env key → method key → run records (one per seed)."""
Summaries = dict[str, dict[str, Summary | NotApplicable]]
"""Env key → method key → its summary over seeds, or why it does not apply."""


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:+.0f} %"


def _vs(value: float, reference: Summary | NotApplicable | None) -> str:
    if not isinstance(reference, Summary):
        return "–"
    return _pct(percent_vs(value, reference.peak.median))


def ours_table(summaries: Summaries) -> list[str]:
    """Our results: peak and final median [IQR] over seeds, percentage gaps, cost; n/a rows
    with their reason."""
    lines = [
        "| environment | method | seeds | peak return | vs DNC / H-DNC | vs Cacla / H-Cacla "
        "| final return | solved (final) | training return | CPU min / run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for env_key, by_method in summaries.items():
        case = ENV_CASES[env_key]
        dnc, cacla = (by_method.get(key) for key in case.references)
        skipped: dict[str, list[str]] = {}  # reason → labels: one row per reason
        for method_key, s in by_method.items():
            label = METHODS[method_key].label
            if isinstance(s, NotApplicable):
                skipped.setdefault(s.reason, []).append(label)
                continue
            solved = "–" if s.final_solved is None else f"{s.final_solved:.0%}"
            train = (
                "–"
                if s.train_return is None or math.isnan(s.train_return)
                else (f"{s.train_return:.2f}")
            )
            lines.append(
                f"| {case.label} | {label} | {len(s.seeds)} | {s.peak.cell()} "
                f"| {_vs(s.peak.median, dnc)} | {_vs(s.peak.median, cacla)} | {s.final.cell()} "
                f"| {solved} | {train} | {s.cpu_minutes:.1f} |"
            )
        for reason, labels in skipped.items():
            dashes = " – |" * 6
            lines.append(f"| {case.label} | {', '.join(labels)} | – | n/a: {reason} |{dashes}")
    return lines


def sampled_table(summaries: Summaries) -> list[str]:
    """Greedy beside sampled evaluation, for the methods whose runs have both (empty: none)."""
    rows = []
    for env_key, by_method in summaries.items():
        for method_key, s in by_method.items():
            if not isinstance(s, Summary) or s.sampled is None:
                continue
            solved = " / ".join(
                "–" if share is None else f"{share:.0%}"
                for share in (s.final_solved, s.sampled.final_solved)
            )
            rows.append(
                f"| {ENV_CASES[env_key].label} | {METHODS[method_key].label} | {len(s.seeds)} "
                f"| {s.peak.cell()} | {s.sampled.peak.cell()} | {s.final.cell()} "
                f"| {s.sampled.final.cell()} | {solved} |"
            )
    if not rows:
        return []
    return [
        "**Greedy and sampled evaluation** (`--sampled-eval`: the exploring policy, "
        "`act(obs, deterministic=False)`, on the same scenarios at every evaluation; median "
        "[inter-quartile range] over seeds):",
        "",
        "| environment | method | seeds | greedy peak | sampled peak | greedy final "
        "| sampled final | solved (final), greedy / sampled |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _paper_vs(row: PaperRow, rows: dict[str, PaperRow], refs: tuple[str, str]) -> list[str]:
    """The paper row's percentages against its two references: computed from the medians, or
    the row's own statement (marked) where the text lacks a reference row."""
    cells = []
    for i, ref in enumerate(refs):
        stated = row.stated_vs[i] if row.stated_vs else None
        if ref in rows:
            cells.append(_pct(percent_vs(row.median, rows[ref].median)))
        elif stated is not None:
            cells.append(f"{stated:+.0f} % (stated)")
        else:
            cells.append("–")
    return cells


def paper_table(env_keys: list[str], method_keys: list[str]) -> list[str]:
    """The paper's App. E.3 rows for the configurations our environments stand in for."""
    lines = [
        "| paper configuration | method | peak mean | peak median | std | vs DNC / H-DNC "
        "| vs Cacla / H-Cacla |",
        "|---|---|---|---|---|---|---|",
    ]
    shown = {key: ENV_CASES[env].references for env in env_keys for key in ENV_CASES[env].paper}
    for key, refs in shown.items():
        label, rows = PAPER_RESULTS[key]
        for method_key in method_keys:
            row = rows.get(method_key)
            if row is None:
                continue
            vs_dnc, vs_cacla = _paper_vs(row, rows, refs)
            lines.append(
                f"| {label} | {METHODS[method_key].label} | {row.mean:.2f} | {row.median:.2f} "
                f"| {row.std:.2f} | {vs_dnc} | {vs_cacla} |"
            )
    return lines


def plot_curves(results: Results, path: Path) -> Path:
    """Learning curves: median (line) and IQR (band) over seeds, one panel per environment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = list(results)
    fig, axes = plt.subplots(1, len(envs), figsize=(4.8 * len(envs), 3.6), squeeze=False)
    sampled = False
    for ax, env_key in zip(axes[0], envs, strict=True):
        for method_key, records in results[env_key].items():
            label = METHODS[method_key].label
            steps, stats = curve_quartiles(records)
            (line,) = ax.plot(steps, [s.median for s in stats], marker=".", label=label)
            ax.fill_between(
                steps,
                [s.q25 for s in stats],
                [s.q75 for s in stats],
                alpha=0.2,
                color=line.get_color(),
            )
            if has_sampled(records):
                sampled = True
                steps, stats = curve_quartiles(records, "sampled_return")
                ax.plot(
                    steps,
                    [s.median for s in stats],
                    linestyle="--",
                    color=line.get_color(),
                    label=f"{label} (sampled)",
                )
        ax.set_title(ENV_CASES[env_key].label, fontsize=10)
        ax.set_xlabel("environment steps")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(
        "evaluation return (dashed: sampled)" if sampled else "greedy evaluation return"
    )
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(
    summaries: Summaries,
    protocols: dict[str, dict[str, Any]],
    environment_lines: list[str],
    mode: str,
    loop: str = "paper",
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
            f"Mode `{mode}`, loop `{loop}`.",
            "",
            *environment_lines,
            *budget,
            "",
            "**Ours** — median [inter-quartile range] over seeds; *peak* is each run's best "
            "evaluation (the paper's statistic), *final* its last; the percentage columns "
            "compare peak medians against DNC and Cacla (H-DNC and H-Cacla on the hybrid "
            "cases), as the paper does; *n/a*: the methods do not run there (why, beside "
            "them); *training return* is the median of each run's last 100 training episodes "
            "(exploring, from the training starts):",
            "",
            "<!-- --8<-- [start:ours] -->",
            *ours_table(summaries),
            "<!-- --8<-- [end:ours] -->",
            "",
            *sampled_table(summaries),
            "**The paper** (App. E.3, Tables 6-8, ten seeds, peak returns; its sizes were lost "
            "in the text extraction; *(stated)*: the row's own percentage, where the text lacks "
            "the reference row):",
            "",
            *paper_table(list(summaries), methods),
            "",
            "![Learning curves: median and inter-quartile range over seeds](dgrl-paper.png)",
            "",
        ]
    )

"""Tables and plot of the classic-envs suite: our algorithms beside the HyAR paper's Table 2.

Kept apart from the runner so the report can be rebuilt from cached runs alone
(``hybrid-toolkit bench classic-envs --report-only``).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

Records = dict[str, dict[str, list[dict[str, Any]]]]
"""``records[algo][case]``: the cached runs, sorted by seed."""

LABELS = {"hyar": "HyAR (ours)", "ppo": "PPO (ours)", "dgrl": "DGRL (ours)"}
COLOURS = {"hyar": "tab:blue", "ppo": "tab:orange", "dgrl": "tab:green"}


def table2_value(run: dict[str, Any], metric: str) -> float:
    """The value Table 2 reports for a run: normalised return (Platform) or success rate."""
    return float(run["mean_return"] if metric == "return" else run["success_rate"])


def _mean_std(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.2f} (1 seed)"
    return f"{statistics.mean(values):.2f} ± {statistics.pstdev(values):.2f} ({len(values)})"


def comparison_table(records: Records, cases: dict[str, Any], names: list[str]) -> str:
    """Table 2's metric: the paper's HyAR-TD3 and H-PPO beside our three algorithms."""
    rows = [
        "| env | metric | Table 2 HyAR-TD3 | Table 2 H-PPO | HyAR (ours) | PPO (ours) "
        "| DGRL (ours) | our HyAR − Table 2 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        case = cases[name]
        cells = []
        for algo in LABELS:
            runs = records.get(algo, {}).get(name, [])
            cell = _mean_std([table2_value(r, case.metric) for r in runs])
            if runs and case.metric == "return":  # a return is no success: say both
                cell += f"; success {statistics.mean(r['success_rate'] for r in runs):.2f}"
            cells.append(cell)
        hyar = [table2_value(r, case.metric) for r in records.get("hyar", {}).get(name, [])]
        gap = f"{statistics.mean(hyar) - case.table2_hyar:+.2f}" if hyar else "—"
        metric = "normalised return" if case.metric == "return" else "success rate"
        rows.append(
            f"| {name} | {metric} | {case.table2_hyar:.2f} | {case.table2_hppo:.2f} | "
            + " | ".join(cells)
            + f" | {gap} |"
        )
    return "\n".join(rows) + "\n"


def runs_table(
    records: Records, cases: dict[str, Any], recipes: dict[str, Any], names: list[str]
) -> str:
    """Budgets and both metrics of every (algo, case) that has runs."""
    rows = [
        "| env | algorithm | preset | steps (ours) | TD3 steps (HyAR script) | seeds "
        "| success rate | mean return | train time per seed | steps/s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        for algo in LABELS:
            runs = records.get(algo, {}).get(name, [])
            if not runs:
                continue
            recipe = recipes[algo][name]
            paper = f"{cases[name].paper_hyar_steps:,}" if algo == "hyar" else ""
            rows.append(
                f"| {name} | {algo} | `{recipe.preset}` | {runs[0]['timesteps']:,} | {paper} "
                f"| {len(runs)} | {_mean_std([r['success_rate'] for r in runs])} "
                f"| {_mean_std([r['mean_return'] for r in runs])} "
                f"| {statistics.median(r['train_seconds'] for r in runs):.0f} s{_cpu(runs)} "
                f"| {statistics.median(r['steps_per_second'] for r in runs):.0f} |"
            )
    return "\n".join(rows) + "\n"


def _cpu(runs: list[dict[str, Any]]) -> str:
    """`` (CPU N s)`` where every run recorded its CPU time (reference runs), else nothing."""
    if not all("train_cpu_seconds" in r for r in runs):
        return ""
    return f" (CPU {statistics.median(r['train_cpu_seconds'] for r in runs):.0f} s)"


def curves_table(records: Records, running: Records, names: list[str]) -> str:
    """The learning curve of every run that has one: finished runs, and the progress files of
    unfinished ones (still training, or stopped before the end), marked as such."""
    rows = [
        "| env | algorithm | seed | status | steps | TD3 updates | success rate | mean return "
        "| eval episodes | train time (wall) | train CPU time |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        for algo in LABELS:
            runs = [(r, "finished") for r in records.get(algo, {}).get(name, []) if "curve" in r]
            runs += [(r, "**unfinished**") for r in running.get(algo, {}).get(name, [])]
            for run, status in runs:
                for point in run["curve"]:
                    updates = point["td3_updates"]
                    rows.append(
                        f"| {name} | {algo} | {run['seed']} | {status} | {point['timesteps']:,} "
                        f"| {'' if updates is None else f'{updates:,}'} "
                        f"| {point['success_rate']:.3f} | {point['mean_return']:.3f} "
                        f"| {point['eval_episodes']} | {point['train_seconds'] / 60:.1f} min "
                        f"| {point['train_cpu_seconds'] / 60:.1f} min |"
                    )
    if len(rows) == 2:
        return "No learning curves recorded yet.\n"
    return "\n".join(rows) + "\n"


def provenance(records: Records, names: list[str]) -> str:
    """Date, machine, versions and the load-average range of the runs in a table."""
    runs = [r for algo in records.values() for n in names for r in algo.get(n, [])]
    if not runs:
        return ""
    loads = [r["load_average_start"] for r in runs]
    dates = sorted(r["date"] for r in runs)
    machine, torch_version, threads = _machine(max(runs, key=lambda r: r["date"]))
    return (
        f"Runs from {dates[0]} to {dates[-1]} on {machine}, torch {torch_version}, "
        f"{threads} torch thread; load average at run start "
        f"{min(loads):.1f}–{max(loads):.1f}. Cells: mean ± standard deviation over seeds "
        "(number of seeds) of the deterministic policy on "
        f"{runs[-1]['eval_episodes']} evaluation episodes; — = not run.\n"
    )


def _machine(run: dict[str, Any]) -> tuple[str, str, int]:
    """(machine, torch version, torch threads) of a run record.

    Records carry `hybrid_toolkit.bench.report.environment` under ``"environment"``; the PPO
    runs migrated from the earlier PPO-only sweep carry flat ``machine`` / ``torch`` fields.
    """
    env = run.get("environment")
    if env is None:
        return run["machine"], run["torch"], run["torch_threads"]
    machine = f"{env['cpu']}, {env['logical_cpus']} logical CPUs"
    return machine, env["versions"]["torch"], env["torch_threads"]


def plot(records: Records, cases: dict[str, Any], path: Path) -> None:
    """Table 2's metric per env: a bar per algorithm (mean), its seeds as dots, the paper's
    HyAR-TD3 as a black mark and its H-PPO as a grey one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
            ax.bar(x, statistics.mean(values), width, color=COLOURS[algo], alpha=0.75, label=label)
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


def write_report(
    records: Records,
    cases: dict[str, Any],
    recipes: dict[str, Any],
    results: Path,
    docs: Path,
    recipe_set: str = "budget",
    running: Records | None = None,
) -> list[Path]:
    """Write the benchmark page's table and plot, and every env page's rows, of one recipe set;
    returns the paths.

    ``budget`` writes ``classic-envs-table.md`` and ``classic-envs.png`` into ``docs``; other
    sets write ``classic-envs-<set>.png`` into ``docs`` and their tables, with the learning
    curves of finished and ``running`` runs (``classic-envs-<set>-curves.md``), into
    ``results`` (the page includes them from there, so they need no place in the site's nav).
    """
    docs.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    prefix = "classic-envs" if recipe_set == "budget" else f"classic-envs-{recipe_set}"

    def tables(names: list[str]) -> str:
        return "\n".join(
            (
                comparison_table(records, cases, names),
                runs_table(records, cases, recipes, names),
                provenance(records, names),
            )
        )

    tables_dir = docs if recipe_set == "budget" else results
    written = [tables_dir / f"{prefix}-table.md", docs / f"{prefix}.png"]
    written[0].write_text(tables(list(cases)))
    plot(records, cases, written[1])
    if recipe_set != "budget":
        written.append(results / f"{prefix}-curves.md")
        written[-1].write_text(curves_table(records, running or {}, list(cases)))
    for page in sorted({case.page for case in cases.values()}):
        names = [n for n in cases if cases[n].page == page]
        written.append(results / f"{prefix}-{page}.md")
        written[-1].write_text(tables(names))
    return written

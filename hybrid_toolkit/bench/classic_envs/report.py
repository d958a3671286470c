"""Tables of the classic-envs suite: our algorithms beside the HyAR paper's Table 2, their
budgets and timings, and the learning curves of the runs that recorded one."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from hybrid_toolkit.bench.quartiles import quartiles

Records = dict[str, dict[str, list[dict[str, Any]]]]
"""``records[algo][case]``: the cached runs, sorted by seed."""

LABELS = {"hyar": "HyAR (ours)", "ppo": "PPO (ours)", "dgrl": "DGRL (ours)"}
COLOURS = {"hyar": "tab:blue", "ppo": "tab:orange", "dgrl": "tab:green"}


def table2_value(run: dict[str, Any], metric: str) -> float:
    """The value Table 2 reports for a run: normalised return (Platform) or success rate."""
    return float(run["mean_return"] if metric == "return" else run["success_rate"])


def _median_iqr(values: list[float]) -> str:
    """``median [q25, q75] (n)`` over seeds; one seed is its own value."""
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.2f} (1 seed)"
    return f"{quartiles(values).cell()} ({len(values)})"


def comparison_table(records: Records, cases: dict[str, Any], names: list[str]) -> str:
    """Table 2's metric: the paper's HyAR-TD3 and H-PPO beside our three algorithms."""
    rows = [
        "| env | metric | Table 2 HyAR-TD3 | Table 2 H-PPO | HyAR (ours) | PPO (ours) "
        "| DGRL (ours) | our HyAR mean − Table 2 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        case = cases[name]
        cells = []
        for algo in LABELS:
            runs = records.get(algo, {}).get(name, [])
            cell = _median_iqr([table2_value(r, case.metric) for r in runs])
            if runs and case.metric == "return":  # a return is no success: say both
                cell += f"; success {statistics.median(r['success_rate'] for r in runs):.2f}"
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
                f"| {len(runs)} | {_median_iqr([r['success_rate'] for r in runs])} "
                f"| {_median_iqr([r['mean_return'] for r in runs])} "
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


def reach_table(records: Records, cases: dict[str, Any], names: list[str]) -> str:
    """Per finished run with a learning curve: whether and when it reached Table 2's HyAR-TD3
    value, whether it stayed there, and what its last evaluations average — the final
    evaluation alone is one noisy draw of a curve that can swing (Platform's success does).

    Evaluation points are the curve's 100-episode evaluations, the final 500-episode one
    excluded; a value counts as reaching Table 2 when it is at least the paper's number.
    """
    rows = [
        "| env | algorithm | seed | final | last 5 evaluations, mean | best evaluation (steps) "
        "| first at Table 2 or above (steps) | later evaluations at Table 2 or above |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        case = cases[name]
        for algo in LABELS:
            for run in records.get(algo, {}).get(name, []):
                points = run.get("curve", [])[:-1]
                if not points:
                    continue
                values = [table2_value(p, case.metric) for p in points]
                best = max(range(len(values)), key=values.__getitem__)
                reached = [i for i, v in enumerate(values) if v >= case.table2_hyar]
                first, later = "never", "—"
                if reached:
                    first = f"{points[reached[0]]['timesteps']:,}"
                    after = values[reached[0] + 1 :]
                    kept = sum(v >= case.table2_hyar for v in after)
                    later = f"{kept} of {len(after)}" if after else "—"
                rows.append(
                    f"| {name} | {algo} | {run['seed']} "
                    f"| {table2_value(run, case.metric):.3f} "
                    f"| {statistics.mean(values[-5:]):.3f} "
                    f"| {values[best]:.2f} ({points[best]['timesteps']:,}) | {first} | {later} |"
                )
    if len(rows) == 2:
        return ""
    return "\n".join(rows) + "\n"


def provenance(records: Records, names: list[str]) -> str:
    """Date, machines (each with its number of runs, when there are several), versions and the
    load-average range of the runs in a table."""
    runs = [r for algo in records.values() for n in names for r in algo.get(n, [])]
    if not runs:
        return ""
    loads = [r["load_average_start"] for r in runs]
    dates = sorted(r["date"] for r in runs)
    _, torch_version, threads = _machine(max(runs, key=lambda r: r["date"]))
    machines = Counter(_machine(r)[0] for r in runs)
    if len(machines) > 1:  # the CPU changes between sessions: say which runs ran where
        runs_on = {m: f"{k} run" + "s" * (k > 1) for m, k in machines.items()}
        machine = " and ".join(f"{m} ({runs_on[m]})" for m in sorted(machines))
    else:
        [machine] = machines
    return (
        f"Runs from {dates[0]} to {dates[-1]} on {machine}, torch {torch_version}, "
        f"{threads} torch thread; load average at run start "
        f"{min(loads):.1f}–{max(loads):.1f}. Cells: median [inter-quartile range] over "
        "seeds (number of seeds) of the deterministic policy on "
        f"{runs[-1]['eval_episodes']} evaluation episodes; — = not run. The first "
        "table's last column is our mean over seeds minus Table 2's value (the paper: 5 "
        "runs).\n"
    )


def _machine(run: dict[str, Any]) -> tuple[str, str, int]:
    """(machine, torch version, torch threads) of a run record.

    Records carry `hybrid_toolkit.bench.report.environment` under ``"environment"``; the PPO
    runs migrated from the earlier PPO-only sweep carry flat ``machine`` / ``torch`` fields.
    """
    env = run.get("environment")
    if env is None:  # the sweep recorded the platform string, not the CPU
        return f"an unrecorded CPU under {run['machine']}", run["torch"], run["torch_threads"]
    machine = f"{env['cpu']}, {env['logical_cpus']} logical CPUs"
    return machine, env["versions"]["torch"], env["torch_threads"]

"""What a finished sweep leaves in its folder: the results table, the best configuration, a plot.

* ``results.md`` / ``results.json``: one row per trial, best first — the searched values, the
  metric at the trial's last evaluation, its timesteps, whether it ran to the end (``finished``)
  or the scheduler stopped it, and its run directory;
* ``best_config.json``: the ``config.json`` of the best finished trial, the file
  ``hybrid-toolkit train --config`` accepts (it trains that trial again, same seed);
* ``results.png``: the metric of every trial at each evaluation, the best one highlighted.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hybrid_toolkit.sweep.spec import SweepSpec
from hybrid_toolkit.sweep.trial import TIME_KEY, trial_root
from hybrid_toolkit.training.run_logs import RUN_CONFIG

TABLE = "results.md"
RECORD = "results.json"
BEST_CONFIG = "best_config.json"
PLOT = "results.png"


@dataclass
class TrialRow:
    """One trial of the results table.

    Attributes:
        trial_id: Ray Tune's trial id.
        values: The searched fields' values (``group.field`` → value).
        metric: The metric at the trial's last report (``None`` before any).
        timesteps: Environment steps trained.
        status: ``finished``, ``stopped early`` (by the scheduler), ``not finished`` (an
            interrupted sweep) or ``error``.
        run_dir: The trial's run directory, relative to the sweep's folder.
        curve: ``(timesteps, metric)`` of every report.
    """

    trial_id: str
    values: dict[str, Any]
    metric: float | None
    timesteps: int
    status: str
    run_dir: str
    curve: list[tuple[float, float]]


def trial_rows(
    results: Iterable[Any], spec: SweepSpec, sweep_dir: Path, complete: bool = True
) -> list[TrialRow]:
    """Rows of Ray Tune's ``Result`` objects, best finished trial first, errors last.

    ``complete`` says whether every trial has ended; if not (an interrupted sweep), a trial
    that did not finish is ``not finished`` rather than ``stopped early``.
    """
    rows = [_row(result, spec, sweep_dir, complete) for result in results]
    sign = -1.0 if spec.mode == "max" else 1.0

    def order(row: TrialRow) -> tuple[int, float]:
        rank = {"finished": 0, "stopped early": 1}.get(row.status, 2)
        has = row.metric is not None and math.isfinite(row.metric)
        return (rank if has else 2, sign * row.metric if has and row.metric is not None else 0.0)

    return sorted(rows, key=order)


def _row(result: Any, spec: SweepSpec, sweep_dir: Path, complete: bool) -> TrialRow:
    metrics = dict(result.metrics or {})
    trial_id = str(metrics.get("trial_id") or Path(result.path).name)
    frame = result.metrics_dataframe
    curve: list[tuple[float, float]] = []
    if frame is not None and spec.metric in frame and TIME_KEY in frame:
        pairs = zip(frame[TIME_KEY], frame[spec.metric], strict=True)
        curve = [(float(t), float(m)) for t, m in pairs]
    stopped = "stopped early" if complete else "not finished"
    status = "error" if result.error else "finished" if metrics.get("final") else stopped
    run_dirs = sorted(trial_root(sweep_dir, trial_id).glob("*/"))
    metric = metrics.get(spec.metric)
    return TrialRow(
        trial_id=trial_id,
        values={key: spec.trial_values(result.config or {}).get(key) for key in spec.space},
        metric=None if metric is None else float(metric),
        timesteps=int(metrics.get(TIME_KEY, 0)),
        status=status,
        run_dir=str(run_dirs[-1].relative_to(sweep_dir)) if run_dirs else "",
        curve=curve,
    )


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "–" if value is None else str(value)


def table_markdown(rows: list[TrialRow], spec: SweepSpec) -> str:
    """The results table as Markdown, one row per trial in the order given."""
    head = ["rank", "trial", *spec.space, spec.metric, "timesteps", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * 2 + "---:|" * (len(head) - 3) + "---|"]
    for rank, row in enumerate(rows, 1):
        cells = [str(rank), row.trial_id, *(_shown(v) for v in row.values.values())]
        cells += [_shown(row.metric), f"{row.timesteps:,}", row.status]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def export_best(rows: list[TrialRow], sweep_dir: Path) -> Path | None:
    """Copy the best finished trial's ``config.json`` to ``best_config.json``; returns its path
    (``None`` when no trial finished)."""
    for row in rows:
        config = sweep_dir / row.run_dir / RUN_CONFIG
        if row.status == "finished" and row.run_dir and config.is_file():
            return Path(shutil.copyfile(config, sweep_dir / BEST_CONFIG))
    return None


def plot_trials(rows: list[TrialRow], spec: SweepSpec, path: Path, optimum: float | None) -> Path:
    """Draw every trial's metric against timesteps (the best in colour) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for i, row in enumerate(reversed(rows)):
        if not row.curve:
            continue
        xs, ys = zip(*row.curve, strict=True)
        best = i == len(rows) - 1
        ax.plot(
            xs,
            ys,
            marker="o",
            ms=3,
            color="C1" if best else "0.6",
            lw=2.2 if best else 1.0,
            zorder=3 if best else 2,
            label=f"best ({row.trial_id})" if best else None,
        )
    if optimum is not None:
        ax.axhline(optimum, color="k", ls="--", lw=1, label=f"optimum {optimum:g}")
    ax.set_xlabel("timesteps")
    ax.set_ylabel(spec.metric)
    ax.set_title(
        f"{spec.algo} on {spec.env}: {len(rows)} trials ({spec.searcher}, {spec.scheduler})"
    )
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_results(
    rows: list[TrialRow], spec: SweepSpec, sweep_dir: Path, optimum: float | None = None
) -> dict[str, Path | None]:
    """Write the table, the JSON record, the best configuration and the plot into
    ``sweep_dir``; returns their paths by kind (``best`` is ``None`` if no trial finished)."""
    table = sweep_dir / TABLE
    table.write_text(table_markdown(rows, spec))
    record = sweep_dir / RECORD
    document = {"spec": spec.to_json(), "trials": [asdict(row) for row in rows]}
    record.write_text(json.dumps(document, indent=2) + "\n")
    plot = plot_trials(rows, spec, sweep_dir / PLOT, optimum)
    return {"table": table, "record": record, "best": export_best(rows, sweep_dir), "plot": plot}

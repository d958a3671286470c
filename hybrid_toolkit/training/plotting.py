"""Draw learning curves of run directories to PNG, SVG or PDF (what ``hybrid-toolkit plot`` does).

Example:
    >>> from hybrid_toolkit.training import plot_runs
    >>> plot_runs(["runs/"], key="rollout/ep_rew_mean", out=["curves.png", "curves.svg"])
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hybrid_toolkit.training.learning_curves import Curves, GroupBy, load_curves
from hybrid_toolkit.training.run_logs import STEP_KEY

FORMATS = (".png", ".svg", ".pdf")
"""File suffixes :func:`draw_curves` writes (matplotlib picks the format from the suffix)."""


def output_paths(out: str | Path | Sequence[str | Path]) -> list[Path]:
    """``out`` as a list of paths, each checked to end in a suffix of :data:`FORMATS`.

    Raises:
        ValueError: No path, or a path with another suffix.
    """
    paths = [Path(out)] if isinstance(out, str | Path) else [Path(p) for p in out]
    if not paths:
        raise ValueError("out must name at least one file, got none")
    for path in paths:
        if path.suffix.lower() not in FORMATS:
            raise ValueError(f"out must end in {', '.join(FORMATS)}, got {str(path)!r}")
        if path.is_dir():
            raise ValueError(f"out must be a file path, got the folder {str(path)!r}")
    return paths


def draw_curves(
    curves: Curves, out: str | Path | Sequence[str | Path] = "curves.png", title: str = ""
) -> list[Path]:
    """Draw each group's median with its interquartile band (a group of one run: its curve),
    and the reference lines, into every file of ``out``; returns the files written.

    Args:
        curves: What :func:`~hybrid_toolkit.training.learning_curves.load_curves` returned.
        out: One path or several; the suffix picks the format (``.png``, ``.svg``, ``.pdf``).
            Missing parent folders are created.
        title: Title of the plot; empty: the environment(s) of the runs.
    """
    from matplotlib.figure import Figure  # imported here: matplotlib takes a while to load

    paths = output_paths(out)
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    axes = figure.subplots()
    for index, group in enumerate(curves.groups):
        color = f"C{index % 10}"
        runs = len(group.runs)
        label = f"{group.label} ({runs} runs)" if runs > 1 else group.label
        marker = "o" if len(group.x) == 1 else None  # a one-point curve stays visible
        axes.plot(group.x, group.median, color=color, linewidth=1.8, marker=marker, label=label)
        if runs > 1:
            axes.fill_between(group.x, group.low, group.high, color=color, alpha=0.25, linewidth=0)
    for index, (label, value) in enumerate(curves.references):
        axes.axhline(value, color="black", linestyle=("--", ":", "-.")[index % 3], label=label)
    axes.set_xlabel(curves.x_key)
    axes.set_ylabel(curves.key)
    axes.set_title(title or ", ".join(curves.envs))
    axes.grid(alpha=0.3)
    banded = any(len(group.runs) > 1 for group in curves.groups)
    legend_title = "line: median, band: 25th-75th percentile" if banded else None
    axes.legend(loc="best", fontsize=9, title=legend_title, title_fontsize=8, framealpha=0.85)
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        # No timestamps in the files, so a redrawn plot is byte-identical and diffs stay quiet.
        metadata = {"Date": None} if path.suffix.lower() in (".svg", ".pdf") else {"Software": None}
        figure.savefig(path, dpi=110, metadata=metadata)
    return paths


def plot_runs(
    run_dirs: Iterable[str | Path],
    key: str = "rollout/ep_rew_mean",
    x: str = STEP_KEY,
    out: str | Path | Sequence[str | Path] = "curves.png",
    *,
    group_by: GroupBy = "algorithm",
    reference: float | str = "auto",
    title: str = "",
) -> list[Path]:
    """Plot the learning curves of run directories, grouped by algorithm; returns the files.

    Each run's ``key`` against ``x`` is read from its ``progress.csv`` (else its TensorBoard
    events); the runs of each group are interpolated onto one x grid and drawn as the median
    with the 25th-75th percentile band across seeds. Runs that did not log ``key`` are left out
    (see :func:`~hybrid_toolkit.training.learning_curves.load_curves` for the arguments and
    errors, :func:`draw_curves` for ``out`` and ``title``).

    Example:
        ``plot_runs(["runs/"], out=["curves.png", "curves.svg"])`` draws the return of every
        run under ``runs/``, one median and band per algorithm, with the env's optimum where
        the runs' ``config.json`` says which Target env they trained on.
    """
    paths = output_paths(out)
    curves = load_curves(run_dirs, key, x, group_by=group_by, reference=reference)
    return draw_curves(curves, paths, title)

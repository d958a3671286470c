"""Learning curves of several runs, grouped (by algorithm) into a median and interquartile band.

:func:`load_curves` reads the runs, groups them, puts each group's runs on one x grid and
finds the reference line; :mod:`hybrid_toolkit.training.plotting` draws the result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hybrid_toolkit.envs import env_spec, make
from hybrid_toolkit.training.run_logs import (
    STEP_KEY,
    RunInfo,
    Series,
    find_run_dirs,
    logged_keys,
    read_run_info,
    read_series,
)
from hybrid_toolkit.utils.config import config_from_json

GroupBy = Literal["algorithm", "env", "run"]
GROUP_BY: tuple[str, ...] = ("algorithm", "env", "run")

RETURN_KEYS = ("rollout/ep_rew_mean", "eval/mean_reward")
"""Keys that are episode returns, the only ones an env's optimal return is a reference for."""


@dataclass(frozen=True)
class GroupCurve:
    """One group's runs on a common x grid.

    Attributes:
        label: Legend label (the algorithm, or ``"ppo (TargetRegime-v0)"`` across envs).
        runs: The run directories of the group.
        x: The grid: every x a run of the group logged, within the range all of them reached.
        median: Median over the runs at each x (each run linearly interpolated onto ``x``).
        low: 25th percentile (linear interpolation between order statistics, numpy's default).
        high: 75th percentile.
    """

    label: str
    runs: tuple[Path, ...]
    x: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class Curves:
    """Everything a learning-curve plot shows.

    Attributes:
        key: The plotted key (y axis).
        x_key: The x axis key.
        groups: One curve per group, in the order the groups first appear in the runs.
        references: ``(label, value)`` of each horizontal reference line.
        envs: The environments of the plotted runs.
        skipped: ``(run directory, reason)`` of runs that did not log ``key``.
    """

    key: str
    x_key: str
    groups: tuple[GroupCurve, ...]
    references: tuple[tuple[str, float], ...]
    envs: tuple[str, ...]
    skipped: tuple[tuple[Path, str], ...]


def aggregate(series: Sequence[Series]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, 25th percentile, median, 75th percentile)`` of several runs' curves.

    The grid is every x any run logged between the largest first x and the smallest last x
    (the range every run reached); each run is linearly interpolated onto it.

    Raises:
        ValueError: The runs share no x range.
    """
    start = max(float(xs[0]) for xs, _ in series)
    stop = min(float(xs[-1]) for xs, _ in series)
    if start > stop:
        ranges = ", ".join(f"[{xs[0]:g}, {xs[-1]:g}]" for xs, _ in series)
        raise ValueError(f"runs of one group must share an x range to be compared, got {ranges}")
    grid = np.unique(np.concatenate([xs[(xs >= start) & (xs <= stop)] for xs, _ in series]))
    values = np.stack([np.interp(grid, xs, ys) for xs, ys in series])
    low, median, high = np.percentile(values, [25.0, 50.0, 75.0], axis=0)
    return grid, low, median, high


def load_curves(
    run_dirs: Iterable[str | Path],
    key: str = "rollout/ep_rew_mean",
    x: str = STEP_KEY,
    *,
    group_by: GroupBy = "algorithm",
    reference: float | str = "auto",
) -> Curves:
    """Read ``key`` against ``x`` from every run and aggregate the runs group by group.

    Args:
        run_dirs: Run directories, or folders holding them (searched recursively).
        key: The logged key to plot (``rollout/ep_rew_mean``, ``eval/mean_reward``, ``train/…``).
        x: The x axis key (``time/total_timesteps``, ``time/iterations``…).
        group_by: ``"algorithm"`` (runs of one algorithm on one env; the median and
            interquartile band across their seeds), ``"env"`` or ``"run"`` (one curve each).
        reference: A number for a horizontal line at that value; ``"auto"`` for the env's
            optimal return when ``key`` is a return and the run's ``config.json`` builds an env
            that knows it (the Target envs); ``"none"`` for no line.

    Raises:
        FileNotFoundError: A run directory that does not exist.
        ValueError: A folder without runs, a ``key`` no run logged (the message lists the keys
            they did log), runs that logged nothing, or a bad ``group_by``/``reference``.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {list(GROUP_BY)}, got {group_by!r}")
    _check_reference(reference)
    runs = [read_run_info(path) for path in find_run_dirs(run_dirs)]
    found: list[tuple[RunInfo, Series]] = []
    skipped: list[tuple[Path, str]] = []
    for run in runs:
        series = read_series(run.path, key, x)
        if series is None:
            skipped.append((run.path, f"no finite {key!r} against {x!r}"))
        else:
            found.append((run, series))
    if not found:
        raise ValueError(_missing_key_message(runs, key, x))
    envs = tuple(dict.fromkeys(run.env_name for run, _ in found if run.env_name))
    return Curves(
        key=key,
        x_key=x,
        groups=_groups(found, group_by, several_envs=len(envs) > 1),
        references=_references([run for run, _ in found], key, reference),
        envs=envs,
        skipped=tuple(skipped),
    )


def _check_reference(reference: float | str) -> None:
    if isinstance(reference, str) and reference in ("auto", "none"):
        return
    number = isinstance(reference, int | float) and not isinstance(reference, bool)
    if not number or not math.isfinite(float(reference)):
        raise ValueError(f"reference must be a finite number, 'auto' or 'none', got {reference!r}")


def _missing_key_message(runs: list[RunInfo], key: str, x: str) -> str:
    keys = sorted(set().union(*(logged_keys(run.path) for run in runs)))
    shown = ", ".join(repr(str(run.path)) for run in runs[:3]) + (", …" if len(runs) > 3 else "")
    where = f"the {len(runs)} run(s) ({shown})"
    if not keys:
        return f"{where} logged nothing (no progress.csv rows and no TensorBoard scalars)"
    return (
        f"key {key!r} against x {x!r} was logged by none of {where}; expected one of the keys "
        f"they logged: {', '.join(keys)}"
    )


def _groups(
    found: list[tuple[RunInfo, Series]], group_by: GroupBy, *, several_envs: bool
) -> tuple[GroupCurve, ...]:
    members: dict[str, list[tuple[RunInfo, Series]]] = {}
    for run, series in found:
        members.setdefault(_label(run, group_by, several_envs), []).append((run, series))
    curves = []
    for label, group in members.items():
        grid, low, median, high = aggregate([series for _, series in group])
        runs = tuple(run.path for run, _ in group)
        curves.append(GroupCurve(label, runs, grid, median, low, high))
    return tuple(curves)


def _label(run: RunInfo, group_by: GroupBy, several_envs: bool) -> str:
    if group_by == "run":
        return run.path.name
    if group_by == "env":
        return run.env_name or "unknown env"
    return f"{run.algorithm} ({run.env_name})" if several_envs else run.algorithm


def _references(
    runs: list[RunInfo], key: str, reference: float | str
) -> tuple[tuple[str, float], ...]:
    if reference == "none" or (reference == "auto" and key not in RETURN_KEYS):
        return ()
    if not isinstance(reference, str):
        return ((f"reference ({float(reference):g})", float(reference)),)
    optima = dict.fromkeys((run.env_name, known_optimum(run)) for run in runs)
    return tuple(
        (f"optimum of {env} ({value:g})", value) for env, value in optima if value is not None
    )


def known_optimum(run: RunInfo) -> float | None:
    """The optimal return of the env ``run`` trained on, built from its ``config.json`` config;
    ``None`` when the run has no record or the env does not know its optimum."""
    if run.env_config is None or not run.env_name:
        return None
    try:
        spec = env_spec(run.env_name)
        config: Any = config_from_json(spec.config_class, run.env_config)
        env = make(run.env_name, num_envs=1, device="cpu", config=config)
    except (KeyError, ValueError, TypeError):  # an env no longer registered or configurable so
        return None
    value = getattr(env, "optimal_return", None)
    return float(value) if isinstance(value, int | float) else None

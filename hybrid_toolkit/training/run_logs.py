"""Read what training runs logged: find run directories, name their runs, load one curve.

A run directory is what a training run writes (``<env>__<algo>__<seed>__<time>/`` with
``progress.csv``, TensorBoard event files, ``hparams.json`` and, from ``hybrid-toolkit train``,
``config.json``; older run directories have ``run.json`` instead). A curve is read from
``progress.csv`` and, when the CSV lacks the key, from the TensorBoard event files (through
TensorBoard's own ``EventAccumulator``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PROGRESS = "progress.csv"
RUN_CONFIG = "config.json"
"""The full configuration of a ``hybrid-toolkit train`` run (what ``train --config`` reads)."""
LEGACY_RUN_CONFIG = "run.json"
"""The name ``config.json`` had in run directories written before it was renamed."""
HPARAMS = "hparams.json"
EVENTS = "events.out.tfevents.*"
STEP_KEY = "time/total_timesteps"
"""The x key that TensorBoard's global step stands for when the events lack it as a scalar."""


def is_run_dir(path: Path) -> bool:
    """Whether ``path`` is a folder a training run wrote (progress, events or a run record)."""
    if not path.is_dir():
        return False
    markers = (PROGRESS, RUN_CONFIG, LEGACY_RUN_CONFIG, HPARAMS)
    return any((path / name).is_file() for name in markers) or any(path.glob(EVENTS))


def run_config_path(run_dir: Path) -> Path | None:
    """``run_dir/config.json``, else the ``run.json`` of an older run directory, else ``None``."""
    for name in (RUN_CONFIG, LEGACY_RUN_CONFIG):
        if (run_dir / name).is_file():
            return run_dir / name
    return None


def find_run_dirs(paths: Iterable[str | Path]) -> list[Path]:
    """The run directories ``paths`` name: each path is a run directory or a folder holding some
    (searched recursively; a run directory's own subfolders are not searched).

    Raises:
        FileNotFoundError: A path that does not exist.
        ValueError: No path given, or a folder that is no run directory and holds none.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"run_dirs: {str(path)!r} does not exist")
        runs = _runs_under(path)
        if not runs:
            raise ValueError(
                f"run_dirs: {str(path)!r} is not a run directory and holds none; expected a "
                f"folder with {PROGRESS}, TensorBoard event files or {RUN_CONFIG} (written by "
                "training with tensorboard_log= or by hybrid-toolkit train), or a folder of them"
            )
        found.extend(run for run in runs if run not in found)
    if not found:
        raise ValueError("run_dirs must name at least one run directory, got none")
    return found


def _runs_under(path: Path) -> list[Path]:
    if is_run_dir(path):
        return [path]
    if not path.is_dir():
        return []
    return [run for child in sorted(path.iterdir()) for run in _runs_under(child)]


@dataclass(frozen=True)
class RunInfo:
    """Who a run directory belongs to.

    Attributes:
        path: The run directory.
        algorithm: Registry name of the algorithm (``"ppo"``).
        env_name: Environment id (``"TargetRegime-v0"``); ``""`` when unknown.
        seed: The run's seed; ``None`` when unknown.
        env_config: The environment config as ``config.json`` (or ``hparams.json``'s
            ``env_config``) records it; ``None`` without either.
    """

    path: Path
    algorithm: str
    env_name: str
    seed: int | None
    env_config: dict[str, Any] | None


def read_run_info(path: Path) -> RunInfo:
    """Name the run in ``path`` from ``config.json`` (or an older ``run.json``), else
    ``hparams.json``, else the folder name
    ``<env>__<algo>__<seed>__<time>`` (the algorithm is then the folder name when it does not
    have that form)."""
    config = run_config_path(path)
    record = _json(config) if config is not None else {}
    if "algo_name" in record:
        seed = (record.get("run") or {}).get("seed")
        env = record.get("env")
        env_config = env if isinstance(env, dict) else None
        return RunInfo(path, record["algo_name"], record.get("env_name", ""), seed, env_config)
    hparams = _json(path / HPARAMS)
    parts = path.name.split("__")
    named = len(parts) >= 4
    algorithm = hparams.get("algorithm") or (parts[1] if named else path.name)
    env_name = hparams.get("env") or (parts[0] if named else "")
    seed = hparams.get("seed", int(parts[2]) if named and parts[2].isdigit() else None)
    env_config = hparams.get("env_config")  # runs trained from Python record it here
    env_config = env_config if isinstance(env_config, dict) else None
    return RunInfo(path, str(algorithm), str(env_name), seed, env_config)


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{str(path)!r} is not valid JSON ({err})") from None
    return data if isinstance(data, dict) else {}


Series = tuple[np.ndarray, np.ndarray]
"""``(x, y)``: float64 arrays, ``x`` strictly increasing."""


def read_series(path: Path, key: str, x: str = STEP_KEY) -> Series | None:
    """The curve ``key`` against ``x`` that the run in ``path`` logged.

    Read from ``progress.csv``; when the CSV lacks ``key`` (or ``x``), from the TensorBoard
    event files (whose global step stands for ``time/total_timesteps``). Rows where either value
    is missing or not finite are dropped; an ``x`` logged twice (a resumed run) keeps its last
    value. ``None`` when the run has no finite value of ``key``.
    """
    pairs = _csv_pairs(path / PROGRESS, key, x)
    if pairs is None:
        pairs = _event_pairs(path, key, x)
    points = {px: py for px, py in pairs or () if math.isfinite(px) and math.isfinite(py)}
    if not points:
        return None
    xs = np.array(sorted(points), dtype=np.float64)
    return xs, np.array([points[v] for v in xs], dtype=np.float64)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _csv_pairs(path: Path, key: str, x: str) -> list[tuple[float, float]] | None:
    rows = _csv_rows(path)
    if not rows or key not in rows[0] or x not in rows[0]:
        return None
    pairs = [(_number(row.get(x)), _number(row.get(key))) for row in rows]
    return [(px, py) for px, py in pairs if px is not None and py is not None] or None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _events(path: Path) -> Any:
    from tensorboard.backend.event_processing.event_accumulator import (  # about a second
        SCALARS,
        EventAccumulator,
    )

    accumulator = EventAccumulator(str(path), size_guidance={SCALARS: 0})  # 0: keep every point
    return accumulator.Reload()


def _event_pairs(path: Path, key: str, x: str) -> list[tuple[float, float]] | None:
    if not any(path.glob(EVENTS)):
        return None
    events = _events(path)
    tags = events.Tags()["scalars"]
    if key not in tags or (x not in tags and x != STEP_KEY):
        return None
    x_at = {e.step: e.value for e in events.Scalars(x)} if x in tags else None
    return [
        (float(e.step if x_at is None else x_at[e.step]), float(e.value))
        for e in events.Scalars(key)
        if x_at is None or e.step in x_at
    ]


def logged_keys(path: Path) -> set[str]:
    """Every key the run in ``path`` logged (the CSV header and the TensorBoard scalar tags)."""
    rows = _csv_rows(path / PROGRESS)
    keys = set(rows[0]) if rows else set()
    if any(path.glob(EVENTS)):
        keys.update(_events(path).Tags()["scalars"])
    return keys

"""``run.json``: the full configuration of a ``train`` run, written into its run directory.

It holds the algorithm and environment names, the preset and every ``--algo.*``, ``--env.*``
and ``--run.*`` value, so ``train --resume RUN_DIR`` can rebuild the same run and a reader can
see exactly what produced a folder.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hybrid_toolkit.algorithms import get_algorithm
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import RunOptions
from hybrid_toolkit.envs import env_spec
from hybrid_toolkit.utils.config import config_from_json, config_to_json

RUN_RECORD = "run.json"
FORMAT = 1


@dataclass
class RunRecord:
    """A ``train`` run as ``run.json`` records it (the fields of a train leaf)."""

    algo_name: str
    env_name: str
    preset: str
    algo: Any
    env: Any
    run: RunOptions


def write_run_record(run_dir: Path, leaf: Any) -> Path:
    """Write ``run_dir/run.json`` for a train leaf or a :class:`RunRecord`; returns its path."""
    document = {
        "format": FORMAT,
        "algo_name": leaf.algo_name,
        "env_name": leaf.env_name,
        "preset": leaf.preset,
        "algo": config_to_json(leaf.algo),
        "env": config_to_json(leaf.env),
        "run": dataclasses.asdict(leaf.run),
    }
    path = run_dir / RUN_RECORD
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    tmp.replace(path)  # a crash mid-write never leaves a truncated record
    return path


def read_run_record(run_dir: Path, run_overrides: dict[str, Any] | None = None) -> RunRecord:
    """Rebuild the run recorded in ``run_dir/run.json``.

    Args:
        run_dir: The run directory.
        run_overrides: ``RunOptions`` fields to change from the recorded ones.

    Raises:
        UserError: ``run_dir`` is not a run directory or its record is unreadable.
        ValueError: A recorded value that the configs now refuse.
    """
    path = run_dir / RUN_RECORD
    if not run_dir.is_dir():
        raise UserError("--resume", repr(str(run_dir)), "a run directory written by train")
    if not path.is_file():
        raise UserError(
            "--resume", repr(str(run_dir)), f"a run directory with {RUN_RECORD} (written by train)"
        )
    try:
        data = json.loads(path.read_text())
        return RunRecord(
            algo_name=data["algo_name"],
            env_name=data["env_name"],
            preset=data.get("preset", "default"),
            algo=config_from_json(get_algorithm(data["algo_name"]).config_class, data["algo"]),
            env=config_from_json(env_spec(data["env_name"]).config_class, data["env"]),
            run=RunOptions(**{**data["run"], **(run_overrides or {})}),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise UserError(
            "--resume", repr(str(run_dir)), f"a readable {RUN_RECORD} ({type(err).__name__}: {err})"
        ) from None

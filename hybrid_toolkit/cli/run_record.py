"""``config.json``: the full configuration of a ``train`` run, written into its run directory.

It holds a format version, the algorithm and environment names, the preset and every
``--algo.*``, ``--env.*`` and ``--run.*`` value, so ``train --resume RUN_DIR`` can rebuild the
same run, ``train --config RUN_DIR/config.json`` can train it again (see
:mod:`hybrid_toolkit.cli.config_file`) and a reader can see exactly what produced a folder.
Run directories written before the file was renamed hold the same document as ``run.json``;
both are read, and rewriting the record of such a folder replaces its ``run.json``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hybrid_toolkit.algorithms import get_algorithm
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import RunOptions
from hybrid_toolkit.envs import env_spec
from hybrid_toolkit.registry import UnknownNameError
from hybrid_toolkit.training.run_logs import LEGACY_RUN_CONFIG, RUN_CONFIG, run_config_path
from hybrid_toolkit.utils.config import config_from_json, config_to_json

FORMAT = 1
KEYS = ("format", "algo_name", "env_name", "preset", "algo", "env", "run")
"""The keys of the document, in the order it is written."""


@dataclass
class RunRecord:
    """A ``train`` run as ``config.json`` records it (the fields of a train leaf)."""

    algo_name: str
    env_name: str
    preset: str
    algo: Any
    env: Any
    run: RunOptions


def record_document(leaf: Any) -> dict[str, Any]:
    """The ``config.json`` document of a train leaf or a :class:`RunRecord`."""
    return {
        "format": FORMAT,
        "algo_name": leaf.algo_name,
        "env_name": leaf.env_name,
        "preset": leaf.preset,
        "algo": config_to_json(leaf.algo),
        "env": config_to_json(leaf.env),
        "run": dataclasses.asdict(leaf.run),
    }


def write_config_file(path: Path, leaf: Any) -> Path:
    """Write the ``config.json`` document of a train leaf or a :class:`RunRecord` to ``path``
    (a file ``train --config`` accepts); returns ``path``."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record_document(leaf), indent=2) + "\n")
    tmp.replace(path)  # a crash mid-write never leaves a truncated file
    return path


def write_run_record(run_dir: Path, leaf: Any) -> Path:
    """Write ``run_dir/config.json`` for a train leaf or a :class:`RunRecord`; returns its path.

    An older ``run.json`` in ``run_dir`` is removed: the folder keeps one record.
    """
    path = write_config_file(run_dir / RUN_CONFIG, leaf)
    (run_dir / LEGACY_RUN_CONFIG).unlink(missing_ok=True)
    return path


def read_run_record(run_dir: Path, run_overrides: dict[str, Any] | None = None) -> RunRecord:
    """Rebuild the run recorded in ``run_dir/config.json`` (or an older ``run.json``).

    Args:
        run_dir: The run directory.
        run_overrides: ``RunOptions`` fields to change from the recorded ones.

    Raises:
        UserError: ``run_dir`` is not a run directory or its record is unreadable.
        ValueError: A recorded value that the configs now refuse.
    """
    if not run_dir.is_dir():
        raise UserError("--resume", repr(str(run_dir)), "a run directory written by train")
    path = run_config_path(run_dir)
    if path is None:
        raise UserError(
            "--resume", repr(str(run_dir)), f"a run directory with {RUN_CONFIG} (written by train)"
        )
    data = _load_json(path, "--resume", f"a readable {path.name}")
    return record_from_document(data, "--resume", path, run_overrides=run_overrides)


def read_config_file(path: Path, as_class: Callable[[type], type] = lambda c: c) -> RunRecord:
    """The run a config file (``train --config FILE``) describes.

    Args:
        path: A ``config.json`` written by ``train``, or a file of the same form, or a run
            directory (its ``config.json`` is read).
        as_class: Maps each config class to the class to build (the CLI builds unchecked
            stand-ins, so command-line flags can still change a value the file gets wrong).

    Raises:
        UserError: A missing file, a file that is not JSON or not of that form, unknown keys.
    """
    if path.is_dir():
        if not (path / RUN_CONFIG).is_file():
            raise UserError(
                "--config", repr(str(path)), f"a run directory holding {RUN_CONFIG}, or a file"
            )
        path = path / RUN_CONFIG
    if not path.is_file():
        raise UserError("--config", repr(str(path)), "an existing file (a run's config.json)")
    hint = " (YAML is not read; write the file as JSON)" if path.suffix in (".yaml", ".yml") else ""
    data = _load_json(path, "--config", f"a JSON file{hint}")
    return record_from_document(data, "--config", path, as_class=as_class)


def _load_json(path: Path, flag: str, expected: str) -> Any:
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(flag, repr(str(path)), f"{expected} ({err})") from None


def record_from_document(
    data: Any,
    flag: str,
    path: Path,
    *,
    as_class: Callable[[type], type] = lambda c: c,
    run_overrides: Mapping[str, Any] | None = None,
) -> RunRecord:
    """Rebuild a :class:`RunRecord` from a ``config.json`` document.

    ``algo``, ``env`` and ``run`` may be partial (or absent): missing fields keep the preset's,
    the env family's and :class:`RunOptions`' defaults.

    Args:
        data: The parsed document.
        flag: The flag the document came from (``--config``, ``--resume``), for error lines.
        path: The file, for error lines.
        as_class: Maps each config class to the class to build.
        run_overrides: ``RunOptions`` fields to change from the document's.

    Raises:
        UserError: The document is not of that form or has unknown keys (named, with the
            valid ones).
    """
    where = repr(str(path))
    if not isinstance(data, dict) or "algo_name" not in data or "env_name" not in data:
        raise UserError(flag, where, "a JSON object with algo_name, env_name, algo, env and run")
    unknown = [key for key in data if key not in KEYS]
    if unknown:
        raise UserError(flag, where, f"only the keys {', '.join(KEYS)}; unknown: {unknown}")
    if not isinstance(data.get("format", FORMAT), int) or data.get("format", FORMAT) > FORMAT:
        raise UserError(flag, where, f"format <= {FORMAT}, got {data.get('format')!r}")
    try:
        algo_cls = get_algorithm(str(data["algo_name"]))
        spec = env_spec(str(data["env_name"]))
    except UnknownNameError as err:
        raise UserError(flag, where, f"registered names ({err})") from None
    preset = data.get("preset", "default")
    if preset not in algo_cls.presets:
        raise UserError(flag, where, f"a preset of {algo_cls.name}: {', '.join(algo_cls.presets)}")
    groups = {group: data.get(group, {}) for group in ("algo", "env", "run")}
    for group, values in groups.items():
        if not isinstance(values, dict):
            raise UserError(flag, where, f"{group} to be a JSON object, got {values!r}")
    try:
        algo_values = {**config_to_json(algo_cls._resolve_config(preset)), **groups["algo"]}
        return RunRecord(
            algo_name=algo_cls.name,
            env_name=spec.name,
            preset=preset,
            algo=config_from_json(as_class(algo_cls.config_class), algo_values),
            env=config_from_json(as_class(spec.config_class), groups["env"]),
            run=config_from_json(as_class(RunOptions), {**groups["run"], **(run_overrides or {})}),
        )
    except ValueError as err:
        if str(err).startswith("unknown "):  # an unknown key: say which file holds it
            raise UserError(flag, where, f"known keys only ({err})") from None
        raise

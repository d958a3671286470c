"""`save_checkpoint`: write a checkpoint zip atomically, refusing what could not be read back."""

from __future__ import annotations

import io
import json
import os
import platform
import re
import stat
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.training.checkpoint import (
    FORMAT_VERSION,
    non_finite_tensors,
    package_version,
    state_dict_name_problem,
)

STALE_TEMP_SECONDS = 600.0
"""A ``.<name>.zip.XXXXXXXX.tmp`` file untouched for this long is a dead save's leftover.

A live save writes its temporary file continuously and renames it within seconds (the slowest
step, serialising one state dict of a few hundred MB into memory, takes a few seconds), so ten
minutes without a write means the writer was killed. Younger files are left alone: they may
belong to another process saving into the same folder right now (even to the same name), and
deleting its file would make its final rename fail.
"""

_TEMP_NAME = re.compile(r"^\..+\.zip\.[a-z0-9_]{8}\.tmp$")
"""How `save_checkpoint` names its temporary files (``tempfile.mkstemp`` adds 8 characters)."""


def library_versions() -> dict[str, str]:
    """Versions of the libraries a checkpoint depends on."""
    import gymnasium
    import numpy

    return {
        "hybrid_toolkit": package_version("hybrid-toolkit"),
        "torch": torch.__version__,
        "gymnasium": gymnasium.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def system_info() -> dict[str, Any]:
    """Facts about the machine that wrote a checkpoint (for debugging, never for loading)."""
    return {
        "os": platform.platform(),
        "machine": platform.machine(),
        "cuda_available": torch.cuda.is_available(),
    }


def _to_json(document: Any, section: str) -> bytes:
    def fallback(obj: Any) -> Any:
        if isinstance(obj, Path | torch.device | torch.dtype):
            return str(obj)
        if isinstance(obj, tuple | set | frozenset):
            return list(obj)
        raise TypeError(
            f"checkpoint {section} must be JSON-serialisable; found a {type(obj).__name__}: {obj!r}"
        )

    return json.dumps(document, indent=2, sort_keys=True, default=fallback).encode()


def _check_state_dicts(state_dicts: dict[str, Any]) -> None:
    for name, state in state_dicts.items():
        problem = state_dict_name_problem(name)
        if problem:
            raise ValueError(f"state_dicts key {name!r}: {problem}")
        if not isinstance(state, dict):
            raise TypeError(
                f"state_dicts[{name!r}] must be a dict (a module or optimizer state_dict()), "
                f"got {type(state).__name__}"
            )
    non_finite = non_finite_tensors(state_dicts)
    if non_finite:
        raise ValueError(
            "refusing to save non-finite weights (training diverged?): " + "; ".join(non_finite)
        )


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(folder: Path, max_age_s: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete what killed saves into ``folder`` left behind; return what was deleted.

    Every save cleans its whole folder, not only leftovers of its own file name: periodic
    checkpoints (``run_1000_steps.zip``, ``run_2000_steps.zip``, ...) never save to the same
    name twice. Only regular files named as `save_checkpoint` names its temporary files
    (``.<name>.zip.<8 random characters>.tmp``) and untouched for ``max_age_s`` are deleted (see
    `STALE_TEMP_SECONDS` for why younger ones stay).
    """
    deadline = time.time() - max_age_s
    removed = []
    for entry in os.scandir(folder):
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < deadline:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except FileNotFoundError:  # another process cleaned it first
            continue
    return removed


def save_checkpoint(
    path: str | Path,
    *,
    algorithm: str,
    config: dict[str, Any],
    spaces: dict[str, Any],
    state_dicts: dict[str, dict[str, Tensor]],
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint zip atomically and return its path.

    The zip is written to a temporary file in the destination folder, flushed to disk and then
    renamed over ``path``, so a crash mid-write leaves any previous checkpoint intact. Temporary
    files that killed saves into the same folder left behind are deleted first
    (`remove_stale_temp_files`).

    Args:
        path: Destination; ``.zip`` is appended when missing. Parent folders are created.
        algorithm: Registry name of the algorithm (``"ppo"``); `load_checkpoint` users
            dispatch on it.
        config: The algorithm config as a JSON-serialisable dict.
        spaces: The spaces as a JSON-serialisable dict (e.g. ``{"action_space": space.to_json()}``).
        state_dicts: ``name -> state_dict``; each becomes ``<name>.pt``.
        extra: Anything else JSON-serialisable to store.

    Returns:
        The path written (with the ``.zip`` suffix).

    Raises:
        ValueError: ``algorithm`` is empty, a state dict name is not a plain file stem, or a
            floating tensor holds NaN or ±inf (named by state dict and key); nothing is written.
        TypeError: A document is not JSON-serialisable or a state dict is not a dict.
    """
    if not isinstance(algorithm, str) or not algorithm:
        raise ValueError(f"algorithm must be a non-empty registry name, got {algorithm!r}")
    _check_state_dicts(state_dicts)
    target = Path(path)
    if target.suffix != ".zip":
        target = target.with_name(target.name + ".zip")
    meta = {
        "format_version": FORMAT_VERSION,
        "algorithm": algorithm,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "state_dicts": sorted(state_dicts),
        "versions": library_versions(),
        "system": system_info(),
    }
    documents = {
        "metadata.json": _to_json(meta, "metadata"),
        "config.json": _to_json(config, "config"),
        "spaces.json": _to_json(spaces, "spaces"),
        "extra.json": _to_json(extra or {}, "extra"),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target.parent)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in documents.items():
                    archive.writestr(name, data)
                for name in sorted(state_dicts):
                    buffer = io.BytesIO()
                    torch.save(state_dicts[name], buffer)
                    # torch.save output is already zip-compressed; storing avoids a second pass.
                    archive.writestr(f"{name}.pt", buffer.getvalue(), zipfile.ZIP_STORED)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


__all__ = [
    "STALE_TEMP_SECONDS",
    "library_versions",
    "remove_stale_temp_files",
    "save_checkpoint",
    "system_info",
]

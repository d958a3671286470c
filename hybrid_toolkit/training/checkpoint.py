"""Checkpoint files: a zip of JSON documents and ``torch.save`` state dicts, written atomically.

Layout of ``<name>.zip`` (format version 1):

```text
metadata.json   format version, library versions, algorithm name, creation time, system
config.json     the algorithm's config dataclass as JSON
spaces.json     action/observation spaces as JSON
<name>.pt       one torch.save file per state dict (policy, optimizer, normaliser, ...)
extra.json      anything else the algorithm wants back (counters, env name, ...)
```

Nothing is pickled: JSON for structure and ``torch.load(weights_only=True)`` for tensors, so a
checkpoint from an untrusted source cannot run code when loaded.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

FORMAT_VERSION = 1
"""Version of the checkpoint layout written by `save_checkpoint`."""

SUPPORTED_FORMAT_VERSIONS = (1,)
"""Layout versions `load_checkpoint` can read."""

_RESERVED = {"metadata", "config", "spaces", "extra"}
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class CheckpointError(ValueError):
    """Raised when a file is not a readable hybrid_toolkit checkpoint."""


@dataclass
class Checkpoint:
    """The content of a checkpoint file.

    Attributes:
        metadata: Format version, library versions, algorithm name, creation time, system info.
        config: The algorithm config as saved (a JSON dict).
        spaces: The spaces as saved (a JSON dict).
        state_dicts: One state dict per saved component, tensors on ``map_location``.
        extra: Free-form JSON the algorithm saved alongside.
    """

    metadata: dict[str, Any]
    config: dict[str, Any]
    spaces: dict[str, Any]
    state_dicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        """The registry name of the algorithm that wrote the checkpoint."""
        return str(self.metadata["algorithm"])


def _version(package: str) -> str:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def library_versions() -> dict[str, str]:
    """Versions of the libraries a checkpoint depends on."""
    import gymnasium
    import numpy

    return {
        "hybrid_toolkit": _version("hybrid-toolkit"),
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


def _check_names(state_dicts: dict[str, Any]) -> None:
    for name, state in state_dicts.items():
        if not isinstance(name, str) or not _NAME_PATTERN.match(name) or name in _RESERVED:
            raise ValueError(
                f"state_dicts key {name!r} must be a plain file stem (letters, digits, '_', '.', "
                f"'-') other than {sorted(_RESERVED)}"
            )
        if not isinstance(state, dict):
            raise TypeError(
                f"state_dicts[{name!r}] must be a dict (a module or optimizer state_dict()), "
                f"got {type(state).__name__}"
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
    renamed over ``path``, so a crash mid-write leaves any previous checkpoint intact.

    Args:
        path: Destination; ``.zip`` is appended when missing. Parent folders are created.
        algorithm: Registry name of the algorithm (``"ppo"``); `load_checkpoint` users
            dispatch on it.
        config: The algorithm config as a JSON-serialisable dict.
        spaces: The spaces as a JSON-serialisable dict (e.g. ``{"action": space.to_json()}``).
        state_dicts: ``name -> state_dict``; each becomes ``<name>.pt``.
        extra: Anything else JSON-serialisable to store.

    Returns:
        The path written (with the ``.zip`` suffix).
    """
    if not isinstance(algorithm, str) or not algorithm:
        raise ValueError(f"algorithm must be a non-empty registry name, got {algorithm!r}")
    _check_names(state_dicts)
    target = Path(path)
    if target.suffix != ".zip":
        target = target.with_name(target.name + ".zip")
    target.parent.mkdir(parents=True, exist_ok=True)
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


def _read_json(archive: zipfile.ZipFile, name: str, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(archive.read(name))
    except KeyError:
        raise CheckpointError(f"checkpoint {path} is missing {name}") from None
    except json.JSONDecodeError as err:
        raise CheckpointError(f"checkpoint {path}: {name} is not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"checkpoint {path}: {name} must hold a JSON object")
    return data


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint`.

    Args:
        path: The checkpoint; ``.zip`` is appended when the exact path does not exist.
        map_location: Device the tensors are loaded onto.

    Raises:
        FileNotFoundError: No file at ``path`` (nor at ``path + ".zip"``).
        CheckpointError: The file is not a zip, lacks ``metadata.json``, or has a format
            version this library cannot read.
    """
    source = Path(path)
    if not source.exists() and source.suffix != ".zip":
        source = source.with_name(source.name + ".zip")
    if not source.is_file():
        raise FileNotFoundError(f"no checkpoint file at {Path(path)} (nor with a .zip suffix)")
    if not zipfile.is_zipfile(source):
        raise CheckpointError(f"{source} is not a hybrid_toolkit checkpoint: not a zip file")
    with zipfile.ZipFile(source) as archive:
        if "metadata.json" not in archive.namelist():
            raise CheckpointError(
                f"{source} is not a hybrid_toolkit checkpoint: the zip has no metadata.json"
            )
        meta = _read_json(archive, "metadata.json", source)
        version = meta.get("format_version")
        if type(version) is not int or version not in SUPPORTED_FORMAT_VERSIONS:
            raise CheckpointError(
                f"checkpoint {source} has format_version {version!r}; this hybrid_toolkit "
                f"({_version('hybrid-toolkit')}) reads versions {list(SUPPORTED_FORMAT_VERSIONS)}"
            )
        state_dicts: dict[str, dict[str, Any]] = {}
        for name in meta.get("state_dicts", []):
            try:
                blob = archive.read(f"{name}.pt")
            except KeyError:
                raise CheckpointError(f"checkpoint {source} is missing {name}.pt") from None
            state_dicts[name] = torch.load(
                io.BytesIO(blob), map_location=map_location, weights_only=True
            )
        return Checkpoint(
            metadata=meta,
            config=_read_json(archive, "config.json", source),
            spaces=_read_json(archive, "spaces.json", source),
            state_dicts=state_dicts,
            extra=_read_json(archive, "extra.json", source),
        )


__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "CheckpointError",
    "library_versions",
    "load_checkpoint",
    "save_checkpoint",
    "system_info",
]

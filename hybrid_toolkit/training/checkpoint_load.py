"""`load_checkpoint`: read a checkpoint zip, treating the file as untrusted input.

Every way a file can be damaged or foreign ends in a `CheckpointError` that names the file, the
entry and what is wrong with it. Nothing is unpickled (``torch.load(weights_only=True)``), and
no entry is decompressed before its size in the zip directory has been checked against the
limits below; reading then stops at that size, so a directory that lies cannot get past them.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from hybrid_toolkit.training.checkpoint import (
    JSON_DOCUMENTS,
    SUPPORTED_FORMAT_VERSIONS,
    Checkpoint,
    CheckpointError,
    non_finite_tensors,
    package_version,
    state_dict_name_problem,
)

MAX_ENTRY_BYTES = 2 << 30
"""Largest decompressed size of one state dict (``.pt``) entry: 2 GiB, several times the largest
legitimate one (a replay buffer of a few hundred MB). Override per call with ``max_entry_bytes``."""

MAX_TOTAL_BYTES = 4 << 30
"""Largest decompressed size of all entries read from one checkpoint (``max_total_bytes``)."""

MAX_JSON_BYTES = 16 << 20
"""Largest decompressed size of a JSON entry; real ones are a few kB."""

MAX_COMPRESSION_RATIO = 100
"""Largest decompressed/compressed size ratio of an entry over `RATIO_CHECK_BYTES`.

`save_checkpoint` stores ``.pt`` entries uncompressed (ratio 1) and deflates small JSON (ratio
under 10), so a higher ratio marks a crafted archive: with it, a file can make `load_checkpoint`
allocate at most 100 times its own size.
"""

RATIO_CHECK_BYTES = 1 << 20
"""Entries smaller than this (1 MiB) decompressed are not ratio-checked: they cannot hurt."""

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
    OverflowError,
)
"""What `zipfile` raises on damaged archives (bad offsets, CRC, headers, names, methods)."""

_CHUNK_BYTES = 1 << 20
"""Read entries in pieces: memory then follows the bytes that exist, not the sizes declared."""

_EOCD_SIZE = 22
"""Size of a zip's end-of-central-directory record without its comment."""

_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The compression methods `save_checkpoint` writes; others (bzip2, lzma) are refused."""


def _resolve(path: str | Path) -> Path:
    source = Path(path)
    if not source.exists() and source.suffix != ".zip":
        source = source.with_name(source.name + ".zip")
    if not source.is_file():
        raise FileNotFoundError(f"no checkpoint file at {Path(path)} (nor with a .zip suffix)")
    return source


def _ends_with_zip_directory(handle: Any) -> bool:
    """Whether the file ends exactly where its end-of-central-directory record (and comment) do.

    zipfile searches the last 64 kB for that record; in a truncated checkpoint it finds the
    record of a stored ``torch.save`` file instead and reads that inner zip as the outer one.
    """
    size = handle.seek(0, 2)
    handle.seek(max(0, size - _EOCD_SIZE - 0xFFFF))
    tail = handle.read()
    position = tail.rfind(b"PK\x05\x06")
    while position >= 0:
        comment_size = int.from_bytes(tail[position + 20 : position + 22], "little")
        if position + _EOCD_SIZE + comment_size == len(tail):
            return True
        position = tail.rfind(b"PK\x05\x06", 0, position)
    return False


def _open_zip(handle: Any, where: str) -> zipfile.ZipFile:
    try:
        if not _ends_with_zip_directory(handle):
            raise zipfile.BadZipFile("File is not a zip file")
        return zipfile.ZipFile(handle)
    except zipfile.BadZipFile as err:
        if "not a zip file" in str(err):
            raise CheckpointError(
                f"{where} is not a hybrid_toolkit checkpoint: not a zip file, or a truncated one "
                f"(no zip directory at its end)"
            ) from None
        raise CheckpointError(f"{where} has a damaged zip directory ({err})") from None
    except _ZIP_ERRORS as err:
        raise CheckpointError(f"{where} has a damaged zip directory ({err!r})") from None


def _entries(archive: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    twice = sorted(name for name, n in Counter(i.filename for i in infos).items() if n > 1)
    if twice:
        raise CheckpointError(f"{where}: entries {twice} appear more than once in the zip")
    return {info.filename: info for info in infos}


def _check_sizes(
    infos: Sequence[zipfile.ZipInfo], max_entry_bytes: int, max_total_bytes: int, where: str
) -> None:
    """Refuse entries whose sizes in the zip directory exceed the limits, before any reading.

    Raises:
        CheckpointError: An entry is encrypted or uses a compression method other than stored
            or deflated, or its size, its compression ratio or the total size is over a limit.
    """
    total = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise CheckpointError(f"{where}: entry {name!r} is encrypted")
        if info.compress_type not in _METHODS:
            raise CheckpointError(
                f"{where}: entry {name!r} uses zip compression method {info.compress_type}; "
                f"expected stored (0) or deflated (8)"
            )
        limit = MAX_JSON_BYTES if name.endswith(".json") else max_entry_bytes
        if info.file_size > limit:
            raise CheckpointError(
                f"{where}: entry {name!r} decompresses to {info.file_size:,} bytes; the limit is "
                f"{limit:,} (max_entry_bytes for state dicts)"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise CheckpointError(
                f"{where}: entry {name!r} would expand {ratio:,.0f}x (from "
                f"{info.compress_size:,} to {info.file_size:,} bytes); checkpoints expand at "
                f"most {MAX_COMPRESSION_RATIO}x, so this looks like a zip bomb"
            )
        total += info.file_size
    if total > max_total_bytes:
        raise CheckpointError(
            f"{where}: its entries decompress to {total:,} bytes in all; the limit is "
            f"{max_total_bytes:,} (max_total_bytes)"
        )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    # zipfile stops at the directory's file_size and checks the CRC at the end; reading one
    # byte more than that size proves both without trusting either.
    buffer, left = io.BytesIO(), info.file_size + 1
    try:
        with archive.open(info) as stream:
            while left > 0 and (chunk := stream.read(min(left, _CHUNK_BYTES))):
                left -= buffer.write(chunk)
    except _ZIP_ERRORS as err:
        raise CheckpointError(f"{where}: entry {info.filename!r} is damaged ({err})") from None
    data = buffer.getvalue()
    if len(data) != info.file_size:
        raise CheckpointError(
            f"{where}: entry {info.filename!r} holds {len(data):,} bytes; the zip directory "
            f"says {info.file_size:,}"
        )
    return data


def _parse_json(data: bytes, name: str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise CheckpointError(f"{where}: {name} is not UTF-8 text ({err})") from None
    except (json.JSONDecodeError, RecursionError) as err:
        raise CheckpointError(f"{where}: {name} is not valid JSON ({err})") from None
    if not isinstance(document, dict):
        raise CheckpointError(
            f"{where}: {name} must hold a JSON object, got a JSON {type(document).__name__}"
        )
    return document


def _check_metadata(meta: dict[str, Any], where: str) -> list[str]:
    """Validate ``metadata.json`` and return the state dict names it lists."""
    version = meta.get("format_version")
    if type(version) is not int or version not in SUPPORTED_FORMAT_VERSIONS:
        raise CheckpointError(
            f"checkpoint {where} has format_version {version!r}; this hybrid_toolkit "
            f"({package_version('hybrid-toolkit')}) reads versions "
            f"{list(SUPPORTED_FORMAT_VERSIONS)}"
        )
    algorithm = meta.get("algorithm")
    if not isinstance(algorithm, str) or not algorithm:
        raise CheckpointError(
            f"{where}: metadata.json 'algorithm' must be a non-empty registry name, got "
            f"{algorithm!r}"
        )
    names = meta.get("state_dicts")
    if not isinstance(names, list):
        raise CheckpointError(
            f"{where}: metadata.json 'state_dicts' must be a list of names, got {names!r}"
        )
    for name in names:
        problem = state_dict_name_problem(name)
        if problem:
            raise CheckpointError(f"{where}: metadata.json: {problem}")
    if len(set(names)) != len(names):
        raise CheckpointError(f"{where}: metadata.json 'state_dicts' repeats names: {names}")
    return names


def _error_line(err: BaseException) -> str:
    # torch's weights_only errors span many lines; the one naming the refused global matters.
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    telling = [line for line in lines if "Unsupported" in line or "WeightsUnpickler" in line]
    line = (telling or lines or [""])[0].split(". Please use")[0]  # no advice to allowlist
    return f"{type(err).__name__}: {line}"


def _read_state_dict(
    blob: bytes, name: str, where: str, max_entry_bytes: int, map_location: torch.device
) -> dict[str, Any]:
    what = f"{where}: state dict {name!r} ({name}.pt)"
    # torch.save files are zips themselves; their records could hide a second bomb.
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise CheckpointError(f"{what} is not a torch.save zip file")
    with _open_zip(io.BytesIO(blob), what) as inner:
        _check_sizes(inner.infolist(), max_entry_bytes, max_entry_bytes, what)
    try:
        state = torch.load(io.BytesIO(blob), map_location=map_location, weights_only=True)
    except Exception as err:  # any failure to decode these untrusted bytes means a bad file
        raise CheckpointError(f"{what} is not a readable torch file ({_error_line(err)})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{what} must hold a dict, got a {type(state).__name__}")
    return state


def load_checkpoint(
    path: str | Path,
    map_location: str | torch.device = "cpu",
    *,
    max_entry_bytes: int | None = None,
    max_total_bytes: int | None = None,
) -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint`; the file may be damaged or hostile.

    The zip is decompressed once, entry by entry, after its directory has been checked against
    the size limits; tensors are read with ``torch.load(weights_only=True)``, so no code in the
    file runs.

    Args:
        path: The checkpoint; ``.zip`` is appended when the exact path does not exist.
        map_location: Device the tensors are loaded onto.
        max_entry_bytes: Largest decompressed state dict entry; default `MAX_ENTRY_BYTES`.
        max_total_bytes: Largest decompressed total; default `MAX_TOTAL_BYTES`.

    Raises:
        FileNotFoundError: No file at ``path`` (nor at ``path + ".zip"``).
        CheckpointError: The file is not a checkpoint or is damaged: not a zip or truncated, an
            entry missing, duplicated, damaged (bad CRC), too large or too compressed, a JSON
            entry not UTF-8, not JSON or of the wrong type, an unknown format version, a state
            dict that torch cannot read, or a floating tensor holding NaN or ±inf.
    """
    source = _resolve(path)
    device = torch.device(map_location)
    entry_cap = MAX_ENTRY_BYTES if max_entry_bytes is None else max_entry_bytes
    total_cap = MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes
    where = str(source)
    with open(source, "rb") as handle, _open_zip(handle, where) as archive:
        entries = _entries(archive, where)
        if "metadata.json" not in entries:
            raise CheckpointError(
                f"{where} is not a hybrid_toolkit checkpoint: the zip has no metadata.json"
            )
        _check_sizes([entries["metadata.json"]], entry_cap, total_cap, where)
        meta = _parse_json(
            _read_entry(archive, entries["metadata.json"], where), "metadata.json", where
        )
        names = _check_metadata(meta, where)
        wanted = [f"{doc}.json" for doc in JSON_DOCUMENTS] + [f"{name}.pt" for name in names]
        missing = [entry for entry in wanted if entry not in entries]
        if missing:
            raise CheckpointError(f"checkpoint {where} is missing {', '.join(missing)}")
        _check_sizes([entries[entry] for entry in wanted], entry_cap, total_cap, where)
        documents = {
            doc: _parse_json(
                _read_entry(archive, entries[f"{doc}.json"], where), f"{doc}.json", where
            )
            for doc in ("config", "spaces", "extra")
        }
        state_dicts = {
            name: _read_state_dict(
                _read_entry(archive, entries[f"{name}.pt"], where), name, where, entry_cap, device
            )
            for name in names
        }
    non_finite = non_finite_tensors(state_dicts)
    if non_finite:
        raise CheckpointError(f"{where} holds non-finite weights: {'; '.join(non_finite)}")
    return Checkpoint(metadata=meta, state_dicts=state_dicts, **documents)


__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_ENTRY_BYTES",
    "MAX_JSON_BYTES",
    "MAX_TOTAL_BYTES",
    "load_checkpoint",
]

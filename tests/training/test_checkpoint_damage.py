"""Damaged, foreign and hostile files: `load_checkpoint` raises `CheckpointError` saying what is
wrong, never a raw zipfile/json/torch error, and never decompresses more than its limits allow."""

from __future__ import annotations

import io
import json
import random
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from hybrid_toolkit.training import (
    CheckpointError,
    checkpoint_load,
    load_checkpoint,
    save_checkpoint,
)

META = {"format_version": 1, "algorithm": "ppo", "state_dicts": ["policy"]}


def _policy() -> dict[str, Any]:
    torch.manual_seed(0)
    return torch.nn.Linear(3, 2).state_dict()


def _torch_bytes(obj: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A small valid checkpoint."""
    return save_checkpoint(
        tmp_path / "good.zip",
        algorithm="ppo",
        config={"learning_rate": 3e-4},
        spaces={},
        state_dicts={"policy": _policy()},
    )


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _edited(good: Path, tmp_path: Path, **changes: bytes | None) -> Path:
    """``good`` rewritten with entries replaced (``name_json="..."``) or dropped (``None``)."""
    entries = _entries(good)
    for key, data in changes.items():
        name = key.replace("_json", ".json").replace("_pt", ".pt")
        if data is None:
            entries.pop(name)
        else:
            entries[name] = data
    return _write(tmp_path / "edited.zip", entries)


def _data_offset(path: Path, name: str) -> int:
    """Where the bytes of entry ``name`` start in the file (after its local header)."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        start = archive.getinfo(name).header_offset
    name_len, extra_len = struct.unpack("<HH", raw[start + 26 : start + 30])
    return start + 30 + name_len + extra_len


def test_a_flipped_byte_in_a_state_dict_is_a_bad_crc_naming_the_entry(good: Path) -> None:
    raw = bytearray(good.read_bytes())
    raw[_data_offset(good, "policy.pt") + 100] ^= 0xFF
    good.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"entry 'policy\.pt' is damaged \(Bad CRC-32"):
        load_checkpoint(good)


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_reported(good: Path, keep: float) -> None:
    raw = good.read_bytes()
    good.write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(CheckpointError, match="truncated"):
        load_checkpoint(good)


def test_random_bytes_are_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "noise.zip"
    path.write_bytes(random.Random(0).randbytes(5000))
    with pytest.raises(CheckpointError, match="not a zip file"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("entry", "data", "message"),
    [
        ("metadata_json", b"\xff\xfe{}", r"metadata\.json is not UTF-8"),
        ("config_json", b"{'single': 'quotes'}", r"config\.json is not valid JSON"),
        ("spaces_json", b"[" * 100_000, r"spaces\.json is not valid JSON"),
        ("extra_json", b"[1, 2]", r"extra\.json must hold a JSON object, got a JSON list"),
        ("config_json", None, r"missing config\.json"),
        ("policy_pt", b"hello", r"'policy' \(policy\.pt\) is not a torch\.save zip"),
        ("policy_pt", _torch_bytes(torch.zeros(2)), r"policy\.pt\) must hold a dict, got a Tensor"),
    ],
)
def test_a_bad_entry_is_named(
    good: Path, tmp_path: Path, entry: str, data: bytes | None, message: str
) -> None:
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(_edited(good, tmp_path, **{entry: data}))


def test_a_foreign_zip_posing_as_a_torch_file_is_refused(good: Path, tmp_path: Path) -> None:
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "not a tensor")
    with pytest.raises(CheckpointError, match=r"policy\.pt\) is not a readable torch file"):
        load_checkpoint(_edited(good, tmp_path, policy_pt=foreign.getvalue()))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"state_dicts": "policy"}, "'state_dicts' must be a list of names, got 'policy'"),
        ({"state_dicts": [3]}, "state dict name 3 must be a plain file stem"),
        ({"state_dicts": ["../policy"]}, "state dict name '../policy' must be a plain"),
        ({"state_dicts": ["config"]}, "'config' is reserved"),
        ({"state_dicts": ["policy", "policy"]}, "repeats names"),
        ({"state_dicts": None}, "'state_dicts' must be a list"),
        ({"algorithm": 5}, "'algorithm' must be a non-empty registry name, got 5"),
        ({"algorithm": ""}, "'algorithm' must be a non-empty registry name"),
        ({"format_version": "1"}, "format_version '1'"),
        ({"format_version": True}, "format_version True"),
    ],
)
def test_wrong_json_types_in_metadata_are_named(
    good: Path, tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    meta = {**META, **changes}
    edited = _edited(good, tmp_path, metadata_json=json.dumps(meta).encode())
    with pytest.raises(CheckpointError, match=re.escape(message)):
        load_checkpoint(edited)


def test_duplicate_entries_are_refused(good: Path, tmp_path: Path) -> None:
    path = tmp_path / "twice.zip"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        for name, data in _entries(good).items():
            archive.writestr(name, data)
        archive.writestr("policy.pt", _torch_bytes({"other": torch.ones(1)}))
    with pytest.raises(CheckpointError, match=r"\['policy\.pt'\] appear more than once"):
        load_checkpoint(path)


def test_foreign_compression_methods_are_refused(good: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "bz.zip", _entries(good), zipfile.ZIP_BZIP2)
    with pytest.raises(CheckpointError, match="compression method 12; expected stored"):
        load_checkpoint(path)


# ---------------------------------------------------------------- decompression limits
def _bomb(path: Path, size: int) -> Path:
    """A checkpoint whose policy.pt deflates from ``size`` zero bytes (ratio about 1000)."""
    entries = _entries(save_checkpoint(path, algorithm="ppo", config={}, spaces={}, state_dicts={}))
    entries["metadata.json"] = json.dumps(META).encode()
    entries["policy.pt"] = bytes(size)
    return _write(path, entries)


def _peak_python_bytes(call: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_zip_bomb_fails_before_decompressing(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.zip", 64 << 20)
    assert bomb.stat().st_size < 100_000  # 64 MiB hidden in under 100 kB

    def load() -> None:
        with pytest.raises(CheckpointError, match=r"'policy\.pt' would expand 1,0\d\dx"):
            load_checkpoint(bomb)

    assert _peak_python_bytes(load) < 4 << 20  # nothing near 64 MiB was ever allocated


def test_a_directory_that_understates_a_size_does_not_get_past(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "liar.zip", 64 << 20)
    raw = bytearray(bomb.read_bytes())
    central = raw.index(b"PK\x01\x02")  # the first central directory header
    while raw[central + 46 : central + 46 + 9] != b"policy.pt":
        central = raw.index(b"PK\x01\x02", central + 4)
    raw[central + 24 : central + 28] = struct.pack("<I", 1000)  # "uncompressed size: 1000 bytes"
    bomb.write_bytes(bytes(raw))

    def load() -> None:
        with pytest.raises(CheckpointError, match=r"'policy\.pt' is damaged"):
            load_checkpoint(bomb)

    assert _peak_python_bytes(load) < 4 << 20


def test_entry_and_total_limits_come_from_the_directory(tmp_path: Path) -> None:
    path = save_checkpoint(
        tmp_path / "big.zip",
        algorithm="ppo",
        config={},
        spaces={},
        state_dicts={"a": {"w": torch.randn(300_000)}, "b": {"w": torch.randn(300_000)}},
    )  # two stored entries of about 1.2 MB each
    load_checkpoint(path)
    with pytest.raises(CheckpointError, match=r"'a\.pt' decompresses to 1,2\d\d,\d\d\d bytes"):
        load_checkpoint(path, max_entry_bytes=1_000_000)
    with pytest.raises(CheckpointError, match=r"limit is 2,000,000 \(max_total_bytes\)"):
        load_checkpoint(path, max_total_bytes=2_000_000)


def test_json_entries_have_their_own_small_limit(
    good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint_load, "MAX_JSON_BYTES", 50)
    with pytest.raises(CheckpointError, match=r"'metadata\.json' decompresses to .* limit is 50"):
        load_checkpoint(good)


def test_a_bomb_inside_the_torch_file_is_refused(good: Path, tmp_path: Path) -> None:
    inner = io.BytesIO()
    original = zipfile.ZipFile(io.BytesIO(_torch_bytes(_policy())))
    with original as src, zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("policy/data/9", bytes(16 << 20))
    edited = _edited(good, tmp_path, policy_pt=inner.getvalue())
    with pytest.raises(CheckpointError, match=r"state dict 'policy'.*'policy/data/9' would expand"):
        load_checkpoint(edited)


# ---------------------------------------------------------------- non-finite weights
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weights_are_refused_on_save(tmp_path: Path, bad: float) -> None:
    policy = _policy()
    policy["weight"][1, 2] = bad
    optimizer = {"state": {0: {"exp_avg": torch.tensor([0.0, bad])}}, "param_groups": []}
    with pytest.raises(ValueError, match=r"policy\['weight'\] has .* of 6 values") as err:
        save_checkpoint(
            tmp_path / "m.zip",
            algorithm="ppo",
            config={},
            spaces={},
            state_dicts={"policy": policy, "optimizer": optimizer},
        )
    assert "optimizer['state.0.exp_avg']" in str(err.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temp file


def test_non_finite_weights_are_refused_on_load(good: Path, tmp_path: Path) -> None:
    policy = _policy()
    policy["bias"][0] = float("nan")
    edited = _edited(good, tmp_path, policy_pt=_torch_bytes(policy))
    with pytest.raises(CheckpointError, match=r"non-finite weights: policy\['bias'\] has 1 NaN"):
        load_checkpoint(edited)


def test_integer_tensors_and_finite_weights_pass(tmp_path: Path) -> None:
    state = {"policy": {**_policy(), "steps": torch.tensor([2**62]), "mask": torch.ones(2).bool()}}
    path = save_checkpoint(tmp_path / "m", algorithm="ppo", config={}, spaces={}, state_dicts=state)
    assert torch.equal(
        load_checkpoint(path).state_dicts["policy"]["steps"], state["policy"]["steps"]
    )

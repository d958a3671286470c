"""Checkpoint zips: exact round trip, atomic replacement, clear load errors, no pickle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import torch

import hybrid_toolkit
from hybrid_toolkit.spaces import HybridSpace
from hybrid_toolkit.training import (
    FORMAT_VERSION,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)


def _trained_state() -> dict[str, dict[str, Any]]:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    net.register_buffer("counts", torch.arange(5, dtype=torch.int64))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(8, 3)).pow(2).mean().backward()
    optimizer.step()
    odd = {
        "double": torch.randn(2, 3, dtype=torch.float64),
        "bf16": torch.randn(4).to(torch.bfloat16),
        "mask": torch.tensor([True, False]),
        "strided": torch.randn(4, 6)[:, ::2],  # non-contiguous view
        "scalar": 3,
    }
    return {"policy": net.state_dict(), "optimizer": optimizer.state_dict(), "misc": odd}


def _assert_same(a: Any, b: Any) -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)  # bit-identical, not approximately equal
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        assert a == b


def _save(path: Path | str, state: dict[str, dict[str, Any]] | None = None, **extra: Any) -> Path:
    space = HybridSpace.parameterized([1, 2], low=0.0, high=[1.0, 2.0, 3.0])
    return save_checkpoint(
        path,
        algorithm="ppo",
        config={"learning_rate": 3e-4, "hidden": (64, 64)},
        spaces={"action_space": space.to_json()},
        state_dicts=state if state is not None else _trained_state(),
        extra=extra or None,
    )


def test_round_trip_is_bit_identical(tmp_path: Path) -> None:
    state = _trained_state()
    written = _save(tmp_path / "model", state, num_timesteps=1234)
    assert written == tmp_path / "model.zip"
    ckpt = load_checkpoint(written)
    _assert_same(state, ckpt.state_dicts)
    assert ckpt.algorithm == "ppo"
    assert ckpt.config == {"learning_rate": 3e-4, "hidden": [64, 64]}
    assert ckpt.extra == {"num_timesteps": 1234}
    space = HybridSpace.parameterized([1, 2], low=0.0, high=[1.0, 2.0, 3.0])
    assert HybridSpace.from_json(ckpt.spaces["action_space"]) == space


def test_zip_layout_and_metadata(tmp_path: Path) -> None:
    written = _save(tmp_path / "model.zip")
    with zipfile.ZipFile(written) as archive:
        documents = ["metadata.json", "config.json", "spaces.json", "extra.json"]
        tensors = ["policy.pt", "optimizer.pt", "misc.pt"]
        assert sorted(archive.namelist()) == sorted([*documents, *tensors])
        meta = json.loads(archive.read("metadata.json"))
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["algorithm"] == "ppo"
    assert meta["versions"]["torch"] == torch.__version__
    assert {"hybrid_toolkit", "gymnasium", "python", "numpy"} <= meta["versions"].keys()
    assert {"os", "machine", "cuda_available"} <= meta["system"].keys()
    assert meta["created"].endswith("+00:00")


def test_load_accepts_the_path_without_suffix(tmp_path: Path) -> None:
    _save(tmp_path / "model")
    assert load_checkpoint(tmp_path / "model").algorithm == "ppo"


def test_crash_during_write_keeps_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _trained_state()
    _save(tmp_path / "model.zip", first)
    real_save = torch.save
    calls = {"n": 0}

    def crash_on_second_state_dict(obj: Any, f: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (simulated)")
        real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", crash_on_second_state_dict)
    second = {name: {"other": torch.zeros(1)} for name in ("policy", "optimizer")}
    with pytest.raises(OSError, match="simulated"):
        _save(tmp_path / "model.zip", second)
    assert calls["n"] == 2  # the crash happened midway through writing the zip
    monkeypatch.undo()
    _assert_same(first, load_checkpoint(tmp_path / "model.zip").state_dicts)
    assert [p.name for p in tmp_path.iterdir()] == ["model.zip"]  # no temp file left behind


def test_missing_file_error_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_checkpoint(tmp_path / "nowhere.zip")


def test_non_zip_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "model.zip"
    path.write_text("not a zip")
    with pytest.raises(CheckpointError, match="not a zip file"):
        load_checkpoint(path)


def test_zip_without_metadata_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(CheckpointError, match=r"no metadata\.json"):
        load_checkpoint(path)


def test_unknown_format_version_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "future.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format_version": 99, "algorithm": "x"}))
    with pytest.raises(CheckpointError, match="format_version 99"):
        load_checkpoint(path)


def test_missing_state_dict_file_is_reported(tmp_path: Path) -> None:
    written = _save(tmp_path / "model.zip")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.namelist():
            if item != "policy.pt":
                dst.writestr(item, src.read(item))
    with pytest.raises(CheckpointError, match=r"missing policy\.pt"):
        load_checkpoint(broken)


SIDE_EFFECTS: list[str] = []


def _mark_loaded() -> None:
    SIDE_EFFECTS.append("code ran")


class _Payload:
    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_mark_loaded, ())


def test_loading_never_unpickles_arbitrary_objects(tmp_path: Path) -> None:
    written = _save(tmp_path / "evil.zip", {"policy": {"payload": _Payload()}})  # type: ignore[dict-item]
    with pytest.raises(CheckpointError, match=r"policy\.pt.*Unsupported global.*_mark_loaded"):
        load_checkpoint(written)
    assert SIDE_EFFECTS == []


@pytest.mark.parametrize("bad_name", ["metadata", "a/b", "", "../x"])
def test_state_dict_names_must_be_plain_file_stems(tmp_path: Path, bad_name: str) -> None:
    with pytest.raises(ValueError, match="state_dicts key"):
        _save(tmp_path / "m.zip", {bad_name: {}})


def test_non_json_config_fails_before_writing(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="checkpoint config must be JSON-serialisable"):
        save_checkpoint(
            tmp_path / "m.zip", algorithm="ppo", config={"f": object()}, spaces={}, state_dicts={}
        )
    assert list(tmp_path.iterdir()) == []


def _temp_file(folder: Path, name: str, age_s: float) -> Path:
    path = folder / name
    path.write_bytes(b"half a zip")
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_a_save_removes_what_killed_saves_into_its_folder_left(tmp_path: Path) -> None:
    hour = 3600.0
    dead = _temp_file(tmp_path, ".model.zip.k1ll3d_x.tmp", hour)
    dead_other = _temp_file(tmp_path, ".run_32_steps.zip.abcdefgh.tmp", hour)  # periodic save
    live = _temp_file(tmp_path, ".model.zip.wr1t1ng_.tmp", 1.0)  # a concurrent save, just begun
    mine = _temp_file(tmp_path, ".model.zip.notes.tmp", hour)  # not a save_checkpoint name
    _save(tmp_path / "model.zip")
    assert not dead.exists() and not dead_other.exists()
    assert live.exists() and mine.exists()
    load_checkpoint(tmp_path / "model.zip")


_KILLED_WRITER = """
import sys, time, torch
from pathlib import Path
from hybrid_toolkit.training import save_checkpoint
real_save, calls = torch.save, []
def stall_on_second(obj, f, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:  # half the zip is on disk: tell the test, then wait to be killed
        Path(sys.argv[2]).write_text("ready")
        time.sleep(120)
    real_save(obj, f, *args, **kwargs)
torch.save = stall_on_second
state = {name: {"w": torch.full((1000,), 7.0)} for name in ("a", "b", "c")}
save_checkpoint(sys.argv[1], algorithm="ppo", config={}, spaces={}, state_dicts=state)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_during_a_save_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    first = _trained_state()
    target = _save(tmp_path / "model.zip", first)
    ready = tmp_path.parent / f"{tmp_path.name}.ready"
    package_root = str(Path(hybrid_toolkit.__file__).parents[1])  # the same code in the child
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(target), str(ready)],
        env={**os.environ, "PYTHONPATH": path},
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the writer never reached the middle of its save"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    leftovers = list(tmp_path.glob(".model.zip.*.tmp"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0
    _assert_same(first, load_checkpoint(target).state_dicts)
    stamp = time.time() - 3600  # an hour later, the next save cleans up
    os.utime(leftovers[0], (stamp, stamp))
    _save(target, first)
    assert [p.name for p in tmp_path.iterdir()] == ["model.zip"]

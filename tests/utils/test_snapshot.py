"""Snapshots of live state: plain data through a no-pickle load, restored in place."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
import torch

from hybrid_toolkit.algorithms.common.off_policy import ReplayBuffer
from hybrid_toolkit.algorithms.hyar.progress import HyARProgress
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.utils.snapshot import UnsupportedState, capture, restore


def through_a_file(value: Any) -> Any:
    """``torch.save``, then the no-pickle ``weights_only`` load a checkpoint uses."""
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)


def test_values_round_trip_and_generators_are_restored_in_place() -> None:
    generator = torch.Generator().manual_seed(4)
    value = {
        "n": 3,
        "pair": (1.5, None),
        "tensors": [torch.arange(3), torch.ones(2, 2)],
        "record": HyARProgress(pretrained=True, td3_updates=7),
    }
    saved_generator, saved = through_a_file(capture(generator)), through_a_file(capture(value))
    expected = torch.rand(3, generator=generator)
    assert restore(generator, saved_generator) is generator
    assert torch.equal(torch.rand(3, generator=generator), expected)
    back = restore(None, saved)
    assert back["n"] == 3 and back["pair"] == (1.5, None)
    assert all(torch.equal(x, y) for x, y in zip(back["tensors"], value["tensors"], strict=True))
    assert back["record"] == HyARProgress(pretrained=True, td3_updates=7)


def test_a_snapshot_copies_so_later_changes_do_not_leak_in() -> None:
    live = torch.zeros(3)
    saved = capture(live)
    live += 1
    assert torch.equal(restore(None, saved), torch.zeros(3))


def test_unsupported_values_are_refused_and_foreign_classes_never_rebuilt() -> None:
    @dataclasses.dataclass
    class Outside:
        x: int = 0

    with pytest.raises(ValueError, match="only dataclasses of hybrid_toolkit"):
        restore(None, capture(Outside()))
    with pytest.raises(UnsupportedState, match="cannot snapshot a value of type object"):
        capture(object())
    forged = {"__snapshot__": "record", "class": "os:system", "fields": {}}
    with pytest.raises(ValueError, match="only dataclasses of hybrid_toolkit are rebuilt"):
        restore(None, forged)


def test_a_replay_buffer_saves_only_its_filled_rows_and_resumes_its_ring() -> None:
    def fill(buffer: ReplayBuffer, start: int, count: int) -> None:
        obs = torch.arange(start, start + count, dtype=torch.float32)[:, None]
        action = HybridAction(torch.zeros(count, 1, dtype=torch.int64), torch.zeros(count, 0))
        buffer.add(obs, action, obs[:, 0], obs + 1, torch.zeros(count, dtype=torch.bool))

    half = ReplayBuffer(8, (1,), 1, 0)
    fill(half, 0, 3)
    assert through_a_file(half.state_dict())["obs"].shape[0] == 3

    source, copy = ReplayBuffer(8, (1,), 1, 0), ReplayBuffer(8, (1,), 1, 0)
    fill(source, 0, 6)
    fill(source, 6, 5)  # wraps: the ring's write position is 3
    copy.load_state_dict(through_a_file(source.state_dict()))
    fill(source, 11, 2)
    fill(copy, 11, 2)
    assert (copy.pos, len(copy)) == (source.pos, len(source)) == (5, 8)
    assert torch.equal(copy.obs, source.obs)
    with pytest.raises(ValueError, match=r"capacity 8.*expected capacity 4"):
        ReplayBuffer(4, (1,), 1, 0).load_state_dict(source.state_dict())

"""The shared replay buffer and Polyak update."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hybrid_toolkit.algorithms.common.off_policy import ReplayBuffer, polyak_update
from hybrid_toolkit.spaces import HybridAction


def batch(start: int, n: int) -> tuple[torch.Tensor, HybridAction, torch.Tensor]:
    values = torch.arange(start, start + n, dtype=torch.float32)
    action = HybridAction(values.long().unsqueeze(1), values.unsqueeze(1) * 10)
    return values.unsqueeze(1), action, values


def test_ring_buffer_wraps_and_keeps_the_newest() -> None:
    buf = ReplayBuffer(5, (1,), 1, 1, extras={"z": (2,)})
    for start in (0, 3):  # 3 + 3 transitions into capacity 5: transition 0 is overwritten
        obs, action, reward = batch(start, 3)
        buf.add(obs, action, reward, obs + 1, reward > 4, z=torch.ones(3, 2) * start)
    assert len(buf) == 5
    assert sorted(buf.reward.tolist()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    stored = buf.sample(200, torch.Generator().manual_seed(0))
    # every sampled transition is internally consistent
    assert torch.equal(stored.next_obs, stored.obs + 1)
    assert torch.equal(stored.action.continuous[:, 0], stored.reward * 10)
    assert torch.equal(stored.terminated, stored.reward > 4)
    assert torch.equal(stored.extras["z"][:, 0], torch.where(stored.reward >= 3, 3.0, 0.0))
    assert set(stored.reward.tolist()) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_extras_must_match_the_declaration() -> None:
    buf = ReplayBuffer(4, (1,), 1, 1, extras={"z": (1,)})
    obs, action, reward = batch(0, 2)
    with pytest.raises(ValueError, match=r"missing \['z'\]"):
        buf.add(obs, action, reward, obs, reward > 0)


def test_sampling_an_empty_buffer_and_oversized_batches_raise() -> None:
    buf = ReplayBuffer(2, (1,), 1, 1)
    with pytest.raises(RuntimeError, match="empty ReplayBuffer"):
        buf.sample(1)
    obs, action, reward = batch(0, 3)
    with pytest.raises(ValueError, match="cannot add 3 transitions"):
        buf.add(obs, action, reward, obs, reward > 0)


def test_polyak_update_interpolates_and_copies() -> None:
    source, target = nn.Linear(2, 2), nn.Linear(2, 2)
    expected = [
        0.9 * t + 0.1 * s for s, t in zip(source.parameters(), target.parameters(), strict=True)
    ]
    polyak_update(source.parameters(), target.parameters(), 0.1)
    for got, want in zip(target.parameters(), expected, strict=True):
        torch.testing.assert_close(got, want)
    polyak_update(source.parameters(), target.parameters(), 1.0)
    for s, t in zip(source.parameters(), target.parameters(), strict=True):
        assert torch.equal(s, t)

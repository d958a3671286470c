"""EpisodeStats: the last-`window` finished episodes, checked against a plain-Python reference."""

from __future__ import annotations

from collections import deque

import pytest
import torch
from training_fakes import DEVICES

from hybrid_toolkit.training import EpisodeStats


def _reference(steps: list[tuple[list[float], list[int], list[bool]]], window: int) -> dict:
    returns: deque[float] = deque(maxlen=window)
    lengths: deque[int] = deque(maxlen=window)
    for rets, lens, dones in steps:
        for r, n, d in zip(rets, lens, dones, strict=True):
            if d:
                returns.append(r)
                lengths.append(n)
    if not returns:
        return {}
    return {
        "rollout/ep_rew_mean": sum(returns) / len(returns),
        "rollout/ep_len_mean": sum(lengths) / len(lengths),
    }


def test_empty_until_an_episode_finishes() -> None:
    stats = EpisodeStats()
    assert stats.summary() == {}
    stats.add(torch.tensor([5.0]), torch.tensor([3]), torch.tensor([False]))
    assert stats.summary() == {}
    assert stats.num_episodes == 0


def test_window_keeps_the_latest_episodes_in_scenario_order() -> None:
    stats = EpisodeStats(window=3)
    stats.add(torch.tensor([1.0, 2.0]), torch.tensor([1, 2]), torch.tensor([True, True]))
    stats.add(torch.tensor([3.0, 4.0]), torch.tensor([3, 4]), torch.tensor([True, False]))
    assert stats.summary() == {"rollout/ep_rew_mean": 2.0, "rollout/ep_len_mean": 2.0}
    # Four finish at once: only the last three of them (scenarios 1..3) remain.
    stats.add(
        torch.tensor([10.0, 20.0, 10.0, 20.0]),
        torch.tensor([5, 6, 7, 8]),
        torch.tensor([True, True, True, True]),
    )
    # The window now holds returns [20, 10, 20] and lengths [6, 7, 8].
    assert stats.summary() == {
        "rollout/ep_rew_mean": pytest.approx(50 / 3),
        "rollout/ep_len_mean": pytest.approx(7.0),
    }
    assert stats.num_episodes == 7
    stats.reset()
    assert stats.summary() == {} and stats.num_episodes == 0


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("seed", range(5))
def test_matches_a_deque_reference_on_random_streams(device: str, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    window = int(torch.randint(1, 12, (1,), generator=gen))
    batch = int(torch.randint(1, 20, (1,), generator=gen))
    stats = EpisodeStats(window=window)
    steps = []
    for _ in range(30):
        rets = torch.randn(batch, generator=gen).mul(10).round().tolist()
        lens = torch.randint(1, 50, (batch,), generator=gen).tolist()
        dones = (torch.rand(batch, generator=gen) < 0.3).tolist()
        steps.append((rets, lens, dones))
        stats.add(
            torch.tensor(rets, device=device),
            torch.tensor(lens, device=device),
            torch.tensor(dones, device=device),
        )
        expected = _reference(steps, window)
        got = stats.summary()
        assert got.keys() == expected.keys()
        for key in expected:
            assert got[key] == pytest.approx(expected[key])


def test_accepts_returns_that_require_grad() -> None:
    stats = EpisodeStats()
    returns = torch.tensor([2.0], requires_grad=True) * 1.5
    stats.add(returns, torch.tensor([4]), torch.tensor([True]))
    assert stats.summary()["rollout/ep_rew_mean"] == 3.0


def test_bad_arguments_are_reported() -> None:
    with pytest.raises(ValueError, match="window must be a positive integer, got 0"):
        EpisodeStats(window=0)
    with pytest.raises(ValueError, match=r"three \[B\] tensors"):
        EpisodeStats().add(torch.zeros(3), torch.zeros(2), torch.zeros(3, dtype=torch.bool))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA to detect device syncs")
def test_add_never_synchronises_the_device() -> None:
    stats = EpisodeStats(window=4)
    returns = torch.arange(8.0, device="cuda")
    lengths = torch.arange(8, device="cuda")
    done = torch.tensor([True, False] * 4, device="cuda")
    stats.add(returns, lengths, done)  # first call allocates the buffers
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(5):
            stats.add(returns, lengths, done)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert stats.summary()["rollout/ep_rew_mean"] == pytest.approx((0 + 2 + 4 + 6) / 4)

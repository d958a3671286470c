"""RunningMeanStd, ObservationNormalizer and RewardScaler against numpy and hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hybrid_toolkit.nn import ObservationNormalizer, RewardScaler, RunningMeanStd


def test_running_mean_std_equals_numpy_over_all_chunks():
    rng = np.random.default_rng(0)
    data = rng.normal(3.0, 2.5, size=(1000, 3, 2)) * rng.uniform(0.5, 4.0, size=(3, 2))
    rms = RunningMeanStd((3, 2))
    start = 0
    for size in [1, 0, 7, 250, 2, 500, 1, 239]:
        rms.update(torch.as_tensor(data[start : start + size]))
        start += size
    assert start == len(data)
    np.testing.assert_allclose(rms.mean.numpy(), data.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(rms.var.numpy(), data.var(axis=0), rtol=1e-10)
    assert rms.count.item() == len(data)


def test_running_mean_std_accepts_extra_leading_dims_and_float32():
    data = torch.randn(20, 16, 4) * 3 + 1  # [T, B, obs]
    rms = RunningMeanStd(4)
    rms.update(data[:5])
    rms.update(data[5:])
    flat = data.reshape(-1, 4).double()
    torch.testing.assert_close(rms.mean, flat.mean(0))
    torch.testing.assert_close(rms.var, flat.var(0, correction=0))


def test_normalize_is_identity_before_data_then_standardises_and_clips():
    rms = RunningMeanStd(2)
    x = torch.tensor([[1.0, -2.0]])
    torch.testing.assert_close(rms.normalize(x, clip=None), x)
    rms.update(torch.tensor([[0.0, 10.0], [2.0, 30.0]]))  # mean (1, 20), var (1, 100)
    y = rms.normalize(torch.tensor([[3.0, 0.0], [1.0, 1020.0]]), clip=5.0)
    torch.testing.assert_close(y, torch.tensor([[2.0, -2.0], [0.0, 5.0]]))
    assert y.dtype == torch.float32
    torch.testing.assert_close(
        rms.denormalize(torch.tensor([[2.0, -2.0]])), torch.tensor([[3.0, 0.0]])
    )


def test_normalize_passes_gradients_to_the_input():
    rms = RunningMeanStd(())
    rms.update(torch.tensor([0.0, 4.0]))  # var 4, std 2
    x = torch.tensor([1.0, 3.0], requires_grad=True)
    rms.normalize(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.full((2,), 0.5))


def test_statistics_are_saved_in_the_state_dict():
    rms = RunningMeanStd(3)
    rms.update(torch.randn(50, 3) * 4)
    assert set(rms.state_dict()) == {"mean", "var", "count"}
    fresh = RunningMeanStd(3)
    fresh.load_state_dict(rms.state_dict())
    x = torch.randn(5, 3)
    torch.testing.assert_close(fresh.normalize(x), rms.normalize(x))


def test_shape_errors_name_the_expected_shape():
    rms = RunningMeanStd((3, 2))
    with pytest.raises(ValueError, match=r"x must have shape \[\.\.\., 3, 2\].*got \(4, 2, 3\)"):
        rms.update(torch.zeros(4, 2, 3))
    with pytest.raises(ValueError, match="clip must be a positive number or None, got -1"):
        rms.normalize(torch.zeros(3, 2), clip=-1)


def test_observation_normalizer_updates_only_in_training_mode():
    norm = ObservationNormalizer(2, clip=None)
    obs = torch.randn(256, 2) * torch.tensor([5.0, 0.1]) + torch.tensor([10.0, -1.0])
    torch.testing.assert_close(norm(obs), obs)  # forward never updates
    norm.update(obs)
    y = norm(obs)
    torch.testing.assert_close(y.mean(0), torch.zeros(2), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.std(0, correction=0), torch.ones(2), atol=1e-4, rtol=0)
    before = {k: v.clone() for k, v in norm.state_dict().items()}
    norm.eval()
    norm.update(obs * 100)
    for key, value in norm.state_dict().items():
        assert torch.equal(value, before[key]), key


def sb3_style_reference(rewards: np.ndarray, dones: np.ndarray, gamma: float, eps: float):
    """A plain loop: per-env discounted return, population variance of every return seen so far."""
    returns = np.zeros(rewards.shape[1])
    seen: list[np.ndarray] = []
    out = np.zeros_like(rewards)
    for t in range(len(rewards)):
        returns = returns * gamma + rewards[t]
        seen.append(returns.copy())
        out[t] = rewards[t] / math.sqrt(np.var(np.concatenate(seen)) + eps)
        returns[dones[t]] = 0.0
    return out


def test_reward_scaler_hand_worked_single_env():
    scaler = RewardScaler(1, gamma=0.5, clip=None, epsilon=0.0)
    done = torch.tensor([False])
    scaler(torch.tensor([1.0]), done)  # return 1, variance of {1} is 0
    # return 1.5; Var{1, 1.5} = 0.0625, std 0.25 -> 1 / 0.25
    torch.testing.assert_close(
        scaler(torch.tensor([1.0]), torch.tensor([True])), torch.tensor([4.0])
    )
    # done reset the return: 0.5 * 0 + 2 = 2; Var{1, 1.5, 2} = 1/6
    scaled = scaler(torch.tensor([2.0]), done)
    torch.testing.assert_close(scaled, torch.tensor([2.0 * math.sqrt(6.0)]))
    # rewards are divided, not centred: a negative reward stays negative
    assert scaler(torch.tensor([-0.5]), done).item() < 0


def test_reward_scaler_matches_reference_loop_over_many_envs():
    rng = np.random.default_rng(1)
    rewards = rng.normal(1.0, 3.0, size=(60, 8))
    dones = rng.random((60, 8)) < 0.1
    expected = sb3_style_reference(rewards, dones, gamma=0.9, eps=1e-8)
    scaler = RewardScaler(8, gamma=0.9, clip=None)
    got = np.stack(
        [
            scaler(torch.as_tensor(r), torch.as_tensor(d)).numpy()
            for r, d in zip(rewards, dones, strict=True)
        ]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_reward_scaler_clips_keeps_gradients_and_freezes_in_eval():
    scaler = RewardScaler(2, gamma=0.99, clip=3.0)
    no_done = torch.zeros(2, dtype=torch.bool)
    for _ in range(20):
        scaler(torch.randn(2), no_done)
    std = scaler.return_rms.std.float()
    reward = torch.tensor([0.1, 1e6], requires_grad=True)
    scaled = scaler(reward, no_done)
    assert scaled[1].item() == 3.0
    scaled[0].backward()
    torch.testing.assert_close(
        reward.grad, torch.tensor([1.0, 0.0]) / scaler.return_rms.std.float()
    )
    assert not torch.equal(std, scaler.return_rms.std.float())  # training mode updated stats

    scaler.eval()
    frozen = {k: v.clone() for k, v in scaler.state_dict().items()}
    returns = scaler.returns.clone()
    scaler(torch.tensor([5.0, 5.0]), torch.ones(2, dtype=torch.bool))
    assert all(torch.equal(v, frozen[k]) for k, v in scaler.state_dict().items())
    assert torch.equal(scaler.returns, returns)


def test_reward_scaler_state_dict_is_independent_of_num_envs():
    scaler = RewardScaler(4, gamma=0.9)
    for _ in range(5):
        scaler(torch.randn(4), torch.zeros(4, dtype=torch.bool))
    assert "returns" not in scaler.state_dict()
    other = RewardScaler(16, gamma=0.9)
    other.load_state_dict(scaler.state_dict())
    torch.testing.assert_close(other.scale(torch.ones(16)), scaler.scale(torch.ones(16)))
    scaler.reset(torch.tensor([True, False, False, True]))
    assert scaler.returns[0] == 0 and scaler.returns[3] == 0 and scaler.returns[1] != 0
    with pytest.raises(ValueError, match=r"reward and done must both have shape \[4\]"):
        scaler(torch.zeros(3), torch.zeros(3, dtype=torch.bool))
    with pytest.raises(ValueError, match="gamma must be in"):
        RewardScaler(2, gamma=1.5)

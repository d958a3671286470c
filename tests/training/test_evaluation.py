"""evaluate_policy: which episodes count, their returns, and the device-sync cadence."""

from __future__ import annotations

import statistics

import pytest
import torch
from torch import Tensor
from training_fakes import DEVICES, CounterEnv

from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import evaluate_policy
from hybrid_toolkit.training.evaluation import episode_targets


class StepCounterPolicy:
    """Plays ``k`` at the ``k``-th batched step (1-based), in every scenario."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, obs: Tensor) -> HybridAction:
        self.calls += 1
        batch = obs.shape[0]
        discrete = torch.zeros(batch, 1, dtype=torch.int64, device=obs.device)
        return HybridAction(discrete, torch.full((batch, 1), float(self.calls), device=obs.device))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("sync_every", [1, 3, 32])
def test_counts_each_scenarios_first_episodes(device: str, sync_every: int) -> None:
    # Episode lengths 1, 2, 3 and n=5: scenario i contributes (5 + i) // 3 = 1, 2, 2 episodes.
    # Rewards are the step number, so episode returns are sums of consecutive integers:
    #   scenario 0: [1];  scenario 1: [1+2, 3+4];  scenario 2: [1+2+3, 4+5+6].
    env = CounterEnv([1, 2, 3], device=device)
    result = evaluate_policy(StepCounterPolicy(), env, 5, sync_every=sync_every)
    expected = [1.0, 3.0, 7.0, 6.0, 15.0]
    assert result.episode_rewards == expected
    assert result.episode_lengths == [1, 2, 2, 3, 3]
    assert result.mean_reward == pytest.approx(statistics.fmean(expected))
    assert result.std_reward == pytest.approx(statistics.pstdev(expected))
    assert result.mean_ep_length == pytest.approx(11 / 5)


def test_only_checks_for_completion_every_sync_every_steps() -> None:
    # All targets are met after 6 steps; with sync_every=4 the loop notices at step 8.
    policy = StepCounterPolicy()
    evaluate_policy(policy, CounterEnv([1, 2, 3]), 5, sync_every=4)
    assert policy.calls == 8


def test_fewer_episodes_than_scenarios() -> None:
    # n=2, B=4: targets (2 + i) // 4 = 0, 0, 1, 1 -> only scenarios 2 and 3 count.
    assert episode_targets(2, 4) == [0, 0, 1, 1]
    result = evaluate_policy(StepCounterPolicy(), CounterEnv([1, 1, 2, 3]), 2, sync_every=1)
    assert result.episode_rewards == [3.0, 6.0]


@pytest.mark.parametrize(("n", "b"), [(1, 1), (7, 3), (10, 4), (3, 8), (100, 7)])
def test_targets_sum_to_n_and_never_exceed_the_ceiling(n: int, b: int) -> None:
    targets = episode_targets(n, b)
    assert sum(targets) == n
    assert max(targets) == -(-n // b)


def test_the_seed_makes_the_reset_reproducible() -> None:
    env = CounterEnv([2, 2])
    seen: list[int] = []
    env.reset(seed=3)
    evaluate_policy(StepCounterPolicy(), env, 2, seed=7)
    seen.append(int(torch.randint(0, 10**9, (1,), generator=env.generator)))
    evaluate_policy(StepCounterPolicy(), env, 2, seed=7)
    seen.append(int(torch.randint(0, 10**9, (1,), generator=env.generator)))
    assert seen[0] == seen[1]


def test_max_steps_guards_against_episodes_that_never_end() -> None:
    with pytest.raises(RuntimeError, match="max_steps=10"):
        evaluate_policy(StepCounterPolicy(), CounterEnv([1000]), 1, max_steps=10)


def test_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="n_eval_episodes must be a positive integer, got 0"):
        evaluate_policy(StepCounterPolicy(), CounterEnv([1]), 0)
    with pytest.raises(ValueError, match="sync_every"):
        evaluate_policy(StepCounterPolicy(), CounterEnv([1]), 1, sync_every=0)


def test_runs_without_building_an_autograd_graph() -> None:
    weight = torch.ones(1, requires_grad=True)

    def policy(obs: Tensor) -> HybridAction:
        cont = (obs[:, :1] * 0 + 1) * weight
        assert not cont.requires_grad  # evaluation runs under no_grad
        return HybridAction(torch.zeros(obs.shape[0], 1, dtype=torch.int64), cont)

    assert evaluate_policy(policy, CounterEnv([2]), 1).mean_reward == 2.0

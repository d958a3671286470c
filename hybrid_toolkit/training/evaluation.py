"""`evaluate_policy`: batched episode returns of a policy, without a device sync per step."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training._checks import check_positive_int


@dataclass(frozen=True)
class EvalResult:
    """Statistics of the evaluated episodes.

    Attributes:
        mean_reward: Mean undiscounted episode return.
        std_reward: Population standard deviation of the returns (``numpy.std`` convention).
        mean_ep_length: Mean episode length in steps.
        episode_rewards: Every counted episode's return, grouped by scenario (scenario 0 first),
            each scenario's episodes in the order they finished.
        episode_lengths: The matching episode lengths.
    """

    mean_reward: float
    std_reward: float
    mean_ep_length: float
    episode_rewards: list[float]
    episode_lengths: list[int]


def episode_targets(n_eval_episodes: int, num_envs: int) -> list[int]:
    """How many episodes each scenario contributes: ``(n + i) // B`` for scenario ``i``.

    The targets sum to ``n`` and differ by at most one, so each scenario gives at most
    ``ceil(n / B)`` episodes. Counting only a scenario's *first* episodes avoids the bias towards
    short episodes that "take the first ``n`` to finish" would have.
    """
    return [(n_eval_episodes + i) // num_envs for i in range(num_envs)]


def evaluate_policy(
    act: Callable[[Tensor], HybridAction],
    env: HybridEnv,
    n_eval_episodes: int,
    *,
    seed: int | None = None,
    sync_every: int = 32,
    max_steps: int | None = None,
) -> EvalResult:
    """Run ``act`` on every scenario of ``env`` until ``n_eval_episodes`` episodes are counted.

    The whole batch is stepped together; scenario ``i`` contributes its first
    ``(n_eval_episodes + i) // env.num_envs`` episodes (see `episode_targets`). Episode
    returns are written into a device tensor as they finish, and the loop checks whether it is
    done only every ``sync_every`` steps, so the device is not synchronised on every step.

    Args:
        act: Maps a batch of observations ``[B, *obs_shape]`` to a `HybridAction`
            (e.g. ``lambda obs: algo.act(obs, deterministic=True)``).
        env: The environment; it is reset at the start (and left mid-episode at the end).
        n_eval_episodes: Number of episodes to count, ``>= 1``.
        seed: Passed to ``env.reset`` so repeated evaluations see the same scenarios.
        sync_every: Steps between checks of whether every scenario reached its target.
        max_steps: Optional safety limit on batched steps; exceeding it raises ``RuntimeError``.

    Returns:
        An `EvalResult`.
    """
    check_positive_int("n_eval_episodes", n_eval_episodes)
    check_positive_int("sync_every", sync_every)
    if max_steps is not None:
        check_positive_int("max_steps", max_steps)
    device, num_envs = env.device, env.num_envs
    targets = torch.tensor(episode_targets(n_eval_episodes, num_envs), device=device)
    slots = math.ceil(n_eval_episodes / num_envs)
    # Column `slots` is a dump for episodes past a scenario's target, so writes stay branch-free.
    returns = torch.zeros(num_envs, slots + 1, dtype=torch.float64, device=device)
    lengths = torch.zeros(num_envs, slots + 1, dtype=torch.int64, device=device)
    counts = torch.zeros(num_envs, dtype=torch.int64, device=device)
    rows = torch.arange(num_envs, device=device)
    steps = 0
    with torch.no_grad():
        obs = env.reset(seed=seed)
        while True:
            step = env.step(act(obs))
            obs = step.obs
            done = step.terminated | step.truncated
            column = torch.where(done & (counts < targets), counts, slots)
            returns[rows, column] = step.info["episode_return"].to(torch.float64)
            lengths[rows, column] = step.info["episode_length"].to(torch.int64)
            counts = counts + done.long()
            steps += 1
            last_chance = steps == max_steps
            if (steps % sync_every == 0 or last_chance) and bool((counts >= targets).all()):
                break
            if last_chance:
                raise RuntimeError(
                    f"evaluate_policy counted too few episodes within max_steps={max_steps} "
                    f"batched steps (wanted {n_eval_episodes}); do the episodes ever end?"
                )
    counted = torch.arange(slots, device=device) < targets.unsqueeze(1)
    episode_rewards = returns[:, :slots][counted].tolist()
    episode_lengths = lengths[:, :slots][counted].tolist()
    rewards = torch.tensor(episode_rewards, dtype=torch.float64)
    return EvalResult(
        mean_reward=float(rewards.mean()),
        std_reward=float(rewards.std(unbiased=False)),
        mean_ep_length=sum(episode_lengths) / len(episode_lengths),
        episode_rewards=episode_rewards,
        episode_lengths=episode_lengths,
    )

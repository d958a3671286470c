"""On-policy rollout storage and generalised advantage estimation, batched over scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridAction


def compute_gae(
    rewards: Tensor,
    values: Tensor,
    dones: Tensor,
    last_value: Tensor,
    gamma: float,
    gae_lambda: float,
) -> tuple[Tensor, Tensor]:
    """Generalised advantage estimates over a ``[T, B]`` rollout.

    Args:
        rewards: ``[T, B]`` rewards (truncation bootstrap already folded in).
        values: ``[T, B]`` value estimates of the observations the actions were taken in.
        dones: ``[T, B]`` whether the episode ended with step ``t`` (its successor observation
            belongs to a new episode, so nothing is bootstrapped across it).
        last_value: ``[B]`` value of the observation after the last step.
        gamma: Discount factor.
        gae_lambda: GAE λ.

    Returns:
        ``(advantages, returns)``, both ``[T, B]``; ``returns = advantages + values``.
    """
    steps = rewards.shape[0]
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(last_value)
    not_done = 1.0 - dones.to(rewards.dtype)
    for t in reversed(range(steps)):  # a loop over time, each step batched over scenarios
        next_value = last_value if t == steps - 1 else values[t + 1]
        delta = rewards[t] + gamma * next_value * not_done[t] - values[t]
        running = delta + gamma * gae_lambda * not_done[t] * running
        advantages[t] = running
    return advantages, advantages + values


@dataclass
class RolloutBatch:
    """A flattened minibatch of on-policy experience."""

    obs: Tensor
    action: HybridAction
    log_prob: Tensor
    advantages: Tensor
    returns: Tensor
    values: Tensor


class RolloutBuffer:
    """Pre-allocated ``[T, B]`` storage for one on-policy rollout.

    Args:
        n_steps: Steps per scenario per rollout (``T``).
        num_envs: Scenarios (``B``).
        obs_shape: Per-scenario observation shape.
        n_discrete: Discrete components of the action.
        n_continuous: Continuous parameters of the action.
        device: Storage device.
    """

    def __init__(
        self,
        n_steps: int,
        num_envs: int,
        obs_shape: tuple[int, ...],
        n_discrete: int,
        n_continuous: int,
        device: torch.device,
    ) -> None:
        self.n_steps, self.num_envs = n_steps, num_envs
        shape = (n_steps, num_envs)
        self.obs = torch.zeros(*shape, *obs_shape, device=device)
        self.discrete = torch.zeros(*shape, n_discrete, dtype=torch.int64, device=device)
        self.continuous = torch.zeros(*shape, n_continuous, device=device)
        self.log_prob = torch.zeros(shape, device=device)
        self.rewards = torch.zeros(shape, device=device)
        self.dones = torch.zeros(shape, dtype=torch.bool, device=device)
        self.values = torch.zeros(shape, device=device)
        self.advantages = torch.zeros(shape, device=device)
        self.returns = torch.zeros(shape, device=device)
        self.pos = 0

    def add(
        self,
        obs: Tensor,
        action: HybridAction,
        log_prob: Tensor,
        reward: Tensor,
        done: Tensor,
        value: Tensor,
    ) -> None:
        """Store one batched step."""
        if self.pos >= self.n_steps:
            raise RuntimeError(f"RolloutBuffer is full ({self.n_steps} steps); call reset()")
        t = self.pos
        self.obs[t] = obs
        self.discrete[t] = action.discrete
        self.continuous[t] = action.continuous
        self.log_prob[t] = log_prob
        self.rewards[t] = reward
        self.dones[t] = done
        self.values[t] = value
        self.pos += 1

    def reset(self) -> None:
        """Start filling from the first step again."""
        self.pos = 0

    def finish(self, last_value: Tensor, gamma: float, gae_lambda: float) -> None:
        """Compute advantages and returns once the buffer is full."""
        self.advantages, self.returns = compute_gae(
            self.rewards, self.values, self.dones, last_value, gamma, gae_lambda
        )

    def minibatches(
        self,
        n_minibatches: int,
        generator: torch.Generator,
        *,
        steps: slice = slice(None),
        first_obs: Tensor | None = None,
    ) -> Iterator[RolloutBatch]:
        """Shuffled minibatches covering the flattened rollout once.

        Args:
            n_minibatches: Number of minibatches.
            generator: Source of the shuffle.
            steps: The steps (rows of ``[T, B]``) to cover; the default is all of them.
            first_obs: Optional ``[T, B, *obs_shape]`` observations the first minibatch reads
                instead of the stored ones (e.g. still carrying a rollout's autograd graph).
        """
        size = len(range(*steps.indices(self.n_steps))) * self.num_envs
        perm = torch.randperm(size, generator=generator, device=generator.device)
        perm = perm.to(self.obs.device)

        def flat(x: Tensor) -> Tensor:
            return x[steps].reshape(size, *x.shape[2:])

        flat_obs = flat(self.obs)
        flat_d, flat_c = flat(self.discrete), flat(self.continuous)
        log_prob, advantages = flat(self.log_prob), flat(self.advantages)
        returns, values = flat(self.returns), flat(self.values)
        for i, idx in enumerate(perm.chunk(n_minibatches)):
            obs = flat_obs if first_obs is None or i else flat(first_obs)
            # index_select: the same rows as advanced indexing, through a cheaper kernel
            yield RolloutBatch(
                obs=obs.index_select(0, idx),
                action=HybridAction(flat_d.index_select(0, idx), flat_c.index_select(0, idx)),
                log_prob=log_prob.index_select(0, idx),
                advantages=advantages.index_select(0, idx),
                returns=returns.index_select(0, idx),
                values=values.index_select(0, idx),
            )

"""Episode outcomes (return, success, length) of a policy, and the uniform random policy.

Environments with a success notion (reach the end of Platform, score in Goal, enter Hard Move's
target) report it as ``info["success"]`` on the step an episode ends; these helpers turn that
into per-episode success flags, so reference policies and trained agents are compared on the
metric the papers report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction

Policy = Callable[[Tensor], HybridAction]
"""Maps a batch of observations ``[B, *obs_shape]`` to a batch of actions."""


@dataclass(frozen=True)
class EpisodeOutcomes:
    """The first episode of every scenario.

    Attributes:
        returns: ``[B]`` float64 undiscounted returns.
        successes: ``[B]`` bool, ``info["success"]`` on the episode's last step (False for
            envs that do not report it).
        lengths: ``[B]`` int64 episode lengths in env steps.
    """

    returns: Tensor
    successes: Tensor
    lengths: Tensor

    @property
    def mean_return(self) -> float:
        """Mean return over the episodes."""
        return float(self.returns.mean())

    @property
    def std_return(self) -> float:
        """Population standard deviation of the returns."""
        return float(self.returns.std(unbiased=False))

    @property
    def success_rate(self) -> float:
        """Fraction of successful episodes."""
        return float(self.successes.double().mean())


def first_episode_outcomes(
    env: HybridEnv, policy: Policy, *, seed: int, max_steps: int
) -> EpisodeOutcomes:
    """Run ``policy`` on every scenario of ``env`` until each has finished one episode.

    Args:
        env: The environment (reset with ``seed``; left mid-episode afterwards).
        policy: The policy.
        seed: Seed of ``env.reset``.
        max_steps: Episode length limit of the env; every first episode must end within it.

    Raises:
        RuntimeError: Some episode did not end within ``max_steps`` steps.
    """
    b, dev = env.num_envs, env.device
    returns = torch.zeros(b, dtype=torch.float64, device=dev)
    lengths = torch.zeros(b, dtype=torch.int64, device=dev)
    successes = torch.zeros(b, dtype=torch.bool, device=dev)
    finished = torch.zeros(b, dtype=torch.bool, device=dev)
    with torch.no_grad():
        obs = env.reset(seed=seed)
        for t in range(max_steps):
            if t % 8 == 0 and bool(finished.all()):
                break
            step = env.step(policy(obs))
            first = (step.terminated | step.truncated) & ~finished
            returns = torch.where(first, step.info["episode_return"].double(), returns)
            lengths = torch.where(first, step.info["episode_length"], lengths)
            success = step.info.get("success", torch.zeros_like(first))
            successes = torch.where(first, success, successes)
            finished = finished | first
            obs = step.obs
    if not bool(finished.all()):
        raise RuntimeError(
            f"{int((~finished).sum())} of {b} episodes did not end within max_steps={max_steps}"
        )
    return EpisodeOutcomes(returns, successes, lengths)


class UniformRandomPolicy:
    """Uniformly random actions of ``env.action_space``, from the policy's own generator.

    Args:
        env: The environment (its action space and device are used).
        seed: Seed of the policy's generator (independent of the env's).
    """

    def __init__(self, env: HybridEnv, seed: int = 0) -> None:
        self.env = env
        self.generator = torch.Generator(device=env.device)
        self.generator.manual_seed(seed)

    def __call__(self, obs: Tensor) -> HybridAction:
        """Actions for a batch of observations."""
        return self.env.action_space.sample(
            obs.shape[0], generator=self.generator, device=self.env.device
        )

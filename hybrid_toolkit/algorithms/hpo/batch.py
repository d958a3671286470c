"""From a differentiable rollout to the tensors HPO's losses read (spec §3.4 steps 2–4).

:func:`prepare_batch` scales the rewards by their batch standard deviation (a graph-keeping
copy for the pathwise loss, a detached one for the score function), computes GAE advantages
over the whole rollout with a bootstrap from the final observations, and trims
``buffer_periods`` steps at both ends. The result keeps the rollout's graph in
``log_prob``, ``entropy`` and ``pathwise_costs``; :meth:`HPOBatch.detached` is what the
discrete-only PPO epochs see.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.on_policy import compute_gae
from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.algorithms.hpo.rollout import Rollout


@dataclass
class HPOBatch:
    """The trimmed steps of one rollout, flattened to ``N = kept steps × B`` rows.

    Attributes:
        feats: ``[N, obs_dim]`` features (graph kept until :meth:`detached`).
        discrete: ``int64 [N, n_discrete]`` sampled discrete actions.
        log_prob: ``[N]`` log π_d of the sampled actions (graph through the states).
        entropy: ``[N]`` entropy of π_d (same graph).
        old_log_prob: ``[N]`` detached copy of ``log_prob`` (the PPO ratio's denominator).
        values: ``[N]`` value estimates (graph into the value network only).
        advantages: ``[N]`` GAE advantages of the scaled rewards (not normalised).
        returns: ``[N]`` value targets ``advantages + values``.
        pathwise_costs: ``[N]`` scaled costs with the simulator's graph.
        reward_std: The (detached) scale the rewards were divided by.
    """

    feats: Tensor
    discrete: Tensor
    log_prob: Tensor
    entropy: Tensor
    old_log_prob: Tensor
    values: Tensor
    advantages: Tensor
    returns: Tensor
    pathwise_costs: Tensor
    reward_std: Tensor

    def detached(self) -> HPOBatch:
        """The same rows with every graph cut: pathwise gradients "can be used only once"."""
        return HPOBatch(**{k: v.detach() for k, v in self.__dict__.items()})

    def __len__(self) -> int:
        return int(self.advantages.shape[0])


def _bootstrap_values(policy: HPOPolicy, traj: Rollout) -> Tensor:
    """``[T, B]`` ``V(final obs)`` where an episode was truncated (not terminated), else 0."""
    cut = traj.truncated & ~traj.terminated
    out = torch.zeros_like(traj.rewards, dtype=policy.dtype).detach()
    if bool(cut.any()):  # one sync per update, after the rollout
        with torch.no_grad():
            out[cut] = policy.value(traj.final_feats[cut])
    return out


def prepare_batch(
    policy: HPOPolicy,
    traj: Rollout,
    *,
    gamma: float,
    gae_lambda: float,
    buffer_periods: int,
    reward_scaling: bool,
    reward_scaling_pathwise: bool,
) -> HPOBatch:
    """Rewards, GAE and edge trimming of one rollout (see the module docstring).

    Args:
        policy: The policy (its value network gives the baseline and the bootstrap).
        traj: The rollout, graph kept.
        gamma: Discount of the GAE proxy.
        gae_lambda: GAE λ.
        buffer_periods: Steps dropped at each end of the rollout.
        reward_scaling: Divide the score-function rewards by the batch std.
        reward_scaling_pathwise: Divide the pathwise costs by the same std.
    """
    steps, batch = traj.rewards.shape
    rewards = traj.rewards.to(policy.dtype)
    std = rewards.detach().std().clamp_min(1e-8) if steps * batch > 1 else rewards.new_ones(())
    one = torch.ones_like(std)
    score_rewards = rewards.detach() / (std if reward_scaling else one)
    pathwise_costs = -rewards / (std if reward_scaling_pathwise else one)

    obs_dim = traj.feats.shape[-1]
    values = policy.value(traj.feats.reshape(-1, obs_dim)).reshape(steps, batch)
    with torch.no_grad():
        last_value = policy.value(policy.features(traj.next_obs))
    bootstrap = _bootstrap_values(policy, traj)
    advantages, returns = compute_gae(
        score_rewards + gamma * bootstrap,
        values.detach(),
        traj.dones,
        last_value,
        gamma,
        gae_lambda,
    )
    keep = slice(buffer_periods, steps - buffer_periods)

    def flat(x: Tensor) -> Tensor:
        return x[keep].reshape(-1, *x.shape[2:])

    return HPOBatch(
        feats=flat(traj.feats),
        discrete=flat(traj.discrete),
        log_prob=flat(traj.log_prob),
        entropy=flat(traj.entropy),
        old_log_prob=flat(traj.log_prob).detach(),
        values=flat(values),
        advantages=flat(advantages),
        returns=flat(returns),
        pathwise_costs=flat(pathwise_costs),
        reward_std=std,
    )


def normalize(x: Tensor) -> Tensor:
    """``(x - mean) / (std + 1e-8)`` (unchanged for a single element)."""
    if x.numel() < 2:
        return x
    return (x - x.mean()) / (x.std() + 1e-8)

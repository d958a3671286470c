"""A batched rollout that keeps the autograd graph through a differentiable simulator.

Both HPO's training loop and the standalone estimator (:mod:`.estimator`) run this one function.
Each step samples the discrete action (a constant for the simulator), computes the
deterministic continuous action from the **non-detached** features, and steps the env, so the
rewards and every later observation stay differentiable functions of the continuous network's
parameters. The discrete log-probabilities are computed from the same non-detached features —
their derivative through the states is the cross term — or from detached ones when
``cross_term=False`` (the decentralized variant).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction


@dataclass
class Rollout:
    """One batched rollout of ``T`` steps over ``B`` scenarios.

    Attributes:
        feats: ``[T, B, obs_dim]`` features the actions were taken in (graph kept).
        discrete: ``int64 [T, B, n_discrete]`` discrete actions (constants for the simulator).
        log_prob: ``[T, B]`` log π_d(d_t | s_t), differentiable through the states unless the
            rollout was decentralized.
        entropy: ``[T, B]`` entropy of π_d(· | s_t) (same graph as ``log_prob``).
        rewards: ``[T, B]`` rewards with the simulator's graph.
        terminated: Bool ``[T, B]``.
        truncated: Bool ``[T, B]``.
        final_feats: ``[T, B, obs_dim]`` each step's successor features before autoreset
            (detached; only used to bootstrap truncated episodes).
        next_obs: ``[B, *obs_shape]`` observations after the last step (detached).
        episode_return: ``[T, B]`` ``info["episode_return"]`` (meaningful where done).
        episode_length: ``[T, B]`` ``info["episode_length"]``.
    """

    feats: Tensor
    discrete: Tensor
    log_prob: Tensor
    entropy: Tensor
    rewards: Tensor
    terminated: Tensor
    truncated: Tensor
    final_feats: Tensor
    next_obs: Tensor
    episode_return: Tensor
    episode_length: Tensor

    @property
    def n_steps(self) -> int:
        """Number of steps ``T``."""
        return int(self.rewards.shape[0])

    @property
    def dones(self) -> Tensor:
        """Bool ``[T, B]``: the episode ended with this step."""
        return self.terminated | self.truncated

    @property
    def costs(self) -> Tensor:
        """``[T, B]`` per-step costs ``-reward`` (graph kept)."""
        return -self.rewards


def differentiable_rollout(
    policy: HPOPolicy,
    env: HybridEnv,
    obs: Tensor,
    n_steps: int,
    *,
    generator: torch.Generator | None = None,
    cross_term: bool = True,
    discrete: Tensor | None = None,
) -> Rollout:
    """Run ``n_steps`` batched steps from ``obs``, keeping the graph of the whole trajectory.

    Args:
        policy: The HPO policy.
        env: A differentiable env positioned at ``obs``.
        obs: ``[B, *obs_shape]`` current observations (detach them to start a fresh graph).
        n_steps: Number of steps ``T``.
        generator: Source of the discrete draws.
        cross_term: Let discrete log-probabilities depend on the states' graph; False reads
            detached features (the decentralized variant).
        discrete: Optional ``int64 [T, B, n_discrete]`` discrete actions to play instead of
            sampling (e.g. to enumerate every discrete sequence of a small problem).

    Returns:
        The :class:`Rollout`; the env is left after the last step.
    """
    if discrete is not None and discrete.shape[:2] != (n_steps, obs.shape[0]):
        raise ValueError(
            f"discrete must have shape [n_steps={n_steps}, B={obs.shape[0]}, n_discrete], got "
            f"{tuple(discrete.shape)}"
        )
    device = policy.box_map.low.device
    names = ("feats", "d", "lp", "ent", "rew", "term", "trunc", "final", "ret", "len")
    out: dict[str, list[Tensor]] = {k: [] for k in names}
    for t in range(n_steps):
        feats = policy.features(obs.to(device))
        dist = policy.discrete_distribution(feats if cross_term else feats.detach())
        choice = dist.sample(generator).discrete if discrete is None else discrete[t].to(device)
        log_prob, _ = dist.log_prob_parts(HybridAction(choice, feats.new_zeros(len(feats), 0)))
        entropy, _ = dist.entropy_parts()
        step = env.step(HybridAction(choice, policy.continuous_action(feats)))
        values = (
            feats,
            choice,
            log_prob,
            entropy,
            step.reward.to(device),
            step.terminated.to(device),
            step.truncated.to(device),
            policy.features(step.info["final_obs"].to(device)).detach(),
            step.info["episode_return"].to(device),
            step.info["episode_length"].to(device),
        )
        for key, value in zip(names, values, strict=True):
            out[key].append(value)
        obs = step.obs
    stacked = {k: torch.stack(v) for k, v in out.items()}
    return Rollout(
        feats=stacked["feats"],
        discrete=stacked["d"],
        log_prob=stacked["lp"],
        entropy=stacked["ent"],
        rewards=stacked["rew"],
        terminated=stacked["term"],
        truncated=stacked["trunc"],
        final_feats=stacked["final"],
        next_obs=obs.detach(),
        episode_return=stacked["ret"],
        episode_length=stacked["len"],
    )

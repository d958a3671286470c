"""The hybrid actor-critic used by PPO: separate policy and value MLPs."""

from __future__ import annotations

import math

from torch import Tensor, nn

from hybrid_toolkit.nn import HybridDistribution, HybridPolicyHead, activation_module, mlp
from hybrid_toolkit.spaces import HybridSpace


class HybridActorCritic(nn.Module):
    """A policy trunk ending in a :class:`HybridPolicyHead`, and a separate value MLP.

    Args:
        obs_dim: Flattened observation size.
        space: The action space (sets the categorical heads and Gaussian parameters).
        policy_hidden: Hidden sizes of the policy trunk (empty: the head reads observations).
        value_hidden: Hidden sizes of the value network.
        activation: Hidden activation name.
        log_std_init: Initial log standard deviation of the parameters.
    """

    def __init__(
        self,
        obs_dim: int,
        space: HybridSpace,
        policy_hidden: tuple[int, ...],
        value_hidden: tuple[int, ...],
        activation: str,
        log_std_init: float,
    ) -> None:
        super().__init__()
        self.policy_trunk: nn.Module = nn.Identity()
        features = obs_dim
        if policy_hidden:
            *inner, features = policy_hidden
            self.policy_trunk = nn.Sequential(
                mlp(obs_dim, inner, features, activation=activation, output_gain=math.sqrt(2)),
                activation_module(activation),
            )
        self.head = HybridPolicyHead(features, space, log_std_init=log_std_init)
        self.value_net = mlp(obs_dim, value_hidden, 1, activation=activation, output_gain=1.0)

    def distribution(self, obs: Tensor) -> HybridDistribution:
        """The action distribution for flattened observations ``[B, obs_dim]``."""
        return self.head(self.policy_trunk(obs))

    def value(self, obs: Tensor) -> Tensor:
        """State values ``[B]``."""
        return self.value_net(obs).squeeze(-1)

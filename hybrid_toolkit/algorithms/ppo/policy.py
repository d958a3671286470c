"""The hybrid actor-critic used by PPO: policy MLP(s) and a separate value MLP."""

from __future__ import annotations

import math

from torch import Tensor, nn

from hybrid_toolkit.nn import HybridDistribution, HybridPolicyHead, activation_module, mlp
from hybrid_toolkit.spaces import HybridSpace


def _trunk(obs_dim: int, hidden: tuple[int, ...], activation: str) -> tuple[nn.Module, int]:
    """An MLP ending in its activation (identity when ``hidden`` is empty), and its width."""
    if not hidden:
        return nn.Identity(), obs_dim
    *inner, features = hidden
    trunk = nn.Sequential(
        mlp(obs_dim, inner, features, activation=activation, output_gain=math.sqrt(2)),
        activation_module(activation),
    )
    return trunk, features


class HybridActorCritic(nn.Module):
    """Policy trunk(s) ending in a :class:`HybridPolicyHead`, and a separate value MLP.

    Args:
        obs_dim: Flattened observation size.
        space: The action space (sets the categorical heads and Gaussian parameters).
        policy_hidden: Hidden sizes of the policy trunk (empty: the head reads observations).
        value_hidden: Hidden sizes of the value network.
        activation: Hidden activation name.
        log_std_init: Initial log standard deviation of the parameters.
        network_layout: ``shared``: the logits and the Gaussian means read one trunk;
            ``separate``: a second trunk of the same sizes feeds the means.
    """

    def __init__(
        self,
        obs_dim: int,
        space: HybridSpace,
        policy_hidden: tuple[int, ...],
        value_hidden: tuple[int, ...],
        activation: str,
        log_std_init: float,
        network_layout: str = "shared",
    ) -> None:
        super().__init__()
        self.policy_trunk, features = _trunk(obs_dim, policy_hidden, activation)
        self.head = HybridPolicyHead(features, space, log_std_init=log_std_init)
        self.value_net = mlp(obs_dim, value_hidden, 1, activation=activation, output_gain=1.0)
        # Built last, so the shared layout draws exactly the initial weights it always did.
        self.continuous_trunk: nn.Module | None = None
        if network_layout == "separate":
            self.continuous_trunk, _ = _trunk(obs_dim, policy_hidden, activation)

    def distribution(self, obs: Tensor) -> HybridDistribution:
        """The action distribution for flattened observations ``[B, obs_dim]``."""
        if self.continuous_trunk is None:
            return self.head(self.policy_trunk(obs))
        return self.head(self.policy_trunk(obs), continuous_features=self.continuous_trunk(obs))

    def value(self, obs: Tensor) -> Tensor:
        """State values ``[B]``."""
        return self.value_net(obs).squeeze(-1)

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters per network, the reference code's clipping groups: ``discrete`` (the
        logits, with their trunk when separate), ``continuous`` (the means, with theirs),
        ``backbone`` (a shared trunk), ``value`` and ``other`` (the log standard deviations)."""
        head = self.head
        discrete = list(head.logits_head.parameters()) if head.logits_head is not None else []
        continuous = list(head.mean_head.parameters()) if head.mean_head is not None else []
        trunk = list(self.policy_trunk.parameters())
        if self.continuous_trunk is None:
            backbone = trunk
        else:
            backbone = []
            discrete = trunk + discrete
            continuous = list(self.continuous_trunk.parameters()) + continuous
        return {
            "discrete": discrete,
            "continuous": continuous,
            "backbone": backbone,
            "value": list(self.value_net.parameters()),
            "other": [head.log_std],
        }

"""TD3 acting in HyAR's latent action space: one actor, twin critics, their target copies.

The actor maps a state to ``[e, u]`` in [-1, 1]^(d1 + d2) (tanh): ``e`` is a point in the
discrete embedding space and ``u`` the constrained continuous latent. The critics see exactly
those latent actions, never the decoded hybrid action. The update pieces follow TD3 (Fujimoto et
al. 2018): clipped double-Q targets with target policy smoothing, delayed actor updates, Polyak
averaging — and HyAR's actor gradient, inverted at the ±1 bounds.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.common.off_policy import polyak_update
from hybrid_toolkit.nn import mlp


def invert_gradients(grad: Tensor, value: Tensor, low: float = -1.0, high: float = 1.0) -> Tensor:
    """Hausknecht & Stone's inverting gradients for outputs bounded in ``[low, high]``.

    Args:
        grad: ``dQ/da`` (the ascent direction) per output.
        value: The outputs ``a``.
        low: Lower bound of every output.
        high: Upper bound of every output.

    Returns:
        ``grad·(high - a)/(high - low)`` where ``grad`` pushes ``a`` up, ``grad·(a - low)/(high -
        low)`` where it pushes down: steps shrink near the bound they move towards and reverse
        once an output has overshot it.
    """
    span = high - low
    return torch.where(grad > 0, grad * (high - value) / span, grad * (value - low) / span)


class LatentActorCritic(nn.Module):
    """Actor, twin critics and their targets over a latent action of size ``action_dim``.

    Args:
        obs_dim: Flattened observation size.
        action_dim: ``d1 + d2``.
        actor_hidden: Hidden sizes of the actor.
        critic_hidden: Hidden sizes of each critic.
    """

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        actor_hidden: tuple[int, ...],
        critic_hidden: tuple[int, ...],
    ) -> None:
        super().__init__()
        self.actor = nn.Sequential(
            mlp(obs_dim, actor_hidden, action_dim, activation="relu"), nn.Tanh()
        )
        self.critic1 = mlp(obs_dim + action_dim, critic_hidden, 1, activation="relu")
        self.critic2 = mlp(obs_dim + action_dim, critic_hidden, 1, activation="relu")
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic1_target = copy.deepcopy(self.critic1).requires_grad_(False)
        self.critic2_target = copy.deepcopy(self.critic2).requires_grad_(False)

    def actor_parameters(self) -> list[nn.Parameter]:
        """Parameters the actor optimiser owns."""
        return list(self.actor.parameters())

    def critic_parameters(self) -> list[nn.Parameter]:
        """Parameters the critic optimiser owns."""
        return [*self.critic1.parameters(), *self.critic2.parameters()]

    def act(self, obs: Tensor) -> Tensor:
        """Latent actions ``[B, d1 + d2]`` in [-1, 1]."""
        return self.actor(obs)

    def q1(self, obs: Tensor, action: Tensor) -> Tensor:
        """First critic ``[B]``."""
        return self.critic1(torch.cat([obs, action], dim=1)).squeeze(1)

    @torch.no_grad()
    def td_target(
        self,
        next_obs: Tensor,
        reward: Tensor,
        terminated: Tensor,
        gamma: float,
        policy_noise: float,
        noise_clip: float,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """``r + γ (1 - terminated) min_i Q'_i(s', clip(μ'(s') + clip(ε)))`` ``[B]``."""
        next_action = self.actor_target(next_obs)
        noise = torch.randn(next_action.shape, generator=generator, device=next_action.device)
        noise = (noise * policy_noise).clamp(-noise_clip, noise_clip)
        next_action = (next_action + noise).clamp(-1.0, 1.0)
        x = torch.cat([next_obs, next_action], dim=1)
        q = torch.minimum(self.critic1_target(x), self.critic2_target(x)).squeeze(1)
        return reward + gamma * (~terminated).to(q.dtype) * q

    def critic_loss(self, obs: Tensor, action: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        """Summed MSE of both critics against ``target``, and the first critic's values."""
        x = torch.cat([obs, action], dim=1)
        q1, q2 = self.critic1(x).squeeze(1), self.critic2(x).squeeze(1)
        return F.mse_loss(q1, target) + F.mse_loss(q2, target), q1.detach()

    def actor_loss(self, obs: Tensor, inverting: bool) -> tuple[Tensor, Tensor]:
        """A surrogate whose gradient is the (optionally inverted) deterministic policy gradient.

        Returns:
            The surrogate to minimise and the mean ``Q1(s, μ(s))`` for logging.
        """
        out = self.actor(obs)
        if not inverting:
            q = self.q1(obs, out).mean()
            return -q, q.detach()
        action = out.detach().requires_grad_(True)
        q = self.q1(obs, action).mean()
        (grad,) = torch.autograd.grad(q, action)
        grad = invert_gradients(grad, action.detach())
        # d/dθ of -(g·μθ(s)) is -g·dμ/dθ: ascent on Q along the bounded direction g.
        return -(grad * out).sum(), q.detach()

    @torch.no_grad()
    def update_targets(self, tau: float) -> None:
        """Polyak-average every target network towards its online network."""
        polyak_update(self.actor.parameters(), self.actor_target.parameters(), tau)
        polyak_update(self.critic1.parameters(), self.critic1_target.parameters(), tau)
        polyak_update(self.critic2.parameters(), self.critic2_target.parameters(), tau)

"""H-Cacla: the DGRL paper's continuous-to-discrete PA-DDPG baseline (paper App. D.2).

The actor outputs discrete proto-actions and continuous parameters at once, as one vector in
the relaxed box. The discrete part is rounded to the nearest choice, Cacla-style, independently
of the parameters; the parameters are clamped to their bounds. Training is DDPG: the critic
learns TD targets from a replay buffer with target networks (target actor and target critic,
Polyak-averaged), and the actor follows the gradient of the first critic at its *unrounded*
proto-action — the critic is trained on executed (rounded) actions only, so this gradient is
the critic's extrapolation between grid points (the weakness DGRL's DBU avoids).
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dgrl.h_cacla_config import H_CACLA_PRESETS, HCaclaConfig
from hybrid_toolkit.algorithms.dgrl.proto_actor_critic import (
    ProtoActorCritic,
    ReplayRunner,
    build_optimizers,
    clip_and_step,
    gradient_round,
)
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.spaces import HybridAction


@register_algorithm
class HCacla(BaseAlgorithm):
    """H-Cacla: independent Cacla rounding of the discrete part, DDPG training.

    Works on any `HybridSpace` with finite continuous bounds; on a purely discrete space it is
    Cacla trained with DDPG, on a purely continuous one plain DDPG.

    Examples:
        >>> model = HCacla("MazeHybrid-v0", seed=0).learn(100_000)
    """

    name: ClassVar[str] = "h-cacla"
    config_class: ClassVar[type] = HCaclaConfig
    presets = H_CACLA_PRESETS
    saved_attributes = ("model", "actor_optimizer", "critic_optimizer")
    resume_attributes = ("runner._obs", "critic_updates")
    episode_attributes = ("runner._obs",)
    replay_attributes = ("runner.buffer",)
    config: HCaclaConfig

    def _build(self) -> None:
        cfg = self.config
        self.coords = self.action_space.relaxed(device=self.device)
        self.model = ProtoActorCritic(
            self.env.observation_space, self.coords, cfg, target_actor=True
        ).to(self.device)
        self.actor_optimizer, self.critic_optimizer = build_optimizers(self.model, cfg)
        self.runner = ReplayRunner(
            self.env, cfg, self.model.features, self.episode_stats, self.generator, self.device
        )
        self.critic_updates = 0

    def _on_reset(self) -> None:
        self.runner.reset()

    # ------------------------------------------------------------------ acting
    def _rounded(self, proto: Tensor) -> HybridAction:
        """Cacla rounding of the discrete part, clamped parameters."""
        discrete, continuous = self.model.unit_actions(proto)
        return HybridAction(discrete, continuous)

    @torch.no_grad()
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """The rounded proto-action; in training with Gaussian exploration noise first."""
        features = self.model.features(obs.to(self.device, torch.float32))
        proto = self.model.actor(features)
        if not deterministic:
            noise = torch.randn(proto.shape, generator=self.generator, device=proto.device)
            proto = (proto + self.config.exploration_std * noise).clamp(-1.0, 1.0)
        return self._rounded(proto)

    def _explore(self, obs: Tensor) -> HybridAction:
        return self.act(obs, deterministic=False)

    def collect(self) -> int:
        """``train_freq`` batched steps into the replay buffer (uniform during the warm-up)."""
        collected = self.runner.collect(
            self._explore, self.num_timesteps, self.total_timesteps_target, self.seed
        )
        self.num_timesteps += collected
        return collected

    # ------------------------------------------------------------------ learning (DDPG)
    def update(self, batch: int) -> dict[str, float]:
        """Critic TD steps and deterministic-policy-gradient actor steps, once updates start."""
        if not self.runner.ready(self.num_timesteps, self.total_timesteps_target):
            return {}
        losses, self.critic_updates = gradient_round(
            self.runner,
            self.model,
            self.critic_optimizer,
            self._next_value,
            self._actor_step,
            self.critic_updates,
        )
        return losses

    def _next_value(self, next_features: Tensor) -> Tensor:
        """Target critics at the target actor's rounded action (min over critics if > 1)."""
        assert self.model.actor_target is not None
        proto = self.model.actor_target(next_features)
        discrete, continuous = self.model.unit_actions(proto[:, None, :])
        inputs = self.model.critic_actions(discrete, continuous)
        return self.model.critic_target.min_value(next_features, inputs)[:, 0]

    def _actor_step(self, features: Tensor) -> dict[str, Tensor]:
        """Ascend the first critic at the unrounded proto-action (inactive parameters masked)."""
        proto = self.model.actor(features)
        discrete = self.model.unit_actions(proto.detach())[0]
        inputs = self.model.mask_inactive(proto, discrete)[:, None, :]
        q = self.model.critic.first(features, inputs)[:, 0]
        loss = -q.mean()
        grad_norm = clip_and_step(
            loss, self.actor_optimizer, self.model.actor, self.config.max_grad_norm
        )
        return {"train/actor_loss": loss.detach(), "train/actor_grad_norm": grad_norm}

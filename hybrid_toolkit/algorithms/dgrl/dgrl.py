"""DGRL: Distance-Guided Reinforcement Learning (Hoppe et al. 2026), SDN + DBU.

An off-policy actor-critic for large discrete and hybrid action spaces. The actor emits a
proto-action in the relaxed box; **SDN** samples a Chebyshev neighbourhood of it, the critics
score every candidate and the executed action is drawn by rank (training) or taken by argmax
(evaluation). **DBU** trains the actor by regression: perturb the proto-action, round the
perturbations, weigh them by a softmax of their values and pull the proto-action toward the
weighted average. The critics learn by TD with clipped double Q-learning and Polyak-averaged
targets from a replay buffer. Nothing ever enumerates the action space: one decision costs
``O(B k d r)`` whatever ``|A|`` is.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dgrl.config import DGRL_PRESETS, DGRLConfig
from hybrid_toolkit.algorithms.dgrl.dbu import (
    PerturbationScheme,
    face_windows,
    gaussian_perturbations,
    regression_loss,
    softmax_target,
    symmetric_coordinates,
)
from hybrid_toolkit.algorithms.dgrl.proto_actor_critic import (
    MetricSums,
    ProtoActorCritic,
    ReplayRunner,
    build_optimizers,
    clip_and_step,
    gradient_round,
)
from hybrid_toolkit.algorithms.dgrl.sdn import (
    Candidates,
    SampledDynamicNeighborhood,
    heuristic_num_candidates,
    heuristic_radius,
    select_candidates,
)
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.spaces import HybridAction


@register_algorithm
class DGRL(BaseAlgorithm):
    """Distance-Guided RL: Sampled Dynamic Neighbourhoods + Distance-Based Updates.

    Works on any `HybridSpace` with finite continuous bounds: large multi-discrete vectors,
    regime + parameters, or both (the discrete and continuous parts of one proto-action are
    explored and regressed together).

    Examples:
        >>> model = DGRL("Maze-v0", "maze", seed=0).learn(50_000)  # solves it in our runs
        >>> action, _ = model.predict(obs)
    """

    name: ClassVar[str] = "dgrl"
    config_class: ClassVar[type] = DGRLConfig
    presets = DGRL_PRESETS
    saved_attributes = ("model", "actor_optimizer", "critic_optimizer")
    resume_attributes = ("runner._obs", "critic_updates")
    episode_attributes = ("runner._obs",)
    replay_attributes = ("runner.buffer",)
    config: DGRLConfig

    def _build(self) -> None:
        cfg, space = self.config, self.action_space
        self.coords = space.relaxed(device=self.device)
        self.model = ProtoActorCritic(self.env.observation_space, self.coords, cfg).to(self.device)
        self.actor_optimizer, self.critic_optimizer = build_optimizers(self.model, cfg)
        self.radius = cfg.radius or heuristic_radius([c.n for c in space.discrete])
        self.num_candidates = cfg.num_candidates or heuristic_num_candidates(
            space.n_discrete, self.radius
        )
        self.sdn = SampledDynamicNeighborhood(
            self.coords,
            self.radius,
            self.num_candidates,
            cfg.distance_scheme,
            cfg.distance_temperature,
            cfg.sdn_continuous_std,
        )
        self.face_windows = face_windows(self.coords.sizes, self.coords.n_continuous).to(
            self.device
        )
        self.dbu_scheme: PerturbationScheme | Tensor = cfg.dbu_perturbation
        if cfg.dbu_perturbation == "auto":  # per coordinate, by the components' kinds
            # the symmetric coordinates' indices, found once: finding them in the mask on
            # every step would sync a GPU
            mask = symmetric_coordinates(space, "auto")
            self.dbu_scheme = torch.nonzero(mask).flatten().to(self.device)
        self.runner = ReplayRunner(
            self.env, cfg, self.model.features, self.episode_stats, self.generator, self.device
        )
        # evaluation draws its candidates from a stream reseeded on every call, so predict()
        # is a function of the observation and the weights alone
        self._eval_generator = torch.Generator(device=self.device)
        self.critic_updates = 0
        self._rollout = MetricSums()

    def _on_reset(self) -> None:
        self.runner.reset()

    def hyperparameters(self) -> dict[str, Any]:
        """The config plus the radius and candidate count the heuristics resolved."""
        return {
            **super().hyperparameters(),
            "sdn_radius": self.radius,
            "sdn_num_candidates": self.num_candidates,
        }

    # ------------------------------------------------------------------ acting (SDN)
    def _candidates(
        self, features: Tensor, proto: Tensor, generator: torch.Generator
    ) -> tuple[Candidates, Tensor]:
        """SDN candidates around ``proto`` and their pessimistic values ``[B, K]``."""
        # Evaluation shares its draws across rows: the greedy action is a function of the
        # observation, whatever the batch it comes in.
        cands = self.sdn.sample(proto, generator, shared_draws=generator is self._eval_generator)
        inputs = self.model.critic_actions(cands.discrete, cands.continuous)
        return cands, self.model.critic.min_value(features, inputs)

    @torch.no_grad()
    def decide(self, obs: Tensor, deterministic: bool) -> tuple[HybridAction, Candidates, Tensor]:
        """One batched SDN decision: ``(actions, candidates, chosen slot [B])``.

        Training (``deterministic=False``): Gaussian exploration of the proto-action, SDN
        around it, rank-based draw by critic value. Evaluation: SDN around the actor's output
        with a freshly seeded stream, argmax of the critic value.
        """
        cfg = self.config
        features = self.model.features(obs.to(self.device, torch.float32))
        proto = self.model.actor(features)
        if deterministic:
            generator = self._eval_generator.manual_seed(self.seed)
        else:
            generator = self.generator
            noise = torch.randn(proto.shape, generator=generator, device=proto.device)
            proto = (proto + cfg.exploration_std * noise).clamp(-1.0, 1.0)
        cands, q = self._candidates(features, proto, generator)
        index = select_candidates(
            q, cands.valid, deterministic, cfg.selection, cfg.selection_temperature, generator
        )
        return cands.take(index), cands, index

    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Argmax-of-critic SDN actions (evaluation) or rank-sampled ones (training)."""
        return self.decide(obs, deterministic)[0]

    def _explore(self, obs: Tensor) -> HybridAction:
        action, cands, index = self.decide(obs, deterministic=False)
        self._rollout.add(
            {
                "rollout/sdn_candidates": cands.valid.sum(dim=1).float().mean(),
                "rollout/sdn_nearest_fraction": (index == 0).float().mean(),
            }
        )
        return action

    def collect(self) -> int:
        """``train_freq`` batched steps into the replay buffer (uniform during the warm-up)."""
        collected = self.runner.collect(
            self._explore, self.num_timesteps, self.total_timesteps_target, self.seed
        )
        self.num_timesteps += collected
        return collected

    # ------------------------------------------------------------------ learning
    def update(self, batch: int) -> dict[str, float]:
        """Critic TD steps and DBU actor steps on replayed minibatches, once updates may start."""
        metrics = self._rollout.means()
        self._rollout = MetricSums()
        if not self.runner.ready(self.num_timesteps, self.total_timesteps_target):
            return metrics
        losses, self.critic_updates = gradient_round(
            self.runner,
            self.model,
            self.critic_optimizer,
            self._next_value,
            self._dbu_step,
            self.critic_updates,
            self.config.actor_delay,
        )
        return {**metrics, **losses}

    def _next_value(self, next_features: Tensor) -> Tensor:
        """Clipped double-Q value of the successor action (SDN's best, or the rounded proto)."""
        proto = self.model.actor(next_features)
        target = self.model.critic_target
        if self.config.target_action == "nearest":
            discrete, continuous = self.model.unit_actions(proto[:, None, :])
            inputs = self.model.critic_actions(discrete, continuous)
            return target.min_value(next_features, inputs)[:, 0]
        cands = self.sdn.sample(proto, self.generator)
        q = target.min_value(
            next_features, self.model.critic_actions(cands.discrete, cands.continuous)
        )
        return q.masked_fill(~cands.valid, float("-inf")).amax(dim=1)

    def dbu_target(self, features: Tensor, proto: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """DBU's regression target for proto-actions ``[B, D]`` (no gradient).

        Returns:
            ``(target [B, D], candidates [B, N, D], values [B, N], weights [B, N])``, with the
            candidates as rounded actions in unit coordinates (the target adds back how far a
            perturbation overshot the box, see `gaussian_perturbations`).
        """
        cfg = self.config
        with torch.no_grad():
            noisy = gaussian_perturbations(
                proto,
                cfg.perturbation_std,
                cfg.dbu_candidates,
                self.generator,
                self.dbu_scheme,
                self.face_windows,
            )
            discrete, continuous = self.model.unit_actions(noisy.points)
            cands = self.model.encode_unit(discrete, continuous)
            # the critics read the candidates with inactive parameters zeroed (critic_actions)
            q = self.model.critic.min_value(features, self.model.mask_inactive(cands, discrete))
            target, weights = softmax_target(
                cands + noisy.overshoot, q, cfg.dbu_temperature, cfg.dbu_standardize
            )
            # a symmetric overshoot may carry the average past a face, which a tanh actor
            # cannot reach (with clamped points the average is inside the box already)
            target = target.clamp(-1.0, 1.0)
        return target, cands, q, weights

    def _dbu_step(self, features: Tensor) -> dict[str, Tensor]:
        """One Huber regression step of the actor toward the DBU target."""
        cfg = self.config
        proto = self.model.actor(features)
        target, _, _, weights = self.dbu_target(features, proto)
        loss = regression_loss(proto, target, self.coords.n_discrete, cfg.huber_delta)
        grad_norm = clip_and_step(
            loss.total, self.actor_optimizer, self.model.actor, cfg.max_grad_norm
        )
        return {
            "train/actor_loss": loss.total.detach(),
            "train/dbu_discrete_loss": loss.discrete.detach(),
            "train/dbu_continuous_loss": loss.continuous.detach(),
            "train/dbu_target_distance": (target - proto.detach()).abs().amax(dim=1).mean(),
            "train/dbu_max_weight": weights.amax(dim=1).mean(),
            "train/actor_grad_norm": grad_norm,
        }

"""`QActorCritic`: the on-policy Q-actor-critic loop of the DNC reference code, batched.

DNC, H-DNC, Cacla, Wolpertinger and VAC differ only in their actor and in how a proto is
mapped to an action (their *selection*); they all own one `QActorCritic` and delegate
``collect``, ``update`` and ``act`` to it. Per update, on the transitions of the last
``n_steps`` batched env steps (spec §2.2):

1. draw ``a' = select(â')`` with ``â' ~ π(· | s')`` (training mode, as the reference does);
2. ``y = r + γ (1 − terminated) Q(s', a')`` — a SARSA target without a target network;
   time-limit truncations bootstrap from the final observation (``info["final_obs"]``);
3. critic: Huber(``Q(s, a)``, ``y``);
4. actor: ``−A · log π(â | s)`` with ``A = y − Q(s, ā)`` (``ā``: the rounded mean
   proto-action, or VAC's most likely action) or the reference's ``A = y − Q(s, a)``; the
   log-likelihood is that of the *proto*, whatever the selection made of it. Or CACLA:
   ``σ² · 1[A > 0] · −log π(u(a) | s)``, which regresses the mean toward the executed action
   ``u(a)``;
5. one step of each optimiser, each network's gradient norm clipped.

Losses are batch means (the reference sums over its batch of one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.features import StateFeatures
from hybrid_toolkit.algorithms.dnc.networks import GaussianActor, ProtoActor, QCritic
from hybrid_toolkit.algorithms.dnc.qac_config import ProtoActionConfig, QACConfig
from hybrid_toolkit.algorithms.dnc.selection import SelectFn, Selection, round_to_nearest
from hybrid_toolkit.nn import NONFINITE_PARAMETERS, count_nonfinite
from hybrid_toolkit.spaces import HybridAction


def make_optimizer(params: list[nn.Parameter], kind: str, lr: float) -> torch.optim.Optimizer:
    """Adam, or plain SGD (the DNC reference), over ``params``."""
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


def _cat_batches(parts: list[ReplayBatch]) -> ReplayBatch:
    if len(parts) == 1:
        return parts[0]
    return ReplayBatch(
        obs=torch.cat([p.obs for p in parts]),
        action=HybridAction.cat([p.action for p in parts]),
        reward=torch.cat([p.reward for p in parts]),
        next_obs=torch.cat([p.next_obs for p in parts]),
        terminated=torch.cat([p.terminated for p in parts]),
        extras={k: torch.cat([p.extras[k] for p in parts]) for k in parts[0].extras},
    )


class QActorCritic:
    """State features, actor, Q-critic, optimisers and the loop that trains them.

    Args:
        owner: The algorithm (its env, config, device, generator, episode stats and step count
            are used; ``owner.num_timesteps`` is advanced by `collect`).
        codec: The owner's action codec (critic inputs).
        make_actor: Builds the actor from the feature size.
        select: Maps protos to actions (the algorithm's mapping).
        actor_loss: ``"policy_gradient"`` or ``"cacla"``.
        cacla_scale: ``σ²`` of the Gaussian actor, so the CACLA loss is ``‖μ − u(a)‖² / 2``.
        baseline_select: Maps the mean proto to the baseline action ``ā`` of
            ``advantage="baseline"``; default ``select`` in evaluation mode.
    """

    def __init__(
        self,
        owner: BaseAlgorithm,
        codec: ActionCodec,
        make_actor: Callable[[int], nn.Module],
        select: SelectFn,
        actor_loss: str = "policy_gradient",
        cacla_scale: float = 1.0,
        baseline_select: SelectFn | None = None,
    ) -> None:
        cfg: QACConfig = owner.config
        self.owner, self.config, self.codec, self.select = owner, cfg, codec, select
        self.baseline_select = baseline_select or select
        self.actor_loss, self.cacla_scale = actor_loss, cacla_scale
        device = owner.device
        self.features = StateFeatures(
            owner.env.observation_space,
            cfg.fourier_order,
            cfg.fourier_coupled,
            cfg.normalize_observations,
        ).to(device)
        self.actor_module = make_actor(self.features.dim).to(device)
        self.actor: ProtoActor = self.actor_module  # type: ignore[assignment]
        self.critic = QCritic(self.features.dim, codec.dim, cfg.critic_hidden, cfg.activation)
        self.critic.to(device)
        actor_params = list(self.actor_module.parameters())
        self.actor_optimizer = make_optimizer(actor_params, cfg.optimizer, cfg.actor_lr)
        self.critic_optimizer = make_optimizer(
            list(self.critic.parameters()), cfg.optimizer, cfg.critic_lr
        )
        self._last_obs: Tensor | None = None
        self._gain = torch.zeros(2, device=device)  # sums of search gain and moved fraction
        self._searches = 0
        self.gradient_steps = 0  # updates so far (one critic + one actor step each)

    # ------------------------------------------------------------------ persistence
    def state_dict(self) -> dict[str, Any]:
        """Networks, normaliser statistics and optimiser states, as one nested dict."""
        return {
            "features": self.features.state_dict(),
            "actor": self.actor_module.state_dict(),
            "critic": self.critic.state_dict(),
            "actor_optimizer": self.actor_optimizer.state_dict(),
            "critic_optimizer": self.critic_optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""
        self.features.load_state_dict(state["features"])
        self.actor_module.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        self.actor_optimizer.load_state_dict(state["actor_optimizer"])
        self.critic_optimizer.load_state_dict(state["critic_optimizer"])

    def reset(self) -> None:
        """Forget the last observation (the next `collect` resets the env)."""
        self._last_obs = None

    # ------------------------------------------------------------------ acting
    @torch.no_grad()
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """The selected mean proto (deterministic) or a training-mode sample, valid."""
        feats = self.features(obs)
        if deterministic:
            proto = self.actor.mean(feats)
        else:
            proto = self.actor.sample(feats, self.owner.generator)
        return self.select(feats, proto, not deterministic).action

    @torch.no_grad()
    def collect(self) -> ReplayBatch:
        """``n_steps`` batched env steps with sampled protos and training-mode selection."""
        owner, cfg, env = self.owner, self.config, self.owner.env
        if self._last_obs is None:
            self._last_obs = env.reset(seed=owner.seed)
        obs, parts = self._last_obs, []
        for _ in range(cfg.n_steps):
            feats = self.features(obs, update_stats=True)
            proto = self.actor.sample(feats, owner.generator)
            selection = self.select(feats, proto, True)
            self._track(selection)
            step = env.step(selection.action)
            parts.append(
                ReplayBatch(
                    obs=obs.to(owner.device),
                    action=selection.action,
                    reward=step.reward.detach().to(owner.device, torch.float32),
                    next_obs=step.info["final_obs"].to(owner.device),
                    terminated=step.terminated.to(owner.device),
                    extras={"proto": proto},
                )
            )
            done = step.terminated | step.truncated
            owner.episode_stats.add(step.info["episode_return"], step.info["episode_length"], done)
            obs = step.obs
        self._last_obs = obs
        owner.num_timesteps += cfg.n_steps * env.num_envs
        return _cat_batches(parts)

    def _track(self, selection: Selection) -> None:
        if selection.search_gain is None or selection.moved is None:
            return
        stats = torch.stack([selection.search_gain.mean(), selection.moved.float().mean()])
        self._gain = self._gain + stats
        self._searches += 1

    # ------------------------------------------------------------------ update
    def update(self, batch: ReplayBatch) -> dict[str, float]:
        """One critic and one actor step on the transitions of the last `collect`."""
        cfg, gen = self.config, self.owner.generator
        feats = self.features(batch.obs)
        next_feats = self.features(batch.next_obs)
        with torch.no_grad():
            next_proto = self.actor.sample(next_feats, gen)
            next_action = self.select(next_feats, next_proto, True).action
            q_next = self.critic(next_feats, self.codec.unit(next_action))
            target = batch.reward + cfg.gamma * (~batch.terminated) * q_next
        q = self.critic(feats, self.codec.unit(batch.action))
        critic_loss = F.huber_loss(q, target, delta=cfg.huber_delta)
        with torch.no_grad():
            advantage = self._advantage(feats, q, target)
        actor_loss, entropy = self._actor_loss(feats, batch, advantage)

        self.actor_optimizer.zero_grad(set_to_none=True)
        self.critic_optimizer.zero_grad(set_to_none=True)
        (critic_loss + actor_loss).backward()
        actor_norm = nn.utils.clip_grad_norm_(self.actor_module.parameters(), cfg.max_grad_norm)
        critic_norm = nn.utils.clip_grad_norm_(self.critic.parameters(), cfg.max_grad_norm)
        self.actor_optimizer.step()
        self.critic_optimizer.step()
        self.gradient_steps += 1
        return self._metrics(
            {
                "train/critic_loss": critic_loss.detach(),
                "train/actor_loss": actor_loss.detach(),
                "train/q_mean": q.detach().mean(),
                "train/advantage_mean": advantage.mean(),
                "train/entropy": entropy.detach().mean(),
                "train/actor_grad_norm": actor_norm,
                "train/critic_grad_norm": critic_norm,
                NONFINITE_PARAMETERS: count_nonfinite([self.actor_module, self.critic]),
            }
        )

    def _advantage(self, feats: Tensor, q: Tensor, target: Tensor) -> Tensor:
        cfg = self.config
        if cfg.advantage == "td_error":
            advantage = target - q.detach()
        else:
            baseline = self.baseline_select(feats, self.actor.mean(feats), False).action
            advantage = target - self.critic(feats, self.codec.unit(baseline))
        if cfg.normalize_advantage and advantage.numel() > 1:
            advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
        return advantage

    def _actor_loss(
        self, feats: Tensor, batch: ReplayBatch, advantage: Tensor
    ) -> tuple[Tensor, Tensor]:
        entropy = self.actor.entropy(feats)
        if self.actor_loss == "cacla":
            # For a fixed-σ Gaussian, −σ² log π(u | s) = ‖u − μ(s)‖² / 2 + const.
            executed = self.codec.to_unit(batch.action)
            log_prob = self.actor.log_prob(feats, executed)
            loss = -(self.cacla_scale * (advantage > 0).float() * log_prob).mean()
        else:
            log_prob = self.actor.log_prob(feats, batch.extras["proto"])
            loss = -(advantage * log_prob).mean()
        return loss - self.config.ent_coef * entropy.mean(), entropy

    def _metrics(self, tensors: dict[str, Tensor]) -> dict[str, float]:
        """One device sync for every metric of the update."""
        if self._searches:
            gain, moved = self._gain / self._searches
            tensors["rollout/search_gain"] = gain
            tensors["rollout/search_moved_fraction"] = moved
            self._gain = torch.zeros_like(self._gain)
            self._searches = 0
        values = torch.stack([t.float() for t in tensors.values()]).tolist()
        metrics = dict(zip(tensors, values, strict=True))
        metrics["train/n_updates"] = float(self.gradient_steps)
        return metrics


def require_discrete(algo: BaseAlgorithm) -> None:
    """Refuse action spaces without discrete components (nothing to round, search or list)."""
    if algo.action_space.n_discrete == 0:
        raise ValueError(
            f"{algo.name} maps proto-actions to discrete components, but the action space "
            f"{algo.action_space!r} has none; use a continuous-action algorithm such as ppo"
        )


def proto_action_learner(
    owner: BaseAlgorithm,
    codec: ActionCodec,
    select: SelectFn,
    make_actor: Callable[[int], nn.Module] | None = None,
) -> QActorCritic:
    """The learner of a proto-action algorithm (its config is a `ProtoActionConfig`).

    The baseline action of ``advantage="baseline"`` is the rounded mean proto-action (MinMax's
    decision), so the update needs no extra search.

    Args:
        owner: The algorithm.
        codec: Its action codec.
        select: Its selection.
        make_actor: Builds the actor from the feature size; default: a `GaussianActor` over
            the whole unit box ``[-1, 1]^D``.
    """
    cfg: ProtoActionConfig = owner.config

    def gaussian(in_dim: int) -> nn.Module:
        return GaussianActor(
            in_dim, codec.dim, cfg.actor_hidden, cfg.activation, cfg.exploration_std
        )

    def rounded(feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        return round_to_nearest(codec, proto)

    return QActorCritic(
        owner,
        codec,
        make_actor or gaussian,
        select,
        cfg.actor_loss,
        cfg.exploration_std**2,
        rounded,
    )


class QActorCriticMethods:
    """The trainer-loop half of an algorithm whose ``learner`` is a `QActorCritic`.

    Mixed in before `BaseAlgorithm` (``class DNC(QActorCriticMethods, BaseAlgorithm)``), so the
    five baselines state their actor and selection and nothing else; this is delegation only,
    the loop itself lives in `QActorCritic`.
    """

    learner: QActorCritic
    resume_attributes: ClassVar[Sequence[str]] = ("learner._last_obs", "learner.gradient_steps")
    episode_attributes: ClassVar[Sequence[str]] = ("learner._last_obs",)

    def _on_reset(self) -> None:
        self.learner.reset()

    def collect(self) -> ReplayBatch:
        """``n_steps`` batched env steps with sampled protos and training-mode selection."""
        return self.learner.collect()

    def update(self, batch: ReplayBatch) -> dict[str, float]:
        """One critic and one actor step on the last `collect` (see `QActorCritic`)."""
        return self.learner.update(batch)

    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """The selected mean proto (deterministic) or a training-mode decision, valid."""
        return self.learner.act(obs, deterministic)

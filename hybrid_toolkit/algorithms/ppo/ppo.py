"""Hybrid PPO: clipped policy optimisation with categorical × Gaussian heads on batched envs.

One rollout of ``n_steps`` batched steps, GAE, then ``n_epochs`` passes of ``n_minibatches``
clipped-surrogate updates. The policy's log-probability and entropy ignore parameters that are
inactive for the sampled discrete choice, so e.g. Platform's unused jump distance never receives
a gradient.

Every way the HPO paper's PPO differs from this one is a config field whose default is this
PPO's behaviour (the ``paper-jrp`` / ``paper-lqr`` presets switch all of them; see
:mod:`hybrid_toolkit.algorithms.ppo.paper`).
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.common.grouped_clipping import clip_groups
from hybrid_toolkit.algorithms.common.on_policy import RolloutBatch, RolloutBuffer
from hybrid_toolkit.algorithms.common.scenario_splits import TrainBatches, has_splits
from hybrid_toolkit.algorithms.ppo.config import PPO_PRESETS, PPOConfig
from hybrid_toolkit.algorithms.ppo.policy import HybridActorCritic
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.nn import (
    NONFINITE_PARAMETERS,
    HybridDistribution,
    ObservationNormalizer,
    RewardScaler,
    count_nonfinite,
)
from hybrid_toolkit.spaces import HybridAction

_GROUPS = ("discrete", "continuous", "backbone", "value", "other")
"""The actor-critic's parameter groups (`HybridActorCritic.parameter_groups`)."""


@register_algorithm
class PPO(BaseAlgorithm):
    """Proximal Policy Optimization for hybrid action spaces.

    Examples:
        >>> model = PPO("TargetRegime-v0", seed=0).learn(20_000)
        >>> action, _ = model.predict(obs)
    """

    name: ClassVar[str] = "ppo"
    config_class: ClassVar[type] = PPOConfig
    presets = PPO_PRESETS
    saved_attributes = ("policy", "obs_normalizer", "optimizer")
    # the scaler's running returns are transient in its state_dict but part of the run
    resume_attributes = (
        "_last_obs",
        "reward_scaler",
        "reward_scaler.returns",
        "gradient_steps",
        "_train._order",
    )
    episode_attributes = ("_last_obs", "reward_scaler.returns")
    config: PPOConfig

    def _build(self) -> None:
        cfg, env = self.config, self.env
        obs_dim = int(torch.tensor(env.obs_shape).prod())
        self.policy = HybridActorCritic(
            obs_dim,
            self.action_space,
            cfg.policy_hidden,
            cfg.value_hidden,
            cfg.activation,
            cfg.log_std_init,
            cfg.network_layout,
        ).to(self.device)
        self.obs_normalizer = ObservationNormalizer(env.obs_shape).to(self.device)
        self.reward_scaler = RewardScaler(env.num_envs, gamma=cfg.gamma).to(self.device)
        self.optimizer = torch.optim.Adam(
            self.policy.parameters(), lr=cfg.learning_rate, eps=cfg.adam_eps, foreach=True
        )
        self.buffer = RolloutBuffer(
            cfg.n_steps,
            env.num_envs,
            (obs_dim,),
            self.action_space.n_discrete,
            self.action_space.n_continuous,
            self.device,
        )
        self._low = self.action_space.low.to(self.device)
        self._high = self.action_space.high.to(self.device)
        self._last_obs: Tensor | None = None
        self.gradient_steps = 0  # minibatch steps of every update so far: train/n_updates
        self._train: TrainBatches | None = None
        if cfg.train_split:
            if not has_splits(env):
                raise ValueError(
                    f"PPOConfig.train_split={cfg.train_split!r} needs an env with fixed scenario "
                    f"splits; {type(env).__name__} has none (use train_split='')"
                )
            self._train = TrainBatches(env, cfg.train_split, self.generator)
        if cfg.rollout_graph == "kept" and not getattr(env, "differentiable", False):
            raise ValueError(
                "PPOConfig.rollout_graph='kept' needs a differentiable env "
                f"(env.differentiable=True); {type(env).__name__} is not — use 'detached'"
            )
        self._graph_obs: Tensor | None = None  # rollout features with their graph ("kept")

    def _on_reset(self) -> None:
        self._last_obs = None

    # ------------------------------------------------------------------ acting
    def _features(self, obs: Tensor, update_stats: bool = False) -> Tensor:
        flat = obs.to(self.device, torch.float32).reshape(obs.shape[0], -1)
        if not self.config.normalize_observations:
            return flat
        if update_stats:
            self.obs_normalizer.update(flat)
        return self.obs_normalizer(flat)

    def _clip(self, action: HybridAction) -> HybridAction:
        """Gaussian samples may leave the box; the env receives them clipped."""
        return HybridAction(action.discrete, torch.clamp(action.continuous, self._low, self._high))

    @torch.no_grad()
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Greedy (argmax + mean) or sampled actions, clipped into the action space."""
        dist = self.policy.distribution(self._features(obs))
        action = dist.mode() if deterministic else dist.sample(generator=self.generator)
        return self._clip(action)

    # ------------------------------------------------------------------ collect
    def collect(self) -> RolloutBuffer:
        """One rollout of ``n_steps`` batched steps, then GAE (autograd only with
        ``rollout_graph="kept"``)."""
        with torch.set_grad_enabled(self.config.rollout_graph == "kept"):
            return self._collect()

    def _first_obs(self) -> tuple[Tensor, bool]:
        """The rollout's first observations, and whether they start fresh episodes."""
        cfg, env = self.config, self.env
        fresh = self._last_obs is None
        if self._train is not None:
            obs = self._train.reset_env()
        elif fresh or cfg.rollout_graph == "kept":  # a kept graph starts from a reset
            obs = env.reset(seed=self.seed if fresh else None)
        else:
            return self._last_obs, False  # type: ignore[return-value]
        if fresh:
            self.reward_scaler.reset()
        return obs.detach(), True

    def _collect(self) -> RolloutBuffer:
        cfg, env, buf = self.config, self.env, self.buffer
        kept = cfg.rollout_graph == "kept"
        batch_std = cfg.scale_rewards and cfg.reward_scaling == "batch_std"
        obs, fresh = self._first_obs()
        buf.reset()
        feats = self._features(obs, update_stats=fresh)
        graph_feats: list[Tensor] = []
        bootstraps: list[Tensor] = []
        with torch.no_grad():
            value = self.policy.value(feats)
        for _ in range(cfg.n_steps):
            dist = self.policy.distribution(feats)
            action = dist.rsample(self.generator) if kept else dist.sample(self.generator)
            log_prob = self._log_prob(dist, action).detach()
            step = env.step(self._clip(action))
            done = step.terminated | step.truncated
            reward = step.reward.detach().to(self.device, torch.float32)
            if cfg.scale_rewards and not batch_std:
                reward = self.reward_scaler(reward, done)
            next_feats = self._features(step.obs, update_stats=True)
            final_obs = step.info["final_obs"]
            with torch.no_grad():
                if final_obs is step.obs:  # no scenario was reset (e.g. between lockstep horizons)
                    next_value = final_value = self.policy.value(next_feats)
                else:
                    # one value pass for the next observations and the pre-reset final ones
                    both = torch.cat([next_feats, self._features(final_obs)])
                    next_value, final_value = self.policy.value(both).split(env.num_envs)
            # a time-limit cut is not a terminal state, so it bootstraps from the final one
            bootstrap = cfg.gamma * final_value * (step.truncated & ~step.terminated)
            if batch_std:
                bootstraps.append(bootstrap)
            else:
                reward = reward + bootstrap
            if kept:
                graph_feats.append(feats)
            stored = HybridAction(action.discrete, action.continuous.detach())
            buf.add(feats.detach(), stored, log_prob, reward, done, value)
            self.episode_stats.add(step.info["episode_return"], step.info["episode_length"], done)
            obs, feats, value = step.obs, next_feats, next_value
        self._last_obs = obs.detach()
        if batch_std:  # the bootstraps are in scaled units already
            std = buf.rewards.std().clamp_min(1e-8) if buf.rewards.numel() > 1 else 1.0
            buf.rewards = buf.rewards / std + torch.stack(bootstraps)
        self._graph_obs = torch.stack(graph_feats) if kept else None
        self._record_choice_fractions(buf)
        buf.finish(value.detach(), cfg.gamma, cfg.gae_lambda)
        self.num_timesteps += cfg.n_steps * env.num_envs
        return buf

    def _log_prob(self, dist: HybridDistribution, action: HybridAction) -> Tensor:
        """``log π(action)``: with ``continuous_log_prob="all"`` inactive parameters count too."""
        if self.config.continuous_log_prob == "active":
            return dist.log_prob(action)
        discrete, continuous = dist.log_prob_parts(action, include_inactive=True)
        return discrete + continuous

    def _regime_component(self) -> int | None:
        """The single component that governs parameters (the "regime"), if there is one."""
        governing = list(self.action_space.activation)
        if len(governing) != 1 or self.action_space.discrete[governing[0]].n > 16:
            return None
        return governing[0]

    def _record_choice_fractions(self, buf: RolloutBuffer) -> None:
        """``rollout/regime_<k>_fraction`` for a single governing (regime) component.

        Counted once per rollout from the stored actions (one ``bincount``, not one per step).
        """
        comp = self._regime_component()
        if comp is None:
            return
        n = self.action_space.discrete[comp].n
        counts = torch.bincount(buf.discrete[..., comp].flatten(), minlength=n).float()
        for k, fraction in enumerate((counts / counts.sum()).tolist()):
            self.logger.record(f"rollout/regime_{k}_fraction", fraction)

    # ------------------------------------------------------------------ update
    def update(self, batch: RolloutBuffer) -> dict[str, float]:
        """``n_epochs`` × ``n_minibatches`` clipped-surrogate steps on the rollout."""
        cfg = self.config
        if cfg.anneal_lr and self.total_timesteps_target:
            frac = max(0.0, 1.0 - self.num_timesteps / self.total_timesteps_target)
            for group in self.optimizer.param_groups:
                group["lr"] = frac * cfg.learning_rate
        # Per-minibatch statistics stay on the device, one stacked row per minibatch, and are
        # averaged with a single sync at the end.
        rows: list[Tensor] = []
        keys: list[str] = []
        stop = False
        steps = slice(cfg.buffer_periods, cfg.n_steps - cfg.buffer_periods)
        # a kept rollout graph serves the first gradient step only, then it is freed
        graph_obs, self._graph_obs = self._graph_obs, None
        for epoch in range(cfg.n_epochs):
            full = epoch == 0 and cfg.epoch_schedule == "full_batch_first"
            n_minibatches = 1 if full else cfg.n_minibatches
            minibatches = batch.minibatches(
                n_minibatches, self.generator, steps=steps, first_obs=graph_obs
            )
            graph_obs = None
            for mb in minibatches:
                stats = self._minibatch_step(mb)
                keys = list(stats)
                rows.append(torch.stack(list(stats.values())))
                kl_limit = cfg.kl_stop_factor * cfg.target_kl
                if cfg.target_kl and float(stats["train/approx_kl"]) > kl_limit:
                    stop = True
                    break
            if stop:
                break
        count = len(rows)
        values, returns = batch.values.flatten(), batch.returns.flatten()
        var = torch.var(returns)
        std = (
            self.policy.head.log_std.detach().exp().mean()
            if self.action_space.n_continuous
            else var.new_zeros(())
        )
        # one sync for everything, the parameter check included (the trainer stops on a
        # non-zero count)
        extra = {
            "train/explained_variance": torch.where(
                var > 0, 1 - torch.var(returns - values) / var, 0.0
            ),
            "train/std": std,
            NONFINITE_PARAMETERS: count_nonfinite([self.policy]),
        }
        means = torch.cat([torch.stack(rows).mean(dim=0), torch.stack(list(extra.values()))])
        metrics = dict(zip([*keys, *extra], means.tolist(), strict=True))
        self.gradient_steps += count
        metrics["train/n_updates"] = float(self.gradient_steps)
        metrics["train/learning_rate"] = float(self.optimizer.param_groups[0]["lr"])
        return metrics

    def _minibatch_step(self, mb: RolloutBatch) -> dict[str, Tensor]:
        cfg = self.config
        dist = self.policy.distribution(mb.obs)
        log_prob = self._log_prob(dist, mb.action)
        ent_discrete, ent_continuous = dist.entropy_parts()
        values = self.policy.value(mb.obs)

        adv = mb.advantages
        if cfg.normalize_advantage and adv.numel() > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        log_ratio = log_prob - mb.log_prob
        ratio = log_ratio.exp()
        policy_loss = torch.max(
            -adv * ratio, -adv * torch.clamp(ratio, 1 - cfg.clip_range, 1 + cfg.clip_range)
        ).mean()

        if cfg.clip_range_vf > 0:
            clipped = mb.values + torch.clamp(
                values - mb.values, -cfg.clip_range_vf, cfg.clip_range_vf
            )
            value_loss = (
                0.5 * torch.max((values - mb.returns) ** 2, (clipped - mb.returns) ** 2).mean()
            )
        else:
            value_loss = 0.5 * ((values - mb.returns) ** 2).mean()

        entropy = ent_discrete + ent_continuous if cfg.continuous_entropy else ent_discrete
        loss = policy_loss + cfg.vf_coef * value_loss - cfg.ent_coef * entropy.mean()

        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clipping == "global":
            grad_norm = torch.nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.max_grad_norm)
            self.optimizer.step()
        else:
            norms = clip_groups(self.policy, _GROUPS, cfg.max_grad_norm)
            self.optimizer.step()
            # the norm of all groups together, on the device, without a sync
            grad_norm = torch.stack(list(norms.values())).square().sum().sqrt()

        with torch.no_grad():
            approx_kl = ((ratio - 1) - log_ratio).mean()
            clip_fraction = ((ratio - 1).abs() > cfg.clip_range).float().mean()
        return {
            "train/loss": loss.detach(),
            "train/policy_gradient_loss": policy_loss.detach(),
            "train/value_loss": value_loss.detach(),
            "train/entropy_loss": -entropy.mean().detach(),
            "train/discrete_entropy": ent_discrete.mean().detach(),
            "train/continuous_entropy": ent_continuous.mean().detach(),
            "train/approx_kl": approx_kl,
            "train/clip_fraction": clip_fraction,
            "train/grad_norm": grad_norm.detach(),
        }

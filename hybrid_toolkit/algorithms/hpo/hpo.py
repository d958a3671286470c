"""Hybrid Policy Optimization (HPO): mixed pathwise / score-function gradients (spec §3–§5).

Each update follows the reference code's schedule:

1. **collect** — roll out ``B`` scenarios for ``T`` steps through the differentiable simulator,
   keeping the autograd graph (:func:`.rollout.differentiable_rollout`);
2. rewards scaled by their batch std, GAE, edge trimming (:func:`.batch.prepare_batch`);
3. **epoch 0** — one full-batch step on
   ``score-function surrogate + vf_coef·½·MSE − ent_coef·H + pathwise_coef·mean(scaled cost)``:
   one backward pass gives the score-function gradient of the discrete network, and the cross
   term plus the pathwise gradient of the continuous network;
4. **epochs 1 … n_epochs−1** — discrete-only PPO on detached states (the pathwise gradient can
   be used only once), early-stopped on the approximate KL.

Adam with one parameter group per network, gradient clipping per group, the discrete entropy
coefficient annealed linearly per training epoch, greedy evaluation on the dev split and
best-dev model selection.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.hpo.batch import HPOBatch, normalize, prepare_batch
from hybrid_toolkit.algorithms.hpo.config import HPO_PRESETS, HPOConfig
from hybrid_toolkit.algorithms.hpo.estimator import flat_grad, gradient_pieces
from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.algorithms.hpo.rollout import Rollout, differentiable_rollout
from hybrid_toolkit.algorithms.hpo.scenarios import SplitEvaluator, TrainBatches, has_splits
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import Callback

GROUPS = ("discrete", "continuous", "value")


@register_algorithm
class HPO(BaseAlgorithm):
    """Hybrid Policy Optimization: backpropagate through the simulator where it is smooth.

    Needs a differentiable env (``env.differentiable``) with at least one discrete component.
    On envs with fixed scenario splits (joint replenishment, switched LQR) it trains on shuffled
    batches of the train split, evaluates greedily on dev once per training epoch and keeps the
    best-dev weights (:attr:`best_dev_cost`, :attr:`dev_curve`).

    Example:
        >>> env = ht.make("JointReplenishment-v0", num_envs=128, validate_actions=False)
        >>> model = HPO(env, "jrp", seed=0).learn(1600 * 128 * 100)
        >>> model.best_dev_cost
    """

    name: ClassVar[str] = "hpo"
    config_class: ClassVar[type] = HPOConfig
    presets = HPO_PRESETS
    requires_differentiable_env: ClassVar[bool] = True
    saved_attributes = ("policy", "optimizer")
    config: HPOConfig
    best_dev_cost: float
    """Lowest dev cost seen in the current ``learn`` run (``inf`` before the first evaluation)."""
    dev_curve: list[tuple[int, float]]
    """``(updates so far, dev cost)`` of every dev evaluation of the current run."""

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        cfg, env = self.config, self.env
        obs_dim = int(math.prod(env.obs_shape))
        self.policy = HPOPolicy(
            obs_dim,
            self.action_space,
            cfg.discrete_hidden,
            cfg.continuous_hidden,
            cfg.value_hidden,
            cfg.activation,
            cfg.continuous_shift,
            cfg.init_discrete_uniform,
            self._scale_index(),
        ).to(self.device)
        if env.observation_space.dtype == np.float64:  # e.g. precision="float64" gradient checks
            self.policy.double()
        groups = self.policy.parameter_groups()
        scales = {"discrete": 1.0, "continuous": cfg.continuous_lr_scale, "value": 1.0}
        self.optimizer = torch.optim.Adam(
            [
                {"params": groups[g], "lr": cfg.learning_rate * scales[g], "name": g}
                for g in GROUPS
                if groups[g]
            ],
            lr=cfg.learning_rate,
            eps=cfg.adam_eps,
        )
        self._splits = has_splits(env)
        self._episodic = self._splits
        self.n_steps = self._resolve_n_steps()
        self._train: TrainBatches | None = None
        if self._splits and cfg.train_split:
            self._train = TrainBatches(env, cfg.train_split, self.generator)
        elif self._splits:
            env.set_scenarios(None)  # type: ignore[attr-defined]
        self.rollouts_per_epoch = self._train.batches_per_epoch if self._train else 1
        self._dev: SplitEvaluator | None = None
        self.n_updates = 0
        self._reset_history()

    def _scale_index(self) -> int | None:
        layout = getattr(self.env, "observation_layout", None)
        name = self.config.quantity_scale_feature
        if not name or not isinstance(layout, dict) or name not in layout:
            return None
        return int(layout[name].start)

    def _resolve_n_steps(self) -> int:
        cfg, horizon = self.config, getattr(self.env, "horizon", None)
        if cfg.n_steps == 0 and not isinstance(horizon, int):
            raise ValueError(
                f"HPOConfig.n_steps=0 means one episode, but {type(self.env).__name__} has no "
                "`horizon` attribute; set n_steps >= 1"
            )
        steps = cfg.n_steps or int(horizon)  # type: ignore[arg-type]
        if self._episodic and isinstance(horizon, int) and steps > horizon:
            raise ValueError(
                f"HPOConfig.n_steps={steps} exceeds the episode length horizon={horizon}"
            )
        if 2 * cfg.buffer_periods >= steps:
            raise ValueError(
                f"HPOConfig.buffer_periods={cfg.buffer_periods} trims every step of a "
                f"{steps}-step rollout; it must be < {steps} / 2"
            )
        return steps

    def _reset_history(self) -> None:
        self.best_dev_cost = math.inf
        self.dev_curve: list[tuple[int, float]] = []
        self._best_state: dict[str, Tensor] | None = None
        self._last_obs: Tensor | None = None
        self._rollout_metrics: dict[str, float] = {}

    def _on_reset(self) -> None:
        self._reset_history()

    # ------------------------------------------------------------------ acting
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Greedy (argmax regime) or sampled discrete actions; continuous actions are
        deterministic either way."""
        return self.policy.act(obs.to(self.device), deterministic, self.generator)

    # ------------------------------------------------------------------ collect
    def _first_obs(self) -> Tensor:
        if self._train is not None:
            return self._train.reset_env()
        if self._episodic or self._last_obs is None:
            return self.env.reset(seed=self.seed if self._last_obs is None else None)
        return self._last_obs

    def collect(self) -> Rollout:
        """One rollout of ``n_steps`` batched steps with the autograd graph kept."""
        obs = self._first_obs().detach()
        traj = differentiable_rollout(
            self.policy,
            self.env,
            obs,
            self.n_steps,
            generator=self.generator,
            cross_term=self.config.cross_term,
        )
        self._last_obs = traj.next_obs
        for t in range(traj.n_steps):
            self.episode_stats.add(traj.episode_return[t], traj.episode_length[t], traj.dones[t])
        self.num_timesteps += traj.n_steps * self.env.num_envs
        self._rollout_metrics = self._describe_rollout(traj)
        return traj

    def _describe_rollout(self, traj: Rollout) -> dict[str, float]:
        metrics: dict[str, float] = {}
        costs = traj.costs.detach().T  # [B, T]
        if self._episodic and hasattr(self.env, "reported_metric"):
            metrics["rollout/cost"] = float(self.env.reported_metric(costs))
        else:
            metrics["rollout/cost"] = float(costs.mean())
        sizes = {c.n for c in self.action_space.discrete}
        if len(sizes) == 1 and (k := sizes.pop()) <= 16:
            counts = torch.bincount(traj.discrete.flatten(), minlength=k).double()
            for choice, fraction in enumerate((counts / counts.sum()).tolist()):
                metrics[f"rollout/regime_{choice}_fraction"] = fraction
        return metrics

    # ------------------------------------------------------------------ update
    def update(self, batch: Rollout) -> dict[str, float]:
        """Epoch 0 (mixed gradient, one step), then discrete-only PPO epochs on detached data."""
        cfg = self.config
        ent_coef = self.entropy_coef()
        data = prepare_batch(
            self.policy,
            batch,
            gamma=cfg.gamma,
            gae_lambda=cfg.gae_lambda,
            buffer_periods=cfg.buffer_periods,
            reward_scaling=cfg.reward_scaling,
            reward_scaling_pathwise=cfg.reward_scaling_pathwise,
        )
        due = cfg.piece_norms_interval and self.n_updates % cfg.piece_norms_interval == 0
        metrics = self._mixed_gradient_step(data, ent_coef, pieces=bool(due))
        metrics.update(self._discrete_ppo_epochs(data.detached(), ent_coef))
        self.n_updates += 1
        metrics.update(self._rollout_metrics)
        metrics.update(self._maybe_evaluate())
        values, returns = data.values.detach(), data.returns
        var = torch.var(returns)
        explained = 1 - torch.var(returns - values) / var if var > 0 else torch.zeros(())
        metrics["train/explained_variance"] = float(explained)
        metrics["train/ent_coef"] = ent_coef
        metrics["train/reward_std"] = float(data.reward_std)
        metrics["train/updates"] = float(self.n_updates)
        return metrics

    def entropy_coef(self) -> float:
        """The discrete entropy coefficient of the current training epoch (linear anneal)."""
        cfg = self.config
        per_update = self.n_steps * self.env.num_envs
        total_updates = max(1, math.ceil(self.total_timesteps_target / per_update))
        epochs = max(1, math.ceil(total_updates / self.rollouts_per_epoch))
        epoch = self.n_updates // self.rollouts_per_epoch
        frac = min(1.0, epoch / (epochs - 1)) if epochs > 1 else 0.0
        return cfg.ent_coef + frac * (cfg.min_ent_coef - cfg.ent_coef)

    def _mixed_gradient_step(
        self, data: HPOBatch, ent_coef: float, pieces: bool
    ) -> dict[str, float]:
        cfg, groups = self.config, self.policy.parameter_groups()
        advantages = normalize(data.advantages) if cfg.normalize_advantage else data.advantages
        # The PPO surrogate at ratio 1 has the plain score-function gradient: Â · ∇ log π.
        policy_loss = -(advantages * data.log_prob).mean()
        entropy = data.entropy.mean()
        score_surrogate = policy_loss - ent_coef * entropy
        value_loss = 0.5 * (data.values - data.returns).square().mean()
        pathwise_loss = data.pathwise_costs.mean()
        loss = score_surrogate + cfg.vf_coef * value_loss + cfg.pathwise_coef * pathwise_loss
        metrics: dict[str, float] = {}
        self.optimizer.zero_grad(set_to_none=True)
        if pieces:
            split = gradient_pieces(self.policy, score_surrogate, cfg.pathwise_coef * pathwise_loss)
            value_grads = flat_grad(cfg.vf_coef * value_loss, groups["value"], retain_graph=False)
            _assign(groups["discrete"], split.score_function)
            _assign(groups["continuous"], split.continuous)
            for p, g in zip(groups["value"], value_grads, strict=True):
                p.grad = g
            norms = split.norms()
            for name in ("score_function", "cross", "pathwise"):
                metrics[f"train/grad_norm_{name}"] = norms[name]
            cosine = torch.nn.functional.cosine_similarity(split.cross, split.pathwise, dim=0)
            metrics["train/cross_pathwise_cosine"] = float(cosine) if split.cross.numel() else 0.0
        else:
            loss.backward()
        metrics.update(self._clip_and_step(GROUPS))
        values = {
            "train/loss": loss,
            "train/policy_gradient_loss": policy_loss,
            "train/value_loss": value_loss,
            "train/pathwise_loss": pathwise_loss,
            "train/entropy_loss": -entropy,
            "train/discrete_entropy": entropy,
        }
        metrics.update(_to_floats(values))
        return metrics

    def _clip_and_step(self, names: Sequence[str]) -> dict[str, float]:
        """Clip each parameter group's gradient norm separately, then one Adam step."""
        groups = self.policy.parameter_groups()
        norms = {}
        for name in names:
            params = [p for p in groups[name] if p.grad is not None]
            if params:
                norm = torch.nn.utils.clip_grad_norm_(params, self.config.max_grad_norm)
                norms[f"train/grad_norm_{name}"] = float(norm)
        self.optimizer.step()
        return norms

    def _discrete_ppo_epochs(self, data: HPOBatch, ent_coef: float) -> dict[str, float]:
        cfg = self.config
        sums: dict[str, float] = {}
        steps = 0
        for _ in range(1, cfg.n_epochs):
            perm = torch.randperm(len(data), generator=self.generator, device=self.device)
            stop = False
            for idx in perm.chunk(cfg.n_minibatches):
                stats = self._ppo_minibatch_step(data, idx, ent_coef)
                for key, value in stats.items():
                    sums[key] = sums.get(key, 0.0) + value
                steps += 1
                if cfg.target_kl and stats["train/approx_kl"] > cfg.target_kl:
                    stop = True
                    break
            if stop:
                break
        metrics = {key: value / steps for key, value in sums.items()} if steps else {}
        metrics["train/n_updates"] = float(1 + steps)
        return metrics

    def _ppo_minibatch_step(self, data: HPOBatch, idx: Tensor, ent_coef: float) -> dict[str, float]:
        cfg = self.config
        feats, action = data.feats[idx], data.discrete[idx]
        dist = self.policy.discrete_distribution(feats)
        log_prob, _ = dist.log_prob_parts(HybridAction(action, feats.new_zeros(len(idx), 0)))
        entropy, _ = dist.entropy_parts()
        adv = data.advantages[idx]
        adv = normalize(adv) if cfg.normalize_advantage else adv
        log_ratio = log_prob - data.old_log_prob[idx]
        ratio = log_ratio.exp()
        clipped = torch.clamp(ratio, 1 - cfg.clip_range, 1 + cfg.clip_range)
        policy_loss = torch.max(-adv * ratio, -adv * clipped).mean()
        value_loss = 0.5 * (self.policy.value(feats) - data.returns[idx]).square().mean()
        loss = policy_loss + cfg.vf_coef * value_loss - ent_coef * entropy.mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self._clip_and_step(("discrete", "value"))
        with torch.no_grad():
            approx_kl = ((ratio - 1) - log_ratio).mean()
            clip_fraction = ((ratio - 1).abs() > cfg.clip_range).float().mean()
        return {"train/approx_kl": float(approx_kl), "train/clip_fraction": float(clip_fraction)}

    # ------------------------------------------------------------------ evaluation
    def evaluate_split(self, split: str = "dev") -> float:
        """The reported metric of the greedy policy on every scenario of ``split``."""
        if not self._splits:
            raise ValueError(f"{type(self.env).__name__} has no fixed scenario splits")
        if self._dev is not None and self._dev.split == split:
            evaluator = self._dev
        else:
            evaluator = SplitEvaluator(self.env, split)
            if split == self.config.dev_split:
                self._dev = evaluator
        return evaluator.evaluate(lambda obs: self.act(obs, deterministic=True))

    def _maybe_evaluate(self) -> dict[str, float]:
        cfg = self.config
        interval = cfg.eval_interval or self.rollouts_per_epoch
        if not (self._splits and cfg.dev_split) or self.n_updates % interval != 0:
            return {}
        cost = self.evaluate_split(cfg.dev_split)
        self.dev_curve.append((self.n_updates, cost))
        if cost < self.best_dev_cost:
            self.best_dev_cost = cost
            self._best_state = copy.deepcopy(self.policy.state_dict())
        return {"eval/dev_cost": cost, "eval/best_dev_cost": self.best_dev_cost}

    def restore_best(self) -> bool:
        """Load the weights with the lowest dev cost seen; False if there was no evaluation."""
        if self._best_state is None:
            return False
        self.policy.load_state_dict(self._best_state)
        return True

    def learn(
        self,
        total_timesteps: int,
        callback: Callback | Sequence[Callback] | None = None,
        log_interval: int = 1,
        tb_log_name: str | None = None,
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
        *,
        run_dir: str | Path | None = None,
    ) -> HPO:
        """Train (see :meth:`BaseAlgorithm.learn`); with ``restore_best_dev`` the policy ends
        with the weights of the lowest dev cost seen."""
        super().learn(
            total_timesteps,
            callback,
            log_interval,
            tb_log_name,
            reset_num_timesteps,
            progress_bar,
            run_dir=run_dir,
        )
        if self.config.restore_best_dev:
            self.restore_best()
        return self

    def hyperparameters(self) -> dict[str, Any]:
        """The run's hyperparameters plus the resolved rollout length and epoch size."""
        params = super().hyperparameters()
        params.update(n_steps_resolved=self.n_steps, rollouts_per_epoch=self.rollouts_per_epoch)
        return params


def _to_floats(values: dict[str, Tensor]) -> dict[str, float]:
    """Scalar tensors as floats with one device sync."""
    numbers = torch.stack([v.detach().to(torch.float64) for v in values.values()]).tolist()
    return dict(zip(values, numbers, strict=True))


def _assign(params: Sequence[torch.nn.Parameter], flat: Tensor) -> None:
    """Write a flat gradient vector into ``params``' ``.grad`` (parameter order)."""
    offset = 0
    for p in params:
        p.grad = flat[offset : offset + p.numel()].view_as(p).clone()
        offset += p.numel()

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
import dataclasses
import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.common.scenario_splits import (
    SplitEvaluator,
    TrainBatches,
    has_splits,
)
from hybrid_toolkit.algorithms.hpo.batch import HPOBatch, normalize, prepare_batch
from hybrid_toolkit.algorithms.hpo.config import HPO_PRESETS, HPOConfig
from hybrid_toolkit.algorithms.hpo.estimator import GradientPieces, flat_grad, gradient_pieces
from hybrid_toolkit.algorithms.hpo.input_map import build_input_map
from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.algorithms.hpo.rollout import Rollout, differentiable_rollout
from hybrid_toolkit.algorithms.hpo.steps import (
    GROUPS,
    assign_flat_grad,
    clip_and_step,
    discrete_ppo_epochs,
    linear_anneal,
    piece_metrics,
    to_floats,
)
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.nn import NONFINITE_PARAMETERS, count_nonfinite
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import Checkpoint


@register_algorithm
class HPO(BaseAlgorithm):
    """Hybrid Policy Optimization: backpropagate through the simulator where it is smooth.

    Needs a differentiable env (``env.differentiable``) with at least one discrete component.
    On envs with fixed scenario splits (joint replenishment, switched LQR) it trains on shuffled
    batches of the train split, evaluates greedily on dev once per training epoch and keeps the
    best-dev weights (:attr:`best_dev_cost`, :attr:`dev_curve`).

    Examples:
        >>> env = ht.make("JointReplenishment-v0", num_envs=128, validate_actions=False)
        >>> model = HPO(env, "jrp", seed=0).learn(1600 * 128 * 100)
        >>> model.best_dev_cost
    """

    name: ClassVar[str] = "hpo"
    config_class: ClassVar[type] = HPOConfig
    presets = HPO_PRESETS
    requires_differentiable_env: ClassVar[bool] = True
    saved_attributes = ("policy", "optimizer")
    # every rollout starts from a reset, so there is no last observation to keep
    resume_attributes = (
        "_started",
        "_train._order",
        "best_dev_cost",
        "dev_curve",
        "_best_state",
        "gradient_steps",
    )
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
            build_input_map(env, cfg.input_map, obs_dim),
        ).to(self.device)
        if env.observation_space.dtype == np.float64:  # e.g. precision="float64" gradient checks
            self.policy.double()
        groups = self.policy.parameter_groups()
        scales = {
            "discrete": cfg.discrete_lr_scale,
            "continuous": cfg.continuous_lr_scale,
            "value": cfg.value_lr_scale,
        }
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
        self.n_steps = self._resolve_n_steps()
        self._train: TrainBatches | None = None
        if self._splits and cfg.train_split:
            self._train = TrainBatches(env, cfg.train_split, self.generator)
        elif self._splits:
            env.set_scenarios(None)  # type: ignore[attr-defined]
        self.rollouts_per_epoch = self._train.batches_per_epoch if self._train else 1
        self._evaluators: dict[str, SplitEvaluator] = {}
        self.gradient_steps = 0  # optimizer steps of every update so far: train/n_updates
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
        if isinstance(horizon, int) and steps > horizon:
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
        self._started = False
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
        # Every rollout starts fresh episodes: the env's state then carries no graph from the
        # previous update (whose graph is freed), and the gradient runs through whole episodes.
        if self._train is not None:
            return self._train.reset_env()
        first = not self._started
        self._started = True
        return self.env.reset(seed=self.seed if first else None)

    def collect(self) -> Rollout:
        """One rollout of ``n_steps`` batched steps from ``env.reset()``, graph kept."""
        obs = self._first_obs().detach()
        traj = differentiable_rollout(
            self.policy,
            self.env,
            obs,
            self.n_steps,
            generator=self.generator,
            cross_term=self.config.cross_term,
        )
        for t in range(traj.n_steps):
            self.episode_stats.add(traj.episode_return[t], traj.episode_length[t], traj.dones[t])
        self.num_timesteps += traj.n_steps * self.env.num_envs
        self._rollout_metrics = self._describe_rollout(traj)
        return traj

    def _describe_rollout(self, traj: Rollout) -> dict[str, float]:
        metrics: dict[str, float] = {}
        costs = traj.costs.detach().T  # [B, T]
        if self._splits and hasattr(self.env, "reported_metric"):
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
        data = self._prepare(batch)
        index = max(self.n_updates - 1, 0)  # this update: collect() already counted it
        ent_coef = self.entropy_coef(index)
        due = cfg.piece_norms_interval and index % cfg.piece_norms_interval == 0
        metrics = self._mixed_gradient_step(data, ent_coef, pieces=bool(due))
        epochs = discrete_ppo_epochs(
            self.policy, self.optimizer, data.detached(), cfg, ent_coef, self.generator
        )
        self.gradient_steps += int(epochs.pop("train/n_updates"))
        metrics.update(epochs)
        metrics.update(self._rollout_metrics)
        metrics.update(self._maybe_evaluate())
        values, returns = data.values.detach(), data.returns
        var = torch.var(returns)
        explained = torch.where(var > 0, 1 - torch.var(returns - values) / var, 0.0)
        # one sync for these three; the trainer stops on a non-zero parameter count
        tail = {
            "train/explained_variance": explained,
            "train/reward_std": data.reward_std,
            NONFINITE_PARAMETERS: count_nonfinite([self.policy]),
        }
        metrics.update(to_floats(tail))
        metrics["train/ent_coef"] = ent_coef
        metrics["train/updates"] = float(self.n_updates)
        metrics["train/n_updates"] = float(self.gradient_steps)
        return metrics

    @property
    def n_updates(self) -> int:
        """Updates (rollouts) so far, counted from ``num_timesteps`` (so it survives
        ``save``/``load`` and continued training)."""
        return self.num_timesteps // (self.n_steps * self.env.num_envs)

    def entropy_coef(self, update: int | None = None) -> float:
        """The discrete entropy coefficient of update ``update`` (default: the next one).

        Linear per training epoch (``rollouts_per_epoch`` updates) from ``ent_coef`` in the
        first epoch to ``min_ent_coef`` in the last epoch of the ``learn`` target.
        """
        cfg = self.config
        per_update = self.n_steps * self.env.num_envs
        return linear_anneal(
            cfg.ent_coef,
            cfg.min_ent_coef,
            self.n_updates if update is None else update,
            self.rollouts_per_epoch,
            math.ceil(self.total_timesteps_target / per_update),
        )

    def _surrogates(self, data: HPOBatch, ent_coef: float) -> dict[str, Tensor]:
        """Epoch 0's loss terms (graphs kept): the score-function surrogate with its entropy
        bonus, the value loss and the pathwise loss."""
        cfg = self.config
        advantages = normalize(data.advantages) if cfg.normalize_advantage else data.advantages
        # The PPO surrogate at ratio 1 has the plain score-function gradient: Â · ∇ log π.
        policy_loss = -(advantages * data.log_prob).mean()
        entropy = data.entropy.mean()
        return {
            "score": policy_loss - ent_coef * entropy,
            "policy": policy_loss,
            "entropy": entropy,
            "value": 0.5 * (data.values - data.returns).square().mean(),
            "pathwise": data.pathwise_costs.mean(),
        }

    def gradient_pieces(self, traj: Rollout, ent_coef: float | None = None) -> GradientPieces:
        """The score-function, cross and pathwise pieces of the gradient epoch 0 would take on
        ``traj`` (no parameter changes): GAE, scaling, trimming and normalisation included.
        ``ent_coef`` replaces the scheduled entropy bonus (0: the pieces of the cost alone)."""
        coef = self.entropy_coef() if ent_coef is None else ent_coef
        terms = self._surrogates(self._prepare(traj), coef)
        pathwise = self.config.pathwise_coef * terms["pathwise"]
        return gradient_pieces(self.policy, terms["score"], pathwise)

    def _prepare(self, traj: Rollout) -> HPOBatch:
        cfg = self.config
        return prepare_batch(
            self.policy,
            traj,
            gamma=cfg.gamma,
            gae_lambda=cfg.gae_lambda,
            buffer_periods=cfg.buffer_periods,
            reward_scaling=cfg.reward_scaling,
            reward_scaling_pathwise=cfg.reward_scaling_pathwise,
        )

    def _mixed_gradient_step(
        self, data: HPOBatch, ent_coef: float, pieces: bool
    ) -> dict[str, float]:
        cfg, groups = self.config, self.policy.parameter_groups()
        terms = self._surrogates(data, ent_coef)
        pathwise = cfg.pathwise_coef * terms["pathwise"]
        loss = terms["score"] + cfg.vf_coef * terms["value"] + pathwise
        metrics: dict[str, float] = {}
        self.optimizer.zero_grad(set_to_none=True)
        if pieces:
            split = gradient_pieces(self.policy, terms["score"], pathwise)
            value_grads = flat_grad(cfg.vf_coef * terms["value"], groups["value"], False)
            assign_flat_grad(groups["discrete"], split.score_function)
            assign_flat_grad(groups["continuous"], split.continuous)
            for p, g in zip(groups["value"], value_grads, strict=True):
                p.grad = g
            metrics.update(piece_metrics(split))
        else:
            loss.backward()
        metrics.update(clip_and_step(self.policy, self.optimizer, GROUPS, cfg.max_grad_norm))
        values = {
            "train/loss": loss,
            "train/policy_gradient_loss": terms["policy"],
            "train/value_loss": terms["value"],
            "train/pathwise_loss": terms["pathwise"],
            "train/entropy_loss": -terms["entropy"],
            "train/discrete_entropy": terms["entropy"],
        }
        metrics.update(to_floats(values))
        return metrics

    # ------------------------------------------------------------------ evaluation
    def evaluate_split(self, split: str = "dev") -> float:
        """The reported metric of the greedy policy on every scenario of ``split``."""
        if not self._splits:
            raise ValueError(f"{type(self.env).__name__} has no fixed scenario splits")
        if split not in self._evaluators:
            self._evaluators[split] = SplitEvaluator(self.env, split)
        return self._evaluators[split].evaluate(lambda obs: self.act(obs, deterministic=True))

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

    @classmethod
    def _from_checkpoint(
        cls,
        checkpoint: Checkpoint,
        path: str | Path,
        env: HybridEnv | None,
        *,
        device: torch.device | str,
        **kwargs: Any,
    ) -> BaseAlgorithm:
        # Files written before `input_map` existed were trained on the raw observation.
        if "input_map" not in checkpoint.config:
            config = {**checkpoint.config, "input_map": "raw"}
            checkpoint = dataclasses.replace(checkpoint, config=config)
        return super()._from_checkpoint(checkpoint, path, env, device=device, **kwargs)

    def learn(self, *args: Any, **kwargs: Any) -> HPO:
        """Train, exactly as :meth:`BaseAlgorithm.learn` (same arguments); with
        ``restore_best_dev`` the policy then holds the weights of the lowest dev cost seen."""
        super().learn(*args, **kwargs)
        if self.config.restore_best_dev:
            self.restore_best()
        return self

    def hyperparameters(self) -> dict[str, Any]:
        """The run's hyperparameters plus the resolved rollout length and epoch size."""
        params = super().hyperparameters()
        params.update(n_steps_resolved=self.n_steps, rollouts_per_epoch=self.rollouts_per_epoch)
        return params

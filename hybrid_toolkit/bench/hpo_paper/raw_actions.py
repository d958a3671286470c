"""The PPO baseline acts in HPO's raw-output space (spec §10.1).

The paper's Gaussian PPO samples ``raw = μ + σ·ε`` per (item, regime) and executes the same map
HPO's deterministic head uses: ``q = softplus(raw + shift) · m_t`` for order quantities (``m_t``
the mean-demand estimate), the identity for LQR controls. Our PPO samples in the env's action
box, so this wrapper gives it an unbounded box and applies HPO's :class:`BoxMap` on the way in.
Without it PPO would have to learn quantities of tens of units from a Gaussian of standard
deviation 1 — a handicap that has nothing to do with the gradient estimator.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.hpo import BoxMap
from hybrid_toolkit.envs import HybridEnv, Step
from hybrid_toolkit.spaces import HybridAction, HybridSpace


class RawActionWrapper(HybridEnv):
    """``env`` with unbounded continuous parameters mapped like HPO's continuous head.

    Args:
        env: The wrapped env (its autoreset, seeding and statistics are used as they are).
        shift: Constant added to raw parameters before the map (HPO's ``continuous_shift``).
        scale_feature: Entry of ``env.observation_layout`` that multiplies half-open
            (softplus) parameters; empty or absent: no scaling.
    """

    def __init__(self, env: HybridEnv, shift: float = 1.0, scale_feature: str = "") -> None:
        super().__init__(env.num_envs, env.device, validate_actions=False)
        self.inner = env
        # Sampled raw actions map to env actions by differentiable ops, so a differentiable env
        # stays one through the wrapper (the paper's PPO keeps the rollout graph). The base
        # class declares it per class; a wrapper's answer depends on the env it wraps.
        self.differentiable = env.differentiable  # type: ignore[misc]
        self.shift = float(shift)
        space = env.action_space
        n = space.n_continuous
        self.action_space = HybridSpace(
            space.discrete,
            low=[-math.inf] * n,
            high=[math.inf] * n,
            activation=space.activation,
            continuous_names=space.continuous_names or None,
        )
        self.observation_space = env.observation_space
        self.box_map = BoxMap(space.low, space.high).to(env.device)
        layout = getattr(env, "observation_layout", None)
        self.scale_index: int | None = None
        if scale_feature and isinstance(layout, dict) and scale_feature in layout:
            self.scale_index = int(layout[scale_feature].start)
        self._obs: Tensor | None = None

    def to_env_action(self, obs: Tensor, action: HybridAction) -> HybridAction:
        """The wrapped env's action for raw ``action`` taken in observations ``obs``."""
        scale = None
        if self.scale_index is not None:
            scale = obs[:, self.scale_index : self.scale_index + 1].to(action.continuous.dtype)
        return HybridAction(action.discrete, self.box_map(action.continuous + self.shift, scale))

    def reset(self, *, seed: int | None = None) -> Tensor:
        """Reset the wrapped env."""
        self._obs = self.inner.reset(seed=seed)
        return self._obs

    def step(self, action: HybridAction) -> Step:
        """Map the raw action, step the wrapped env (which handles autoreset)."""
        if self._obs is None:
            raise RuntimeError("call reset() before step()")
        step = self.inner.step(self.to_env_action(self._obs, action))
        self._obs = step.obs
        return step

    def _reset_envs(self, mask: Tensor) -> Tensor:  # pragma: no cover - reset() delegates
        raise NotImplementedError

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        raise NotImplementedError  # pragma: no cover - step() delegates

    def __getattr__(self, name: str) -> Any:
        # Everything else (horizon, config, scenarios, reported_metric …) is the wrapped env's.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)


def greedy_env_action(model: Any, wrapper: RawActionWrapper) -> Any:
    """``obs -> env action`` of a model trained on ``wrapper`` (for evaluation on copies)."""

    def act(obs: Tensor) -> HybridAction:
        with torch.no_grad():
            return wrapper.to_env_action(obs, model.act(obs, deterministic=True))

    return act

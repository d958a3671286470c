"""The Target family: tiny contextual tasks with a known optimum, in all three hybrid shapes.

Every step draws a fresh random *context* (the best choice, target levels, target parameter
values) and shows it in the observation, so a policy that reads the observation can earn the
maximum reward of ``1.0`` on every step. Episodes are cut at ``horizon`` steps, so the optimal
return is exactly ``horizon`` while a uniformly random policy earns far less (see
:attr:`TargetEnv.random_return`). The reward is a smooth function of the continuous parameters
for fixed discrete choices, which makes the family a test bed for pathwise-gradient methods too.

Shapes (``TargetConfig.shape``), with ``U`` the uniform distribution:

* ``"regime"``: choose ``k`` among ``n_choices`` and its ``param_dim`` parameters ``x_k``;
  reward ``1{k = k*} - ||x_k - t_k||^2 / param_dim`` with ``k* ~ U{0..K-1}``,
  ``t ~ U[-1, 1]^(K * param_dim)``.
* ``"multi_discrete"``: ``n_components`` ordinal levels ``a_i`` in ``0..n-1``;
  reward ``1 - mean_i |a_i - g_i| / (n - 1)`` with ``g_i ~ U{0..n-1}``.
* ``"both"``: levels as above plus ``n_params`` shared parameters ``x``; reward is the average
  of the level part and ``1 - ||x - p||^2 / n_params`` with ``p ~ U[-1, 1]^n_params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.registry import register_env
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace
from hybrid_toolkit.utils.config_checks import check_field_types

TargetShape = Literal["regime", "multi_discrete", "both"]


@dataclass
class TargetConfig:
    """Configuration of the Target family (one dataclass for all three shapes)."""

    shape: TargetShape = "regime"
    """Which hybrid shape: regime + parameters, a multi-discrete vector, or both."""
    n_choices: int = 3
    """Regime shape: number of regimes to choose from."""
    param_dim: int = 1
    """Regime shape: number of continuous parameters owned by each regime."""
    n_components: int = 4
    """Multi_discrete / both shapes: number of ordinal components."""
    component_size: int = 5
    """Multi_discrete / both shapes: number of levels of each component (at least 2)."""
    n_params: int = 2
    """Both shape: number of shared, always-active continuous parameters."""
    horizon: int = 8
    """Steps per episode; episodes are truncated (never terminated) at this length."""

    def __post_init__(self) -> None:
        check_field_types(self)
        minimum = {
            "n_choices": 1,
            "param_dim": 1,
            "n_components": 1,
            "component_size": 2,
            "n_params": 1,
            "horizon": 1,
        }
        for name, low in minimum.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"TargetConfig.{name} must be an integer >= {low}, got {value!r}")


class TargetEnv(HybridEnv):
    """Batched Target environment; see the module docstring for the reward of each shape.

    Observation layout (float32, every entry in ``[-1, 1]``):

    * regime: one-hot of ``k*`` (``n_choices``), then all targets ``t`` (``n_choices *
      param_dim``, block ``k`` belongs to regime ``k``), then ``step / horizon``;
    * multi_discrete: ``g_i / (n - 1)`` (``n_components``), then ``step / horizon``;
    * both: ``g_i / (n - 1)``, then ``p`` (``n_params``), then ``step / horizon``.

    The step fraction makes values under the time limit learnable; the optimal action ignores it.

    Args:
        config: The family configuration; defaults to ``TargetConfig()``.
        num_envs: Batch size ``B``.
        device: Torch device of every tensor.
        validate_actions: Check every action against ``action_space``.
    """

    differentiable = True

    def __init__(
        self,
        config: TargetConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else TargetConfig()
        cfg = self.config
        regime = cfg.shape == "regime"
        # Sizes of the three context parts; a part a shape does not use has size 0.
        self._n_onehot = cfg.n_choices if regime else 0
        self._n_levels = 0 if regime else cfg.n_components
        self._n_targets = {
            "regime": cfg.n_choices * cfg.param_dim,
            "multi_discrete": 0,
            "both": cfg.n_params,
        }[cfg.shape]
        self.action_space = self._build_action_space()
        obs_dim = self._n_onehot + self._n_levels + self._n_targets + 1
        low = np.zeros(obs_dim, dtype=np.float32)
        low[self._n_onehot + self._n_levels : -1] = -1.0
        self.observation_space = gymnasium.spaces.Box(
            low=low, high=np.ones(obs_dim, dtype=np.float32), dtype=np.float32
        )
        b, dev = self.num_envs, self.device
        self._choice = torch.zeros(b, dtype=torch.int64, device=dev)
        self._levels = torch.zeros(b, self._n_levels, dtype=torch.int64, device=dev)
        self._targets = torch.zeros(b, self._n_targets, dtype=torch.float32, device=dev)
        self._t = torch.zeros(b, dtype=torch.int64, device=dev)
        # Every scenario starts at reset() and is truncated at the horizon, so one host-side
        # step count tells when episodes end (see HybridEnv._lockstep_ended).
        self._steps = 0
        self._choices = torch.arange(self._n_onehot, device=dev)
        # Row b's target block of regime k is row b·K + k of the targets viewed as [B·K, d].
        self._block_rows = torch.arange(b, device=dev) * cfg.n_choices

    def _build_action_space(self) -> HybridSpace:
        cfg = self.config
        if cfg.shape == "regime":
            names = [f"x{k}_{j}" for k in range(cfg.n_choices) for j in range(cfg.param_dim)]
            return HybridSpace.parameterized(
                [cfg.param_dim] * cfg.n_choices, low=-1.0, high=1.0, continuous_names=names
            )
        levels = [
            DiscreteComponent(cfg.component_size, "ordinal", name=f"level{i}")
            for i in range(cfg.n_components)
        ]
        if cfg.shape == "multi_discrete":
            return HybridSpace(levels)
        names = [f"p{j}" for j in range(cfg.n_params)]
        return HybridSpace(
            levels, low=[-1.0] * cfg.n_params, high=[1.0] * cfg.n_params, continuous_names=names
        )

    # ---------------------------------------------------------------- reference values
    @property
    def optimal_return(self) -> float:
        """Return of :meth:`optimal_action` over one episode: ``horizon`` (reward 1 per step)."""
        return float(self.config.horizon)

    @property
    def random_return(self) -> float:
        """Expected return of uniformly random actions (``action_space.sample()``), analytically.

        For independent ``x, t ~ U[-1, 1]``, ``E (x - t)^2 = 2/3``; for independent
        ``a, g ~ U{0..n-1}``, ``E |a - g| = (n^2 - 1) / (3n)``.
        """
        cfg = self.config
        n = cfg.component_size
        level_part = 1.0 - (n + 1) / (3.0 * n)
        param_part = 1.0 - 2.0 / 3.0
        per_step = {
            "regime": 1.0 / cfg.n_choices - 2.0 / 3.0,
            "multi_discrete": level_part,
            "both": 0.5 * (level_part + param_part),
        }[cfg.shape]
        return cfg.horizon * per_step

    def optimal_action(self, obs: Tensor) -> HybridAction:
        """The reference policy: the action that earns reward 1.0 in the context ``obs`` shows.

        Args:
            obs: Observations ``[B, obs_dim]`` as returned by this env (any device).

        Returns:
            The optimal actions, on the device of ``obs``; inactive regime parameters are set to
            their own targets, which is harmless.
        """
        cfg = self.config
        a, b = self._n_onehot, self._n_onehot + self._n_levels
        targets = obs[:, b : b + self._n_targets].to(torch.float32)
        if cfg.shape == "regime":
            discrete = obs[:, :a].argmax(dim=1, keepdim=True)
        else:
            discrete = torch.round(obs[:, a:b] * (cfg.component_size - 1)).long()
        return HybridAction(discrete, targets)

    # ---------------------------------------------------------------- reward
    def reward_for(self, action: HybridAction) -> Tensor:
        """Reward each scenario would get for ``action`` in its current context (no state change).

        Differentiable w.r.t. ``action.continuous``; computed in that tensor's floating dtype
        (at least float32), so float64 actions give float64 rewards for gradient checks.
        """
        cfg = self.config
        if action.discrete.device != self.device or action.continuous.device != self.device:
            action = action.to(self.device)
        x = action.continuous
        floating = x.is_floating_point()
        dtype = torch.promote_types(torch.float32, x.dtype) if floating else torch.float32
        if x.dtype != dtype:
            x = x.to(dtype)
        targets = self._targets if dtype == torch.float32 else self._targets.to(dtype)
        if cfg.shape == "regime":
            k = action.discrete[:, 0]
            hit = (k == self._choice).to(dtype)
            # Only the chosen regime's block: one row look-up per scenario, no gather.
            rows = self._block_rows + k
            chosen = x.reshape(-1, cfg.param_dim).index_select(0, rows)
            target = targets.reshape(-1, cfg.param_dim).index_select(0, rows)
            sq = (chosen - target) ** 2
            return hit - (sq[:, 0] if cfg.param_dim == 1 else sq.mean(dim=1))
        gap = (action.discrete - self._levels).abs().to(dtype)
        level_part = 1.0 - gap.mean(dim=1) / (cfg.component_size - 1)
        if cfg.shape == "multi_discrete":
            return level_part
        param_part = 1.0 - ((x - targets) ** 2).mean(dim=1)
        return 0.5 * (level_part + param_part)

    # ---------------------------------------------------------------- HybridEnv hooks
    def _draw_context(self) -> tuple[Tensor, Tensor, Tensor]:
        cfg, b, dev, gen = self.config, self.num_envs, self.device, self.generator
        choice = torch.randint(0, cfg.n_choices, (b,), generator=gen, device=dev)
        # Zero-width draws would not advance the generator either: skipping them is exact.
        levels = self._levels
        if self._n_levels:
            size = (b, self._n_levels)
            levels = torch.randint(0, cfg.component_size, size, generator=gen, device=dev)
        targets = self._targets
        if self._n_targets:
            uniform = torch.rand(b, self._n_targets, generator=gen, device=dev)
            targets = uniform * 2.0 - 1.0
        return choice, levels, targets

    def _observe(self) -> Tensor:
        parts = []
        if self._n_onehot:
            parts.append((self._choice.unsqueeze(1) == self._choices).float())
        if self._n_levels:
            parts.append(self._levels.float() / (self.config.component_size - 1))
        parts.append(self._targets)
        parts.append((self._t.float() / self.config.horizon).unsqueeze(1))
        return torch.cat(parts, dim=1)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        # Draw for every scenario and keep the masked ones, so the random stream does not depend
        # on which scenarios ended (and no device sync is needed).
        choice, levels, targets = self._draw_context()
        self._choice = torch.where(mask, choice, self._choice)
        if self._n_levels:
            self._levels = torch.where(mask.unsqueeze(1), levels, self._levels)
        self._targets = torch.where(mask.unsqueeze(1), targets, self._targets)
        self._t = torch.where(mask, 0, self._t)
        self._steps = 0
        return self._observe()

    def _lockstep_ended(self) -> bool:
        return self._steps >= self.config.horizon

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        reward = self.reward_for(action)
        self._t = self._t + 1
        self._steps += 1
        self._choice, self._levels, self._targets = self._draw_context()
        truncated = self._t >= self.config.horizon
        terminated = torch.zeros_like(truncated)
        return self._observe(), reward, terminated, truncated, {}


register_env(
    "TargetRegime-v0",
    TargetEnv,
    TargetConfig,
    description="Pick the shown regime and its shown parameters (regime + parameters shape).",
    shape="regime",
)
register_env(
    "TargetMultiDiscrete-v0",
    TargetEnv,
    TargetConfig,
    description="Match shown levels with a vector of ordinal components (multi-discrete shape).",
    shape="multi_discrete",
)
register_env(
    "TargetHybrid-v0",
    TargetEnv,
    TargetConfig,
    description="Match shown levels and shown shared parameters (discrete vector + parameters).",
    shape="both",
)

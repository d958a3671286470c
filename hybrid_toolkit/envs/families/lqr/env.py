"""Batched, differentiable switched-LQR env (HPO spec §9).

Each step the action picks a mode ``m`` and a control ``u`` (the continuous block of mode
``m``); the env charges ``c_t = x_tᵀ Q_m x_t + uᵀ R_m u`` on the **pre-transition** state and
moves to ``x_{t+1} = clip(A_m x_t + B_m u, -state_clip, state_clip)``. There is no process
noise: the only randomness is the initial state. Reward is ``-c_t``, differentiable w.r.t.
``u`` and ``x`` (clipping stops the gradient of a clipped coordinate). Every scenario shares
one step counter: episodes start together and are truncated together at ``horizon``.
"""

from __future__ import annotations

import math
from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.lqr.config import SwitchedLQRConfig
from hybrid_toolkit.envs.families.lqr.scenarios import Split, initial_states, reported_metric
from hybrid_toolkit.envs.families.lqr.systems import SwitchedLinearSystem, make_system
from hybrid_toolkit.envs.observation_features import ObservationFeature, ObservationFeatures
from hybrid_toolkit.spaces import HybridAction, HybridSpace


class PerModeMatrices:
    """Per-mode matrices ``[M, r, c]`` applied to a batch with the cheapest exact strategy.

    Shared matrices (``M = 1`` or all equal, e.g. the generator's ``A``) need one matrix
    product; diagonal ones (the generator's ``B``, ``Q``, ``R``) a row look-up and a product;
    otherwise every mode is applied and the chosen one gathered.
    """

    def __init__(self, matrices: Tensor, device: torch.device, dtype: torch.dtype) -> None:
        self.n_modes, self.rows, self.cols = matrices.shape
        self.shared = bool((matrices == matrices[0]).all())
        eye = torch.eye(self.rows, self.cols, dtype=torch.bool)
        self.diagonal = self.rows == self.cols and bool((matrices[:, ~eye] == 0).all())
        self.matrices = matrices.to(device=device, dtype=dtype)
        self.first_t = self.matrices[0].T.contiguous()
        self.diag = torch.diagonal(self.matrices, dim1=1, dim2=2).contiguous()
        self.first_diag = self.diag[0].contiguous()

    def linear(self, v: Tensor, mode: Tensor) -> Tensor:
        """``M_{mode_b} v_b`` for every row: ``v [B, c]``, ``mode [B]`` → ``[B, r]``."""
        if self.shared:
            return v @ self.first_t
        if self.diagonal:
            return self.diag.index_select(0, mode) * v
        every = torch.einsum("bc,mrc->bmr", v, self.matrices)
        return every.gather(1, mode[:, None, None].expand(-1, 1, self.rows)).squeeze(1)

    def quadratic(self, v: Tensor, mode: Tensor) -> Tensor:
        """``v_bᵀ M_{mode_b} v_b`` for every row (square matrices): ``[B]``."""
        if self.diagonal:
            if self.shared:  # one matrix-vector product instead of a product and a row sum
                return torch.mv(v * v, self.first_diag)
            return (v * v * self.diag.index_select(0, mode)).sum(dim=-1)
        if self.shared:
            return ((v @ self.matrices[0]) * v).sum(dim=-1)
        every = torch.einsum("bi,mij,bj->bm", v, self.matrices, v)
        return every.gather(1, mode[:, None]).squeeze(1)


class SwitchedLQREnv(HybridEnv):
    """Switched linear-quadratic control with ``M`` modes.

    Action: ``HybridSpace.parameterized([m] * M)`` with unbounded controls — ``discrete [B, 1]``
    is the mode, ``continuous [B, M·m]`` holds one control block per mode, only the chosen one
    being used. Observation: the state ``x`` (plus ``t / T`` with ``observe_time``).

    Initial states are fresh ``U[-r, r]^n / sqrt(n)`` draws from :attr:`generator` at every
    reset, or — after :meth:`set_scenarios` / :meth:`use_split` — fixed: with ``S`` states and
    ``num_envs = C·S``, env row ``c·S + s`` starts from state ``s``.

    Args:
        config: Family configuration.
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action (mode range, finite controls; costs a sync).
    """

    differentiable = True

    def __init__(
        self,
        config: SwitchedLQRConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs, device, validate_actions)
        self.config = config = config if config is not None else SwitchedLQRConfig()
        self.dtype = config.dtype
        self.system: SwitchedLinearSystem = make_system(config)
        self.n_modes = M = self.system.n_modes
        self.state_dim = n = self.system.state_dim
        self.control_dim = m = self.system.control_dim
        self.horizon = config.horizon
        names = [f"mode{k}/u{j}" for k in range(M) for j in range(m)]
        self.action_space = HybridSpace.parameterized(
            [m] * M, low=-math.inf, high=math.inf, name="mode", continuous_names=names
        )
        np_dtype = np.float64 if self.dtype == torch.float64 else np.float32
        obs_dim = n + int(config.observe_time)
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (obs_dim,), np_dtype)
        self._A = PerModeMatrices(self.system.A, self.device, self.dtype)
        self._B = PerModeMatrices(self.system.B, self.device, self.dtype)
        self._Q = PerModeMatrices(self.system.Q, self.device, self.dtype)
        self._R = PerModeMatrices(self.system.R, self.device, self.dtype)
        self._false = torch.zeros(num_envs, dtype=torch.bool, device=self.device)
        self._true = torch.ones(num_envs, dtype=torch.bool, device=self.device)
        self._scenario_cache: dict[str, Tensor] = {}
        self._fixed_x0: Tensor | None = None
        self._force_reset = True
        self._t = 0
        self._x = torch.zeros(num_envs, n, device=self.device, dtype=self.dtype)
        self._obs = self._x
        # Row b's block of mode k starts at row b·M + k of the continuous part viewed as
        # [B·M, m]: one index_select picks every scenario's chosen control.
        self._block_rows = torch.arange(num_envs, device=self.device) * M

    # ---------------------------------------------------------------- state
    @property
    def state(self) -> Tensor:
        """The current state ``x_t`` ``[B, n]`` (part of the autograd graph during a rollout)."""
        return self._x

    @property
    def period(self) -> int:
        """Index of the current step within the episode (``0 .. horizon``)."""
        return self._t

    # ---------------------------------------------------------------- scenarios
    def scenarios(self, split: Split) -> Tensor:
        """The fixed initial states of ``split`` (``train``, ``dev`` or ``test``), ``[S, n]``."""
        if split not in self._scenario_cache:
            states = initial_states(self.config, split)
            self._scenario_cache[split] = states.to(device=self.device, dtype=self.dtype)
        return self._scenario_cache[split]

    def set_scenarios(self, x0: Tensor | None) -> None:
        """Start every episode from ``x0 [S, n]`` (``num_envs = C·S``); ``None``: fresh draws.

        Takes effect at the next :meth:`reset` (call it).
        """
        if x0 is None:
            self._fixed_x0 = None
            return
        if x0.dim() != 2 or x0.shape[1] != self.state_dim:
            raise ValueError(f"x0 must have shape [S, {self.state_dim}], got {tuple(x0.shape)}")
        if self.num_envs % x0.shape[0] != 0:
            raise ValueError(
                f"num_envs={self.num_envs} must be a multiple of the number of scenarios "
                f"S={x0.shape[0]}"
            )
        copies = self.num_envs // x0.shape[0]
        self._fixed_x0 = x0.detach().to(device=self.device, dtype=self.dtype).repeat(copies, 1)

    def use_split(self, split: Split) -> None:
        """Start every episode from the fixed initial states of ``split`` (next reset on)."""
        self.set_scenarios(self.scenarios(split))

    reported_metric_name = "cost per step per state coordinate"
    """What :meth:`reported_metric` measures, as results print it (lower is better)."""

    def reported_metric(self, costs: Tensor) -> Tensor:
        """Total cost per step per state coordinate of ``costs [S, T]``."""
        return reported_metric(costs, self.state_dim)

    def reference_policy(self) -> tuple[str, Any]:
        """The yardstick results are compared with: the one-step mode lookahead over
        finite-horizon Riccati controllers.

        Returns:
            Its label and the policy, a callable ``policy(env) -> HybridAction``.
        """
        # imported here: the policies module builds on this one
        from hybrid_toolkit.envs.families.lqr.policies import SwitchedRiccatiPolicy

        return "Riccati lookahead", SwitchedRiccatiPolicy.lookahead(self.system, self.horizon)

    def make_action(self, mode: Tensor, control: Tensor) -> HybridAction:
        """An action from modes ``[B]`` and the chosen mode's controls ``[B, m]``."""
        mode = mode.long().reshape(-1, 1)
        blocks = control.new_zeros(control.shape[0], self.n_modes, self.control_dim)
        blocks = blocks.scatter(
            1, mode[:, :, None].expand(-1, 1, self.control_dim), control[:, None]
        )
        return HybridAction(mode, blocks.reshape(control.shape[0], -1))

    # ---------------------------------------------------------------- protocol
    def reset(self, *, seed: int | None = None) -> Tensor:
        """Start a new episode in every scenario (see :class:`HybridEnv.reset`)."""
        self._force_reset = True
        return super().reset(seed=seed)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        # Scenarios share one step counter: only reset() and the step reaching the horizon
        # can select anything, and then they select every scenario.
        if not (self._force_reset or self._t >= self.horizon):
            return self._obs
        self._force_reset = False
        if self._fixed_x0 is not None:
            self._x = self._fixed_x0
        else:
            size = (self.num_envs, self.state_dim)
            u = torch.rand(size, generator=self.generator, device=self.device, dtype=self.dtype)
            scale = self.config.init_range
            if self.config.scale_init_by_sqrt_dim:
                scale /= math.sqrt(self.state_dim)
            self._x = (2.0 * u - 1.0) * scale
        self._t = 0
        self._obs = self._observe()
        return self._obs

    def observation_features(self) -> ObservationFeatures:
        """The state ``x`` as a quantity in its own units, and ``t / T`` as a scalar in [0, 1].

        Both are already well conditioned, so the declared input map is the identity: the
        initial states are scaled by ``1 / sqrt(n)`` (``scale_init_by_sqrt_dim``), which keeps
        ``‖x_0‖`` — what a first network layer's pre-activations grow with — the same for every
        ``n``. Dividing each coordinate by its own spread would instead make ``‖x‖`` grow like
        ``sqrt(n)``.
        """
        n = self.state_dim
        features = [ObservationFeature.quantity("state", slice(0, n))]
        if self.config.observe_time:
            features.append(ObservationFeature.scalar("time", slice(n, n + 1)))
        return ObservationFeatures(features)

    def _lockstep_ended(self) -> bool:
        return self._t >= self.horizon

    def _observe(self) -> Tensor:
        if not self.config.observe_time:
            return self._x
        time = self._x.new_full((self.num_envs, 1), self._t / self.horizon)
        return torch.cat([self._x, time], dim=-1)

    def _select_control(self, action: HybridAction, mode: Tensor) -> Tensor:
        control = action.continuous
        if control.dtype != self.dtype:
            control = control.to(self.dtype)
        if self.n_modes == 1:
            return control
        blocks = control.reshape(-1, self.control_dim)  # [B·M, m]
        return blocks.index_select(0, self._block_rows + mode)

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        mode = action.discrete.view(-1)
        u = self._select_control(action, mode)
        if self.validate_actions and not bool(torch.isfinite(u).all()):
            raise ValueError("action.continuous: the chosen mode's control must be finite")
        x = self._x
        cost = self._Q.quadratic(x, mode) + self._R.quadratic(u, mode)
        nxt = self._A.linear(x, mode) + self._B.linear(u, mode)
        if math.isfinite(self.config.state_clip):
            nxt = nxt.clamp(-self.config.state_clip, self.config.state_clip)
        self._x = nxt
        self._t += 1
        self._obs = self._observe()
        truncated = self._true if self._t >= self.horizon else self._false
        return self._obs, -cost, self._false, truncated, {}

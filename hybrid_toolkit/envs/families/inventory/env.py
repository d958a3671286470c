"""Batched, differentiable joint-replenishment inventory env (HPO spec §8).

Timing of one period ``t`` (per item ``i``; ``x`` is on-hand before demand, negative = backlog):

1. the action's regime and quantities give the order ``q_i`` (0 in the "no order" regime);
   with ``L = 0`` the order arrives at once: ``x ← x + q``;
2. cost ``c_t = Σ_i max(h_i (x_i - D_i), p_i (D_i - x_i)) + K·1{any order}`` (holding on what
   is left, shortage on what is missing);
3. ``x ← x - D`` (lost sales: ``max(x - D, 0)``), then the oldest pipeline slot arrives and
   ``q`` joins the pipeline's end, so an order placed in period ``t`` serves demand from
   period ``t + L`` on.

Reward is ``-c_t``; it and the next observation are differentiable w.r.t. the quantities and
the state (demand is exogenous and carries no gradient). Every scenario shares one period
counter: episodes start together and are truncated together at ``horizon``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.inventory.config import JointReplenishmentConfig
from hybrid_toolkit.envs.families.inventory.demand import PoissonSampler
from hybrid_toolkit.envs.families.inventory.instance import make_instance
from hybrid_toolkit.envs.families.inventory.observation import (
    mean_demand_path,
    mean_demand_path_of_counts,
    observation_features,
    observation_layout,
)
from hybrid_toolkit.envs.families.inventory.scenarios import (
    Split,
    reported_metric,
    scenario_demands,
)
from hybrid_toolkit.envs.observation_features import ObservationFeatures
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.spaces.discontinuity import Discontinuity, DiscontinuityReformulation

FIXED_COST = "fixed_cost"


class JointReplenishmentEnv(HybridEnv):
    """Joint replenishment of ``n`` items with a fixed joint ordering cost ``K``.

    Action (:attr:`reformulation`, a :class:`DiscontinuityReformulation` of the fixed cost):
    regime 0 = no order, regime 1 = order, with one quantity ``q_i ≥ 0`` per item active only
    under "order". ``regime="global"``: ``discrete [B, 1]``, ``continuous [B, n]``;
    ``regime="per_item"``: ``discrete [B, n]``, ``continuous [B, n]`` (item ``i``'s quantity is
    active when item ``i`` orders), ``K`` charged once per period if any item orders.

    Exogenous demand comes from one of two sources:

    * **fresh** (default): each episode draws Poisson demand (history + ``horizon`` periods)
      from :attr:`generator` at reset;
    * **fixed scenarios**: after :meth:`set_scenarios` (or :meth:`use_split`), every episode
      replays those traces; with ``S`` traces and ``num_envs = C·S``, env row ``c·S + s``
      replays trace ``s`` (so ``C`` policies can be compared on the same scenarios at once).

    Observation: see :mod:`hybrid_toolkit.envs.families.inventory.observation` and
    :attr:`observation_layout`.

    Args:
        config: Family configuration.
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action (bounds, finiteness; costs a device sync).
    """

    differentiable = True

    def __init__(
        self,
        config: JointReplenishmentConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs, device, validate_actions)
        self.config = config = config if config is not None else JointReplenishmentConfig()
        self.dtype = config.dtype
        self.instance = make_instance(config)
        self.n_items = n = config.n_items
        self.horizon = config.horizon
        self.lead_time = config.lead_time
        self.fixed_cost = config.fixed_cost
        self.reformulation = DiscontinuityReformulation(
            [Discontinuity.fixed_cost(self.fixed_cost, name=FIXED_COST)],
            n_axes=n,
            per_axis=config.regime == "per_item",
        )
        self.action_space = self.reformulation.action_space([f"item{i}" for i in range(n)])
        self.observation_layout = observation_layout(
            n, config.lead_time, config.normalize_by_mean_demand
        )
        obs_dim = max(s.stop for s in self.observation_layout.values())
        np_dtype = np.float64 if self.dtype == torch.float64 else np.float32
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (obs_dim,), np_dtype)

        def as_row(values: Tensor) -> Tensor:
            return values.to(device=self.device, dtype=self.dtype)

        self._holding = as_row(self.instance.holding)
        self._hp = as_row(self.instance.holding + self.instance.shortage)
        # The constant features (mean, shortage, holding) sit side by side in the observation:
        # one contiguous block, since concatenating fewer (and non-expanded) pieces is faster.
        inst = self.instance
        static = as_row(torch.cat([inst.mean, inst.shortage, inst.holding]))
        self._static_rows = static.expand(num_envs, 3 * n).contiguous()
        self._n_scaled = n * (max(config.lead_time - 1, 0) + 2)  # on hand, pipeline, mean
        self._false = torch.zeros(num_envs, dtype=torch.bool, device=self.device)
        self._true = torch.ones(num_envs, dtype=torch.bool, device=self.device)
        self._sampler = PoissonSampler(self.instance.mean, self.device, self.dtype)
        self._scenario_cache: dict[str, Tensor] = {}
        self._fresh_demand: Tensor | None = None  # [P, B, n], redrawn at every fresh reset
        self._fixed_demand: Tensor | None = None  # [P, S, n] when replaying scenarios
        self._replay: _EpisodeNoise | None = None  # what _fixed_demand gives, computed once
        self._force_reset = True
        self._t = 0
        self._past = config.past_periods
        # Without a demand history there is no mean-demand estimate: m_t = 1 throughout.
        ones = torch.ones(self.horizon + 1, num_envs, 2, device=self.device, dtype=self.dtype)
        self._unit_scale = list(ones.unbind(0))
        self._unit_inv_scale = [row[:, :1] for row in self._unit_scale]
        self._noise = _EpisodeNoise([], self._unit_scale, self._unit_inv_scale, copies=1)
        self._init_state()

    # ---------------------------------------------------------------- state
    def _init_state(self) -> None:
        zeros = torch.zeros(self.num_envs, self.n_items, device=self.device, dtype=self.dtype)
        self._on_hand = zeros
        # One [B, n] tensor per outstanding period, oldest first: rotating a list costs no copy.
        self._pipe: list[Tensor] = [zeros] * max(self.lead_time - 1, 0)
        self._obs = zeros

    @property
    def period(self) -> int:
        """Index of the current period within the episode (``0 .. horizon``)."""
        return self._t

    @property
    def on_hand(self) -> Tensor:
        """On-hand inventory before this period's demand ``[B, n]`` (negative = backlog)."""
        return self._on_hand

    @property
    def pipeline(self) -> Tensor:
        """Outstanding orders ``[B, n, max(L-1, 0)]``, the next to arrive first."""
        if not self._pipe:
            return self._on_hand.new_zeros(self.num_envs, self.n_items, 0)
        return torch.stack(self._pipe, dim=-1)

    @property
    def inventory_position(self) -> Tensor:
        """On-hand plus everything on order ``[B, n]`` (what base-stock rules look at)."""
        position = self._on_hand
        for slot in self._pipe:
            position = position + slot
        return position

    @property
    def mean_demand_estimate(self) -> Tensor:
        """The EWMA mean-demand estimate ``m_t`` of every scenario ``[B]`` (no gradient).

        All ones when ``past_periods == 0`` (no history to start from).
        """
        return self._noise.scale[self._t][:, 0]

    # ---------------------------------------------------------------- scenarios
    def scenarios(self, split: Split) -> Tensor:
        """The fixed demand traces of ``split`` (``train``, ``dev`` or ``test``).

        Returns:
            ``[S, past_periods + horizon, n]`` on the env's device and dtype; the same values on
            every device (drawn on the CPU from the split's seed).
        """
        if split not in self._scenario_cache:
            demands = scenario_demands(self.config, split)
            self._scenario_cache[split] = demands.to(device=self.device, dtype=self.dtype)
        return self._scenario_cache[split]

    def set_scenarios(self, demands: Tensor | None) -> None:
        """Replay ``demands`` ``[S, past_periods + horizon, n]`` from the next reset on.

        ``num_envs`` must be a multiple ``C·S`` of ``S``; row ``c·S + s`` replays trace ``s``.
        ``None`` returns to fresh Poisson draws. Takes effect at the next :meth:`reset` (call
        it).
        """
        self._replay = None
        if demands is None:
            self._fixed_demand = None
            return
        periods = self.config.past_periods + self.horizon
        if demands.dim() != 3 or demands.shape[1:] != (periods, self.n_items):
            raise ValueError(
                f"demands must have shape [S, {periods}, {self.n_items}] (past_periods + horizon "
                f"periods, n_items), got {tuple(demands.shape)}"
            )
        if self.num_envs % demands.shape[0] != 0:
            raise ValueError(
                f"num_envs={self.num_envs} must be a multiple of the number of scenarios "
                f"S={demands.shape[0]}"
            )
        data = demands.detach().to(device=self.device, dtype=self.dtype)
        self._fixed_demand = data.transpose(0, 1).contiguous()

    def use_split(self, split: Split) -> None:
        """Replay the fixed scenarios of ``split`` from the next reset on (:meth:`scenarios`)."""
        self.set_scenarios(self.scenarios(split))

    def observation_features(self) -> ObservationFeatures:
        """Per-instance constants (``mean``, ``shortage``, ``holding``), stock quantities in
        units of mean demand and the two scalars ``m_t`` and ``K / m_t`` with their typical
        sizes (see :mod:`hybrid_toolkit.envs.families.inventory.observation`)."""
        mean_demand = float(self.instance.mean.double().mean())
        return observation_features(self.observation_layout, mean_demand, self.fixed_cost)

    reported_metric_name = "cost per period per item"
    """What :meth:`reported_metric` measures, as results print it (lower is better)."""

    def reported_metric(self, costs: Tensor) -> Tensor:
        """Average cost per period per item over periods ``>= ignore_periods`` of ``costs``."""
        return reported_metric(costs, self.n_items, self.config.ignore_periods)

    def reference_policy(self) -> tuple[str, Any]:
        """The yardstick results are compared with: a joint ``(s, S)`` policy tuned on the dev
        split's coarse grid (about two seconds for the default config).

        Returns:
            Its label and the policy, a callable ``policy(env) -> HybridAction``.
        """
        # imported here: the policies module builds on this one
        from hybrid_toolkit.envs.families.inventory.policies import tune_joint_ss

        tuned = tune_joint_ss(self.config, refine=False, device=self.device)
        return "tuned joint (s, S)", tuned.policy

    # ---------------------------------------------------------------- actions
    def make_action(self, order: Tensor, quantities: Tensor) -> HybridAction:
        """Build an action of this env's layout.

        Args:
            order: Bool ``[B]`` (order this period) or ``[B, n]`` (per item; with a global
                regime, an order is placed if any item orders).
            quantities: Order quantities ``[B, n]`` (``>= 0``; ignored where not ordering).
        """
        order = order if order.dim() == 2 else order[:, None]
        if self.reformulation.per_axis:
            discrete = order.expand(-1, self.n_items).long()
        else:
            discrete = order.any(dim=1, keepdim=True).long()
        return HybridAction(discrete, quantities)

    # ---------------------------------------------------------------- protocol
    def reset(self, *, seed: int | None = None) -> Tensor:
        """Start a new episode in every scenario (see :class:`HybridEnv.reset`)."""
        self._force_reset = True
        return super().reset(seed=seed)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        # Scenarios share one period counter, so the only masks that can select anything are
        # the all-True ones of reset() and of the step that reaches the horizon; on every other
        # step nothing ends and the current observation stands (no work, no device sync).
        if not (self._force_reset or self._t >= self.horizon):
            return self._obs
        self._force_reset = False
        self._init_state()
        if self._fixed_demand is None:
            periods = self.config.past_periods + self.horizon
            # Demand is never saved for backward (it is only subtracted) nor exposed, so every
            # fresh episode reuses one buffer instead of allocating (and page-faulting) anew.
            if self._fresh_demand is None:
                self._fresh_demand = torch.empty(
                    periods, self.num_envs, self.n_items, device=self.device, dtype=self.dtype
                )
            demand = self._sampler.sample(
                periods, self.num_envs, generator=self.generator, out=self._fresh_demand
            )
            self._noise = self._episode_noise(demand, counts=True)
        else:  # replayed scenarios: the same demand rows and scaling at every reset
            if self._replay is None:
                self._replay = self._episode_noise(self._fixed_demand)
            self._noise = self._replay
        self._t = 0
        self._obs = self._observe()
        return self._obs

    def _lockstep_ended(self) -> bool:
        return self._t >= self.horizon

    def _episode_noise(self, demand: Tensor, counts: bool = False) -> _EpisodeNoise:
        """Per-period demand rows and mean-demand scaling of an episode over ``demand``.

        Args:
            demand: ``[past_periods + horizon, S, n]`` traces, period-major.
            counts: ``demand`` is integer-valued (fresh Poisson draws), so the faster
                :func:`mean_demand_path_of_counts` gives its mean-demand path; user-supplied
                scenarios (possibly fractional) keep :func:`mean_demand_path`.
        """
        copies = self.num_envs // demand.shape[1]
        past = self.config.past_periods
        rows = list(demand[past:].unbind(0))
        if past == 0:
            return _EpisodeNoise(rows, self._unit_scale, self._unit_inv_scale, copies)
        path = mean_demand_path_of_counts if counts else mean_demand_path
        m = path(demand, past, self.config.ewma_beta).to(self.dtype)
        m = (m.repeat(1, copies) if copies > 1 else m)[:, :, None]  # [T + 1, B, 1]
        inv = m.reciprocal()  # = 1 / m; and K / m = K · (1 / m), as torch computes it
        scale = list(torch.cat([m, inv * self.fixed_cost], dim=-1).unbind(0))
        return _EpisodeNoise(rows, scale, list(inv.unbind(0)), copies)

    def _observe(self) -> Tensor:
        # One concatenation, then the quantity block (on hand, pipeline, mean) is scaled in
        # place: concatenating narrow blocks is the costliest op of a period, so do it once.
        if not self.config.normalize_by_mean_demand:
            return torch.cat([self._on_hand, *self._pipe, self._static_rows], dim=-1)
        t = self._t
        obs = torch.cat([self._on_hand, *self._pipe, self._static_rows, self._noise.scale[t]], -1)
        obs.narrow(1, 0, self._n_scaled).mul_(self._noise.inv_scale[t])
        return obs

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        continuous = action.continuous
        if continuous.dtype != self.dtype:
            continuous = continuous.to(self.dtype)
        order, charges = self.reformulation.decode(action.discrete, continuous, self.dtype)
        if self.validate_actions and not bool(torch.isfinite(order).all()):
            raise ValueError("action.continuous: active order quantities must be finite, got inf")
        fixed = charges[FIXED_COST]
        # Joint cost: charged once per period, whether one item or all of them order.
        fixed = fixed.amax(dim=1) if self.reformulation.per_axis else fixed.view(-1)

        demand = self._noise.demand[self._t]  # [S, n]
        stock = self._on_hand + order if self.lead_time == 0 else self._on_hand
        copies = self._noise.copies
        if copies == 1:
            left = stock - demand
        else:
            left = (stock.view(copies, -1, self.n_items) - demand).view_as(stock)
        # cost = K·1{order} + Σ_i max(h_i x_i, -p_i x_i) = K·1{order} + Σ_i h_i x_i
        # - Σ_i (h_i + p_i) min(x_i, 0): two fused matrix-vector products give the reward
        # (= -cost) instead of four elementwise passes over [B, n].
        inner = torch.addmv(fixed, left, self._holding, beta=-1.0, alpha=-1.0)
        reward = torch.addmv(inner, left.clamp(max=0.0), self._hp)
        if self.config.lost_sales:
            left = left.clamp(min=0.0)

        if self.lead_time == 0:
            self._on_hand = left
        elif self.lead_time == 1:
            self._on_hand = left + order
        else:
            self._on_hand = left + self._pipe[0]
            self._pipe = [*self._pipe[1:], order]
        self._t += 1
        self._obs = self._observe()
        truncated = self._true if self._t >= self.horizon else self._false
        return self._obs, reward, self._false, truncated, {}


@dataclass
class _EpisodeNoise:
    """The exogenous inputs of one episode, split per period once at reset.

    Attributes:
        demand: ``horizon`` demand rows ``[S, n]``, one per period.
        scale: ``horizon + 1`` rows ``[B, 2]``: ``(m_t, K / m_t)`` per period boundary.
        inv_scale: ``horizon + 1`` rows ``[B, 1]``: ``1 / m_t``.
        copies: ``C = B / S``, how often each demand trace is replayed in the batch.
    """

    demand: list[Tensor]
    scale: list[Tensor]
    inv_scale: list[Tensor]
    copies: int

"""Batched joint replenishment with order-up-to levels (the DNC/DGRL "JRP" benchmark).

Each period, for every item ``i`` with inventory ``I_i`` and chosen order-up-to level ``S_i``:

1. order ``q_i = max(S_i - I_i, 0)``, delivered at once (zero lead time);
2. Poisson demand ``D_i`` is served from ``I_i + q_i``; unmet demand is backordered, so
   inventory goes negative and carries over;
3. the cost is ``minor + K * 1[sum q > 0] + h * sum I^+ + b * sum I^-`` on the end-of-period
   inventory, with ``minor = c * #{i: q_i > 0}`` (``"per-order"``) or ``c * sum q``
   (``"per-unit"``, the DNC reference code); the reward is its negative.

The observation is the raw inventory vector. Inventory never exceeds
``max(s_max, initial_inventory)``; below, it is unbounded (a backorder is at most one period's
demand, which is Poisson), so the observation box is ``(-inf, max(s_max, initial_inventory)]``
and :attr:`OrderUpToReplenishmentEnv.scaling_bounds` gives the finite bounds the reference code
scales states with.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.order_up_to.config import OrderUpToConfig
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace

REFERENCE_SCALING_LOW = -40.0
"""Lower inventory bound the DNC reference code uses to scale states to ``[0, 1]``."""


def replenishment_step(
    inventory: Tensor, levels: Tensor, demand: Tensor, config: OrderUpToConfig
) -> tuple[Tensor, Tensor, Tensor]:
    """One period of the joint replenishment dynamics for a batch, given the demand.

    A pure function (no randomness, no state), so transitions can be checked by hand.

    Args:
        inventory: Start-of-period inventory ``[B, N]`` (float; negative = backorders).
        levels: Order-up-to levels ``[B, N]`` (any numeric dtype).
        demand: Demand of the period ``[B, N]`` (float, non-negative).
        config: Supplies the cost parameters and the ordering-cost mode.

    Returns:
        ``(next_inventory, reward, order_quantity)`` with shapes ``[B, N]``, ``[B]``, ``[B, N]``.
    """
    order = torch.clamp(levels.to(inventory.dtype) - inventory, min=0.0)
    next_inventory = inventory + order - demand
    if config.ordering_cost_mode == "per-unit":
        minor = config.ordering_cost * order.sum(dim=1)
    else:
        minor = config.ordering_cost * (order > 0).to(inventory.dtype).sum(dim=1)
    major = config.major_order_cost * (order.sum(dim=1) > 0).to(inventory.dtype)
    holding = config.holding_cost * torch.clamp(next_inventory, min=0.0).sum(dim=1)
    backorder = config.backorder_cost * torch.clamp(-next_inventory, min=0.0).sum(dim=1)
    reward = -(minor + major + holding + backorder)
    return next_inventory, reward, order


class OrderUpToReplenishmentEnv(HybridEnv):
    """Batched joint replenishment problem; see the module docstring for the dynamics.

    Action: one ordinal component per item, the order-up-to level ``0 .. s_max`` (component
    ``i`` is named ``"item{i}"``; its positions are the levels themselves). The space is never
    enumerated: ``log10 |A| = N * log10(s_max + 1)``.

    ``info`` carries ``"demand"`` and ``"order_quantity"`` (``[B, N]``) of the step.

    Args:
        config: The configuration; defaults to ``OrderUpToConfig()``.
        num_envs: Batch size ``B``.
        device: Torch device of every tensor.
        validate_actions: Check every action against ``action_space``.
    """

    def __init__(
        self,
        config: OrderUpToConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else OrderUpToConfig()
        cfg = self.config
        self.action_space = HybridSpace(
            [
                DiscreteComponent(cfg.s_max + 1, "ordinal", name=f"item{i}")
                for i in range(cfg.n_items)
            ]
        )
        high = np.full(cfg.n_items, max(cfg.s_max, cfg.initial_inventory), dtype=np.float32)
        self.observation_space = gymnasium.spaces.Box(
            low=np.full(cfg.n_items, -np.inf, dtype=np.float32), high=high, dtype=np.float32
        )
        self.demand_rates = torch.tensor(
            cfg.item_demand_rates(), dtype=torch.float32, device=self.device
        )
        """Poisson rate of every item, ``[N]``."""
        self._batch_rates = self.demand_rates.expand(self.num_envs, -1).contiguous()
        self.inventory = torch.full(
            (self.num_envs, cfg.n_items), float(cfg.initial_inventory), device=self.device
        )
        """Current inventory ``[B, N]`` (the observation)."""
        self._t = torch.zeros(self.num_envs, dtype=torch.int64, device=self.device)

    @property
    def scaling_bounds(self) -> tuple[float, float]:
        """Finite inventory bounds ``(-40, s_max)`` the reference code scales states with.

        Observations can leave this range (deep backorders, a high initial inventory), so
        scale with it but do not clip to it silently.
        """
        return REFERENCE_SCALING_LOW, float(self.config.s_max)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        start = torch.full_like(self.inventory, float(self.config.initial_inventory))
        self.inventory = torch.where(mask.unsqueeze(1), start, self.inventory)
        self._t = torch.where(mask, 0, self._t)
        return self.inventory

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        demand = torch.poisson(self._batch_rates, generator=self.generator)
        self.inventory, reward, order = replenishment_step(
            self.inventory, action.discrete, demand, self.config
        )
        self._t = self._t + 1
        truncated = self._t >= self.config.max_steps
        terminated = torch.zeros_like(truncated)
        info = {"demand": demand, "order_quantity": order}
        return self.inventory, reward, terminated, truncated, info

"""The fixed problem instance: per-item demand means and costs, drawn once per ``n``.

The heterogeneous instance uses numpy's legacy seeded stream (``RandomState(seed).uniform``),
the generator the reference code uses for these parameters, so item ``i`` has the same
parameters for every ``n > i`` and the values match the reference code's instance for the
spec's seeds (means 33, holding 73, shortage 28). The instance is shared by every scenario and
every split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.families.inventory.config import JointReplenishmentConfig


@dataclass(frozen=True)
class InventoryInstance:
    """Per-item parameters of one joint-replenishment instance (``float64`` CPU tensors).

    Attributes:
        mean: Poisson demand mean ``μ_i`` per item ``[n]``.
        holding: Holding cost ``h_i`` per unit left after demand ``[n]``.
        shortage: Shortage cost ``p_i`` per unit of unmet demand ``[n]``.
        fixed_cost: Joint fixed ordering cost ``K`` per period with any order.
        lead_time: Lead time ``L`` (periods).
    """

    mean: Tensor
    holding: Tensor
    shortage: Tensor
    fixed_cost: float
    lead_time: int

    @property
    def n_items(self) -> int:
        """Number of items."""
        return int(self.mean.numel())


def _uniform(seed: int, bounds: tuple[float, float], n: int) -> np.ndarray:
    return np.random.RandomState(seed).uniform(bounds[0], bounds[1], n)


def make_instance(config: JointReplenishmentConfig) -> InventoryInstance:
    """The instance ``config`` describes (deterministic: fixed seeds, no generator state)."""
    n = config.n_items
    if config.instance == "homogeneous":
        mean = np.full(n, config.homogeneous_mean)
        holding = np.full(n, config.homogeneous_holding)
        shortage = np.full(n, config.homogeneous_shortage)
    else:
        mean = _uniform(config.mean_seed, config.mean_range, n).round(3)
        holding = _uniform(config.holding_seed, config.holding_range, n)
        shortage = _uniform(config.shortage_seed, config.shortage_range, n)
    return InventoryInstance(
        mean=torch.as_tensor(mean, dtype=torch.float64),
        holding=torch.as_tensor(holding, dtype=torch.float64),
        shortage=torch.as_tensor(shortage, dtype=torch.float64),
        fixed_cost=config.fixed_cost,
        lead_time=config.lead_time,
    )

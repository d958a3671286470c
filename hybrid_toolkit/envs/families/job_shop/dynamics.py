"""Job-shop transition and reward as pure batched functions (shared by the env and heuristic).

Per machine ``i`` and step, with load ``j_i`` (reference code, in this order):

1. ``j_i > high_load * n_jobs``: wear_i += U[wear_increase];
   ``j_i < low_load * n_jobs``: wear_i = max(wear_i - U[wear_decrease], 0).
2. energy_i = min(rate_i * (1 + wear_i) * j_i, energy_cap).
3. reward = sum_i (job_reward * j_i - energy_i) - imbalance_weight * std(j), population std.
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.job_shop.config import JobShopConfig


def update_wear(wear: Tensor, loads: Tensor, uniform: Tensor, config: JobShopConfig) -> Tensor:
    """Wear after a step; ``uniform`` holds one U[0, 1) draw per machine (same shape as loads).

    One draw serves both branches because a load cannot be both high and low.
    """
    high = loads > config.high_load * config.n_jobs
    low = loads < config.low_load * config.n_jobs
    inc_lo, inc_hi = config.wear_increase
    dec_lo, dec_hi = config.wear_decrease
    increase = inc_lo + (inc_hi - inc_lo) * uniform
    decrease = dec_lo + (dec_hi - dec_lo) * uniform
    return torch.where(
        high, wear + increase, torch.where(low, (wear - decrease).clamp(min=0), wear)
    )


def expected_wear(wear: Tensor, loads: Tensor, config: JobShopConfig) -> Tensor:
    """Wear after a step with each random change replaced by the middle of its range.

    (For repair this slightly overstates the mean when the wear is below the range.)
    """
    half = torch.full_like(loads, 0.5, dtype=wear.dtype)
    return update_wear(wear, loads, half, config)


def energy_consumption(rate: Tensor, wear: Tensor, loads: Tensor, config: JobShopConfig) -> Tensor:
    """Energy of each machine: ``min(rate * (1 + wear) * load, energy_cap)``."""
    return torch.clamp(rate * (1.0 + wear) * loads, max=config.energy_cap)


def step_reward(loads: Tensor, energy: Tensor, config: JobShopConfig) -> Tensor:
    """Reward ``[...]`` from loads and energy ``[..., m]``: job revenue, energy, imbalance."""
    revenue = config.job_reward * loads - energy
    imbalance = loads.std(dim=-1, correction=0)
    return revenue.sum(dim=-1) - config.imbalance_weight * imbalance


def next_rate(rate: Tensor, energy: Tensor, config: JobShopConfig) -> Tensor:
    """The energy rate of the next step: unchanged (fixed-base) or this step's consumption."""
    return energy if config.energy_model == "reference" else rate

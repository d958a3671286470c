"""Configuration of the joint-replenishment inventory family (HPO spec §8)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

InstanceKind = Literal["heterogeneous", "homogeneous"]
RegimeKind = Literal["global", "per_item"]
Precision = Literal["float32", "float64"]


def _check_int(owner: str, name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{owner}.{name} must be an integer >= {low}, got {value!r}")


def _check_range(owner: str, name: str, value: tuple[float, float], *, positive: bool) -> None:
    if len(value) != 2 or not all(math.isfinite(float(v)) for v in value):
        raise ValueError(f"{owner}.{name} must be two finite numbers (low, high), got {value!r}")
    low, high = float(value[0]), float(value[1])
    if low > high or low < 0.0 or (positive and low == 0.0):
        need = "0 < low <= high" if positive else "0 <= low <= high"
        raise ValueError(f"{owner}.{name} must satisfy {need}, got {value!r}")


def _check_number(owner: str, name: str, value: float, *, positive: bool) -> None:
    if not math.isfinite(float(value)) or (positive and value <= 0) or value < 0:
        need = "a finite number > 0" if positive else "a finite number >= 0"
        raise ValueError(f"{owner}.{name} must be {need}, got {value!r}")


@dataclass
class JointReplenishmentConfig:
    """Joint replenishment with a fixed joint ordering cost (the HPO paper's JRP).

    Defaults reproduce the release setting of the reference code (`fixed_costs_main.yml`):
    5 heterogeneous items, Poisson demand, lead time 2, backlogging, `K = 64·n`, `T = 100`.
    """

    n_items: int = 5
    """Number of items (stores) `n`; each has its own order quantity."""
    instance: InstanceKind = "heterogeneous"
    """`heterogeneous`: per-item mean/holding/shortage drawn once from fixed seeds;
    `homogeneous`: every item Poisson(`homogeneous_mean`) with the homogeneous costs."""
    lead_time: int = 2
    """Periods `L` between ordering and the order serving demand (0 = same period)."""
    lost_sales: bool = False
    """Unmet demand is lost (inventory floored at 0) instead of backlogged."""
    fixed_cost_per_item: float = 64.0
    """The joint fixed cost is `K = fixed_cost_per_item · n_items` per period with an order."""
    horizon: int = 100
    """Periods per episode `T`; episodes are truncated, never terminated."""
    ignore_periods: int = 16
    """Leading periods excluded from the reported metric."""
    past_periods: int = 16
    """Demand history before period 0 carried by every scenario (initialises the mean-demand
    estimate)."""
    regime: RegimeKind = "global"
    """`global`: one regime {no order, order} shared by all items (the paper's JRP);
    `per_item`: one regime per item, `K` still charged once if any item orders."""
    normalize_by_mean_demand: bool = True
    """Divide quantity features by an EWMA of observed mean demand and append it and `K`/it."""
    ewma_beta: float = 0.99
    """Smoothing factor of the mean-demand EWMA."""
    mean_range: tuple[float, float] = (6.0, 14.0)
    """Heterogeneous instance: per-item Poisson means ~ U[low, high], rounded to 3 decimals."""
    holding_range: tuple[float, float] = (0.7, 1.3)
    """Heterogeneous instance: per-item holding costs ~ U[low, high]."""
    shortage_range: tuple[float, float] = (6.3, 11.7)
    """Heterogeneous instance: per-item shortage (backorder or lost-sale) costs ~ U[low, high]."""
    homogeneous_mean: float = 10.0
    """Homogeneous instance: Poisson mean of every item."""
    homogeneous_holding: float = 1.0
    """Homogeneous instance: holding cost of every item."""
    homogeneous_shortage: float = 9.0
    """Homogeneous instance: shortage cost of every item."""
    mean_seed: int = 33
    """Seed of the per-item means (numpy legacy `RandomState`, as the reference code)."""
    holding_seed: int = 73
    """Seed of the per-item holding costs."""
    shortage_seed: int = 28
    """Seed of the per-item shortage costs."""
    demand_seed: int = 57
    """Seed of the train and dev demand scenarios (dev is the first block)."""
    test_demand_seed: int = 65
    """Seed of the test demand scenarios."""
    num_train_scenarios: int = 1024
    """Scenarios in the fixed train split."""
    num_eval_scenarios: int = 1024
    """Scenarios in each of the fixed dev and test splits."""
    precision: Precision = "float32"
    """Floating dtype of states, observations and rewards (`float64` for gradient checks)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        owner = type(self).__name__
        _check_int(owner, "n_items", self.n_items, 1)
        _check_int(owner, "lead_time", self.lead_time, 0)
        _check_int(owner, "horizon", self.horizon, 1)
        _check_int(owner, "ignore_periods", self.ignore_periods, 0)
        _check_int(owner, "past_periods", self.past_periods, 0)
        _check_int(owner, "num_train_scenarios", self.num_train_scenarios, 1)
        _check_int(owner, "num_eval_scenarios", self.num_eval_scenarios, 1)
        if self.ignore_periods >= self.horizon:
            raise ValueError(
                f"{owner}.ignore_periods must be < horizon={self.horizon} so the reported metric "
                f"covers at least one period, got {self.ignore_periods}"
            )
        if self.normalize_by_mean_demand and self.past_periods < 1:
            raise ValueError(
                f"{owner}.past_periods must be >= 1 when normalize_by_mean_demand is on (the "
                f"mean-demand estimate starts from that history), got {self.past_periods}"
            )
        _check_number(owner, "fixed_cost_per_item", self.fixed_cost_per_item, positive=False)
        _check_number(owner, "homogeneous_mean", self.homogeneous_mean, positive=True)
        _check_number(owner, "homogeneous_holding", self.homogeneous_holding, positive=False)
        _check_number(owner, "homogeneous_shortage", self.homogeneous_shortage, positive=False)
        _check_range(owner, "mean_range", self.mean_range, positive=True)
        _check_range(owner, "holding_range", self.holding_range, positive=False)
        _check_range(owner, "shortage_range", self.shortage_range, positive=False)
        if not 0.0 <= self.ewma_beta < 1.0:
            raise ValueError(f"{owner}.ewma_beta must be in [0, 1), got {self.ewma_beta!r}")
        check_reward_scale(self, self._cost_scales(), self.horizon)

    def _cost_scales(self) -> dict[str, float]:
        """Per-period cost magnitudes: `K`, and a period's demand held or short on every item."""
        n = self.n_items
        if self.instance == "homogeneous":
            demand = n * self.homogeneous_mean
            return {
                "fixed_cost_per_item": self.fixed_cost_per_item * n,
                "homogeneous_holding": self.homogeneous_holding * demand,
                "homogeneous_shortage": self.homogeneous_shortage * demand,
            }
        demand = n * self.mean_range[1]
        return {
            "fixed_cost_per_item": self.fixed_cost_per_item * n,
            "holding_range": self.holding_range[1] * demand,
            "shortage_range": self.shortage_range[1] * demand,
        }

    @property
    def fixed_cost(self) -> float:
        """The joint fixed ordering cost `K = fixed_cost_per_item · n_items`."""
        return float(self.fixed_cost_per_item) * self.n_items

    @property
    def dtype(self) -> torch.dtype:
        """The torch dtype named by :attr:`precision`."""
        return torch.float64 if self.precision == "float64" else torch.float32

"""Configuration of the DGRL/DNC joint replenishment problem with order-up-to actions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

OrderingCostMode = Literal["per-order", "per-unit"]


@dataclass
class OrderUpToConfig:
    """Configuration of `OrderUpToReplenishment-v0` (after Vanvuchelen et al.; DNC, DGRL).

    Defaults follow the DNC reference code (`JointReplenishment_py`) except
    `ordering_cost_mode`, where the default charges the minor ordering cost once per item
    ordered (the textbook joint replenishment cost) and `"per-unit"` reproduces the reference
    code, which multiplies it by the quantity ordered.
    """

    n_items: int = 10
    """Number of items N; the action space has `(s_max + 1) ** N` actions (40 items: 10^73)."""
    s_max: int = 66
    """Largest order-up-to level; each item's level is an integer in `0 .. s_max`."""
    demand_rates: tuple[float, ...] = (20.0, 10.0)
    """Poisson demand rates, cycled over the items: item `i` has `demand_rates[i % len]`."""
    holding_cost: float = 1.0
    """Cost per unit of positive end-of-period inventory, per item and period (h)."""
    backorder_cost: float = 19.0
    """Cost per unit of backordered demand (negative inventory), per item and period (b)."""
    ordering_cost: float = 10.0
    """Minor ordering cost; how it is charged is set by `ordering_cost_mode`."""
    ordering_cost_mode: OrderingCostMode = "per-order"
    """`"per-order"`: `ordering_cost` per item with a positive order (a minor setup cost).
    `"per-unit"`: `ordering_cost` per unit ordered, as the DNC reference code charges it."""
    major_order_cost: float = 75.0
    """Joint (major) ordering cost K, charged once in a period in which any item orders."""
    initial_inventory: float = 25.0
    """Inventory of every item at the start of an episode (negative: backorders)."""
    max_steps: int = 100
    """Periods per episode; episodes are truncated (never terminated) after this many steps."""

    def __post_init__(self) -> None:
        check_field_types(self)
        for name in ("n_items", "s_max", "max_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"OrderUpToConfig.{name} must be an integer >= 1, got {value!r}")
        rates = tuple(self.demand_rates)
        if not rates or not all(_finite_non_negative(r) for r in rates):
            raise ValueError(
                "OrderUpToConfig.demand_rates must be a non-empty tuple of finite rates >= 0, "
                f"got {self.demand_rates!r}"
            )
        self.demand_rates = tuple(float(r) for r in rates)
        for name in ("holding_cost", "backorder_cost", "ordering_cost", "major_order_cost"):
            if not _finite_non_negative(getattr(self, name)):
                raise ValueError(
                    f"OrderUpToConfig.{name} must be a finite number >= 0, "
                    f"got {getattr(self, name)!r}"
                )
        initial = self.initial_inventory
        if isinstance(initial, bool) or not isinstance(initial, int | float):
            initial = math.nan
        if not math.isfinite(initial):
            raise ValueError(
                "OrderUpToConfig.initial_inventory must be a finite number (negative means "
                f"backorders), got {self.initial_inventory!r}"
            )
        check_reward_scale(self, self._cost_scales(), self.max_steps)

    def _cost_scales(self) -> dict[str, float]:
        """Per-period cost magnitudes: stock up to the largest level (or the start) held or
        short on every item, a period's demand short, every ordering cost."""
        n, stock = self.n_items, max(self.s_max, abs(self.initial_inventory))
        units = self.s_max if self.ordering_cost_mode == "per-unit" else 1
        return {
            "holding_cost": self.holding_cost * stock * n,
            "backorder_cost": self.backorder_cost * (stock + max(self.demand_rates)) * n,
            "ordering_cost": self.ordering_cost * units * n,
            "major_order_cost": self.major_order_cost,
        }

    def item_demand_rates(self) -> tuple[float, ...]:
        """The Poisson rate of every item (`demand_rates` cycled to `n_items` entries)."""
        rates = self.demand_rates
        return tuple(rates[i % len(rates)] for i in range(self.n_items))


def _finite_non_negative(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )

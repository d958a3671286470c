"""Joint replenishment with order-up-to levels (DNC/DGRL "JRP"); registers its env id.

Importing this package registers ``OrderUpToReplenishment-v0`` (and the gymnasium id
``hybrid_toolkit/OrderUpToReplenishment-v0``).
"""

from hybrid_toolkit.envs.families.order_up_to.config import OrderingCostMode, OrderUpToConfig
from hybrid_toolkit.envs.families.order_up_to.env import (
    OrderUpToReplenishmentEnv,
    replenishment_step,
)
from hybrid_toolkit.envs.families.order_up_to.policies import (
    REFERENCE_S_S,
    RandomLevelsPolicy,
    SSPolicy,
)
from hybrid_toolkit.envs.registry import register_env

__all__ = [
    "REFERENCE_S_S",
    "OrderUpToConfig",
    "OrderUpToReplenishmentEnv",
    "OrderingCostMode",
    "RandomLevelsPolicy",
    "SSPolicy",
    "replenishment_step",
]

register_env(
    "OrderUpToReplenishment-v0",
    OrderUpToReplenishmentEnv,
    OrderUpToConfig,
    description=(
        "DNC/DGRL joint replenishment: an order-up-to level 0..66 per item, Poisson demand, "
        "joint ordering cost (67^N actions)."
    ),
)

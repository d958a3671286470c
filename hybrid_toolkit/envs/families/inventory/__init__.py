"""Joint-replenishment inventory env of the HPO paper; importing registers its ids.

* ``JointReplenishment-v0``: the heterogeneous instance (per-item parameters from fixed seeds).
* ``JointReplenishmentHomogeneous-v0``: every item Poisson(10), ``h = 1``, ``p = 9``.
"""

from hybrid_toolkit.envs.families.inventory.config import JointReplenishmentConfig
from hybrid_toolkit.envs.families.inventory.env import JointReplenishmentEnv
from hybrid_toolkit.envs.families.inventory.instance import InventoryInstance, make_instance
from hybrid_toolkit.envs.families.inventory.scenarios import (
    SPLITS,
    Split,
    reported_metric,
    scenario_demands,
)
from hybrid_toolkit.envs.registry import register_env

register_env(
    "JointReplenishment-v0",
    JointReplenishmentEnv,
    JointReplenishmentConfig,
    description="HPO joint replenishment: n heterogeneous items, Poisson demand, K = 64·n",
)
register_env(
    "JointReplenishmentHomogeneous-v0",
    JointReplenishmentEnv,
    JointReplenishmentConfig,
    description="HPO joint replenishment, homogeneous items: Poisson(10), h = 1, p = 9",
    instance="homogeneous",
)

__all__ = [
    "SPLITS",
    "InventoryInstance",
    "JointReplenishmentConfig",
    "JointReplenishmentEnv",
    "Split",
    "make_instance",
    "reported_metric",
    "scenario_demands",
]

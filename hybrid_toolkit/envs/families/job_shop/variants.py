"""The registered job-shop ids."""

from __future__ import annotations

from hybrid_toolkit.envs.families.job_shop.config import JobShopConfig
from hybrid_toolkit.envs.families.job_shop.env import JobShopEnv
from hybrid_toolkit.envs.registry import register_env

register_env(
    "JobShop-v0",
    JobShopEnv,
    JobShopConfig,
    description="Job shop (machine loading): 10 machines x 0..100 jobs (|A| = 101^10), 149 steps",
)
register_env(
    "JobShopInterior-v0",
    JobShopEnv,
    JobShopConfig,
    description="Job shop with energy cap 250: the optimum is inside the box (all machines at 75)",
    energy_cap=250.0,
)

"""The job-shop family (per-period machine loading). Importing it registers ``JobShop-v0``."""

from hybrid_toolkit.envs.families.job_shop import variants as _variants  # noqa: F401
from hybrid_toolkit.envs.families.job_shop.config import JobShopConfig
from hybrid_toolkit.envs.families.job_shop.env import JobShopEnv
from hybrid_toolkit.envs.families.job_shop.policies import (
    JobShopBalancedLoadPolicy,
    JobShopRandomPolicy,
    job_shop_episode_returns,
)

__all__ = [
    "JobShopBalancedLoadPolicy",
    "JobShopConfig",
    "JobShopEnv",
    "JobShopRandomPolicy",
    "job_shop_episode_returns",
]

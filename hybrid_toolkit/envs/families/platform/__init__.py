"""The Platform benchmark (Masson et al. 2016): importing this package registers ``Platform-v0``."""

from hybrid_toolkit.envs.families.platform.config import PlatformConfig
from hybrid_toolkit.envs.families.platform.env import PlatformEnv
from hybrid_toolkit.envs.registry import register_env

register_env(
    "Platform-v0",
    PlatformEnv,
    PlatformConfig,
    description="Platform (Masson et al. 2016): run / hop / leap past two enemies, 200 steps",
)

__all__ = ["PlatformConfig", "PlatformEnv"]

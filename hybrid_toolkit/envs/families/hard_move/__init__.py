"""Hard Move(n) (HyAR, ICLR 2022): importing this package registers ``HardMove-v0``."""

from hybrid_toolkit.envs.families.hard_move.config import HardMoveConfig
from hybrid_toolkit.envs.families.hard_move.env import HardMoveEnv
from hybrid_toolkit.envs.registry import register_env

register_env(
    "HardMove-v0",
    HardMoveEnv,
    HardMoveConfig,
    description="Hard Move(n) (HyAR): 2^n actuator subsets x magnitudes, reach a target in 30",
)

__all__ = ["HardMoveConfig", "HardMoveEnv"]

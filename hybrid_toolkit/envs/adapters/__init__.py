"""Adapters at the edges: gymnasium (both directions) and Stable-Baselines3."""

from hybrid_toolkit.envs.adapters.from_gymnasium import GymnasiumToHybridEnv
from hybrid_toolkit.envs.adapters.gymnasium_env import (
    HybridToGymnasiumEnv,
    HybridToGymnasiumVectorEnv,
    make_gymnasium_env,
    make_gymnasium_vector_env,
)
from hybrid_toolkit.envs.adapters.sb3 import (
    FlattenHybridAction,
    HybridActionFlattener,
    HybridToSB3VecEnv,
    silent_sb3_logger,
)

__all__ = [
    "FlattenHybridAction",
    "GymnasiumToHybridEnv",
    "HybridActionFlattener",
    "HybridToGymnasiumEnv",
    "HybridToGymnasiumVectorEnv",
    "HybridToSB3VecEnv",
    "make_gymnasium_env",
    "make_gymnasium_vector_env",
    "silent_sb3_logger",
]

"""Hybrid PPO."""

from hybrid_toolkit.algorithms.ppo.config import PPO_PRESETS, PPOConfig
from hybrid_toolkit.algorithms.ppo.ppo import PPO

__all__ = ["PPO", "PPO_PRESETS", "PPOConfig"]

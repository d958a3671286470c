"""Hybrid PPO."""

from hybrid_toolkit.algorithms.ppo.config import PAPER_SWITCHES, PPO_PRESETS, PPOConfig
from hybrid_toolkit.algorithms.ppo.paper import Difference, paper_ablation, paper_differences
from hybrid_toolkit.algorithms.ppo.ppo import PPO

__all__ = [
    "PAPER_SWITCHES",
    "PPO",
    "PPO_PRESETS",
    "Difference",
    "PPOConfig",
    "paper_ablation",
    "paper_differences",
]

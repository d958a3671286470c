"""Algorithms: one module (or small folder) each, all registered by name."""

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.hpo import HPO, HPOConfig
from hybrid_toolkit.algorithms.loading import load
from hybrid_toolkit.algorithms.ppo import PPO, PPOConfig
from hybrid_toolkit.algorithms.registry import get_algorithm, list_algorithms, register_algorithm

__all__ = [
    "HPO",
    "PPO",
    "BaseAlgorithm",
    "HPOConfig",
    "PPOConfig",
    "get_algorithm",
    "list_algorithms",
    "load",
    "register_algorithm",
]

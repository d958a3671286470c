"""Algorithms: one module (or small folder) each, all registered by name."""

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dgrl import DGRL, DGRLConfig, HCacla, HCaclaConfig
from hybrid_toolkit.algorithms.dnc import (
    DNC,
    HDNC,
    VAC,
    Cacla,
    CaclaConfig,
    DNCConfig,
    VACConfig,
    Wolpertinger,
    WolpertingerConfig,
)
from hybrid_toolkit.algorithms.hpo import HPO, HPOConfig
from hybrid_toolkit.algorithms.hyar import HyAR, HyARConfig
from hybrid_toolkit.algorithms.lar import LAR, LARConfig
from hybrid_toolkit.algorithms.loading import load
from hybrid_toolkit.algorithms.ppo import PPO, PPOConfig
from hybrid_toolkit.algorithms.registry import get_algorithm, list_algorithms, register_algorithm

__all__ = [
    "DGRL",
    "DNC",
    "HDNC",
    "HPO",
    "LAR",
    "PPO",
    "VAC",
    "BaseAlgorithm",
    "Cacla",
    "CaclaConfig",
    "DGRLConfig",
    "DNCConfig",
    "HCacla",
    "HCaclaConfig",
    "HPOConfig",
    "HyAR",
    "HyARConfig",
    "LARConfig",
    "PPOConfig",
    "VACConfig",
    "Wolpertinger",
    "WolpertingerConfig",
    "get_algorithm",
    "list_algorithms",
    "load",
    "register_algorithm",
]

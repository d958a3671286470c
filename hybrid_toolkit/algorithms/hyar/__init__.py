"""HyAR: hybrid action representation (embedding table + conditional VAE) with latent-space TD3."""

from hybrid_toolkit.algorithms.hyar.config import (
    HYAR_PAPER_TD3_TIMESTEPS,
    HYAR_PRESETS,
    HyARConfig,
)
from hybrid_toolkit.algorithms.hyar.hyar import HyAR

__all__ = ["HYAR_PAPER_TD3_TIMESTEPS", "HYAR_PRESETS", "HyAR", "HyARConfig"]

"""LAR (Chandak et al. 2019): learned action embeddings, an actor in their space, nearest decoding.

Importing this package registers ``lar``.
"""

from hybrid_toolkit.algorithms.lar.config import LAR_PRESETS, LARConfig
from hybrid_toolkit.algorithms.lar.embedding import ActionEmbedding
from hybrid_toolkit.algorithms.lar.lar import LAR, check_table_fits
from hybrid_toolkit.algorithms.lar.representation import RepresentationLearner

__all__ = [
    "LAR",
    "LAR_PRESETS",
    "ActionEmbedding",
    "LARConfig",
    "RepresentationLearner",
    "check_table_fits",
]

"""The learning checks (:data:`LEARNING_CASES`) and the sweep that runs them over seeds and MKL
settings (``hybrid-toolkit bench learning-sweep``)."""

from hybrid_toolkit.bench.learning import suite  # noqa: F401  (registers the suite)
from hybrid_toolkit.bench.learning.cases import LEARNING_CASES, LearningCase

__all__ = ["LEARNING_CASES", "LearningCase"]

"""Hybrid action spaces: :class:`HybridSpace`, :class:`HybridAction` and their conversions."""

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.components import DiscreteComponent, DiscreteKind
from hybrid_toolkit.spaces.hybrid_space import HybridSpace

__all__ = ["DiscreteComponent", "DiscreteKind", "HybridAction", "HybridSpace"]

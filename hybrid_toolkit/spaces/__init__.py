"""Hybrid action spaces: `HybridSpace`, `HybridAction`, gymnasium conversions and relaxed
coordinates."""

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.cell import Cell
from hybrid_toolkit.spaces.components import DiscreteComponent, DiscreteKind
from hybrid_toolkit.spaces.discontinuity import Discontinuity, DiscontinuityReformulation
from hybrid_toolkit.spaces.gymnasium_actions import action_from_gymnasium, action_to_gymnasium
from hybrid_toolkit.spaces.gymnasium_conversion import (
    CONVENTIONS,
    conventions_for,
    detect_convention,
    from_gymnasium,
    to_gymnasium,
)
from hybrid_toolkit.spaces.hybrid_space import ActivationMap, HybridSpace
from hybrid_toolkit.spaces.relaxed import RelaxedCoordinates

__all__ = [
    "CONVENTIONS",
    "ActivationMap",
    "Cell",
    "Discontinuity",
    "DiscontinuityReformulation",
    "DiscreteComponent",
    "DiscreteKind",
    "HybridAction",
    "HybridSpace",
    "RelaxedCoordinates",
    "action_from_gymnasium",
    "action_to_gymnasium",
    "conventions_for",
    "detect_convention",
    "from_gymnasium",
    "to_gymnasium",
]

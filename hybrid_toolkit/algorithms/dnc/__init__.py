"""DNC, H-DNC, Cacla, Wolpertinger and VAC: the proto-action and categorical baselines.

All five train with the same on-policy Q-actor-critic loop (`QActorCritic`) and differ in how a
decision is made; importing this package registers ``dnc``, ``h-dnc``, ``cacla``,
``wolpertinger`` and ``vac``.
"""

from hybrid_toolkit.algorithms.dnc.cacla import CACLA_PRESETS, Cacla, CaclaConfig
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.config import DNC_PRESETS, DNCConfig
from hybrid_toolkit.algorithms.dnc.dnc import DNC
from hybrid_toolkit.algorithms.dnc.h_dnc import HDNC
from hybrid_toolkit.algorithms.dnc.knn import NearestNeighbourSelection
from hybrid_toolkit.algorithms.dnc.qac import QActorCritic
from hybrid_toolkit.algorithms.dnc.qac_config import ProtoActionConfig, QACConfig
from hybrid_toolkit.algorithms.dnc.search import (
    AnnealingSchedule,
    SearchResult,
    acceptance_probability,
    greedy_search,
    neighbours,
    perturbation_offsets,
    simulated_annealing,
)
from hybrid_toolkit.algorithms.dnc.selection import (
    NeighbourhoodSearch,
    Selection,
    critic_scorer,
    round_to_nearest,
)
from hybrid_toolkit.algorithms.dnc.vac import VAC, VACConfig
from hybrid_toolkit.algorithms.dnc.wolpertinger import (
    WOLPERTINGER_PRESETS,
    Wolpertinger,
    WolpertingerConfig,
)

__all__ = [
    "CACLA_PRESETS",
    "DNC",
    "DNC_PRESETS",
    "HDNC",
    "VAC",
    "WOLPERTINGER_PRESETS",
    "ActionCodec",
    "AnnealingSchedule",
    "Cacla",
    "CaclaConfig",
    "DNCConfig",
    "NearestNeighbourSelection",
    "NeighbourhoodSearch",
    "ProtoActionConfig",
    "QACConfig",
    "QActorCritic",
    "SearchResult",
    "Selection",
    "VACConfig",
    "Wolpertinger",
    "WolpertingerConfig",
    "acceptance_probability",
    "critic_scorer",
    "greedy_search",
    "neighbours",
    "perturbation_offsets",
    "round_to_nearest",
    "simulated_annealing",
]

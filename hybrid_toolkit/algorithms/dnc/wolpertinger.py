"""Wolpertinger: k nearest enumerated actions of a proto-action, the critic's best of them.

The mapping of Dulac-Arnold et al. (2015), as the DNC reference code's ``knn_mapping`` runs it:
a Gaussian actor proposes ``â``; the ``k`` enumerated actions nearest to it (Euclidean, in the
unit box) are scored by the critic and the best is executed (`NearestNeighbourSelection`).
Training is the same on-policy Q-actor-critic loop as DNC (the reference code's choice; the
DGRL paper trains its Wolpertinger with DDPG instead — see the docs).

It needs the action set enumerated, so it refuses spaces with more than ``max_actions``
discrete actions instead of running out of memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.knn import NearestNeighbourSelection
from hybrid_toolkit.algorithms.dnc.qac import (
    QActorCriticMethods,
    proto_action_learner,
    require_discrete,
)
from hybrid_toolkit.algorithms.dnc.qac_config import (
    ProtoActionConfig,
    check_fields,
    is_int_at_least,
)
from hybrid_toolkit.algorithms.dnc.selection import Selection
from hybrid_toolkit.algorithms.registry import register_algorithm


@dataclass
class WolpertingerConfig(ProtoActionConfig):
    """Wolpertinger hyperparameters: the Q-actor-critic fields plus the lookup."""

    n_neighbours: int = 10
    """`k`: enumerated actions nearest to the proto-action that the critic scores (the
    reference code's `knns`: 2 by default; its comments list 1, 2 and 0.5 % of `|A|`)."""
    max_actions: int = 1_000_000
    """Refuse action spaces with more discrete actions than this (the table holds them all)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(
            self,
            {
                "n_neighbours": (is_int_at_least(self.n_neighbours, 1), "an integer >= 1"),
                "max_actions": (is_int_at_least(self.max_actions, 1), "an integer >= 1"),
            },
        )


WOLPERTINGER_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    "reference": {"n_neighbours": 2},
}
"""Named presets: ``reference`` uses the reference code's ``k = 2``."""


@register_algorithm
class Wolpertinger(QActorCriticMethods, BaseAlgorithm):
    """Wolpertinger: the critic's best of the k enumerated actions nearest the proto-action.

    ``act(obs)`` looks up the neighbours of the mean proto-action.

    Examples:
        >>> model = Wolpertinger("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
    """

    name: ClassVar[str] = "wolpertinger"
    config_class: ClassVar[type] = WolpertingerConfig
    presets = WOLPERTINGER_PRESETS
    saved_attributes = ("learner",)
    config: WolpertingerConfig

    def _build(self) -> None:
        require_discrete(self)
        cfg = self.config
        self.codec = ActionCodec(self.action_space, self.device)
        self.lookup = NearestNeighbourSelection(
            self.codec, cfg.n_neighbours, cfg.max_actions, self.name
        )
        self.learner = proto_action_learner(self, self.codec, self._select)

    def _select(self, feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        return self.lookup.select(self.learner.critic, feats, proto)

"""Cacla: a Gaussian proto-action rounded to the closest valid action (DGRL paper, App. D.2).

Van Hasselt and Wiering (2009) introduced the continuous-to-discrete mapping by rounding: the
actor's proto-action is rounded to the closest integer action, with no search, and the critic
is not used for selection. As in the DGRL paper it is trained with A2C and a Q-network critic
(on-policy TD, the `QActorCritic` loop shared with DNC); ``actor_loss="cacla"`` (preset
``"classic"``) is the original CACLA rule instead: move the actor's mean toward the executed
action whenever the advantage is positive. Continuous parameters, if any, pass through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.qac import (
    QActorCriticMethods,
    proto_action_learner,
    require_discrete,
)
from hybrid_toolkit.algorithms.dnc.qac_config import ProtoActionConfig
from hybrid_toolkit.algorithms.dnc.selection import Selection, round_to_nearest
from hybrid_toolkit.algorithms.registry import register_algorithm


@dataclass
class CaclaConfig(ProtoActionConfig):
    """Cacla hyperparameters: the Q-actor-critic fields (rounding has no parameters)."""


CACLA_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    "classic": {"actor_loss": "cacla"},
}
"""Named presets: ``classic`` is van Hasselt and Wiering's update rule instead of A2C."""


@register_algorithm
class Cacla(QActorCriticMethods, BaseAlgorithm):
    """Cacla: round the Gaussian proto-action to the nearest valid action.

    The cheapest decision there is (one actor pass and a rounding), independent of ``|A|``.
    ``act(obs)`` rounds the mean proto-action.

    Examples:
        >>> model = Cacla("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
    """

    name: ClassVar[str] = "cacla"
    config_class: ClassVar[type] = CaclaConfig
    presets = CACLA_PRESETS
    saved_attributes = ("learner",)
    config: CaclaConfig

    def _build(self) -> None:
        require_discrete(self)
        self.codec = ActionCodec(self.action_space, self.device)
        self.learner = proto_action_learner(self, self.codec, self._select)

    def _select(self, feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        return round_to_nearest(self.codec, proto)

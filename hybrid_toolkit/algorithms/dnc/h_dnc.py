"""H-DNC: hierarchical hybrid DNC (DGRL paper, App. D.2).

A first actor proposes the continuous parameters ``â_c``; a second actor reads the state and
``â_c`` and proposes the discrete proto-action ``â_d``; DNC's search then runs on the discrete
part with the parameters **fixed**, scoring ``Q(s, [a_d, â_c])`` for every discrete candidate.
The executed action is the searched discrete action with the first actor's parameters. Both
actors are trained by DNC's Q-actor-critic loop (A2C with a Q-critic) on the joint
log-likelihood ``log π_c(â_c | s) + log π_d(â_d | s, â_c)``.
"""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dnc.config import DNC_PRESETS, DNCConfig
from hybrid_toolkit.algorithms.dnc.dnc import build_dnc
from hybrid_toolkit.algorithms.dnc.networks import HierarchicalActor
from hybrid_toolkit.algorithms.dnc.qac import QActorCriticMethods
from hybrid_toolkit.algorithms.registry import register_algorithm


@register_algorithm
class HDNC(QActorCriticMethods, BaseAlgorithm):
    """Hybrid DNC: parameters first, then a DNC search over the discrete part given them.

    ``act(obs)`` takes the mean parameters, the discrete actor's mean given them, and
    hill-climbs over the discrete part.

    Examples:
        >>> model = HDNC("TargetHybrid-v0", seed=0, gamma=0.5).learn(10_000)
    """

    name: ClassVar[str] = "h-dnc"
    config_class: ClassVar[type] = DNCConfig
    presets = DNC_PRESETS
    saved_attributes = ("learner",)
    config: DNCConfig

    def _build(self) -> None:
        if self.action_space.n_continuous == 0:
            raise ValueError(
                f"{self.name} conditions a discrete actor on continuous parameters, but the "
                f"action space {self.action_space!r} has none; use dnc for discrete spaces"
            )
        cfg, space = self.config, self.action_space

        def make_actor(in_dim: int) -> nn.Module:
            return HierarchicalActor(
                in_dim,
                space.n_discrete,
                space.n_continuous,
                cfg.actor_hidden,
                cfg.activation,
                cfg.exploration_std,
            )

        self.codec, self.search, self.learner = build_dnc(self, make_actor)

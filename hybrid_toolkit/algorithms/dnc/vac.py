"""VAC: a categorical actor-critic over the enumerated action set (the reference ``no_mapping``).

The policy is one softmax over all ``|A|`` discrete actions — no proto-action, no mapping —
trained by the shared on-policy Q-actor-critic loop (A2C with a Q-network critic, DGRL paper
App. D.2). The output layer has ``|A|`` units, so VAC refuses spaces above ``max_actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.enumeration import check_enumerable, flat_to_discrete
from hybrid_toolkit.algorithms.dnc.networks import CategoricalActor
from hybrid_toolkit.algorithms.dnc.qac import QActorCritic, QActorCriticMethods, require_discrete
from hybrid_toolkit.algorithms.dnc.qac_config import QACConfig, is_int_at_least
from hybrid_toolkit.algorithms.dnc.selection import Selection
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.utils.config import check_fields


@dataclass
class VACConfig(QACConfig):
    """VAC hyperparameters: the Q-actor-critic fields plus the enumeration limit."""

    ent_coef: float = 0.01
    """Entropy bonus of the categorical policy."""
    max_actions: int = 100_000
    """Refuse action spaces with more discrete actions than this (the softmax has one logit
    per action)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(
            self, {"max_actions": (is_int_at_least(self.max_actions, 1), "an integer >= 1")}
        )


@register_algorithm
class VAC(QActorCriticMethods, BaseAlgorithm):
    """Vanilla actor-critic: a softmax over every discrete action, A2C with a Q-critic.

    ``act(obs)`` takes the most likely action; ``act(obs, deterministic=False)`` samples.

    Examples:
        >>> model = VAC("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
    """

    name: ClassVar[str] = "vac"
    config_class: ClassVar[type] = VACConfig
    presets: ClassVar[dict[str, dict[str, object]]] = {"default": {}}
    saved_attributes = ("learner",)
    config: VACConfig

    def _build(self) -> None:
        require_discrete(self)
        if self.action_space.n_continuous:
            raise ValueError(
                f"{self.name} is a categorical policy over discrete actions, but the action "
                f"space {self.action_space!r} has {self.action_space.n_continuous} continuous "
                "parameters; use h-dnc, dnc or ppo for hybrid spaces"
            )
        cfg = self.config
        self.n_actions = check_enumerable(self.name, self.action_space, cfg.max_actions)
        self._sizes = [c.n for c in self.action_space.discrete]
        self.codec = ActionCodec(self.action_space, self.device)

        def make_actor(in_dim: int) -> nn.Module:
            return CategoricalActor(in_dim, self.n_actions, cfg.actor_hidden, cfg.activation)

        self.learner = QActorCritic(self, self.codec, make_actor, self._select)

    def _select(self, feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        discrete = flat_to_discrete(proto[:, 0], self._sizes)
        no_params = torch.zeros(discrete.shape[0], 0, device=discrete.device)
        return Selection(HybridAction(discrete, no_params))

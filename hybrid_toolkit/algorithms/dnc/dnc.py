"""DNC: Dynamic Neighbourhood Construction (Akkerman et al., ICLR 2024), and MinMax.

Per decision: a Gaussian actor proposes ``â`` in the unit box; ``â`` is clipped, scaled and
rounded to the nearest valid action (the *base* action — MinMax stops here); a
simulated-annealing or greedy search over the base action's neighbourhood, scored by the critic
``Q(s, ·)``, returns the best action it saw (`NeighbourhoodSearch`). Training is the reference
code's Q-actor-critic loop (`QActorCritic`).

Continuous parameters, if the space has any, pass through from the same actor and stay fixed
during the search (the non-hierarchical "DNC + pass-through parameters" variant); `HDNC` is the
hierarchical hybrid version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from torch import Tensor, nn

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.config import DNC_PRESETS, DNCConfig
from hybrid_toolkit.algorithms.dnc.qac import (
    QActorCritic,
    QActorCriticMethods,
    proto_action_learner,
    require_discrete,
)
from hybrid_toolkit.algorithms.dnc.selection import NeighbourhoodSearch, Selection
from hybrid_toolkit.algorithms.registry import register_algorithm


def build_dnc(
    algo: BaseAlgorithm, make_actor: Callable[[int], nn.Module] | None = None
) -> tuple[ActionCodec, NeighbourhoodSearch, QActorCritic]:
    """The codec, the configured search and the learner of a DNC-style algorithm.

    Args:
        algo: The algorithm (its config must be a `DNCConfig`).
        make_actor: Builds the actor from the feature size (default: a `GaussianActor`).
    """
    require_discrete(algo)
    cfg: DNCConfig = algo.config
    codec = ActionCodec(algo.action_space, algo.device)
    search = NeighbourhoodSearch(
        codec, cfg.search, cfg.perturbation_range, cfg.schedule, cfg.greedy_steps
    )

    def select(feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        return search.select(learner.critic, feats, proto, explore, algo.generator)

    learner = proto_action_learner(algo, codec, select, make_actor)
    return codec, search, learner


@register_algorithm
class DNC(QActorCriticMethods, BaseAlgorithm):
    """Dynamic Neighbourhood Construction: rounding plus a critic-scored neighbourhood search.

    Never enumerates the action space: a decision costs ``iterations × (2·R·n_discrete + 1)``
    critic evaluations per scenario, all scenarios and candidates in one batch per iteration.
    ``DNC(env, "minmax")`` is MinMax (no search), ``DNC(env, "greedy")`` "DNC w/o SA".
    ``act(obs)`` rounds the mean proto-action and hill-climbs (no downhill moves or jumps);
    ``act(obs, deterministic=False)`` makes a training decision.

    Examples:
        >>> model = DNC("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
        >>> action = model.act(obs)
    """

    name: ClassVar[str] = "dnc"
    config_class: ClassVar[type] = DNCConfig
    presets = DNC_PRESETS
    saved_attributes = ("learner",)
    config: DNCConfig

    def _build(self) -> None:
        self.codec, self.search, self.learner = build_dnc(self)

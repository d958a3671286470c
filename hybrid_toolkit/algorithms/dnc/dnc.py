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
from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.config import DNC_PRESETS, DNCConfig
from hybrid_toolkit.algorithms.dnc.networks import GaussianActor
from hybrid_toolkit.algorithms.dnc.qac import QActorCritic
from hybrid_toolkit.algorithms.dnc.selection import NeighbourhoodSearch, Selection
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.spaces import HybridAction


def require_discrete(algo: BaseAlgorithm) -> None:
    """Refuse action spaces without discrete components (nothing to round or search)."""
    if algo.action_space.n_discrete == 0:
        raise ValueError(
            f"{algo.name} maps proto-actions to discrete components, but the action space "
            f"{algo.action_space!r} has none; use a continuous-action algorithm such as ppo"
        )


def build_dnc(
    algo: BaseAlgorithm, make_actor: Callable[[int], nn.Module]
) -> tuple[ActionCodec, NeighbourhoodSearch, QActorCritic]:
    """The codec, the configured search and the Q-actor-critic learner of a DNC-style algorithm.

    Args:
        algo: The algorithm (its config must be a `DNCConfig`).
        make_actor: Builds the actor from the feature size.
    """
    cfg: DNCConfig = algo.config
    codec = ActionCodec(algo.action_space, algo.device)
    search = NeighbourhoodSearch(
        codec, cfg.search, cfg.perturbation_range, cfg.schedule, cfg.greedy_steps
    )

    def select(feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        return search.select(learner.critic, feats, proto, explore, algo.generator)

    learner = QActorCritic(algo, codec, make_actor, select, cfg.actor_loss, cfg.exploration_std**2)
    return codec, search, learner


@register_algorithm
class DNC(BaseAlgorithm):
    """Dynamic Neighbourhood Construction: rounding plus a critic-scored neighbourhood search.

    Never enumerates the action space: a decision costs ``iterations × (2·R·n_discrete + 1)``
    critic evaluations per scenario, all scenarios and candidates in one batch per iteration.
    ``DNC(env, "minmax")`` is MinMax (no search), ``DNC(env, "greedy")`` "DNC w/o SA".

    Example:
        >>> model = DNC("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
        >>> action = model.act(obs)  # deterministic: mean proto-action + hill climbing
    """

    name: ClassVar[str] = "dnc"
    config_class: ClassVar[type] = DNCConfig
    presets = DNC_PRESETS
    saved_attributes = ("learner",)
    config: DNCConfig

    def _build(self) -> None:
        require_discrete(self)
        cfg = self.config

        def make_actor(in_dim: int) -> nn.Module:
            return GaussianActor(
                in_dim,
                self.action_space.n_discrete + self.action_space.n_continuous,
                cfg.actor_hidden,
                cfg.activation,
                cfg.exploration_std,
            )

        self.codec, self.search, self.learner = build_dnc(self, make_actor)

    def _on_reset(self) -> None:
        self.learner.reset()

    def collect(self) -> ReplayBatch:
        """``n_steps`` batched env steps with sampled proto-actions and training-mode search."""
        return self.learner.collect()

    def update(self, batch: ReplayBatch) -> dict[str, float]:
        """One critic and one actor step (see `QActorCritic`)."""
        return self.learner.update(batch)

    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Mean proto-action + hill climbing, or (``deterministic=False``) a training decision."""
        return self.learner.act(obs, deterministic)

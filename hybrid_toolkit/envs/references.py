"""Each environment family's scripted reference policy, found from an env instance.

The families' ``policies`` modules hold heuristics and planners that give a trained agent a
yardstick (shortest paths in the maze, a rollout planner on Platform, greedy recommendations …).
:func:`reference_policy_for` picks the one that belongs to an env so that ``train`` and ``eval``
can print it beside a result, evaluated on the same scenarios (see
:mod:`hybrid_toolkit.cli.result`).

Joint replenishment and switched LQR are not here: their references act on the env's state
rather than on observations and are measured in the env's own reported metric, through the env's
``reference_policy`` method. The Target envs know their optimum exactly (``optimal_return``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.goal import GoalEnv
from hybrid_toolkit.envs.families.goal.policies import GoalPlannerPolicy
from hybrid_toolkit.envs.families.hard_move import HardMoveEnv
from hybrid_toolkit.envs.families.hard_move.policies import HardMoveGreedyPolicy
from hybrid_toolkit.envs.families.job_shop import JobShopEnv
from hybrid_toolkit.envs.families.job_shop.policies import JobShopBalancedLoadPolicy
from hybrid_toolkit.envs.families.maze import MazeEnv
from hybrid_toolkit.envs.families.maze.policies import MazeShortestPathPolicy
from hybrid_toolkit.envs.families.order_up_to import OrderUpToReplenishmentEnv
from hybrid_toolkit.envs.families.order_up_to.policies import SSPolicy
from hybrid_toolkit.envs.families.platform import PlatformEnv
from hybrid_toolkit.envs.families.platform.policies import PlatformRolloutPolicy
from hybrid_toolkit.envs.families.recommender import RecommenderEnv, RecommenderPricingEnv
from hybrid_toolkit.envs.families.recommender.policies import (
    GreedyPricingRecommender,
    GreedyRecommender,
)
from hybrid_toolkit.envs.outcomes import Policy

__all__ = ["ReferencePolicy", "reference_policy_for"]

PLANNER_SEED = 0
"""Seed of the Goal planner's noisy samples (the classic-env reference tables use it too)."""


@dataclass(frozen=True)
class ReferencePolicy:
    """A scripted policy to compare a trained agent with.

    Attributes:
        label: How results name it (``"shortest-path policy"``).
        policy: Maps observations ``[B, *obs_shape]`` of the env it was built for to actions.
    """

    label: str
    policy: Policy


def _build(env: HybridEnv) -> ReferencePolicy | None:
    """The reference of ``env``'s family (subclasses are tested before their bases)."""
    if isinstance(env, MazeEnv):
        return ReferencePolicy("shortest-path policy", MazeShortestPathPolicy(env))
    if isinstance(env, JobShopEnv):
        return ReferencePolicy("balanced-load policy", JobShopBalancedLoadPolicy(env))
    if isinstance(env, OrderUpToReplenishmentEnv):
        return ReferencePolicy("(s, S) policy", SSPolicy(env.config, device=env.device))
    if isinstance(env, RecommenderPricingEnv):
        return ReferencePolicy("greedy recommender with markups", GreedyPricingRecommender(env))
    if isinstance(env, RecommenderEnv):
        return ReferencePolicy("greedy recommender", GreedyRecommender(env))
    if isinstance(env, PlatformEnv):
        return ReferencePolicy("rollout planner", PlatformRolloutPolicy(env))
    if isinstance(env, GoalEnv):
        planner = GoalPlannerPolicy(env, samples=3, seed=PLANNER_SEED)
        return ReferencePolicy("planner (3 noisy samples)", planner)
    if isinstance(env, HardMoveEnv):
        return ReferencePolicy("greedy policy", HardMoveGreedyPolicy(env))
    return None


def reference_policy_for(env: HybridEnv) -> ReferencePolicy | None:
    """The scripted reference policy of ``env``'s family, built for ``env``; ``None`` for
    families without one (or whose reference is not observation-based, see the module doc).

    A family's reference may refuse a configuration it was not written for (``SSPolicy`` knows
    (s, S) values for the documented demand rates only); that is reported as ``None`` too, since
    a missing yardstick must not stop a run from printing its result.
    """
    try:
        return _build(env)
    except ValueError:
        return None

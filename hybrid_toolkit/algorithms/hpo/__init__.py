"""Hybrid Policy Optimization (HPO): mixed pathwise / score-function policy gradients."""

from hybrid_toolkit.algorithms.common.scenario_splits import (
    SplitEvaluator,
    TrainBatches,
    has_splits,
)
from hybrid_toolkit.algorithms.hpo.config import HPO_PRESETS, HPOConfig
from hybrid_toolkit.algorithms.hpo.estimator import (
    GradientPieces,
    cost_to_go,
    enumerated_objective,
    enumerated_pieces,
    estimate_gradient,
    gradient_pieces,
)
from hybrid_toolkit.algorithms.hpo.hpo import HPO
from hybrid_toolkit.algorithms.hpo.input_map import InputMap, build_input_map
from hybrid_toolkit.algorithms.hpo.policy import BoxMap, HPOPolicy
from hybrid_toolkit.algorithms.hpo.rollout import Rollout, differentiable_rollout

__all__ = [
    "HPO",
    "HPO_PRESETS",
    "BoxMap",
    "GradientPieces",
    "HPOConfig",
    "HPOPolicy",
    "InputMap",
    "Rollout",
    "SplitEvaluator",
    "TrainBatches",
    "build_input_map",
    "cost_to_go",
    "differentiable_rollout",
    "enumerated_objective",
    "enumerated_pieces",
    "estimate_gradient",
    "gradient_pieces",
    "has_splits",
]

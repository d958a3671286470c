"""Networks and distributions: MLP builders, running normalisers, the hybrid policy.

* :func:`mlp` — orthogonally initialised fully connected networks (CleanRL recipe).
* :class:`RunningMeanStd`, :class:`ObservationNormalizer`, :class:`RewardScaler` — batched
  running statistics that live in ``state_dict()``.
* :class:`HybridDistribution`, :class:`HybridPolicyHead` — a categorical per discrete component
  times a Gaussian over the continuous parameters, with inactive parameters masked out.
"""

from hybrid_toolkit.nn.distribution import HybridDistribution, HybridPolicyHead
from hybrid_toolkit.nn.finite import NONFINITE_PARAMETERS, count_nonfinite, total_grad_norm
from hybrid_toolkit.nn.layout import DistributionLayout
from hybrid_toolkit.nn.mlp import (
    ACTIVATIONS,
    Activation,
    activation_module,
    mlp,
    orthogonal_linear,
)
from hybrid_toolkit.nn.normalization import ObservationNormalizer, RewardScaler, RunningMeanStd

__all__ = [
    "ACTIVATIONS",
    "NONFINITE_PARAMETERS",
    "Activation",
    "DistributionLayout",
    "HybridDistribution",
    "HybridPolicyHead",
    "ObservationNormalizer",
    "RewardScaler",
    "RunningMeanStd",
    "activation_module",
    "count_nonfinite",
    "mlp",
    "orthogonal_linear",
    "total_grad_norm",
]

"""DBU — Distance-Based Updates (DGRL paper §3.2, App. C).

The actor is trained by regression, not by a policy gradient: perturb its proto-action with a
Gaussian, round every perturbed point to the nearest valid action (the rounding SDN uses for its
nearest neighbour), weigh the candidates by a softmax of their critic values, and pull the
proto-action toward the weighted average with a Huber loss. Everything lives in the [-1, 1]
units the actor outputs and the critics read, discrete and continuous coordinates alike, so a
hybrid proto-action is perturbed and regressed as one vector (paper §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from hybrid_toolkit.algorithms.dgrl.sdn import standardize


def gaussian_perturbations(
    proto_unit: Tensor, std: float, count: int, generator: torch.Generator | None = None
) -> Tensor:
    """``count`` Gaussian perturbations of every proto-action, clamped to the unit box.

    Args:
        proto_unit: ``[B, D]`` proto-actions in [-1, 1] units.
        std: Perturbation std ``sigma_p`` in the same units.
        count: Candidates per proto-action ``N``.
        generator: Random stream on the proto-actions' device.

    Returns:
        ``[B, N, D]`` points in [-1, 1] (no autograd graph); the caller rounds them to valid
        actions with the rounding SDN uses (``ProtoActorCritic.unit_actions``).
    """
    base = proto_unit.detach()
    noise = torch.randn(
        base.shape[0], count, base.shape[1], generator=generator, device=base.device
    )
    return (base[:, None, :] + std * noise).clamp(-1.0, 1.0)


def softmax_target(
    candidates: Tensor, q: Tensor, temperature: float = 1.0, standardized: bool = True
) -> tuple[Tensor, Tensor]:
    """The DBU target: the softmax-of-Q weighted average of the candidates.

    Args:
        candidates: ``[B, N, D]`` candidate actions.
        q: ``[B, N]`` their critic values.
        temperature: Softmax temperature (``> 0``).
        standardized: Standardise ``q`` per row first, so the temperature does not depend on
            the reward scale.

    Returns:
        ``(target [B, D], weights [B, N])``; the weights of a row sum to one.
    """
    logits = standardize(q) if standardized else q
    weights = torch.softmax(logits / temperature, dim=1)
    return (weights[..., None] * candidates).sum(dim=1), weights


@dataclass(frozen=True)
class RegressionLoss:
    """The actor's Huber regression loss and its discrete / continuous parts.

    Attributes:
        total: Scalar loss to minimise (the sum of the two parts).
        discrete: Part from the discrete coordinates (0 without any).
        continuous: Part from the continuous coordinates (0 without any).
    """

    total: Tensor
    discrete: Tensor
    continuous: Tensor


def regression_loss(
    proto_unit: Tensor, target: Tensor, n_discrete: int, delta: float = 1.0
) -> RegressionLoss:
    """Huber distance of the proto-action to the (constant) target, summed over coordinates.

    The loss decomposes into the discrete and the continuous block (paper Remark 4.6), each the
    per-coordinate Huber loss summed over its coordinates and averaged over the batch.

    Args:
        proto_unit: ``[B, D]`` actor outputs (with gradient).
        target: ``[B, D]`` DBU targets (detached here).
        n_discrete: Number of leading discrete coordinates.
        delta: Huber threshold.
    """
    per_coord = F.huber_loss(proto_unit, target.detach(), reduction="none", delta=delta)
    discrete = per_coord[:, :n_discrete].sum(dim=1).mean()
    continuous = per_coord[:, n_discrete:].sum(dim=1).mean()
    return RegressionLoss(discrete + continuous, discrete, continuous)

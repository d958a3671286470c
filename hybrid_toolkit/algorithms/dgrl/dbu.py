"""DBU — Distance-Based Updates (DGRL paper §3.2, App. C).

The actor is trained by regression, not by a policy gradient: perturb its proto-action with a
Gaussian, round every perturbed point to the nearest valid action (the rounding SDN uses for its
nearest neighbour), weigh the candidates by a softmax of their critic values, and pull the
proto-action toward the weighted average with a Huber loss. Everything lives in the [-1, 1]
units the actor outputs and the critics read, discrete and continuous coordinates alike, so a
hybrid proto-action is perturbed and regressed as one vector (paper §3.3).

``scheme="symmetric"`` keeps the perturbations symmetric around the proto-action (see
`gaussian_perturbations`), so the target does not drift off the faces of the box as it does
with the paper's clamped perturbations; ``"auto"`` (the default) does so on the ordinal
coordinates only, where a face is the end of a quantity, and clamps the rest (see
`symmetric_coordinates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from hybrid_toolkit.algorithms.dgrl.sdn import standardize
from hybrid_toolkit.spaces import HybridSpace

PerturbationScheme = Literal["auto", "symmetric", "clamp"]

CONTINUOUS_FACE_WINDOW = 0.02
"""Smallest half-width of the symmetric window of a continuous coordinate (1 % of its range)."""


def face_windows(sizes: Tensor, n_continuous: int) -> Tensor:
    """``[D]`` smallest half-width of the symmetric perturbation window per coordinate.

    One index step (``2 / (n - 1)`` in [-1, 1] units) for a discrete coordinate of ``n``
    choices, so a proto-action at a face still sees its inner neighbour; 0.02 for a continuous
    coordinate.
    """
    steps = 2.0 / (sizes.to(torch.float32) - 1.0).clamp(min=1.0)
    steps = torch.where(sizes > 1, steps, torch.zeros_like(steps))
    tail = torch.full((n_continuous,), CONTINUOUS_FACE_WINDOW, device=sizes.device)
    return torch.cat([steps, tail])


def symmetric_coordinates(space: HybridSpace, scheme: PerturbationScheme) -> Tensor:
    """``[D]`` which coordinates of ``space``'s relaxed vector ``scheme`` perturbs symmetrically.

    ``"auto"`` picks the ordinal discrete components: their faces are the ends of a quantity
    (no load, full load), where an optimum can sit and clamped perturbations pull the target
    off it. Categorical components (item ids, regimes) and continuous parameters are clamped
    as in the paper: the face of an id range means nothing, and on the recommender the clamped
    drift inward is what kept the actor searching (an unbiased target let it run to a face and
    stall, docs: DBU at the faces of the box).
    """
    if scheme not in ("auto", "symmetric", "clamp"):
        raise ValueError(
            f"DBU perturbation scheme must be 'auto', 'symmetric' or 'clamp', got {scheme!r}"
        )
    discrete = [
        scheme == "symmetric" or (scheme == "auto" and c.kind == "ordinal") for c in space.discrete
    ]
    continuous = [scheme == "symmetric"] * space.relaxed().n_continuous
    return torch.tensor(discrete + continuous, dtype=torch.bool)


@dataclass(frozen=True)
class Perturbations:
    """DBU's perturbed proto-actions.

    Attributes:
        points: ``[B, N, D]`` points in [-1, 1], to be rounded to valid actions.
        overshoot: ``[B, N, D]`` how far each perturbation went past the box before it was
            clamped (zero with ``"clamp"``, which forgets it); added back to the rounded
            candidate where the target is formed.
    """

    points: Tensor
    overshoot: Tensor


def gaussian_perturbations(
    proto_unit: Tensor,
    std: float,
    count: int,
    generator: torch.Generator | None = None,
    scheme: PerturbationScheme | Tensor = "clamp",
    min_window: Tensor | float = 0.0,
) -> Perturbations:
    """``count`` Gaussian perturbations of every proto-action.

    ``"clamp"`` (the paper) clamps each perturbed point to the unit box. Near a face the
    clamped points then average inward of the proto-action, so the target is pulled off a
    corner optimum even by a perfect critic (fixed point 97.8 instead of 100 on a 1-D
    0..100 grid, 92.2 on ten such coordinates). ``"symmetric"`` clips each offset to
    ``+- h``, ``h`` the distance to the nearer face but at least ``min_window``, so the offsets
    stay symmetric around the proto-action and average to zero; only the floor can leave the
    box, and that overshoot is kept for the target (the value read at the face extends flat
    beyond it, at most ``min_window`` far).

    Args:
        proto_unit: ``[B, D]`` proto-actions in [-1, 1] units.
        std: Perturbation std ``sigma_p`` in the same units.
        count: Candidates per proto-action ``N``.
        generator: Random stream on the proto-actions' device.
        scheme: ``"clamp"`` (the paper's, default), ``"symmetric"``, or the coordinates to
            perturb symmetrically, the others being clamped: a ``[D]`` bool mask
            (`symmetric_coordinates`) or the mask's indices (finding them costs a device
            sync on a GPU, so a training loop passes them found once).
        min_window: Smallest half-width ``h`` (``"symmetric"`` only), a float or ``[D]``.

    Returns:
        The `Perturbations` (no autograd graph); the caller rounds the points to valid actions
        with the rounding SDN uses (``ProtoActorCritic.unit_actions``).
    """
    if isinstance(scheme, str) and scheme not in ("symmetric", "clamp"):
        raise ValueError(f"DBU perturbation scheme must be 'symmetric' or 'clamp', got {scheme!r}")
    base = proto_unit.detach()
    noise = std * torch.randn(
        base.shape[0], count, base.shape[1], generator=generator, device=base.device
    )
    if isinstance(scheme, str):
        if scheme == "clamp":
            points = (base[:, None, :] + noise).clamp(-1.0, 1.0)
            return Perturbations(points, torch.zeros_like(points))
        raw = base[:, None, :] + _symmetric_offsets(base, noise, min_window)
        points = raw.clamp(-1.0, 1.0)
        return Perturbations(points, raw - points)
    # Some coordinates: the window is worked out on those columns only (the others are
    # clamped), which matters where a few ordinal components sit beside many parameters
    # (on Hard Move n = 10 none of the 1025 columns is: its one discrete column is categorical).
    columns = torch.nonzero(scheme).flatten() if scheme.dtype == torch.bool else scheme
    columns = columns.to(base.device)
    raw = base[:, None, :] + noise
    overshoot = torch.zeros_like(raw)
    if len(columns):
        window = torch.as_tensor(min_window, dtype=base.dtype, device=base.device)
        window = window[columns] if window.dim() else window
        part = base[:, columns][:, None, :] + _symmetric_offsets(
            base[:, columns], noise[..., columns], window
        )
        raw[..., columns] = part
        overshoot[..., columns] = part - part.clamp(-1.0, 1.0)
    return Perturbations(raw.clamp(-1.0, 1.0), overshoot)


def _symmetric_offsets(base: Tensor, noise: Tensor, min_window: Tensor | float) -> Tensor:
    """``noise [B, N, D]`` clipped to ``+- h``, ``h`` the distance of ``base [B, D]`` to the
    nearer face but at least ``min_window``."""
    half = torch.clamp(1.0 - base.abs(), min=0.0)
    half = torch.maximum(half, torch.as_tensor(min_window, dtype=half.dtype, device=half.device))
    return torch.maximum(torch.minimum(noise, half[:, None]), -half[:, None])


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

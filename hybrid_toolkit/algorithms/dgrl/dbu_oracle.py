"""Where DBU leads the actor with a perfect critic: the fixed point of the expected target.

With the critic replaced by an oracle ``Q(loads)`` and the actor by a free proto-action, DBU's
regression converges to a point ``p`` with ``E[target(p)] = p``. This module iterates that map
on ``n_dims`` ordinal coordinates of ``n_levels`` choices (``0..n_levels - 1``, the job shop's
loads), then lets SDN act from the fixed point with the same oracle, as evaluation would. It is
the measurement behind the ``dbu_perturbation`` choice (``docs/algorithms/dgrl.md``) and its
tests: an optimum at a face of the box or inside it should be the fixed point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.dgrl.dbu import (
    PerturbationScheme,
    face_windows,
    gaussian_perturbations,
    softmax_target,
)
from hybrid_toolkit.algorithms.dgrl.sdn import (
    SampledDynamicNeighborhood,
    heuristic_num_candidates,
    heuristic_radius,
)
from hybrid_toolkit.spaces import DiscreteComponent, HybridSpace

OracleCritic = Callable[[Tensor], Tensor]
"""Loads ``[..., n_dims]`` (floats of integer values) → values ``[...]``."""

# A tanh actor cannot output the face itself.
_ACTOR_LIMIT = 1.0 - 1e-5


@dataclass(frozen=True)
class OracleFixedPoint:
    """The DBU fixed point under an oracle critic, in load units (mean over coordinates).

    Attributes:
        proto: The proto-action at the fixed point.
        executed: The mean load SDN executes from it (argmax of the oracle over its candidates).
    """

    proto: float
    executed: float


def separable_critic(optimum: float | None) -> OracleCritic:
    """A separable oracle: ``sum_i load_i`` (``None``: optimum at the top face) or
    ``-sum_i (load_i - optimum)^2`` (interior optimum)."""

    def critic(loads: Tensor) -> Tensor:
        if optimum is None:
            return loads.sum(dim=-1)
        return -((loads - optimum) ** 2).sum(dim=-1)

    return critic


def oracle_fixed_point(
    critic: OracleCritic,
    n_dims: int,
    n_levels: int = 101,
    scheme: PerturbationScheme = "symmetric",
    std: float = 0.3,
    candidates: int = 16,
    standardized: bool = True,
    iterations: int = 300,
    batch: int = 2048,
    seed: int = 0,
) -> OracleFixedPoint:
    """Iterate ``p <- E[target(p)]`` from the centre of the box and act from the result.

    Args:
        critic: The oracle critic (see `OracleCritic`).
        n_dims: Number of ordinal coordinates.
        n_levels: Choices per coordinate.
        scheme: DBU perturbation scheme (``"symmetric"`` or ``"clamp"``).
        std: Perturbation std ``sigma_p`` in [-1, 1] units.
        candidates: DBU candidates ``N`` per target.
        standardized: Standardise the values per state before the softmax.
        iterations: Steps of the map; the last 50 are averaged.
        batch: Targets averaged per step (the expectation).
        seed: Seed of the random stream.
    """
    space = HybridSpace([DiscreteComponent(n_levels, "ordinal") for _ in range(n_dims)])
    coords = space.relaxed()
    windows = face_windows(coords.sizes, 0)
    generator = torch.Generator().manual_seed(seed)
    scale = (n_levels - 1) / 2.0
    proto = torch.zeros(1, n_dims)
    tail = []
    for step in range(iterations):
        noisy = gaussian_perturbations(
            proto.expand(batch, -1), std, candidates, generator, scheme, windows
        )
        loads = torch.round((noisy.points + 1.0) * scale)
        cands = loads / scale - 1.0 + noisy.overshoot
        target, _ = softmax_target(cands, critic(loads), 1.0, standardized)
        proto = target.mean(dim=0, keepdim=True).clamp(-_ACTOR_LIMIT, _ACTOR_LIMIT)
        if step >= iterations - 50:
            tail.append(proto)
    fixed = torch.stack(tail).mean(dim=0)
    radius = heuristic_radius([n_levels] * n_dims)
    sdn = SampledDynamicNeighborhood(
        coords, radius, heuristic_num_candidates(n_dims, radius), "linear", 1.0
    )
    sampled = sdn.sample(fixed.expand(256, -1), generator)
    values = critic(sampled.discrete.to(torch.float32))
    best = values.masked_fill(~sampled.valid, float("-inf")).argmax(dim=1)
    executed = sampled.discrete[torch.arange(256), best].to(torch.float32)
    return OracleFixedPoint(
        proto=float(((fixed + 1.0) * scale).mean()), executed=float(executed.mean())
    )

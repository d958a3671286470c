"""User choice models of the recommender, as pure batched tensor functions.

Choice tensors have ``k + 1`` columns: one per recommended slot, then the **outside option**
(the user ignores the recommendations and consumes some other item) in the last column.
"""

from __future__ import annotations

import torch
from torch import Tensor


def similarities(features: Tensor, current: Tensor, items: Tensor) -> Tensor:
    """Cosine similarity of each recommended item to the current one; ``-1`` for the current.

    The reference code divides ``<a, s>`` by ``||a||^2 ||s||^2``; catalogue rows have unit norm,
    so that is the cosine, computed here as the dot product.

    Args:
        features: Catalogue features ``[n_items, n_features]`` with unit-norm rows.
        current: Current item per scenario ``[B]``.
        items: Recommended items ``[B, k]``.

    Returns:
        ``[B, k]`` similarities in ``[-1, 1]``.
    """
    state = features[current]  # [B, F]
    sim = (features[items] * state.unsqueeze(1)).sum(dim=2)
    return torch.where(items == current.unsqueeze(1), -1.0, sim)


def sigmoid_choice_probabilities(sim: Tensor, weight: float) -> Tensor:
    """The reference code's choice model: slot ``i`` with ``ybar * y_i / sum_j y_j``.

    ``y_i = sigmoid(weight * sim_i)`` and ``ybar`` is their mean, so slot ``i`` is taken with
    probability ``y_i / k`` and the outside option with ``1 - ybar`` (for ``k = 1``: accept with
    ``y``).

    Returns:
        ``[B, k + 1]`` probabilities (rows sum to 1).
    """
    y = torch.sigmoid(weight * sim)
    k = sim.shape[1]
    slots = y / k
    return torch.cat([slots, 1.0 - slots.sum(dim=1, keepdim=True)], dim=1)


def mnl_utilities(
    sim: Tensor, prices: Tensor, weight: float, price_sensitivity: float, outside_utility: float
) -> Tensor:
    """Deterministic MNL utilities ``[B, k + 1]``: ``weight sim_i - beta p_i``, then ``u_0``."""
    slots = weight * sim - price_sensitivity * prices
    outside = torch.full_like(slots[:, :1], outside_utility)
    return torch.cat([slots, outside], dim=1)


def mnl_choice_probabilities(utilities: Tensor) -> Tensor:
    """Multinomial-logit probabilities: the softmax of the deterministic utilities."""
    return torch.softmax(utilities, dim=1)


def sample_mnl_choice(utilities: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The option of highest utility after adding i.i.d. standard Gumbel noise to each.

    This is the random-utility model itself; its choice frequencies equal
    :func:`mnl_choice_probabilities` (the Gumbel-max property), which the tests check.

    Returns:
        ``int64 [B]`` option index, ``k`` meaning the outside option.
    """
    exponential = torch.empty_like(utilities).exponential_(1.0, generator=generator)
    gumbel = -torch.log(exponential.clamp_min(torch.finfo(utilities.dtype).tiny))
    return torch.argmax(utilities + gumbel, dim=1)


def sample_from_probabilities(probs: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """One option per row of ``probs`` ``[B, k + 1]`` by inverting the cumulative sum.

    Returns:
        ``int64 [B]`` option index, ``k`` meaning the outside option.
    """
    u = torch.rand(probs.shape[0], 1, generator=generator, device=probs.device, dtype=probs.dtype)
    cumulative = probs[:, :-1].cumsum(dim=1)
    return (cumulative <= u).sum(dim=1)

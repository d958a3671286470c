"""Observation layout and the mean-demand normalisation of the inventory env (spec §5, §8.4).

Observation of one scenario (flat), in this order, ``n`` items and ``L`` the lead time:

====================  ===============  ==================================================
name                  size             content
====================  ===============  ==================================================
``on_hand``           ``n``            on-hand inventory (negative = backlog)
``pipeline``          ``n·(L-1)``      outstanding orders, the next to arrive first
``mean``              ``n``            per-item Poisson mean ``μ_i``
``shortage``          ``n``            per-item shortage cost ``p_i``
``holding``           ``n``            per-item holding cost ``h_i``
``mean_demand``       ``1``            EWMA of observed mean demand ``m_t`` (normalised only)
``fixed_cost_ratio``  ``1``            ``K / m_t`` (normalised only)
====================  ===============  ==================================================

With ``normalize_by_mean_demand`` the quantity features (``on_hand``, ``pipeline``, ``mean``) are
divided by ``m_t``. ``m_0`` is the mean over items and the ``past_periods`` history of the
scenario; after period ``t``'s demand ``D_t``, ``m_{t+1} = β m_t + (1 - β) mean_i D_{t,i}``. The
estimate depends on demands only, so no gradient flows through it.

:func:`observation_features` declares what these entries are (for HPO's declared input map):
``mean``, ``shortage`` and ``holding`` are per-instance constants; ``on_hand`` and ``pipeline``
are quantities in units of mean demand (already divided by ``m_t`` when normalised, divided by
the instance's mean demand ``m̄ = mean_i μ_i`` otherwise); ``mean_demand`` is a scalar of size
``m̄`` and ``fixed_cost_ratio`` one of size ``K / m̄``, so both enter the network as O(1).
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.observation_features import ObservationFeature, ObservationFeatures


def observation_layout(n_items: int, lead_time: int, normalized: bool) -> dict[str, slice]:
    """Where each feature sits in the flat observation (see the module docstring)."""
    sizes = {
        "on_hand": n_items,
        "pipeline": n_items * max(lead_time - 1, 0),
        "mean": n_items,
        "shortage": n_items,
        "holding": n_items,
    }
    if normalized:
        sizes.update(mean_demand=1, fixed_cost_ratio=1)
    layout: dict[str, slice] = {}
    start = 0
    for name, size in sizes.items():
        layout[name] = slice(start, start + size)
        start += size
    return layout


def observation_features(
    layout: dict[str, slice], mean_demand: float, fixed_cost: float
) -> ObservationFeatures:
    """The declaration of the observation laid out as ``layout`` (see the module docstring).

    Args:
        layout: :func:`observation_layout` of the env.
        mean_demand: The instance's mean demand per item ``m̄`` (> 0).
        fixed_cost: The joint fixed ordering cost ``K``.
    """
    normalized = "mean_demand" in layout
    unit = 1.0 if normalized else mean_demand
    features = [ObservationFeature.quantity("on_hand", layout["on_hand"], unit)]
    if layout["pipeline"].stop > layout["pipeline"].start:  # lead time > 1
        features.append(ObservationFeature.quantity("pipeline", layout["pipeline"], unit))
    features += [ObservationFeature.constant(k, layout[k]) for k in ("mean", "shortage", "holding")]
    if normalized:
        ratio = layout["fixed_cost_ratio"]
        features += [
            ObservationFeature.scalar("mean_demand", layout["mean_demand"], mean_demand),
            # K = 0 makes K / m_t identically 0: nothing to scale, nothing to learn from
            ObservationFeature.scalar("fixed_cost_ratio", ratio, fixed_cost / mean_demand)
            if fixed_cost > 0
            else ObservationFeature.constant("fixed_cost_ratio", ratio),
        ]
    return ObservationFeatures(features)


def mean_demand_path(demand: Tensor, past_periods: int, beta: float) -> Tensor:
    """The EWMA mean-demand estimate at every period boundary of an episode.

    Args:
        demand: Demand traces ``[past_periods + T, S, n]`` (period-major).
        past_periods: Number of history periods at the front (at least 1).
        beta: Smoothing factor.

    Returns:
        ``[T + 1, S]``: row ``t`` is ``m_t``, the estimate the observation of period ``t`` uses.
    """
    if past_periods < 1:
        raise ValueError(f"past_periods must be >= 1 to start the estimate, got {past_periods}")
    history = demand[:past_periods].double().mean(dim=(0, 2))  # [S]
    per_period = demand[past_periods:].double().mean(dim=2)  # [T, S]
    horizon = per_period.shape[0]
    t = torch.arange(horizon + 1, dtype=torch.float64, device=demand.device)
    s = torch.arange(horizon, dtype=torch.float64, device=demand.device)
    # Closed form of the recursion, one matmul instead of a loop over periods:
    # m_t = β^t m_0 + Σ_{s<t} (1-β) β^(t-1-s) d_s.
    lag = t[:, None] - 1.0 - s[None, :]
    weights = torch.where(lag >= 0, (1.0 - beta) * beta ** lag.clamp(min=0.0), 0.0)
    return (beta**t)[:, None] * history[None, :] + weights @ per_period


def mean_demand_path_of_counts(demand: Tensor, past_periods: int, beta: float) -> Tensor:
    """:func:`mean_demand_path` of integer-valued demand (fresh Poisson draws), faster.

    The items of each period are summed in ``demand``'s dtype (one matrix-vector product,
    exact for integer counts below ``2**24`` even in ``float32``), and the estimate follows
    its recursion ``m_{t+1} = β m_t + (1 - β) d_t`` in ``float64``: ``O(T·S)`` work against
    the closed form's ``O(T²·S)`` matrix product, the same values up to ``float64`` rounding
    (the same ``float32`` values in practice). Non-integer demand must use
    :func:`mean_demand_path`, which averages in ``float64``.

    Args:
        demand: Integer-valued demand traces ``[past_periods + T, S, n]`` (period-major).
        past_periods: Number of history periods at the front (at least 1).
        beta: Smoothing factor.

    Returns:
        ``[T + 1, S]`` (``float64``): row ``t`` is ``m_t``.
    """
    if past_periods < 1:
        raise ValueError(f"past_periods must be >= 1 to start the estimate, got {past_periods}")
    periods, scenarios, n = demand.shape
    ones = torch.ones(n, dtype=demand.dtype, device=demand.device)
    totals = torch.mv(demand.reshape(-1, n), ones).view(periods, scenarios)  # exact counts
    path = torch.empty(
        periods - past_periods + 1, scenarios, dtype=torch.float64, device=demand.device
    )
    torch.sum(totals[:past_periods], dim=0, dtype=torch.float64, out=path[0])
    path[0].div_(past_periods * n)
    path[1:].copy_(totals[past_periods:]).mul_((1.0 - beta) / n)  # (1 - β) d_t
    for t in range(periods - past_periods):
        path[t + 1].add_(path[t], alpha=beta)  # m_{t+1} = (1 - β) d_t + β m_t
    return path

"""Finite-horizon Riccati recursions for switched LQR (``float64``, batched over matrices).

Cost is charged on the pre-transition state for ``t = 0 .. T-1`` and nothing after, so the
cost-to-go of a fixed mode sequence from step ``t`` is ``x_tᵀ P_t x_t`` with ``P_T = 0`` and

``P_t = ρ_m(P_{t+1}) = Q_m + A_mᵀ P A_m - A_mᵀ P B_m (R_m + B_mᵀ P B_m)⁻¹ B_mᵀ P A_m``,

achieved by ``u_t = -K_m(P_{t+1}) x_t`` with ``K_m(P) = (R_m + B_mᵀ P B_m)⁻¹ B_mᵀ P A_m``.
Without process noise the optimal switched cost from ``x`` is the minimum of ``xᵀ P x`` over the
matrices of every mode sequence, which :func:`mode_sequence_values` enumerates for small cases.
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.lqr.systems import SwitchedLinearSystem


def riccati_map(P: Tensor, A: Tensor, B: Tensor, Q: Tensor, R: Tensor) -> tuple[Tensor, Tensor]:
    """One backward Riccati step for a batch of value matrices.

    Args:
        P: Next-step value matrices ``[k, n, n]``.
        A: The mode's state matrix ``[n, n]``.
        B: The mode's input matrix ``[n, m]``.
        Q: The mode's state cost ``[n, n]``.
        R: The mode's control cost ``[m, m]``.

    Returns:
        ``(ρ(P) [k, n, n], K(P) [k, m, n])``.
    """
    PA = P @ A
    PB = P @ B
    gain = torch.linalg.solve(R + B.T @ PB, PB.transpose(-1, -2) @ A)
    value = Q + A.T @ PA - (A.T @ PB) @ gain
    return (value + value.transpose(-1, -2)) / 2.0, gain


def all_mode_riccati(system: SwitchedLinearSystem, P: Tensor) -> tuple[Tensor, Tensor]:
    """:func:`riccati_map` of every mode: ``(ρ [M, k, n, n], K [M, k, m, n])``."""
    values, gains = [], []
    for m in range(system.n_modes):
        value, gain = riccati_map(P, system.A[m], system.B[m], system.Q[m], system.R[m])
        values.append(value)
        gains.append(gain)
    return torch.stack(values), torch.stack(gains)


def fixed_mode_riccati(
    system: SwitchedLinearSystem, mode: int, horizon: int
) -> tuple[Tensor, Tensor]:
    """Value matrices and gains of always using ``mode``.

    Returns:
        ``(P [T + 1, n, n], K [T, m, n])``: ``x_tᵀ P_t x_t`` is the optimal cost-to-go from
        step ``t`` in that mode and ``u_t = -K_t x_t`` attains it. With ``M = 1`` this is the
        exact finite-horizon optimum.
    """
    if not 0 <= mode < system.n_modes:
        raise ValueError(f"mode must be in [0, {system.n_modes}), got {mode}")
    n = system.state_dim
    values = [torch.zeros(1, n, n, dtype=torch.float64)]
    gains = []
    for _ in range(horizon):
        A, B, Q, R = system.A[mode], system.B[mode], system.Q[mode], system.R[mode]
        value, gain = riccati_map(values[-1], A, B, Q, R)
        values.append(value)
        gains.append(gain)
    return torch.cat(values[::-1]), torch.cat(gains[::-1])


def mode_sequence_values(
    system: SwitchedLinearSystem, horizon: int, max_sequences: int = 1 << 22
) -> Tensor:
    """``P_0`` of every mode sequence of length ``horizon``: ``[M^T, n, n]``.

    ``min_j x0ᵀ P_j x0`` is then the exact optimal switched cost from ``x0`` (no noise; state
    clipping ignored). Exponential in ``T``: refuses more than ``max_sequences`` sequences.
    """
    count = system.n_modes**horizon
    if count > max_sequences:
        raise ValueError(
            f"enumerating {system.n_modes}^{horizon} = {count} mode sequences exceeds "
            f"max_sequences={max_sequences}"
        )
    n = system.state_dim
    values = torch.zeros(1, n, n, dtype=torch.float64)
    for _ in range(horizon):
        values = all_mode_riccati(system, values)[0].reshape(-1, n, n)
    return values


def min_quadratic(x: Tensor, matrices: Tensor, max_elements: int = 1 << 25) -> Tensor:
    """``min_j x_bᵀ M_j x_b`` for every row of ``x [B, n]`` (``float64``, chunked).

    Uses ``xᵀ M x = vec(x xᵀ) · vec(M)``: one matrix product per chunk of matrices, with at most
    ``max_elements`` entries in the ``[B, chunk]`` block of values.
    """
    xd = x.double()
    outer = (xd[:, :, None] * xd[:, None, :]).reshape(x.shape[0], -1)
    flat = matrices.reshape(matrices.shape[0], -1).to(xd)
    chunk = max(1, max_elements // max(x.shape[0], 1))
    best = torch.full((x.shape[0],), torch.inf, dtype=torch.float64, device=x.device)
    for start in range(0, flat.shape[0], chunk):
        values = outer @ flat[start : start + chunk].T
        best = torch.minimum(best, values.min(dim=1).values)
    return best

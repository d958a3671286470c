"""Switched linear systems: the spec's random generator and the hand-specified 2-D example."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.families.lqr.config import SwitchedLQRConfig


@dataclass(frozen=True)
class SwitchedLinearSystem:
    """Per-mode matrices of ``x' = A_m x + B_m u`` with cost ``xᵀ Q_m x + uᵀ R_m u``.

    All tensors are ``float64`` on the CPU.

    Attributes:
        A: ``[M, n, n]`` state matrices.
        B: ``[M, n, m]`` input matrices.
        Q: ``[M, n, n]`` state cost matrices (symmetric, positive semi-definite).
        R: ``[M, m, m]`` control cost matrices (symmetric, positive definite).
    """

    A: Tensor
    B: Tensor
    Q: Tensor
    R: Tensor

    def __post_init__(self) -> None:
        modes, n, _ = self.A.shape
        m = self.B.shape[-1]
        expected = {"A": (modes, n, n), "B": (modes, n, m), "Q": (modes, n, n), "R": (modes, m, m)}
        for name, shape in expected.items():
            value = getattr(self, name)
            if tuple(value.shape) != shape:
                raise ValueError(
                    f"SwitchedLinearSystem.{name} must have shape {list(shape)}, "
                    f"got {list(value.shape)}"
                )
            if not bool(torch.isfinite(value).all()):
                raise ValueError(f"SwitchedLinearSystem.{name} must be finite")

    @property
    def n_modes(self) -> int:
        """Number of modes ``M``."""
        return int(self.A.shape[0])

    @property
    def state_dim(self) -> int:
        """State dimension ``n``."""
        return int(self.A.shape[1])

    @property
    def control_dim(self) -> int:
        """Control dimension ``m``."""
        return int(self.B.shape[2])


def generate_switched_lqr_matrices(
    n: int,
    n_modes: int,
    *,
    lambda_u: float = 0.1,
    seed: int = 0,
    instability: float = 1.10,
    coupling: float = 0.05,
    b_high: float = 1.0,
    b_low: float = 0.15,
) -> SwitchedLinearSystem:
    """The spec's generator (§9.2).

    ``N`` is standard normal from ``numpy.random.default_rng(seed)`` (the reference code's
    stream), symmetrised and divided by its largest absolute entry; every mode shares
    ``A = instability·I + coupling·N``. The coordinates are split into ``n_modes`` contiguous
    groups (``numpy.array_split``: larger groups first); ``B_m`` is diagonal with ``b_high`` on
    mode ``m``'s group and ``b_low`` elsewhere; ``Q_m = I`` and ``R_m = lambda_u·I``.
    """
    noise = np.random.default_rng(seed).standard_normal((n, n))
    noise = (noise + noise.T) / 2.0
    largest = np.abs(noise).max()
    if largest > 0:
        noise = noise / largest
    a = instability * np.eye(n) + coupling * noise
    b = np.stack([np.eye(n) * b_low for _ in range(n_modes)])
    for mode, group in enumerate(np.array_split(np.arange(n), n_modes)):
        b[mode, group, group] = b_high
    as_tensor = torch.as_tensor
    return SwitchedLinearSystem(
        A=as_tensor(np.repeat(a[None], n_modes, axis=0), dtype=torch.float64),
        B=as_tensor(b, dtype=torch.float64),
        Q=torch.eye(n, dtype=torch.float64).expand(n_modes, n, n).clone(),
        R=(lambda_u * torch.eye(n, dtype=torch.float64)).expand(n_modes, n, n).clone(),
    )


def paper_2d_system() -> SwitchedLinearSystem:
    """The classic two-mode example (Zhang, Hu and Abate), spec §9.5: scalar control.

    ``A_1 = [[2, 1], [0, 1]]``, ``A_2 = [[2, 1], [0, 0.5]]``, ``B_1 = [1, 1]ᵀ``,
    ``B_2 = [1, 2]ᵀ``, ``Q = I``, ``R = 1``.
    """
    return SwitchedLinearSystem(
        A=torch.tensor([[[2.0, 1.0], [0.0, 1.0]], [[2.0, 1.0], [0.0, 0.5]]], dtype=torch.float64),
        B=torch.tensor([[[1.0], [1.0]], [[1.0], [2.0]]], dtype=torch.float64),
        Q=torch.eye(2, dtype=torch.float64).expand(2, 2, 2).clone(),
        R=torch.ones(2, 1, 1, dtype=torch.float64),
    )


def make_system(config: SwitchedLQRConfig) -> SwitchedLinearSystem:
    """The system ``config`` describes."""
    if config.system == "paper_2d":
        return paper_2d_system()
    return generate_switched_lqr_matrices(
        config.state_dim,
        config.n_modes,
        lambda_u=config.lambda_u,
        seed=config.matrix_seed,
        instability=config.instability,
        coupling=config.coupling,
        b_high=config.b_high,
        b_low=config.b_low,
    )

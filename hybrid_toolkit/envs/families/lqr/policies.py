"""Reference controllers for switched LQR, and how to evaluate any policy on a split.

All Riccati-based controllers share one rule. At step ``t`` a table of candidates
``(mode m, value matrix V, gain K)`` is known, where ``xᵀ V x`` is the exact cost-to-go of using
mode ``m`` now with gain ``K`` and then following one particular mode sequence optimally. The
controller picks the candidate with the smallest ``xᵀ V x`` and applies ``u = -K x``. Because a
candidate's tail stays available at ``t + 1``, re-choosing can only lower the cost: the
realised cost is at most ``min_c x0ᵀ V_c x0`` over the candidates at ``t = 0``.

* :meth:`SwitchedRiccatiPolicy.fixed_mode` — one candidate per step: the finite-horizon
  Riccati controller of one mode. **Optimal when M = 1** (exact finite-horizon LQR).
* :meth:`SwitchedRiccatiPolicy.lookahead` — candidates ``(m now, then mode j forever)`` for all
  ``m, j``: one-step lookahead over the per-mode value functions. A heuristic whose cost is at
  most that of the best fixed mode.
* :meth:`SwitchedRiccatiPolicy.value_set` — dynamic programming over sets of value matrices
  (the switched-LQR value function is ``min_P xᵀ P x`` over the matrices of all mode
  sequences), pruned to the matrices that are minimal in some direction of a finite direction
  set. Exact when nothing needed is pruned: for the 2-D example the direction set is a fine grid
  of the circle and the result matches full enumeration (see the docs). In higher dimensions
  the directions are random samples and the controller is a heuristic (never worse than the
  best fixed mode, whose chains are always kept).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.lqr.config import SwitchedLQRConfig
from hybrid_toolkit.envs.families.lqr.env import SwitchedLQREnv
from hybrid_toolkit.envs.families.lqr.riccati import all_mode_riccati, fixed_mode_riccati
from hybrid_toolkit.envs.families.lqr.scenarios import Split, initial_states
from hybrid_toolkit.envs.families.lqr.systems import SwitchedLinearSystem
from hybrid_toolkit.spaces import HybridAction

LQRPolicy = Callable[[SwitchedLQREnv], HybridAction]
"""A policy reads the env's state (``env.state``, ``env.period``) and returns an action."""


@dataclass(frozen=True)
class Candidates:
    """The candidates of one step: ``values [C, n, n]``, ``gains [C, m, n]``, ``modes [C]``."""

    values: Tensor
    gains: Tensor
    modes: Tensor

    def to(self, device: torch.device, dtype: torch.dtype) -> Candidates:
        """The same candidates on ``device`` with floating ``dtype``."""
        return Candidates(
            self.values.to(device=device, dtype=dtype),
            self.gains.to(device=device, dtype=dtype),
            self.modes.to(device),
        )


def _quadratic_forms(x: Tensor, matrices: Tensor) -> Tensor:
    """``x_bᵀ M_c x_b`` as ``[B, C]`` through one matrix product (``vec(x xᵀ)·vec(M)``)."""
    outer = (x[:, :, None] * x[:, None, :]).reshape(x.shape[0], -1)
    return outer @ matrices.reshape(matrices.shape[0], -1).T


def _flatten(values: Tensor, gains: Tensor) -> Candidates:
    """``[M, k, ...]`` per-mode Riccati results as one candidate list (mode-major)."""
    modes, k = values.shape[:2]
    return Candidates(
        values.reshape(modes * k, *values.shape[2:]),
        gains.reshape(modes * k, *gains.shape[2:]),
        torch.arange(modes).repeat_interleave(k),
    )


def default_directions(n: int, count: int = 4096, seed: int = 0) -> Tensor:
    """Directions for pruning value sets: a uniform half-circle grid for ``n = 2``, random
    unit vectors (seeded) otherwise, ``[count, n]`` (``float64``)."""
    if n == 1:
        return torch.ones(1, 1, dtype=torch.float64)
    if n == 2:
        angle = torch.arange(count, dtype=torch.float64) * (math.pi / count)
        return torch.stack([angle.cos(), angle.sin()], dim=1)
    generator = torch.Generator().manual_seed(seed)
    draws = torch.randn(count, n, generator=generator, dtype=torch.float64)
    return draws / draws.norm(dim=1, keepdim=True)


class SwitchedRiccatiPolicy:
    """Pick the candidate with the lowest ``xᵀ V x`` and apply ``u = -K x`` (module docstring).

    Build it with :meth:`fixed_mode`, :meth:`lookahead` or :meth:`value_set`.

    Args:
        tables: One :class:`Candidates` per step ``t = 0 .. T-1`` (``float64``).
        name: Label used in reports.
    """

    def __init__(self, tables: list[Candidates], name: str) -> None:
        self.tables = tables
        self.name = name
        self._cache: dict[tuple[torch.device, torch.dtype], list[Candidates]] = {}

    @classmethod
    def fixed_mode(
        cls, system: SwitchedLinearSystem, mode: int, horizon: int
    ) -> SwitchedRiccatiPolicy:
        """Always use ``mode`` with its finite-horizon Riccati gains."""
        values, gains = fixed_mode_riccati(system, mode, horizon)
        modes = torch.tensor([mode])
        tables = [Candidates(values[t][None], gains[t][None], modes) for t in range(horizon)]
        return cls(tables, f"riccati(mode={mode})")

    @classmethod
    def lookahead(cls, system: SwitchedLinearSystem, horizon: int) -> SwitchedRiccatiPolicy:
        """Choose the mode for this step assuming some fixed mode afterwards (``M²`` candidates)."""
        tails = torch.stack(
            [fixed_mode_riccati(system, j, horizon)[0] for j in range(system.n_modes)], dim=1
        )  # [T + 1, M, n, n]
        tables = [_flatten(*all_mode_riccati(system, tails[t + 1])) for t in range(horizon)]
        return cls(tables, "lookahead")

    @classmethod
    def value_set(
        cls,
        system: SwitchedLinearSystem,
        horizon: int,
        directions: Tensor | None = None,
        max_size: int = 128,
    ) -> SwitchedRiccatiPolicy:
        """Dynamic programming over pruned sets of value matrices.

        Args:
            system: The switched system.
            horizon: Episode length ``T``.
            directions: Unit vectors ``[N, n]``; a matrix survives pruning if it is the minimum
                in at least one of them. Default: :func:`default_directions`.
            max_size: Most matrices kept per step (the most often minimal ones, plus every
                fixed-mode chain).
        """
        n, modes = system.state_dim, system.n_modes
        dirs = directions if directions is not None else default_directions(n)
        kept = torch.zeros(1, n, n, dtype=torch.float64)
        chain = [0] * modes  # index in `kept` of each fixed-mode value matrix
        tables: list[Candidates] = []
        for _ in range(horizon):
            candidates = _flatten(*all_mode_riccati(system, kept))
            tables.append(candidates)
            size = kept.shape[0]
            winners = _quadratic_forms(dirs, candidates.values).argmin(dim=1)
            counts = torch.bincount(winners, minlength=candidates.values.shape[0])
            order = torch.argsort(counts, descending=True, stable=True)
            frequent = order[:max_size][counts[order[:max_size]] > 0]
            chains = torch.tensor([j * size + chain[j] for j in range(modes)])
            keep = torch.unique(torch.cat([frequent, chains]))
            position = {int(c): i for i, c in enumerate(keep)}
            chain = [position[int(c)] for c in chains]
            kept = candidates.values[keep]
        return cls(tables[::-1], "value_set")

    @property
    def horizon(self) -> int:
        """Number of steps the policy has tables for."""
        return len(self.tables)

    def upper_bound(self, x0: Tensor) -> Tensor:
        """``min_c x0ᵀ V_c x0`` at ``t = 0``: the cost this policy cannot exceed from ``x0``."""
        return _quadratic_forms(x0.double(), self.tables[0].values).min(dim=1).values

    def act(self, x: Tensor, t: int) -> tuple[Tensor, Tensor]:
        """Modes ``[B]`` and controls ``[B, m]`` for states ``x [B, n]`` at step ``t``."""
        key = (x.device, x.dtype)
        if key not in self._cache:
            self._cache[key] = [table.to(x.device, x.dtype) for table in self.tables]
        table = self._cache[key][t]
        if table.modes.numel() == 1:
            return table.modes.expand(x.shape[0]), -(x @ table.gains[0].T)
        best = _quadratic_forms(x, table.values).argmin(dim=1)
        control = -(table.gains[best] @ x[:, :, None]).squeeze(-1)
        return table.modes[best], control

    def __call__(self, env: SwitchedLQREnv) -> HybridAction:
        if env.period >= self.horizon:
            raise ValueError(
                f"policy built for horizon {self.horizon}, env is at step {env.period}"
            )
        mode, control = self.act(env.state, env.period)
        return env.make_action(mode, control)


class RandomLQRPolicy:
    """Uniform mode and standard normal control (times ``scale``): the untrained baseline.

    Args:
        generator: Source of randomness (on the env's device).
        scale: Standard deviation of the controls.
    """

    def __init__(self, generator: torch.Generator, scale: float = 1.0) -> None:
        self.generator = generator
        self.scale = scale

    def __call__(self, env: SwitchedLQREnv) -> HybridAction:
        size = env.num_envs
        u = torch.rand(size, generator=self.generator, device=env.device)
        mode = (u * env.n_modes).long().clamp(max=env.n_modes - 1)
        control = torch.randn(
            size, env.control_dim, generator=self.generator, device=env.device, dtype=env.dtype
        )
        return env.make_action(mode, control * self.scale)


def rollout_costs(env: SwitchedLQREnv, policy: LQRPolicy) -> Tensor:
    """Run one episode from ``env.reset()`` without autograd; per-step costs ``[B, T]``."""
    costs = []
    with torch.no_grad():
        env.reset()
        for _ in range(env.horizon):
            costs.append(-env.step(policy(env)).reward)
    return torch.stack(costs, dim=1)


def evaluate_policy(
    policy: LQRPolicy,
    config: SwitchedLQRConfig | None = None,
    split: Split = "dev",
    device: torch.device | str = "cpu",
) -> float:
    """The reported metric of ``policy`` on the fixed scenarios of ``split``."""
    config = config if config is not None else SwitchedLQRConfig()
    x0 = initial_states(config, split)
    env = SwitchedLQREnv(config, num_envs=x0.shape[0], device=device, validate_actions=False)
    env.set_scenarios(x0)
    return float(env.reported_metric(rollout_costs(env, policy)))

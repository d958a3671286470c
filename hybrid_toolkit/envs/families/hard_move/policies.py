"""Reference policy of Hard Move: exact one-step lookahead over every actuator subset."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.hard_move.env import HardMoveEnv
from hybrid_toolkit.spaces import HybridAction

MAGNITUDES = (1.0, -1.0, 0.5, -0.5)
"""Magnitudes tried with every subset in ``per_choice`` mode (negative ones reverse it)."""
N_DIRECTIONS = 72
"""Aim directions tried in ``per_actuator`` mode (every 5 degrees)."""


class HardMoveGreedyPolicy:
    """Move to the position closest to the landmark reachable in one step.

    The dynamics are deterministic and linear, so the next position of every candidate action
    is exact. Candidates: in ``per_choice`` mode every joint choice with each of
    :data:`MAGNITUDES`; in ``per_actuator`` mode, for each of :data:`N_DIRECTIONS` aim
    directions ``u``, every actuator on with magnitude ``s * sign(d_i . u)`` for
    ``s`` in ``{1, 1/2}`` (the strongest push along ``u``). The candidate whose next position is
    nearest the landmark is taken; entering the target ends the episode, so the approach never
    overshoots.

    Args:
        env: The environment it controls (its state is read, never changed).
    """

    def __init__(self, env: HardMoveEnv) -> None:
        self.env = env
        self.candidates = self._candidates()
        """Every candidate action, ``[C, ...]``."""
        self._forces = env.force(self.candidates)  # [C, 2]

    def _candidates(self) -> HybridAction:
        env, cfg = self.env, self.env.config
        dev = env.device
        if cfg.parameters == "per_choice":
            n_choices = cfg.n_choices
            choices = torch.arange(n_choices, device=dev).repeat(len(MAGNITUDES))
            magnitudes = torch.tensor(MAGNITUDES, device=dev).repeat_interleave(n_choices)
            continuous = magnitudes.unsqueeze(1).expand(-1, n_choices)
            return HybridAction(choices.unsqueeze(1), continuous.to(torch.float32).contiguous())
        angles = torch.arange(N_DIRECTIONS, dtype=torch.float64, device=dev) * (
            2 * torch.pi / N_DIRECTIONS
        )
        aims = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
        signs = torch.sign(aims @ env.directions.T)  # [K, n]
        continuous = torch.cat([signs, 0.5 * signs]).to(torch.float32)
        count = continuous.shape[0]
        if cfg.discrete == "factored":
            discrete = torch.ones(count, cfg.n_actuators, dtype=torch.int64, device=dev)
        else:
            discrete = torch.full((count, 1), cfg.n_choices - 1, dtype=torch.int64, device=dev)
        return HybridAction(discrete, continuous)

    def __call__(self, obs: Tensor) -> HybridAction:
        """Actions for the env's current state (``obs`` only sets the batch)."""
        env, cfg = self.env, self.env.config
        drift = env.position + env.velocity * (1.0 - cfg.damping) * cfg.dt  # [B, 2]
        reach = self._forces * (cfg.dt * cfg.dt)  # [C, 2]
        gap = env.landmark - drift
        # |gap - reach|^2 = |gap|^2 - 2 gap.reach + |reach|^2: a [B, C] matrix product.
        score = (reach**2).sum(dim=1) - 2.0 * gap @ reach.T
        best = score.argmin(dim=1)
        return HybridAction(self.candidates.discrete[best], self.candidates.continuous[best])


def reachable_fraction(env: HardMoveEnv, seed: int) -> float:
    """Fraction of the first episodes (after ``env.reset(seed=seed)``) whose target can be
    reached within ``max_steps`` at all: an upper bound on any policy's success rate.

    From rest, full force along a straight line covers at most
    ``v_max dt sum_t (1 - (1 - damping)^t)`` in ``max_steps`` steps.
    """
    cfg = env.config
    env.reset(seed=seed)
    t = torch.arange(1, cfg.max_steps + 1, dtype=torch.float64)
    reach = float(cfg.max_speed * cfg.dt * (1 - (1 - cfg.damping) ** t).sum())
    return float((env.distance() <= reach + cfg.target_radius).double().mean())

"""`MazeEnv`: the batched maze of Chandak et al. (2019) as used by DNC and DGRL."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.maze.actuators import actuator_vectors, motion_normaliser
from hybrid_toolkit.envs.families.maze.config import MazeConfig
from hybrid_toolkit.envs.families.maze.geometry import (
    MazeGeometry,
    resolve_substeps,
    sample_free_positions,
)
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace

NOISE_SCALE = 1.0 / 1.415
"""Noise sub-steps move ``U[0, 1)^2 / 1.415 * step_unit`` (reference code; never negative)."""


class MazeEnv(HybridEnv):
    """A point agent in the unit square steered by a combination of actuators.

    Each step the chosen actuator vectors are summed and divided by the largest norm any
    action reaches, giving a motion of length at most 1. The step is ``n_substeps`` sub-steps
    of ``motion * step_unit`` (or ``motion * length / n_substeps`` in the hybrid maze); each
    sub-step is replaced by non-negative noise with probability ``noise_prob``. A sub-step into
    a wall or out of the square is blocked and ends the step; entering the goal ends the
    episode. Observations are the ``(x, y)`` position.

    Args:
        config: The maze configuration (defaults to the DGRL maze).
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action against the action space.
    """

    def __init__(
        self,
        config: MazeConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else MazeConfig()
        cfg = self.config
        table = actuator_vectors(cfg)
        self.normaliser = motion_normaliser(cfg, table)
        self.actuators = table.to(torch.float32).to(self.device)
        """``[n_actuators, 2]`` actuator vectors in action order (before normalising)."""
        self._unit_motion = (table / self.normaliser).to(torch.float32).to(self.device)
        self.geometry = MazeGeometry.for_layout(cfg.layout, self.device)
        self._n_passes = self.geometry.n_passes(cfg.n_substeps, cfg.step_unit)
        self.action_space = self._build_action_space(cfg)
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.position = torch.zeros(num_envs, 2, device=self.device)
        """``[B, 2]`` current positions (may be set directly, e.g. to test a transition)."""
        self.elapsed = torch.zeros(num_envs, dtype=torch.int64, device=self.device)
        """``[B]`` steps taken in the current episode."""

    @staticmethod
    def _build_action_space(cfg: MazeConfig) -> HybridSpace:
        if cfg.encoding == "slots":
            components = [
                DiscreteComponent(cfg.n_actuators, "ordinal", name=f"slot{k}")
                for k in range(cfg.n_slots)
            ]
        else:
            components = [
                DiscreteComponent(2, "ordinal", name=f"actuator{i}") for i in range(cfg.n_actuators)
            ]
        if not cfg.hybrid:
            return HybridSpace(components)
        return HybridSpace(
            components,
            low=[0.0],
            high=[cfg.max_step_length],
            continuous_names=["step_length"],
        )

    # ---------------------------------------------------------------- public helpers
    def motion(self, action: HybridAction) -> Tensor:
        """``[B, 2]`` direction of each action, scaled so the longest reachable motion is 1.

        The displacement of an unobstructed, noise-free step is this times
        ``max_step_length`` (or times the step length in the hybrid maze).
        """
        discrete = action.discrete.to(self.device)
        if self.config.encoding == "slots":
            return self._unit_motion[discrete].sum(dim=1)
        return discrete.to(torch.float32) @ self._unit_motion

    def substep_length(self, action: HybridAction) -> Tensor:
        """``[B, 1]`` length of a sub-step of unit motion: ``step_unit``, or ``length / S``.

        The hybrid step length is clipped to ``[0, max_step_length]`` as in the DGRL paper, so
        an unvalidated out-of-range length acts like the nearest bound.
        """
        cfg = self.config
        if not cfg.hybrid:
            return torch.full((action.batch_size, 1), cfg.step_unit, device=self.device)
        length = action.continuous.to(self.device)[:, :1].clamp(0.0, cfg.max_step_length)
        return length / cfg.n_substeps

    # ---------------------------------------------------------------- HybridEnv
    def _reset_envs(self, mask: Tensor) -> Tensor:
        if self.config.start == "eval":
            start = self.geometry.eval_start.expand(self.num_envs, 2)
        else:
            start = sample_free_positions(self.geometry, self.num_envs, self.generator)
        self.position = torch.where(mask[:, None], start, self.position)
        self.elapsed = torch.where(mask, 0, self.elapsed)
        return self.position.clone()

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg = self.config
        planned = self.motion(action)  # [B, 2] per sub-step
        planned = planned * (self.substep_length(action) if cfg.hybrid else cfg.step_unit)
        draws = torch.rand(
            self.num_envs, cfg.n_substeps, 3, generator=self.generator, device=self.device
        )
        noisy = draws[..., :1] < cfg.noise_prob
        noise = draws[..., 1:] * (NOISE_SCALE * cfg.step_unit)
        deltas = torch.where(noisy, noise, planned[:, None, :])
        outcome = resolve_substeps(self.geometry, self.position, deltas, self._n_passes)
        self.position = outcome.position
        self.elapsed = self.elapsed + 1
        reward = (
            cfg.step_reward
            + cfg.goal_reward * outcome.goal_reached.float()
            + cfg.teleport_reward * outcome.teleports.float()
            + cfg.collision_reward * outcome.collided.float()
        )
        terminated = outcome.goal_reached
        truncated = (self.elapsed >= cfg.max_steps) & ~terminated
        info = {
            "goal_reached": outcome.goal_reached,
            "collided": outcome.collided,
            "teleports": outcome.teleports,
        }
        return self.position.clone(), reward, terminated, truncated, info

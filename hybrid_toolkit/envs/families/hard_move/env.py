"""`HardMoveEnv`: a point mass pushed by any subset of n actuators towards a landmark."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.hard_move.config import HardMoveConfig
from hybrid_toolkit.envs.families.maze.actuators import direction_vectors, max_subset_norm
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace


def actuator_bits(n_actuators: int) -> Tensor:
    """``[2^n, n]`` float64: row ``k`` switches on actuator ``i`` when bit ``n - 1 - i`` of ``k``
    is set (actuator 0 is the most significant bit, as in both reference implementations)."""
    k = torch.arange(2**n_actuators).unsqueeze(1)
    shifts = torch.arange(n_actuators - 1, -1, -1)
    return ((k >> shifts) & 1).to(torch.float64)


def build_action_space(config: HardMoveConfig) -> HybridSpace:
    """The action space of a configuration (see :class:`HardMoveConfig`)."""
    n = config.n_actuators
    if config.discrete == "factored":
        components = [DiscreteComponent(2, "categorical", name=f"actuator{i}") for i in range(n)]
        activation = {i: [[], [i]] for i in range(n)}
        names = [f"magnitude{i}" for i in range(n)]
        return HybridSpace(
            components,
            low=[-1.0] * n,
            high=[1.0] * n,
            activation=activation,
            continuous_names=names,
        )
    if config.parameters == "per_choice":
        return HybridSpace.parameterized([1] * config.n_choices, low=-1.0, high=1.0, name="move")
    bits = actuator_bits(n)
    active = [[i for i in range(n) if bits[k, i] > 0] for k in range(config.n_choices)]
    return HybridSpace(
        [DiscreteComponent(config.n_choices, "categorical", name="move")],
        low=[-1.0] * n,
        high=[1.0] * n,
        activation={0: active},
        continuous_names=[f"magnitude{i}" for i in range(n)],
    )


class HardMoveEnv(HybridEnv):
    """Hard Move(n) (HyAR): steer a point mass into a target with ``2^n`` actuator subsets.

    ``n`` actuators point at evenly spaced angles (components rounded to 3 decimals as in the
    reference). A discrete action switches a subset on; their summed directions, divided by
    the largest norm any subset reaches, give a unit-bounded direction. The force is
    ``force_scale`` times that direction times the action's magnitude (``per_choice``: the
    chosen action's one parameter; ``per_actuator``: each active actuator scaled by its own
    parameter, divided by the largest norm signed subsets reach). MPE integration:
    ``v <- (1 - damping) v + F dt``, ``p <- p + v dt``.

    The reward is ``-d^2`` with ``d`` the distance to the landmark after the move, plus
    ``target_reward`` when ``d <= target_radius``; entering the target is a success and ends
    the episode (``terminate_on_target``); ``max_steps`` truncates it. ``info["success"]`` says
    whether the target has been reached in the episode so far. The observation is the
    reference's ``[velocity, landmark - agent]``; its bounds follow from the speed limit and
    the horizon, so they contain every reachable observation.

    Args:
        config: The configuration (defaults to HyAR's ``n = 4``).
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action against the action space.
    """

    def __init__(
        self,
        config: HardMoveConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else HardMoveConfig()
        cfg = self.config
        self.action_space = build_action_space(cfg)
        directions = direction_vectors(cfg.n_actuators, cfg.round_decimals)
        self.directions = directions.to(self.device)
        """``[n, 2]`` float64 actuator directions."""
        bits = actuator_bits(cfg.n_actuators)
        self.bits = bits.to(self.device)
        """``[2^n, n]`` which actuators each joint choice switches on."""
        self.motions = (bits @ directions / max_subset_norm(directions)).to(self.device)
        """``[2^n, 2]`` unit-bounded direction of each joint choice (the reference's table)."""
        self._signed_norm = max_subset_norm(torch.cat([directions, -directions]))
        limit_v = cfg.max_speed
        limit_p = 2 * cfg.start_range + cfg.max_steps * cfg.max_speed * cfg.dt
        high = np.array([limit_v, limit_v, limit_p, limit_p], dtype=np.float32)
        self.observation_space = gymnasium.spaces.Box(-high, high, dtype=np.float32)
        b, dev = num_envs, self.device
        self.position = torch.zeros(b, 2, dtype=torch.float64, device=dev)
        """``[B, 2]`` agent positions (float64; may be set directly)."""
        self.velocity = torch.zeros(b, 2, dtype=torch.float64, device=dev)
        """``[B, 2]`` agent velocities."""
        self.landmark = torch.zeros(b, 2, dtype=torch.float64, device=dev)
        """``[B, 2]`` target positions."""
        self.elapsed = torch.zeros(b, dtype=torch.int64, device=dev)
        """``[B]`` steps taken in the current episode."""
        self.reached = torch.zeros(b, dtype=torch.bool, device=dev)
        """``[B]`` whether the agent has been inside the target in the current episode."""

    # ---------------------------------------------------------------- dynamics
    def force(self, action: HybridAction) -> Tensor:
        """``[B, 2]`` float64 force of each action (magnitudes clipped to ``[-1, 1]``)."""
        cfg = self.config
        magnitude = action.continuous.to(self.device, torch.float64).clamp(-1.0, 1.0)
        discrete = action.discrete.to(self.device)
        if cfg.discrete == "factored":
            on = discrete.to(torch.float64)
        else:
            choice = discrete[:, 0]
            if cfg.parameters == "per_choice":
                m = magnitude.gather(1, choice.unsqueeze(1))
                return cfg.force_scale * m * self.motions[choice]
            on = self.bits[choice]
        return cfg.force_scale * ((on * magnitude) @ self.directions) / self._signed_norm

    def observe(self) -> Tensor:
        """``[B, 4]`` float32 ``[velocity, landmark - position]``."""
        return torch.cat([self.velocity, self.landmark - self.position], dim=1).to(torch.float32)

    def distance(self) -> Tensor:
        """``[B]`` float64 distance between agent and landmark."""
        return (self.landmark - self.position).norm(dim=1)

    # ---------------------------------------------------------------- HybridEnv
    def _reset_envs(self, mask: Tensor) -> Tensor:
        r = self.config.start_range
        draws = torch.rand(
            self.num_envs, 4, generator=self.generator, dtype=torch.float64, device=self.device
        )
        draws = (2.0 * draws - 1.0) * r
        rows = mask.unsqueeze(1)
        self.position = torch.where(rows, draws[:, :2], self.position)
        self.landmark = torch.where(rows, draws[:, 2:], self.landmark)
        self.velocity = torch.where(rows, 0.0, self.velocity)
        self.elapsed = torch.where(mask, 0, self.elapsed)
        self.reached = self.reached & ~mask
        return self.observe()

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg = self.config
        self.velocity = self.velocity * (1.0 - cfg.damping) + self.force(action) * cfg.dt
        self.position = self.position + self.velocity * cfg.dt
        self.elapsed = self.elapsed + 1
        dist2 = ((self.landmark - self.position) ** 2).sum(dim=1)
        inside = dist2 <= cfg.target_radius**2
        reward = -dist2 + cfg.target_reward * inside.to(torch.float64)
        terminated = inside if cfg.terminate_on_target else torch.zeros_like(inside)
        truncated = (self.elapsed >= cfg.max_steps) & ~terminated
        self.reached = self.reached | inside
        info = {"success": self.reached.clone(), "inside": inside}
        return self.observe(), reward.to(torch.float32), terminated, truncated, info

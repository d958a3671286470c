"""Reference policy of Goal and Hard Goal: a shot-or-dribble planner on simulated outcomes.

In Goal a shot from the start never beats the keeper (its catch radius covers the mouth from
14.5 m), so scoring needs one or more kick-to steps first. The planner simulates candidate
actions from the env's exact state: every candidate shot, and every candidate kick followed by
every candidate shot. It shoots when a shot scores often enough, otherwise it kicks where the
best follow-up shot scores most often (or, if none does, where the ball ends closest to the
goal without the episode ending).
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.goal import physics as ph
from hybrid_toolkit.envs.families.goal.env import GoalEnv
from hybrid_toolkit.spaces import HybridAction

SHOT_Y = tuple(-7.0 + 1.0 * i for i in range(15))
"""Candidate shot targets on the goal line (metres)."""
SHOT_FRAMES = 60
"""A simulated shot that has not scored within this many frames counts as a miss."""
KICK_FRAMES = 400
"""Frame cap of a simulated kick."""
KICK_X = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0)
"""Candidate kick-to ``x`` (with the reference kick-to the target is ``(x, x)``)."""
KICK_Y = (-10.0, -5.0, 0.0, 5.0, 10.0)
"""Candidate kick-to ``y`` when ``kick_to_target="xy"``."""


class GoalPlannerPolicy:
    """Plan one kick ahead with simulated shots; see the module docstring.

    Outcomes are estimated from ``samples`` simulations per candidate with the env's noise
    (from the planner's own generator; ``samples=0`` uses one noise-free simulation). The
    planner shoots when the best shot's estimated success reaches ``shoot_threshold`` or is
    at least that of the best kick-then-shoot plan.

    Args:
        env: The environment it controls (its state is read, never changed).
        samples: Noisy simulations per candidate (0: one noise-free simulation).
        shoot_threshold: Success estimate at which the planner shoots at once.
        seed: Seed of the planner's noise.
    """

    def __init__(
        self, env: GoalEnv, samples: int = 3, shoot_threshold: float = 0.75, seed: int = 0
    ) -> None:
        self.env = env
        self.samples = samples
        self.shoot_threshold = shoot_threshold
        self.generator = torch.Generator(device=env.device)
        self.generator.manual_seed(seed)
        dev = env.device
        self.shot_y, self.shot_choice = self._shots()
        kick_x = torch.tensor(KICK_X, dtype=torch.float64, device=dev)
        if env.config.kick_to_target == "reference":
            self.kicks = torch.stack([kick_x, kick_x], dim=1)
        else:
            grid_y = torch.tensor(KICK_Y, dtype=torch.float64, device=dev)
            self.kicks = torch.cartesian_prod(kick_x, grid_y)

    def _shots(self) -> tuple[Tensor, Tensor]:
        """Candidate shot targets the action space can express, and their shoot action.

        Each :data:`SHOT_Y` value is moved to the nearest value a shoot sub-range allows
        (Hard Goal's reference split leaves ``(-1.402, 1.402)`` out); duplicates are dropped.
        """
        bounds = self.env.config.shoot_bounds()
        chosen: dict[float, int] = {}
        for y in SHOT_Y:
            best = min(
                range(len(bounds)), key=lambda i: abs(min(max(y, bounds[i][0]), bounds[i][1]) - y)
            )
            lo, hi = bounds[best]
            chosen.setdefault(min(max(y, lo), hi), 1 + best)
        dev = self.env.device
        return (
            torch.tensor(list(chosen), dtype=torch.float64, device=dev),
            torch.tensor(list(chosen.values()), dtype=torch.int64, device=dev),
        )

    def _shot_success(self, state: ph.GoalState) -> Tensor:
        """``[B, n_shots]`` estimated probability that each candidate shot scores."""
        n, b = self.shot_y.numel(), state.batch_size
        k = max(self.samples, 1)
        aim_y = self.shot_y.repeat_interleave(k).repeat(b)
        aim = torch.stack([torch.full_like(aim_y, ph.HALF_LENGTH + ph.BALL.size), aim_y], dim=1)
        shot = torch.ones(b * n * k, dtype=torch.bool, device=self.env.device)
        noise = self.generator if self.samples > 0 else None
        _, reward, _, _ = self.env.simulate(
            state.repeat_interleave(n * k), aim, shot, noise, max_frames=SHOT_FRAMES
        )
        return (reward == 50.0).double().reshape(b, n, k).mean(dim=2)

    def plan(self, state: ph.GoalState) -> tuple[Tensor, Tensor, Tensor]:
        """``(shoot [B] bool, shot index [B], kick index [B])`` of the chosen action."""
        b, m = state.batch_size, self.kicks.shape[0]
        best_shot, shot_index = self._shot_success(state).max(dim=1)
        after, _, ended, _ = self.env.simulate(
            state.repeat_interleave(m),
            self.kicks.repeat(b, 1),
            torch.zeros(b * m, dtype=torch.bool, device=self.env.device),
            None,
            max_frames=KICK_FRAMES,
        )
        follow = self._shot_success(after).max(dim=1).values
        # A kick is worth its best follow-up shot; a small bonus for a ball nearer the goal
        # makes live kicks beat hopeless shots; a kick that ends the episode is worth -1.
        near = 1e-3 * (1.0 - ph.goal_distance(after.ball, True) / ph.PITCH_LENGTH)
        kick_value = torch.where(ended, -1.0, follow + near).reshape(b, m)
        best_kick_value, kick_index = kick_value.max(dim=1)
        shoot = (best_shot >= self.shoot_threshold) | (best_shot >= best_kick_value)
        return shoot, shot_index, kick_index

    def __call__(self, obs: Tensor) -> HybridAction:
        """The planner's actions for the env's current state (``obs`` only sets the batch)."""
        env = self.env
        shoot, shot_index, kick_index = self.plan(env.state)
        choice = torch.where(shoot, self.shot_choice[shot_index], 0)
        b = choice.numel()
        params = torch.zeros(
            b, env.action_space.n_continuous, dtype=torch.float64, device=env.device
        )
        params[:, :2] = self.kicks[kick_index]
        # Every shoot action gets the chosen y, clipped into its own range.
        low = env.scaling.native_space.low.to(params)[2:]
        high = env.scaling.native_space.high.to(params)[2:]
        y = self.shot_y[shot_index].unsqueeze(1)
        params[:, 2:] = torch.minimum(torch.maximum(y, low), high)
        return env.scaling.from_native(HybridAction(choice.unsqueeze(1), params))

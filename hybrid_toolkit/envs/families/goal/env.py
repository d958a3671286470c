"""`GoalEnv`: the batched robot-soccer Goal benchmark and its Hard Goal variant."""

from __future__ import annotations

import math
from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.goal import physics as ph
from hybrid_toolkit.envs.families.goal.config import GoalConfig
from hybrid_toolkit.envs.macro_step import run_frames
from hybrid_toolkit.envs.parameter_scaling import ParameterScaling
from hybrid_toolkit.spaces import HybridAction, HybridSpace

GOAL_REWARD = 50.0
"""Reward for scoring; a missed episode ends with minus the ball's distance to the goal."""
OBSERVATION_LIMIT = 2.0
"""The scaled observation is clipped to ``[-2, 2]`` (about 10 m outside the half pitch)."""

_HALF_Y = ph.PITCH_WIDTH / 2
_LOW = (0.0, -_HALF_Y, -1.0, -1.0, -math.pi) * 2 + (0.0, -_HALF_Y, -3.0, -3.0)
_HIGH = (ph.HALF_LENGTH, _HALF_Y, 1.0, 1.0, math.pi) * 2 + (ph.HALF_LENGTH, _HALF_Y, 3.0, 3.0)
_EXTRA_LOW = (-1.0, -1.0, -ph.GOAL_WIDTH / 2)
_EXTRA_HIGH = (1.0, 1.0, ph.GOAL_WIDTH / 2)
OBSERVATION_NAMES = (
    "player_x",
    "player_y",
    "player_vx",
    "player_vy",
    "player_angle",
    "keeper_x",
    "keeper_y",
    "keeper_vx",
    "keeper_vy",
    "keeper_angle",
    "ball_x",
    "ball_y",
    "ball_vx",
    "ball_vy",
    "ball_from_keeper_x",
    "ball_from_keeper_y",
    "keeper_goal_line_y",
)
"""Observed features; ``"basic"`` observations have the first 14."""


def native_action_space(config: GoalConfig) -> HybridSpace:
    """Kick-to ``(x, y)`` and the shoot actions' target ``y`` per sub-range, in metres."""
    shots = config.shoot_bounds() * 2
    low = [*ph.KICK_TO_PARAM_LOW, *(lo for lo, _ in shots)]
    high = [*ph.KICK_TO_PARAM_HIGH, *(hi for _, hi in shots)]
    k = config.n_shoot_ranges
    names = ["kick_to_x", "kick_to_y"]
    for side in ("left", "right"):
        names += [f"shoot_{side}_y" if k == 1 else f"shoot_{side}{i}_y" for i in range(k)]
    return HybridSpace.parameterized(
        [2] + [1] * (2 * k), low=low, high=high, name="action", continuous_names=names
    )


class GoalEnv(HybridEnv):
    """Goal: score past a keeper from the edge of the penalty area with kick-to and shots.

    One step is one macro-action (see :mod:`~hybrid_toolkit.envs.families.goal.physics`):
    ``kick_to(x, y)`` walks to the ball and kicks it so that it would stop at the target,
    continuing until the player can kick again and the ball has (nearly) stopped;
    ``shoot(y)`` kicks towards ``(20.4, y)`` on the goal line and continues until the episode
    ends. The episode terminates with reward ``+50`` when the ball enters the net
    (``info["success"]``), or with minus the ball's distance to the goal when the keeper catches
    it, it leaves the half pitch, or step ``max_steps`` is reached. Every other step pays 0.

    Hard Goal (``n_shoot_ranges=5``) splits each shoot action into parts of the goal mouth, so
    the agent must pick the part and the position within it.

    Observations are the reference's features scaled linearly so that the half pitch, the
    velocity limits and ``[-pi, pi]`` map to ``[-1, 1]`` (clipped to ``[-2, 2]``); orientations
    are wrapped into ``[-pi, pi)``. ``info["frames"]`` holds the frames of each macro step.

    Args:
        config: The configuration (defaults to Goal as published).
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action against the action space.
    """

    nominal_observation_bounds = (-1.0, 1.0)
    """Features are scaled to [-1, 1]; the [-2, 2] box only bounds the clipping."""

    def __init__(
        self,
        config: GoalConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else GoalConfig()
        cfg = self.config
        self.scaling = ParameterScaling(native_action_space(cfg), cfg.action_scale)
        self.action_space = self.scaling.action_space
        extended = cfg.observation == "extended"
        low = _LOW + (_EXTRA_LOW if extended else ())
        high = _HIGH + (_EXTRA_HIGH if extended else ())
        self._low = torch.tensor(low, dtype=torch.float64, device=self.device)
        self._high = torch.tensor(high, dtype=torch.float64, device=self.device)
        self.observation_space = gymnasium.spaces.Box(
            -OBSERVATION_LIMIT, OBSERVATION_LIMIT, shape=(len(low),), dtype=np.float32
        )
        # Shot targets: the goal line plus the ball's radius, at the chosen y.
        self._shot_x = ph.HALF_LENGTH + ph.BALL.size
        native = self.scaling.native_space
        self._param_low = native.low.to(self.device, torch.float64)
        self._param_high = native.high.to(self.device, torch.float64)
        self.state = self._start_states()
        """The simulator state (float64); may be set directly, e.g. to test a transition."""
        self.elapsed = torch.zeros(num_envs, dtype=torch.int64, device=self.device)
        """``[B]`` macro steps taken in the current episode."""

    # ---------------------------------------------------------------- observation
    def features(self, state: ph.GoalState) -> Tensor:
        """The unscaled features of ``state`` (float64 ``[B, 14]`` or ``[B, 17]``)."""
        parts = [
            state.player,
            state.player_v,
            ph.wrap(state.player_angle).unsqueeze(1),
            state.keeper,
            state.keeper_v,
            ph.wrap(state.keeper_angle).unsqueeze(1),
            state.ball,
            state.ball_v,
        ]
        if self.config.observation == "extended":
            gap = state.ball - state.keeper
            parts.append(gap / gap.norm(dim=1, keepdim=True).clamp_min(1e-12))
            parts.append(self._keeper_projection(state).unsqueeze(1))
        return torch.cat(parts, dim=1)

    @staticmethod
    def _keeper_projection(state: ph.GoalState) -> Tensor:
        """Where the ball-keeper line crosses the goal line, clipped to the mouth (MP-DQN)."""
        dx = state.keeper[:, 0] - state.ball[:, 0]
        dy = state.keeper[:, 1] - state.ball[:, 1]
        vertical = dx == 0
        grad = dy / torch.where(vertical, 1.0, dx)
        crossing = grad * ph.HALF_LENGTH + state.ball[:, 1] - grad * state.ball[:, 0]
        half = ph.GOAL_WIDTH / 2
        crossing = torch.where(vertical, torch.where(dy > 0, half, -half), crossing)
        return crossing.clamp(-half, half)

    def observe(self, state: ph.GoalState) -> Tensor:
        """The scaled, clipped float32 observation of ``state``."""
        scaled = 2.0 * (self.features(state) - self._low) / (self._high - self._low) - 1.0
        return scaled.clamp(-OBSERVATION_LIMIT, OBSERVATION_LIMIT).to(torch.float32)

    def unscale(self, obs: Tensor) -> Tensor:
        """Features (metres, radians) of observations ``[B, obs_dim]``, float64; the inverse of
        :meth:`observe` where no feature was clipped."""
        x = obs.to(self._low)
        return (x + 1.0) / 2.0 * (self._high - self._low) + self._low

    # ---------------------------------------------------------------- simulation
    def _start_states(self) -> ph.GoalState:
        b, dev = self.num_envs, self.device
        f64 = torch.float64
        y = (torch.rand(b, generator=self.generator, dtype=f64, device=dev) * 2 - 1) * (
            ph.PITCH_WIDTH / 2
        )
        player = torch.stack([torch.zeros_like(y), y], dim=1)
        goal_centre = torch.tensor([[ph.HALF_LENGTH, 0.0]], dtype=f64, device=dev)
        angle = ph.heading(player, goal_centre.expand(b, 2))
        # Just inside kicking distance, so the first action can always kick.
        ball = player + (ph.KICKABLE - 1e-12) * ph.unit(angle)
        keeper = ph.keeper_start(ball)
        zeros = torch.zeros(b, 2, dtype=f64, device=dev)
        return ph.GoalState(
            player, zeros, angle, keeper, zeros.clone(), ph.heading(keeper, ball), ball, zeros
        )

    def targets(self, action: HybridAction) -> tuple[Tensor, Tensor]:
        """``[B, 2]`` kick target of each action and ``[B]`` whether it is a shot."""
        cfg = self.config
        params = self.scaling.to_native(action.continuous)
        choice = action.discrete[:, 0]
        shot = choice > 0
        shot_y = params.gather(1, (choice + 1).clamp(max=params.shape[1] - 1).unsqueeze(1))
        kick_x = params[:, 0].clamp(ph.KICK_TO_PARAM_LOW[0], ph.KICK_TO_PARAM_HIGH[0])
        kick_y = params[:, 1].clamp(ph.KICK_TO_PARAM_LOW[1], ph.KICK_TO_PARAM_HIGH[1])
        kick = torch.stack([kick_x, kick_x if cfg.kick_to_target == "reference" else kick_y], 1)
        low, high = self._param_low[choice + 1], self._param_high[choice + 1]
        shot_y = torch.minimum(torch.maximum(shot_y.squeeze(1), low), high)
        aim = torch.stack([torch.full_like(shot_y, self._shot_x), shot_y], dim=1)
        return torch.where(shot.unsqueeze(1), aim, kick), shot

    def simulate(
        self,
        state: ph.GoalState,
        target: Tensor,
        shot: Tensor,
        generator: torch.Generator | None,
        active: Tensor | None = None,
        max_frames: int | None = None,
    ) -> tuple[ph.GoalState, Tensor, Tensor, Tensor]:
        """Play one macro-action from ``state`` (not modified) in every scenario.

        Args:
            state: Start state.
            target: ``[B, 2]`` kick target (shots: on the goal line).
            shot: ``[B]`` bool, the action is a shot (runs until the episode ends).
            generator: Noise source, or ``None`` for a noise-free simulation (planners).
            active: ``[B]`` bool, the scenarios to simulate (default all); the others keep
                their state.
            max_frames: Frame cap (default ``config.max_frames``); planners use a short one.

        Returns:
            ``(state, reward, terminal, frames)``; ``reward`` is 50 for a goal, minus the
            goal distance for another ending, else 0.
        """
        cfg = self.config
        b, dev = state.batch_size, self.device
        current = state
        reward = torch.zeros(b, dtype=torch.float64, device=dev)
        terminal = torch.zeros(b, dtype=torch.bool, device=dev)
        noisy = generator is not None and cfg.noise_scale > 0
        catch_all = cfg.catch_probability >= 1.0

        def one_frame(active: Tensor) -> Tensor:
            nonlocal current, reward, terminal
            if noisy:
                u = torch.rand(b, 10, generator=generator, dtype=torch.float64, device=dev)
                draws = (2.0 * u[:, :9] - 1.0) * cfg.noise_scale
                catch_u = u[:, 9]
            else:
                draws = torch.zeros(b, 9, dtype=torch.float64, device=dev)
                catch_u = torch.zeros(b, dtype=torch.float64, device=dev)
            new = ph.player_acts(current, target, draws[:, :6])
            new = ph.move(ph.keeper_acts(new, draws[:, 6:]))
            new = ph.resolve_collisions(new)
            scored = ph.in_net(new.ball)
            caught = (new.keeper - new.ball).norm(dim=1) < ph.CATCHABLE
            if not catch_all:
                caught = caught & (catch_u <= cfg.catch_probability)
            ended = scored | caught | ~ph.in_field(new.ball)
            penalty = -ph.goal_distance(new.ball, cfg.symmetric_penalty)
            now = active & ended
            reward = torch.where(now, torch.where(scored, GOAL_REWARD, penalty), reward)
            terminal = terminal | now
            current = new.where(active, current)
            settled = ph.can_kick(current) & (current.ball_v.norm(dim=1) <= 0.1)
            return active & ~terminal & (shot | ~settled)

        if active is None:
            active = torch.ones(b, dtype=torch.bool, device=dev)
        frames, _ = run_frames(one_frame, active, max_frames or cfg.max_frames)
        return current, reward, terminal, frames

    # ---------------------------------------------------------------- HybridEnv
    def _reset_envs(self, mask: Tensor) -> Tensor:
        self.state = self._start_states().where(mask, self.state)
        self.elapsed = torch.where(mask, 0, self.elapsed)
        return self.observe(self.state)

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg = self.config
        self.elapsed = self.elapsed + 1
        timeout = self.elapsed >= cfg.max_steps
        target, shot = self.targets(action)
        # The last step ends the episode with the penalty, without simulating (reference).
        penalty = -ph.goal_distance(self.state.ball, cfg.symmetric_penalty)
        self.state, reward, terminal, frames = self.simulate(
            self.state, target, shot, self.generator, active=~timeout
        )
        reward = torch.where(timeout, penalty, reward)
        success = terminal & (reward == GOAL_REWARD)
        terminal = terminal | timeout
        truncated = torch.zeros_like(terminal)
        info = {"success": success, "frames": frames}
        return self.observe(self.state), reward.to(torch.float32), terminal, truncated, info

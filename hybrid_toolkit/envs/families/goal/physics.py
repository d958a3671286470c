"""Robot-soccer Goal physics as batched tensor operations (float64, branch-free).

Written from the published dynamics of Masson et al. (2016) in the MIT-licensed gym port
``cycraig/gym-goal`` (its constants follow the RoboCup soccer server manual; the code here is
our own). The half pitch is ``[0, 20] x [-15, 15]`` with the goal mouth ``|y| <= 7.01`` on the
line ``x = 20`` and the net ``2.44`` deep behind it. Three discs move with per-frame decay: the
player (radius 0.9), the keeper (0.9) and the ball (0.4). A frame is one soccer-server cycle.
"""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import Tensor

from hybrid_toolkit.envs.macro_step import TensorState

PITCH_LENGTH = 40.0
PITCH_WIDTH = 30.0
HALF_LENGTH = PITCH_LENGTH / 2
GOAL_WIDTH = 14.02
GOAL_DEPTH = 2.44
GOAL_AREA_LENGTH = 5.5
GOAL_AREA_WIDTH = 18.32
KICKABLE = 0.9 + 0.7
"""The player can kick the ball within this distance."""
CATCHABLE = 2.0
"""The keeper catches the ball within this distance."""
INERTIA_MOMENT = 5.0
KICK_TO_PARAM_LOW = (0.0, -PITCH_WIDTH / 2)
KICK_TO_PARAM_HIGH = (PITCH_LENGTH, PITCH_WIDTH / 2)
SHOOT_Y_LIMIT = GOAL_WIDTH / 2


@dataclasses.dataclass(frozen=True)
class Body:
    """Per-body constants: ``(power rate, noise, max acceleration, max speed, decay, size)``."""

    power_rate: float
    rand: float
    accel_max: float
    speed_max: float
    decay: float
    size: float


PLAYER = Body(0.006, 0.1, 1.0, 1.0, 0.4, 0.9)
BALL = Body(0.027, 0.05, 2.7, 2.7, 0.94, 0.4)
KEEPER = PLAYER
"""The keeper has the player's constants."""


@dataclasses.dataclass
class GoalState(TensorState):
    """Batched simulator state (float64). Positions and velocities are ``[B, 2]``."""

    player: Tensor
    player_v: Tensor
    player_angle: Tensor
    """``[B]`` player orientation (not wrapped, as in the reference)."""
    keeper: Tensor
    keeper_v: Tensor
    keeper_angle: Tensor
    """``[B]`` keeper orientation."""
    ball: Tensor
    ball_v: Tensor


def wrap(angle: Tensor) -> Tensor:
    """The angle in ``[-pi, pi)``."""
    return torch.remainder(angle + math.pi, 2 * math.pi) - math.pi


def heading(origin: Tensor, target: Tensor) -> Tensor:
    """``[B]`` angle of the vector from ``origin`` to ``target`` (both ``[B, 2]``)."""
    diff = target - origin
    return torch.atan2(diff[:, 1], diff[:, 0])


def unit(angle: Tensor) -> Tensor:
    """``[B, 2]`` unit vectors at ``angle``."""
    return torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)


def keeper_start(ball: Tensor) -> Tensor:
    """``[B, 2]`` where the keeper stands at the start: on the ball-to-goal-centre line, at the
    front of the goal area (the reference's keeper target)."""
    bx, by = ball[:, 0], ball[:, 1]
    grad = -by / (HALF_LENGTH - bx)
    yint = by - grad * bx
    front = HALF_LENGTH - GOAL_AREA_LENGTH
    side = torch.where(by < -GOAL_AREA_WIDTH / 2, -GOAL_AREA_WIDTH / 2, GOAL_AREA_WIDTH / 2)
    safe_grad = torch.where(grad == 0, 1.0, grad)
    xval = torch.where(bx < front, bx, (side - yint) / safe_grad)
    xval = xval.clamp(front, HALF_LENGTH)
    yval = (grad * xval + yint).clamp(-GOAL_AREA_WIDTH / 2, GOAL_AREA_WIDTH / 2)
    return torch.stack([xval, yval], dim=1)


def accelerate(velocity: Tensor, power: Tensor, angle: Tensor, body: Body, draws: Tensor) -> Tensor:
    """Apply ``power`` in direction ``angle`` with the soccer server's noise.

    The direction is scaled by ``1 + U(-rand, rand)``; a uniform vector noise of half-width
    ``rand * |v|`` is added; acceleration and velocity are clipped per component.

    Args:
        velocity: ``[B, 2]`` current velocity.
        power: ``[B]`` power.
        angle: ``[B]`` direction.
        body: The body's constants.
        draws: ``[B, 3]`` uniform draws in ``[-1, 1]`` (angle, noise x, noise y), already
            scaled by the env's ``noise_scale``.
    """
    theta = (1.0 + body.rand * draws[:, 0]) * angle
    spread = body.rand * velocity.norm(dim=1, keepdim=True)
    accel = (power * body.power_rate).unsqueeze(1) * unit(theta) + spread * draws[:, 1:]
    accel = accel.clamp(-body.accel_max, body.accel_max)
    return (velocity + accel).clamp(-body.speed_max, body.speed_max)


def kick_power(state: GoalState) -> Tensor:
    """``[B]`` kick efficiency: lower when the ball is off the player's heading or far away."""
    off = wrap(heading(state.player, state.ball) - state.player_angle).abs()
    dist = (state.ball - state.player).norm(dim=1)
    return 1.0 - 0.25 * off / math.pi - 0.25 * dist / KICKABLE


def can_kick(state: GoalState) -> Tensor:
    """``[B]`` bool: the ball is within kicking distance."""
    return (state.ball - state.player).norm(dim=1) <= KICKABLE


def player_acts(state: GoalState, target: Tensor, draws: Tensor) -> GoalState:
    """The player's part of a frame of ``kick_to(target)`` (shots are kicks to the net).

    Out of reach of the ball the player turns towards it (if it faces more than ``pi/8``
    away) or dashes forward with power 10. In reach it kicks the ball so that it would come to
    rest at ``target`` (``0.06 (target - player) - v_ball``), with the kick's efficiency.
    """
    reach = can_kick(state)
    to_ball = heading(state.player, state.ball)
    speed = state.player_v.norm(dim=1)
    facing = wrap(state.player_angle - to_ball).abs() < math.pi / 8
    turned = state.player_angle + wrap(to_ball - state.player_angle) / (1 + INERTIA_MOMENT * speed)
    dash = ~reach & facing
    player_v = accelerate(
        state.player_v, torch.full_like(speed, 10.0), state.player_angle, PLAYER, draws[:, 0:3]
    )
    wanted = (1.0 - BALL.decay) * (target - state.player) - state.ball_v
    efficiency = kick_power(state)
    power = (wanted.norm(dim=1) / (efficiency * BALL.power_rate)).clamp(-100.0, 100.0)
    power = power * efficiency
    kicked_v = accelerate(
        state.ball_v, power, torch.atan2(wanted[:, 1], wanted[:, 0]), BALL, draws[:, 3:6]
    )
    return dataclasses.replace(
        state,
        player_v=torch.where(dash.unsqueeze(1), player_v, state.player_v),
        player_angle=torch.where(~reach & ~facing, turned, state.player_angle),
        ball_v=torch.where(reach.unsqueeze(1), kicked_v, state.ball_v),
    )


def keeper_acts(state: GoalState, draws: Tensor) -> GoalState:
    """The keeper's part of a frame.

    It extrapolates where the ball will stop. If that is behind the goal line and the ball's
    line crosses it within the mouth (plus the catch radius), it runs with power 20 to the
    nearest point of the ball's line; otherwise it walks with power 8 towards the ball's
    resting point.
    """
    ball, ball_v = state.ball, state.ball_v
    rest = ball + ball_v / (1.0 - BALL.decay)
    moving_x = ball_v[:, 0] != 0
    grad = torch.where(moving_x, ball_v[:, 1] / torch.where(moving_x, ball_v[:, 0], 1.0), 0.0)
    yint = ball[:, 1] - grad * ball[:, 0]
    goal_y = grad * HALF_LENGTH + yint
    limit = GOAL_WIDTH / 2 + CATCHABLE
    intercept = (rest[:, 0] > HALF_LENGTH) & (goal_y.abs() <= limit) & (grad != 0)
    safe = torch.where(intercept, grad, 1.0)
    grad2 = -1.0 / safe
    yint2 = state.keeper[:, 1] - grad2 * state.keeper[:, 0]
    cross_x = (yint2 - yint) / (safe - grad2)
    cross = torch.stack([cross_x, safe * cross_x + yint], dim=1)
    target = torch.where(intercept.unsqueeze(1), cross, rest)
    power = torch.where(intercept, 20.0, 8.0)
    angle = heading(state.keeper, target)
    keeper_v = accelerate(state.keeper_v, power, angle, KEEPER, draws)
    return dataclasses.replace(state, keeper_v=keeper_v, keeper_angle=angle)


def move(state: GoalState) -> GoalState:
    """Positions advance by the velocities, which then decay."""
    return dataclasses.replace(
        state,
        player=state.player + state.player_v,
        player_v=state.player_v * PLAYER.decay,
        keeper=state.keeper + state.keeper_v,
        keeper_v=state.keeper_v * KEEPER.decay,
        ball=state.ball + state.ball_v,
        ball_v=state.ball_v * BALL.decay,
    )


def _separate(
    a: Tensor, a_v: Tensor, b: Tensor, b_v: Tensor, reach: float
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Push two overlapping discs apart along their centre line and reverse both velocities."""
    diff = b - a
    dist = diff.norm(dim=1, keepdim=True)
    hit = dist < reach
    direction = unit(torch.atan2(diff[:, 1], diff[:, 0]))
    shift = (reach - dist) / 2 * direction
    return (
        torch.where(hit, a - shift, a),
        torch.where(hit, -a_v, a_v),
        torch.where(hit, b + shift, b),
        torch.where(hit, -b_v, b_v),
    )


def resolve_collisions(state: GoalState) -> GoalState:
    """One pass over the pairs (player, keeper), (player, ball), (keeper, ball), in order."""
    p, pv, k, kv = _separate(
        state.player, state.player_v, state.keeper, state.keeper_v, PLAYER.size + KEEPER.size
    )
    p, pv, b, bv = _separate(p, pv, state.ball, state.ball_v, PLAYER.size + BALL.size)
    k, kv, b, bv = _separate(k, kv, b, bv, KEEPER.size + BALL.size)
    return dataclasses.replace(
        state, player=p, player_v=pv, keeper=k, keeper_v=kv, ball=b, ball_v=bv
    )


def in_net(ball: Tensor) -> Tensor:
    """``[B]`` bool: the ball is in the net (goal line included)."""
    x, y = ball[:, 0], ball[:, 1]
    return (x >= HALF_LENGTH) & (x <= HALF_LENGTH + GOAL_DEPTH) & (y.abs() <= GOAL_WIDTH / 2)


def in_field(ball: Tensor) -> Tensor:
    """``[B]`` bool: the ball is on the half pitch (boundary included)."""
    x, y = ball[:, 0], ball[:, 1]
    return (x >= 0) & (x <= HALF_LENGTH) & (y.abs() <= PITCH_WIDTH / 2)


def goal_distance(ball: Tensor, symmetric: bool) -> Tensor:
    """``[B]`` distance from the ball to the goal mouth (the terminal penalty).

    In front of the goal line: to the nearest point of the mouth. Behind it: how far the ball
    is outside the mouth's width. The reference computes ``7.01 - y`` behind the line below the
    goal (a sign slip; its mirror image above is ``y - 7.01``); ``symmetric=True`` uses
    ``|y| - 7.01`` on both sides.
    """
    x, y = ball[:, 0], ball[:, 1]
    half = GOAL_WIDTH / 2
    post_y = y.clamp(-half, half)
    front = torch.hypot(HALF_LENGTH - x, y - post_y)
    below = (-half - y) if symmetric else (half - y)
    behind = torch.where(y < -half, below, torch.where(y > half, y - half, torch.zeros_like(y)))
    return torch.where(x < HALF_LENGTH, front, behind)

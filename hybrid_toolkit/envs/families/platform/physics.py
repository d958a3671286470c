"""Platform physics as batched tensor operations (float64, branch-free).

Written from the published dynamics of Masson et al. (2016) in the MIT-licensed gym port
``cycraig/gym-platform`` (constants, frame order and macro-action rules are the same; the code is
our own). A frame is 0.05 s. The player (20 × 30) stands on one of three platforms 40 high, with
two gaps between them; an enemy (20 × 30) patrols each of the first two platforms. One macro
step runs frames until the action has played out: ``run`` lasts 20 frames, ``hop`` and ``leap``
last until the player lands again. The episode ends when the player touches an enemy, drops
below the platforms' top, or reaches the right end of the last platform.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from hybrid_toolkit.envs.macro_step import TensorState, run_frames

# Geometry: platforms at x = 0, 475, 985 (widths 250, 275, 50; gaps 225, 235), all 40 high.
PLATFORM_HEIGHT = 40.0
PLATFORM_X = (0.0, 475.0, 985.0)
PLATFORM_WIDTH = (250.0, 275.0, 50.0)
GAPS = (225.0, 235.0)
TOTAL_WIDTH = 1035.0
"""Right end of the last platform: reaching it ends the episode with return 1."""
SIZE_X, SIZE_Y = 20.0, 30.0
"""Player and enemy size."""

ENEMY_SPEED = 30.0
ENEMY_NOISE = 0.5
PLAYER_NOISE = 0.5
JUMP_NOISE = 1.0
"""Standard deviation of the (non-positive) noise on a jump's velocity (hop and leap)."""

DT = 0.05
MAX_DX, MAX_DY = 100.0, 200.0
MAX_DX_ON = 70.0
"""Horizontal speed limit while standing on a platform."""
MAX_DDX = (MAX_DX - MAX_DX_ON) / DT
MAX_DDY = MAX_DY / DT
VELOCITY_DECAY = 0.99
GRAVITY = 9.8
HOP_DY, LEAP_DY = 35.0, 25.0
"""Vertical take-off speed of hop and leap."""
RUN_FRAMES = 20
"""A run lasts 1 s."""

RUN, HOP, LEAP = 0, 1, 2
ACTION_NAMES = ("run", "hop", "leap")
PARAMETER_MAX = (30.0, 720.0, 430.0)
"""Upper bound of each action's parameter (all lower bounds are 0), from the reference."""


@dataclasses.dataclass
class PlatformState(TensorState):
    """Batched simulator state (float64): player position and velocity, both enemies."""

    x: Tensor
    """``[B]`` player's left edge."""
    y: Tensor
    """``[B]`` player's bottom edge (40 while standing)."""
    vx: Tensor
    """``[B]`` horizontal velocity."""
    vy: Tensor
    """``[B]`` vertical velocity."""
    enemy_x: Tensor
    """``[B, 2]`` left edge of the enemy on platform 1 and platform 2."""
    enemy_dx: Tensor
    """``[B, 2]`` enemy velocities."""

    @classmethod
    def initial(cls, batch_size: int, device: torch.device) -> PlatformState:
        """The start state: player at the left end, each enemy at its platform's right end."""
        z = torch.zeros(batch_size, dtype=torch.float64, device=device)
        right = torch.tensor(
            [PLATFORM_X[i] + PLATFORM_WIDTH[i] - SIZE_X for i in range(2)],
            dtype=torch.float64,
            device=device,
        )
        return cls(
            x=z.clone(),
            y=z + PLATFORM_HEIGHT,
            vx=z.clone(),
            vy=z.clone(),
            enemy_x=right.expand(batch_size, 2).clone(),
            enemy_dx=torch.full((batch_size, 2), -ENEMY_SPEED, dtype=torch.float64, device=device),
        )


class _Constants:
    """Geometry and limits as tensors on one device (built once per device, not per frame)."""

    def __init__(self, device: torch.device) -> None:
        def f64(values: list[float]) -> Tensor:
            return torch.tensor(values, dtype=torch.float64, device=device)

        self.platform_x = f64(list(PLATFORM_X))
        self.platform_right = f64([x + w for x, w in zip(PLATFORM_X, PLATFORM_WIDTH, strict=True)])
        self.patrol_left = self.platform_x[:2]
        self.patrol_right = self.platform_right[:2] - SIZE_X
        self.param_max = f64(list(PARAMETER_MAX))
        self.gravity = f64([0.0, -GRAVITY])
        self.accel_limit = f64([MAX_DDX, MAX_DDY])
        self.speed_low = f64([0.0, -MAX_DY])
        self.speed_high = f64([MAX_DX, MAX_DY])
        self.drag = f64([PLAYER_NOISE * DT, 0.0])
        self.abs_draws = torch.tensor([True, True, True, False], device=device)
        """Which noise draws enter as ``|N(0, 1)|`` (jump and drag) rather than ``N(0, 1)``."""


_CONSTANTS: dict[torch.device, _Constants] = {}


def _constants(device: torch.device) -> _Constants:
    if device not in _CONSTANTS:
        _CONSTANTS[device] = _Constants(device)
    return _CONSTANTS[device]


def on_platforms(x: Tensor, y: Tensor) -> Tensor:
    """``[B]`` bool: the player stands on a platform (exactly at its top, horizontally over it)."""
    c = _constants(x.device)
    xs = x.unsqueeze(1)
    over = ((xs >= c.platform_x - SIZE_X) & (xs <= c.platform_right)).any(dim=1)
    return over & (y == PLATFORM_HEIGHT)


def touches_enemy(state: PlatformState) -> Tensor:
    """``[B]`` bool: the player's box strictly overlaps either enemy's (both stand at 40)."""
    gap = (state.x.unsqueeze(1) - state.enemy_x).abs()
    height = PLATFORM_HEIGHT - SIZE_Y
    return (gap < SIZE_X).any(dim=1) & (state.y > height) & (state.y < height + 2 * SIZE_Y)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What a macro-action does while the player stands, computed once per macro step."""

    run: Tensor
    """``[B]`` bool: the action is ``run``."""
    standing_ax: Tensor
    """``[B]`` run acceleration ``param / dt`` (jumps: unused)."""
    jump_vx: Tensor
    """``[B]`` horizontal speed a jump aims at: ``param / (2 dy0 / g + 1)``."""
    jump_dy: Tensor
    """``[B]`` vertical take-off speed (hop 35, leap 25)."""

    @classmethod
    def of(cls, choice: Tensor, param: Tensor) -> _Plan:
        dy0 = torch.where(choice == HOP, HOP_DY, LEAP_DY).to(param.dtype)
        return cls(choice == RUN, param / DT, param / (2.0 * dy0 / GRAVITY + 1.0), dy0)


def _acceleration(state: PlatformState, plan: _Plan, on: Tensor, noise: Tensor) -> Tensor:
    """``[B, 2]`` acceleration of this frame: the action while standing, gravity in the air.

    A jump changes the horizontal speed by ``jump_vx - vx`` (at most ``MAX_DY - dy0``) and sets
    the vertical one to ``dy0``, both minus non-positive noise, in one frame.
    """
    dx0 = torch.minimum(plan.jump_vx - state.vx, MAX_DY - plan.jump_dy)
    jump = torch.stack([dx0, plan.jump_dy], dim=1) - noise[:, :2] * JUMP_NOISE
    standing = torch.where(
        plan.run.unsqueeze(1), torch.stack([plan.standing_ax, 0.0 * dx0], dim=1), jump / DT
    )
    return torch.where(on.unsqueeze(1), standing, _constants(dx0.device).gravity)


def _move_enemies(state: PlatformState, moving: Tensor, noise: Tensor) -> tuple[Tensor, Tensor]:
    """The enemy of the player's current platform patrols it (turning at its ends)."""
    c = _constants(state.x.device)
    ex, edx = state.enemy_x, state.enemy_dx
    inside = (c.patrol_left < ex) & (ex < c.patrol_right)
    new_dx = (torch.where(inside, edx, -edx) + noise * (ENEMY_NOISE * DT)).clamp(
        -ENEMY_SPEED, ENEMY_SPEED
    )
    new_x = torch.minimum(torch.maximum(ex + new_dx * DT, c.patrol_left), c.patrol_right)
    return torch.where(moving, new_x, ex), torch.where(moving, new_dx, edx)


def _resolve_platforms(
    x: Tensor, y: Tensor, vx: Tensor, vy: Tensor
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Push the player out of the platform it entered, along the shorter axis.

    The gaps are wider than the player, so it overlaps at most one platform (the reference
    checks them in turn). As in the reference, touching a platform stops the horizontal motion.
    """
    c = _constants(x.device)
    xs = x.unsqueeze(1)
    overlap = (xs > c.platform_x - SIZE_X) & (xs < c.platform_right)
    hit = overlap.any(dim=1) & (y > -SIZE_Y) & (y < PLATFORM_HEIGHT)
    left = (overlap * c.platform_x).sum(dim=1)
    right = (overlap * c.platform_right).sum(dim=1)
    new_x = torch.where(x < left, left - SIZE_X, torch.where(x > right - SIZE_X, right, x))
    new_y = torch.where(y < 0.0, -SIZE_Y, torch.where(y > PLATFORM_HEIGHT - SIZE_Y, 40.0, y))
    shift_x = (new_x != x) & ((new_y == y) | ((x - new_x).abs() < (y - new_y).abs()))
    shift_y = hit & ~shift_x
    shift_x = hit & shift_x
    return (
        torch.where(shift_x, new_x, x),
        torch.where(shift_y, new_y, y),
        torch.where(hit, 0.0, vx),
        torch.where(shift_y, 0.0, vy),
    )


def frame(
    state: PlatformState, plan: _Plan, noise: Tensor, on: Tensor
) -> tuple[PlatformState, Tensor]:
    """Advance every scenario one frame; returns the new state and ``terminal`` ``[B]``.

    Args:
        state: The current state.
        plan: The macro-action being played.
        noise: ``[B, 4]`` absolute standard normal draws (jump x, jump y, player drag, enemy),
            already scaled by the env's ``noise_scale``; the enemy's draw is signed.
        on: ``[B]`` bool, :func:`on_platforms` of ``state``.
    """
    c = _constants(state.x.device)
    accel = _acceleration(state, plan, on, noise)
    velocity = (
        torch.stack([state.vx, state.vy], dim=1) + accel.clamp(-c.accel_limit, c.accel_limit) * DT
    )
    velocity = velocity - noise[:, 2:3] * c.drag
    velocity = torch.minimum(torch.maximum(velocity, c.speed_low), c.speed_high)
    vx = torch.where(on, velocity[:, 0].clamp(max=MAX_DX_ON), velocity[:, 0])
    vy = velocity[:, 1]
    second = state.x > PLATFORM_X[1]
    enemy_x, enemy_dx = _move_enemies(state, torch.stack([~second, second], dim=1), noise[:, 3:4])
    x = (state.x + vx * DT).clamp(0.0, TOTAL_WIDTH)
    y = state.y + vy * DT
    x, y, vx, vy = _resolve_platforms(x, y, vx * VELOCITY_DECAY, vy)
    new = PlatformState(x, y, vx, vy, enemy_x, enemy_dx)
    terminal = (y < PLATFORM_HEIGHT) | (x >= TOTAL_WIDTH) | touches_enemy(new)
    return new, terminal


@dataclasses.dataclass(frozen=True)
class MacroOutcome:
    """Result of one macro step for every scenario."""

    state: PlatformState
    reward: Tensor
    """``[B]`` float64 horizontal progress divided by the total width."""
    terminal: Tensor
    """``[B]`` bool."""
    success: Tensor
    """``[B]`` bool: the player reached the right end."""
    frames: Tensor
    """``[B]`` int64 frames the macro-action took."""
    capped: Tensor
    """``[B]`` bool: stopped by the frame cap (never happens with the default cap)."""


def macro_step(
    state: PlatformState,
    choice: Tensor,
    param: Tensor,
    noise: torch.Generator | None,
    noise_scale: float,
    max_frames: int,
) -> MacroOutcome:
    """Play one macro-action in every scenario.

    Args:
        state: Start state (not modified).
        choice: ``[B]`` int64 chosen action.
        param: ``[B]`` float64 its parameter (clipped to its bounds here, as in the reference).
        noise: Generator of the frame noise, or ``None`` for a noise-free simulation.
        noise_scale: Multiplier of every noise term (``0`` is deterministic).
        max_frames: Frame cap of the macro step.
    """
    param = torch.minimum(param.clamp(min=0.0), _constants(param.device).param_max[choice])
    plan = _Plan.of(choice, param)
    b, dev = state.batch_size, param.device
    current = state
    terminal = torch.zeros(b, dtype=torch.bool, device=dev)
    frames_done = torch.zeros(b, dtype=torch.int64, device=dev)
    on = on_platforms(state.x, state.y)
    absolute = _constants(dev).abs_draws
    silent = noise is None or noise_scale == 0.0
    zeros = torch.zeros(b, 4, dtype=torch.float64, device=dev)

    def one_frame(active: Tensor) -> Tensor:
        nonlocal current, terminal, frames_done, on
        if silent:
            draws = zeros
        else:
            draws = torch.randn(b, 4, generator=noise, dtype=torch.float64, device=dev)
            draws = torch.where(absolute, draws.abs(), draws) * noise_scale
        new, ended = frame(current, plan, draws, on)
        current = new.where(active, current)
        on = torch.where(active, on_platforms(current.x, current.y), on)
        terminal = terminal | (active & ended)
        frames_done = frames_done + active.long()
        running = torch.where(plan.run, frames_done < RUN_FRAMES, ~on)
        return active & running & ~terminal

    frames, capped = run_frames(one_frame, torch.ones_like(terminal), max_frames)
    reward = (current.x - state.x) / TOTAL_WIDTH
    return MacroOutcome(
        current, reward, terminal, current.x >= TOTAL_WIDTH, frames, capped & ~terminal
    )

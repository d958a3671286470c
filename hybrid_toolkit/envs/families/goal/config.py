"""`GoalConfig`: the parameters of Goal and Hard Goal."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.envs.parameter_scaling import ActionScale
from hybrid_toolkit.utils.config_checks import check_field_types

KickToTarget = Literal["reference", "xy"]
ShootRanges = Literal["even", "reference"]
GoalObservation = Literal["extended", "basic"]


@dataclass(frozen=True)
class GoalConfig:
    """Configuration of Goal (Masson et al. 2016; gym port `cycraig/gym-goal`) and Hard Goal.

    The defaults are Goal as published; `HardGoal-v0` sets `n_shoot_ranges=5` and
    `shoot_ranges="reference"` (HyAR's Hard Goal). See `docs/envs/goal.md` for the reference
    quirks the defaults reproduce and the fields that turn them off.
    """

    n_shoot_ranges: int = 1
    """Sub-ranges each of the two shoot actions is split into: 1 is Goal (3 actions), 5 is Hard
    Goal (`1 + 2 * 5 = 11` actions, each shot restricted to its part of the goal mouth)."""
    shoot_ranges: ShootRanges = "even"
    """`"even"`: the mouth `[-7.01, 7.01]` split into equal parts. `"reference"` (only
    with 5 parts): HyAR's split, whose middle part is the single point `y = 1.402` (its table
    entry reads `[0.2, 0.2]` instead of `[-0.2, 0.2]` of the unit range)."""
    kick_to_target: KickToTarget = "reference"
    """`"reference"`: kick-to `(x, y)` aims at `(x, x)`, as in the original and gym code
    (they pass only the first parameter on; the published results were measured this way).
    `"xy"`: it aims at `(x, y)`."""
    symmetric_penalty: bool = False
    """False reproduces the reference's terminal penalty behind the goal line below the goal,
    `7.01 - y` (a sign slip); True uses `|y| - 7.01` on both sides."""
    observation: GoalObservation = "extended"
    """`"extended"`: the 14 state features plus MP-DQN's 3 (ball-minus-keeper direction and
    the keeper's projection on the goal line), as HyAR and MP-DQN train; `"basic"`: the 14."""
    action_scale: ActionScale = "native"
    """`"native"`: parameters in metres; `"unit"`: every parameter in `[-1, 1]`."""
    max_steps: int = 100
    """At this step the episode ends with the distance penalty and no simulation (a terminal
    state, as in the reference's `max_time`)."""
    catch_probability: float = 1.0
    """Probability that the keeper catches a ball within 2 m (per frame)."""
    noise_scale: float = 1.0
    """Multiplier of the soccer-server noise (direction and velocity); 0 is deterministic."""
    max_frames: int = 1000
    """Safety cap on the frames of one macro step (a kick takes tens to a few hundred)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        for name in ("n_shoot_ranges", "max_steps", "max_frames"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"GoalConfig.{name} must be an integer >= 1, got {value!r}")
        if self.shoot_ranges == "reference" and self.n_shoot_ranges != 5:
            raise ValueError(
                "GoalConfig.shoot_ranges='reference' is HyAR's 5-way split and needs "
                f"n_shoot_ranges=5, got n_shoot_ranges={self.n_shoot_ranges}"
            )
        if not 0.0 <= self.catch_probability <= 1.0:
            raise ValueError(
                f"GoalConfig.catch_probability must lie in [0, 1], got {self.catch_probability!r}"
            )
        if not (math.isfinite(self.noise_scale) and self.noise_scale >= 0):
            raise ValueError(
                f"GoalConfig.noise_scale must be a finite float >= 0, got {self.noise_scale!r}"
            )

    @property
    def n_actions(self) -> int:
        """Number of discrete actions: kick-to plus two shoot actions per sub-range."""
        return 1 + 2 * self.n_shoot_ranges

    def shoot_bounds(self) -> list[tuple[float, float]]:
        """`(low, high)` of the target `y` of each shoot sub-range, in metres."""
        half = 7.01
        k = self.n_shoot_ranges
        edges = [-half + 2 * half * i / k for i in range(k + 1)]
        bounds = [(edges[i], edges[i + 1]) for i in range(k)]
        if self.shoot_ranges == "reference":
            bounds[2] = (0.2 * half, 0.2 * half)
        return bounds

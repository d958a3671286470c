"""`HardMoveConfig`: the parameters of Hard Move(n)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

HardMoveParameters = Literal["per_choice", "per_actuator"]
HardMoveDiscrete = Literal["joint", "factored"]

MAX_ACTUATORS = 16
"""Largest ``n_actuators`` accepted: ``2^16`` joint choices is already far beyond Table 2."""
MAX_ACTUATORS_PER_CHOICE = 12
"""Largest ``n_actuators`` with ``parameters="per_choice"``: ``2^12`` parameters (the space's
choice-to-parameter table grows as ``4^n``)."""


@dataclass(frozen=True)
class HardMoveConfig:
    """Configuration of Hard Move(n) (HyAR, ICLR 2022; MPE-based reference scenario).

    The defaults are HyAR's `simple_move_4_direction_v1` with `n = 4`: one magnitude per
    discrete action, MPE point-mass physics, 30 steps, reward `-d^2` plus 20 inside the
    target, episode ends on entering it.
    """

    n_actuators: int = 4
    """Actuators evenly spaced over 360°; each is on or off, so there are `2^n` choices."""
    parameters: HardMoveParameters = "per_choice"
    """`"per_choice"` (HyAR's reference): one magnitude in `[-1, 1]` per discrete choice
    (`2^n` parameters, the chosen one active). `"per_actuator"` (DI-engine's convention):
    `n` magnitudes in `[-1, 1]`, one per actuator, active when the actuator is on."""
    discrete: HardMoveDiscrete = "joint"
    """`"joint"`: one `Discrete(2^n)` component (bit `n - 1 - i` switches actuator `i`,
    as in both references). `"factored"`: `n` on/off components (`MultiDiscrete([2]*n)`);
    needs `parameters="per_actuator"`."""
    max_steps: int = 30
    """Steps per episode; reaching it truncates the episode."""
    target_radius: float = 0.2
    """The agent succeeds when its distance to the landmark is at most this."""
    target_reward: float = 20.0
    """Bonus added to `-d^2` inside the target."""
    terminate_on_target: bool = True
    """End the episode (successfully) on entering the target, as HyAR's training loop does."""
    force_scale: float = 2.0
    """Force of a full-magnitude action along its (unit-normalised) direction."""
    damping: float = 0.25
    """Fraction of the velocity lost each step (MPE `damping`)."""
    dt: float = 0.1
    """Integration step (MPE `dt`)."""
    start_range: float = 1.0
    """Agent and landmark start uniformly in `[-start_range, start_range]^2`."""
    round_decimals: int = 3
    """Decimals the actuator directions are rounded to, as in the reference; -1 keeps full
    precision."""

    def __post_init__(self) -> None:
        check_field_types(self)
        if self.discrete == "factored" and self.parameters == "per_choice":
            raise ValueError(
                "HardMoveConfig.discrete='factored' needs parameters='per_actuator': a magnitude "
                "per joint choice cannot be tied to factored on/off components"
            )
        n = self.n_actuators
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_ACTUATORS:
            raise ValueError(
                f"HardMoveConfig.n_actuators must be an integer in [2, {MAX_ACTUATORS}], got {n!r}"
            )
        if self.parameters == "per_choice" and n > MAX_ACTUATORS_PER_CHOICE:
            raise ValueError(
                f"HardMoveConfig.n_actuators must be <= {MAX_ACTUATORS_PER_CHOICE} with "
                f"parameters='per_choice' (2^n parameters), got {n}; use "
                "parameters='per_actuator' for more actuators"
            )
        value = self.max_steps
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"HardMoveConfig.max_steps must be an integer >= 1, got {value!r}")
        if (
            not isinstance(self.round_decimals, int)
            or isinstance(self.round_decimals, bool)
            or self.round_decimals < -1
        ):
            raise ValueError(
                "HardMoveConfig.round_decimals must be an integer >= -1, "
                f"got {self.round_decimals!r}"
            )
        positive = ("target_radius", "force_scale", "dt", "start_range")
        for name in positive:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"HardMoveConfig.{name} must be a finite float > 0, got {value!r}")
        if not 0.0 < self.damping <= 1.0:
            raise ValueError(f"HardMoveConfig.damping must lie in (0, 1], got {self.damping!r}")
        if not math.isfinite(self.target_reward):
            raise ValueError(
                f"HardMoveConfig.target_reward must be a finite float, got {self.target_reward!r}"
            )
        # the target bonus, and -d^2 for the widest start distance (2 * start_range per axis)
        scale = {"target_reward": self.target_reward, "start_range": 8 * self.start_range**2}
        check_reward_scale(self, scale, self.max_steps)

    @property
    def n_choices(self) -> int:
        """`2^n_actuators` joint discrete choices."""
        return 2**self.n_actuators

    @property
    def max_speed(self) -> float:
        """Speed bound `force_scale * dt / damping` (velocity never exceeds it)."""
        return self.force_scale * self.dt / self.damping

"""`PlatformConfig`: the parameters of the Platform benchmark."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hybrid_toolkit.envs.parameter_scaling import ActionScale
from hybrid_toolkit.utils.config_checks import check_field_types


@dataclass(frozen=True)
class PlatformConfig:
    """Configuration of Platform (Masson et al. 2016; gym port `cycraig/gym-platform`).

    The defaults are the published environment: 200 steps (the gym `TimeLimit`), the
    reference noise, parameters in their native units.
    """

    max_steps: int = 200
    """Macro steps per episode; reaching it truncates the episode (gym's `TimeLimit`)."""
    action_scale: ActionScale = "native"
    """`"native"`: run `[0, 30]`, hop `[0, 720]`, leap `[0, 430]`; `"unit"`: every
    parameter in `[-1, 1]`, mapped linearly onto the native range (what MP-DQN and HyAR train
    with)."""
    noise_scale: float = 1.0
    """Multiplier of every noise term (enemy patrol, player drag, jump deviation); 0 makes the
    environment deterministic."""
    max_frames: int = 400
    """Safety cap on the 0.05 s frames of one macro step (a hop takes about 145, a run 20)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        for name in ("max_steps", "max_frames"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"PlatformConfig.{name} must be an integer >= 1, got {value!r}")
        if not (math.isfinite(self.noise_scale) and self.noise_scale >= 0):
            raise ValueError(
                f"PlatformConfig.noise_scale must be a finite float >= 0, got {self.noise_scale!r}"
            )

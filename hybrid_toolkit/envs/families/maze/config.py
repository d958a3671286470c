"""`MazeConfig`: every parameter of the maze family, with the DGRL maze as the default."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

MazeEncoding = Literal["slots", "binary"]
MazeLayout = Literal["l-walls", "teleport", "open"]
ActuatorOrder = Literal["structured", "irregular"]
StartMode = Literal["random", "eval"]

WALL_WIDTH = 0.05
"""Thickness of the L-shaped walls; a sub-step must stay shorter so it cannot tunnel through."""


@dataclass(frozen=True)
class MazeConfig:
    """Configuration of the maze family (DGRL paper App. D.4; DNC reference maze).

    The defaults are the DGRL maze: actuator 0 "does nothing", 100 steps, goal reward 10 and
    step cost 0.05 (a solved episode returns about 9.7). The registered ids (`Maze-v0`,
    `MazeIrregular-v0`, `MazeHybrid-v0`, `MazeTeleport-v0`, `MazeDNC-v0`) are this
    dataclass with a few fields changed; see `docs/envs/maze.md`.
    """

    encoding: MazeEncoding = "slots"
    """How the discrete action selects actuators. `"slots"`: `n_slots` components, each picks
    one of the `n_actuators` actuators (`|A| = n_actuators ** n_slots`; the DGRL maze, where
    the actuator order matters). `"binary"`: one on/off component per actuator
    (`|A| = 2 ** n_actuators`; the DNC reference maze)."""

    n_actuators: int = 17
    """Number of actuators, including the "do nothing" actuator when `do_nothing` is set."""

    n_slots: int = 4
    """Number of actuator slots of the `"slots"` encoding (ignored by `"binary"`)."""

    do_nothing: bool = True
    """Actuator 0 is the zero vector ("do nothing"); the others point at evenly spaced angles."""

    actuator_order: ActuatorOrder = "structured"
    """`"structured"`: actuators in angular order. `"irregular"`: the moving actuators are
    shuffled (actuator 0 stays in place) by `shuffle_seed`."""

    shuffle_seed: int = 20260209
    """Seed of the fixed Fisher-Yates/SplitMix64 shuffle of the irregular maze."""

    hybrid: bool = False
    """Add one continuous parameter, the step length in `[0, step_unit * n_substeps]`."""

    layout: MazeLayout = "l-walls"
    """`"l-walls"`: two walls forming an L around the goal; `"teleport"`: no walls, a tile
    that costs `teleport_reward` and sends the agent back to the evaluation start; `"open"`:
    the L-walls goal and start without walls."""

    start: StartMode = "random"
    """`"random"`: training starts, uniform over free cells; `"eval"`: the fixed evaluation
    start of the layout."""

    max_steps: int = 100
    """Episode length limit (steps); reaching it truncates the episode."""

    step_reward: float = -0.05
    """Reward of every step."""

    goal_reward: float = 10.0
    """Reward for entering the goal (the episode then terminates)."""

    teleport_reward: float = -10.0
    """Reward for entering a teleport tile (`"teleport"` layout only)."""

    collision_reward: float = 0.0
    """Reward when a sub-step is blocked by a wall or the border (the step's motion then stops)."""

    noise_prob: float = 0.1
    """Probability that a sub-step's displacement is replaced by noise."""

    step_unit: float = 0.045
    """Length of the largest sub-step (the reference code's wall width minus 0.005)."""

    n_substeps: int = 4
    """Sub-steps per step (the reference code's `int(0.2 / 0.045)`)."""

    round_decimals: int = 3
    """Decimals the actuator unit vectors are rounded to, as in the reference code; -1 keeps
    full precision."""

    def __post_init__(self) -> None:
        check_field_types(self)
        min_actuators = 2 if self.do_nothing else 1
        self._check_int("n_actuators", self.n_actuators, min_actuators)
        self._check_int("n_slots", self.n_slots, 1)
        self._check_int("max_steps", self.max_steps, 1)
        self._check_int("n_substeps", self.n_substeps, 1)
        self._check_int("shuffle_seed", self.shuffle_seed, 0)
        self._check_int("round_decimals", self.round_decimals, -1)
        for name in ("step_reward", "goal_reward", "teleport_reward", "collision_reward"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"MazeConfig.{name} must be a finite float, got {value!r}")
        rewards = {
            "step_reward": self.step_reward,
            "goal_reward": self.goal_reward,
            "teleport_reward": self.teleport_reward,
            "collision_reward": self.collision_reward * self.n_substeps,
        }
        check_reward_scale(self, rewards, self.max_steps)
        if not 0.0 <= self.noise_prob <= 1.0:
            raise ValueError(f"MazeConfig.noise_prob must lie in [0, 1], got {self.noise_prob!r}")
        if not 0.0 < self.step_unit < WALL_WIDTH:
            # A sub-step as long as the wall is thick could jump over it.
            raise ValueError(
                f"MazeConfig.step_unit must lie in (0, {WALL_WIDTH}) so that no sub-step can "
                f"cross a wall, got {self.step_unit!r}"
            )

    @property
    def max_step_length(self) -> float:
        """Longest displacement of one step: `step_unit * n_substeps` (0.18 by default)."""
        return self.step_unit * self.n_substeps

    @staticmethod
    def _check_int(name: str, value: int, minimum: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"MazeConfig.{name} must be an integer >= {minimum}, got {value!r}")

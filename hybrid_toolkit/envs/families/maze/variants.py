"""The registered maze ids: each is :class:`MazeConfig` with a few fields changed."""

from __future__ import annotations

from typing import Any

from hybrid_toolkit.envs.families.maze.config import MazeConfig
from hybrid_toolkit.envs.families.maze.env import MazeEnv
from hybrid_toolkit.envs.registry import register_env

DNC_REFERENCE: dict[str, Any] = {
    "encoding": "binary",
    "n_actuators": 12,
    "do_nothing": False,
    "max_steps": 150,
    "goal_reward": 100.0,
    "step_reward": -0.05,
}
"""The DNC reference maze (Akkerman et al. 2024 code): 12 on/off actuators, 150 steps, +100."""

MAZE_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "Maze-v0": (
        "DGRL maze, structured: 4 slots x 17 actuators (do-nothing first), 100 steps",
        {},
    ),
    "MazeIrregular-v0": (
        "DGRL maze, irregular: actuator order shuffled (do-nothing kept first) by a fixed seed",
        {"actuator_order": "irregular"},
    ),
    "MazeHybrid-v0": (
        "DGRL maze, hybrid: actuator slots plus a continuous step length in [0, 0.18]",
        {"hybrid": True},
    ),
    "MazeTeleport-v0": (
        "DNC teleport-tile maze: no walls, a -10 tile that sends the agent back to the start",
        {**DNC_REFERENCE, "layout": "teleport"},
    ),
    "MazeDNC-v0": (
        "DNC reference maze: 12 on/off actuators (|A| = 2^12), 150 steps, -0.05/step, +100 goal",
        dict(DNC_REFERENCE),
    ),
}
"""Every registered maze id: ``name -> (description, MazeConfig overrides)``."""

for _name, (_description, _defaults) in MAZE_VARIANTS.items():
    register_env(_name, MazeEnv, MazeConfig, description=_description, **_defaults)

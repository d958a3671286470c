"""The maze family: DGRL maze (structured, irregular, hybrid), DNC reference and teleport mazes.

Importing this package registers ``Maze-v0``, ``MazeIrregular-v0``, ``MazeHybrid-v0``,
``MazeTeleport-v0`` and ``MazeDNC-v0``.
"""

from hybrid_toolkit.envs.families.maze.config import MazeConfig
from hybrid_toolkit.envs.families.maze.env import MazeEnv
from hybrid_toolkit.envs.families.maze.policies import (
    MazeRandomPolicy,
    MazeShortestPathPolicy,
    maze_episode_returns,
)
from hybrid_toolkit.envs.families.maze.variants import MAZE_VARIANTS

__all__ = [
    "MAZE_VARIANTS",
    "MazeConfig",
    "MazeEnv",
    "MazeRandomPolicy",
    "MazeShortestPathPolicy",
    "maze_episode_returns",
]

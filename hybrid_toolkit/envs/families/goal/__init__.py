"""Goal and Hard Goal (Masson et al. 2016; HyAR): importing this package registers
``Goal-v0`` and ``HardGoal-v0``."""

from hybrid_toolkit.envs.families.goal.config import GoalConfig
from hybrid_toolkit.envs.families.goal.env import GoalEnv
from hybrid_toolkit.envs.registry import register_env

register_env(
    "Goal-v0",
    GoalEnv,
    GoalConfig,
    description="Robot-soccer Goal (Masson et al. 2016): kick-to / shoot past a keeper",
)
register_env(
    "HardGoal-v0",
    GoalEnv,
    GoalConfig,
    description="Hard Goal (HyAR): Goal with each shot split into 5 parts of the mouth, 11 actions",
    n_shoot_ranges=5,
    shoot_ranges="reference",
)

__all__ = ["GoalConfig", "GoalEnv"]

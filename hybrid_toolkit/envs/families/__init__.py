"""Environment families; importing this package registers every family's ids."""

from hybrid_toolkit.envs.families import (  # noqa: F401
    goal,
    hard_move,
    inventory,
    job_shop,
    lqr,
    maze,
    order_up_to,
    platform,
    recommender,
    target,
)

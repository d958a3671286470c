"""Environment families; importing this package registers every family's ids."""

from hybrid_toolkit.envs.families import (  # noqa: F401
    inventory,
    lqr,
    order_up_to,
    recommender,
    target,
)

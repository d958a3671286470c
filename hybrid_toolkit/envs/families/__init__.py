"""Environment families; importing this package registers every family's ids."""

from hybrid_toolkit.envs.families import target  # noqa: F401

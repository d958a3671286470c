"""Batched hybrid-action environments: the protocol, the registry, adapters and env families."""

from hybrid_toolkit.envs.base import HybridEnv, Step
from hybrid_toolkit.envs.observation_features import ObservationFeature, ObservationFeatures
from hybrid_toolkit.envs.registry import EnvSpec, env_spec, list_envs, make, register_env

# Imported last: registering the families needs the registry above.
from hybrid_toolkit.envs import families  # isort: skip

__all__ = [
    "EnvSpec",
    "HybridEnv",
    "ObservationFeature",
    "ObservationFeatures",
    "Step",
    "env_spec",
    "families",
    "list_envs",
    "make",
    "register_env",
]

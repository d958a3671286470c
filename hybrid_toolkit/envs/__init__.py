"""Batched hybrid-action environments: the protocol, the registry, adapters and env families."""

from hybrid_toolkit.envs.base import HybridEnv, Step
from hybrid_toolkit.envs.registry import EnvSpec, env_spec, list_envs, make, register_env

__all__ = ["EnvSpec", "HybridEnv", "Step", "env_spec", "list_envs", "make", "register_env"]

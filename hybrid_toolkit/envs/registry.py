"""The environment registry: ``make``, ``list_envs`` and gymnasium ids for every env."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.registry import Registry
from hybrid_toolkit.utils.config import apply_overrides

GYM_NAMESPACE = "hybrid_toolkit"


@dataclass(frozen=True)
class EnvSpec:
    """A registered environment id.

    Attributes:
        name: Versioned id such as ``"TargetRegime-v0"``.
        env_class: The :class:`HybridEnv` subclass; built as ``env_class(config, num_envs=…,
            device=…, validate_actions=…)``.
        config_class: The family's config dataclass (also what the CLI exposes).
        description: One line for ``hybrid-toolkit list`` and the docs.
        defaults: Config values this id sets on top of the dataclass defaults (variants).
    """

    name: str
    env_class: type[HybridEnv]
    config_class: type
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def gym_id(self) -> str:
        """The gymnasium id, ``hybrid_toolkit/<name>``."""
        return f"{GYM_NAMESPACE}/{self.name}"

    def default_config(self) -> Any:
        """The config dataclass with this id's defaults applied."""
        return apply_overrides(self.config_class(), self.defaults)


ENV_REGISTRY: Registry[EnvSpec] = Registry("environment")


def register_env(
    name: str,
    env_class: type[HybridEnv],
    config_class: type,
    *,
    description: str = "",
    **defaults: Any,
) -> EnvSpec:
    """Register an environment id (and its gymnasium id ``hybrid_toolkit/<name>``).

    ``defaults`` are config overrides that distinguish this id from others of its family.
    """
    from hybrid_toolkit.envs.gymnasium_registration import register_with_gymnasium

    if not dataclasses.is_dataclass(config_class):
        raise TypeError(f"config_class of {name!r} must be a dataclass, got {config_class!r}")
    spec = EnvSpec(name, env_class, config_class, description, dict(defaults))
    spec.default_config()  # unknown default keys fail at registration, not at make()
    ENV_REGISTRY.register(name, spec)
    register_with_gymnasium(spec)
    return spec


def env_spec(name: str) -> EnvSpec:
    """The :class:`EnvSpec` of ``name``; unknown names raise, listing the valid ones."""
    return ENV_REGISTRY.get(name)


def list_envs() -> list[str]:
    """Every registered environment id."""
    return ENV_REGISTRY.names()


def make(
    name: str,
    num_envs: int = 1,
    device: torch.device | str = "auto",
    *,
    config: Any | None = None,
    validate_actions: bool = True,
    **overrides: Any,
) -> HybridEnv:
    """Build a registered batched environment.

    Args:
        name: A registered id (see :func:`list_envs`).
        num_envs: Batch size ``B``.
        device: Torch device; ``"auto"`` (default) is CUDA when available, else the CPU.
        config: A full config dataclass instance; defaults to the id's default config.
        validate_actions: Check every action against the action space.
        **overrides: Config fields to change, e.g. ``n_choices=4``; unknown keys raise.

    Examples:
        >>> env = make("TargetRegime-v0", num_envs=64, n_choices=3)
    """
    spec = env_spec(name)
    if config is None:
        config = spec.default_config()
    elif not isinstance(config, spec.config_class):
        raise TypeError(
            f"config for {name!r} must be a {spec.config_class.__name__}, "
            f"got {type(config).__name__}"
        )
    config = apply_overrides(config, overrides)
    factory: Callable[..., HybridEnv] = spec.env_class  # family constructors take the config first
    env = factory(config, num_envs=num_envs, device=device, validate_actions=validate_actions)
    env.spec = spec  # type: ignore[attr-defined]
    return env

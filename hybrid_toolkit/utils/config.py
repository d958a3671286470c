"""Config dataclass helpers: overrides that refuse unknown keys, JSON round trips."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

C = TypeVar("C")


def field_names(config_class: type) -> list[str]:
    """The field names of a config dataclass."""
    return [f.name for f in dataclasses.fields(config_class)]


def apply_overrides(config: C, overrides: Mapping[str, Any]) -> C:
    """Return a copy of the dataclass ``config`` with ``overrides`` applied.

    Raises:
        ValueError: naming the unknown key, the config class and its valid keys.
    """
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"expected a config dataclass instance, got {type(config).__name__}")
    valid = field_names(type(config))
    unknown = [k for k in overrides if k not in valid]
    if unknown:
        raise ValueError(
            f"unknown {type(config).__name__} key(s) {unknown}; valid keys are: {', '.join(valid)}"
        )
    return dataclasses.replace(config, **dict(overrides))


def config_to_json(config: Any) -> dict[str, Any]:
    """A JSON-serialisable dict of a config dataclass (tuples become lists)."""
    return dataclasses.asdict(config)


def config_from_json(config_class: type[C], data: Mapping[str, Any]) -> C:
    """Rebuild a config dataclass from :func:`config_to_json` output; unknown keys raise."""
    default = config_class()
    values = {}
    for f in dataclasses.fields(config_class):  # type: ignore[arg-type]
        if f.name in data:
            current = getattr(default, f.name)
            value = data[f.name]
            values[f.name] = tuple(value) if isinstance(current, tuple) else value
    unknown = [k for k in data if k not in values]
    if unknown:
        raise ValueError(
            f"unknown {config_class.__name__} key(s) {unknown}; valid keys are: "
            f"{', '.join(field_names(config_class))}"
        )
    return dataclasses.replace(default, **values)  # type: ignore[type-var]


def check_fields(config: Any, rules: Mapping[str, tuple[bool, str]]) -> None:
    """Raise ``ValueError`` naming the first field whose check failed, its value and the rule.

    Args:
        config: The config dataclass instance (its class name starts the message).
        rules: ``{field name: (check passed, what was expected)}``, checked in order.
    """
    for key, (ok, expected) in rules.items():
        if not ok:
            raise ValueError(
                f"{type(config).__name__}.{key} must be {expected}, got {getattr(config, key)!r}"
            )

"""The algorithm registry: every algorithm class registers itself under its ``name``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from hybrid_toolkit.registry import Registry

if TYPE_CHECKING:
    from hybrid_toolkit.algorithms.base import BaseAlgorithm

ALGO_REGISTRY: Registry[type[BaseAlgorithm]] = Registry("algorithm")

A = TypeVar("A", bound="type[BaseAlgorithm]")


def register_algorithm(cls: A) -> A:
    """Class decorator: register an algorithm class under ``cls.name``."""
    ALGO_REGISTRY.register(cls.name, cls)
    return cls


def get_algorithm(name: str) -> type[BaseAlgorithm]:
    """The algorithm class registered as ``name``; unknown names raise listing valid ones."""
    return ALGO_REGISTRY.get(name)


def list_algorithms() -> list[str]:
    """Every registered algorithm name."""
    return ALGO_REGISTRY.names()

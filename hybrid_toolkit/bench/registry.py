"""The benchmark-suite registry: ``hybrid-toolkit bench SUITE`` is built from it.

A suite is a function of one config dataclass (which the CLI exposes as ``--`` options) that
runs the comparison, writes its tables, plots and raw results under ``config.out_dir`` and
returns an exit status. Suites register themselves with :func:`register_suite`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import tyro

from hybrid_toolkit.registry import Registry

BenchMode = Literal["smoke", "quick", "full"]
BENCH_MODES: tuple[str, ...] = ("smoke", "quick", "full")
"""Every mode, cheapest first."""


def shown_default(meaning: str) -> Any:
    """tyro metadata that shows ``(default: meaning)`` in ``--help`` instead of the raw value.

    For an option whose ``0`` or empty default stands for something else (``Annotated[int,
    BY_MODE] = 0``), so the help does not print ``(default: 0)`` or ``(default: )``.
    """
    return tyro.conf.arg(help_behavior_hint=f"(default: {meaning})")


BY_MODE = shown_default("set by --mode")
"""The default depends on ``--mode`` (quick or full); the option's help says how."""
ALL = shown_default("all")
"""Empty by default, which means every one."""


@dataclass
class BenchOptions:
    """Options every benchmark suite shares; a suite's config dataclass extends this one."""

    mode: BenchMode = "quick"
    """smoke: seconds, tiny budgets, so the tests run every suite end to end (never touches a
    docs page); quick: at most 3 minutes on 2 CPU cores, to check the pipeline (each suite's
    quick budget is one entry of its mode defaults; docs/benchmarks/index.md lists the times);
    full: the documented budget."""
    out_dir: str = "bench_results"
    """Folder the suite writes its results (JSON, Markdown table, PNG plots) into."""
    device: str = "cpu"
    """Torch device of the runs."""

    def __post_init__(self) -> None:
        if self.mode not in BENCH_MODES:
            raise ValueError(f"mode must be one of {', '.join(BENCH_MODES)}, got {self.mode!r}")
        # A smoke run's numbers mean nothing: it must never overwrite a docs page's results.
        docs = getattr(self, "docs_page", "") or getattr(self, "docs_dir", "")
        if self.mode == "smoke" and docs:
            raise ValueError(f"mode 'smoke' never writes docs pages, got docs target {docs!r}")


@dataclass(frozen=True)
class BenchSuite:
    """A registered suite.

    Attributes:
        name: CLI name, e.g. ``"hpo-paper"``.
        config_class: Its config dataclass (a subclass of :class:`BenchOptions`).
        run: ``run(config) -> exit status``.
        description: One line for ``hybrid-toolkit list``.
    """

    name: str
    config_class: type
    run: Callable[[Any], int]
    description: str


SUITE_REGISTRY: Registry[BenchSuite] = Registry("benchmark suite")

F = TypeVar("F", bound=Callable[[Any], int])
OptionsT = TypeVar("OptionsT", bound=BenchOptions)


def with_mode_defaults(options: OptionsT, defaults: Mapping[str, Mapping[str, Any]]) -> OptionsT:
    """A copy of ``options`` whose fields left at 0 / empty take ``defaults[options.mode]``.

    Args:
        options: A suite's options, as the user gave them.
        defaults: Mode (smoke, quick, full) → field name → the value that mode means.
    """
    changes = {k: v for k, v in defaults[options.mode].items() if not getattr(options, k)}
    return dataclasses.replace(options, **changes)


def register_suite(name: str, config_class: type, description: str) -> Callable[[F], F]:
    """Decorator registering ``run(config) -> int`` as the suite ``name``.

    Raises:
        TypeError: ``config_class`` is not a dataclass extending :class:`BenchOptions`.
    """
    if not (dataclasses.is_dataclass(config_class) and issubclass(config_class, BenchOptions)):
        raise TypeError(
            f"config_class of suite {name!r} must be a dataclass extending BenchOptions, "
            f"got {config_class!r}"
        )

    def decorate(run: F) -> F:
        SUITE_REGISTRY.register(name, BenchSuite(name, config_class, run, description))
        return run

    return decorate


def get_suite(name: str) -> BenchSuite:
    """The suite registered as ``name``; unknown names raise listing the valid ones."""
    return SUITE_REGISTRY.get(name)


def list_suites() -> list[str]:
    """Every registered suite name."""
    return SUITE_REGISTRY.names()

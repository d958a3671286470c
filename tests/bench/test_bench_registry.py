"""The benchmark-suite registry: what a suite author relies on when registering one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hybrid_toolkit.bench import BenchOptions, get_suite, register_suite
from hybrid_toolkit.bench.registry import with_mode_defaults
from hybrid_toolkit.registry import UnknownNameError


def test_config_class_must_extend_bench_options() -> None:
    @dataclass
    class NotOptions:
        mode: str = "quick"

    with pytest.raises(TypeError, match="BenchOptions"):
        register_suite("bad-suite", NotOptions, "never registered")


def test_unknown_mode_is_refused_naming_the_value() -> None:
    with pytest.raises(ValueError, match="'fast'"):
        BenchOptions(mode="fast")  # type: ignore[arg-type]


def test_unknown_suite_lists_the_registered_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown benchmark suite 'nope'"):
        get_suite("nope")


def test_mode_defaults_fill_only_the_options_left_empty() -> None:
    @dataclass
    class Sized(BenchOptions):
        sizes: tuple[int, ...] = ()
        repeats: int = 0

    defaults = {"smoke": {"sizes": (2,), "repeats": 1}, "quick": {}, "full": {}}
    filled = with_mode_defaults(Sized(mode="smoke", repeats=7), defaults)
    assert (filled.sizes, filled.repeats) == ((2,), 7)

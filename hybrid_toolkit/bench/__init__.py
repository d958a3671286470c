"""Benchmark suites that reproduce the papers' comparisons (``hybrid-toolkit bench SUITE``).

This layer sits beside the CLI, above the algorithms: a suite trains and evaluates registered
algorithms on registered environments. Importing this package registers every suite.
"""

# Importing a suite module registers it.
from hybrid_toolkit.bench import hpo_paper, ppo_vs_sb3  # noqa: F401  (registration side effect)
from hybrid_toolkit.bench.registry import (
    SUITE_REGISTRY,
    BenchMode,
    BenchOptions,
    BenchSuite,
    get_suite,
    list_suites,
    register_suite,
)

__all__ = [
    "SUITE_REGISTRY",
    "BenchMode",
    "BenchOptions",
    "BenchSuite",
    "get_suite",
    "list_suites",
    "register_suite",
]

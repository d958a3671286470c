"""Benchmark suites that reproduce the papers' comparisons (``hybrid-toolkit bench SUITE``).

This layer sits beside the CLI, above the algorithms: a suite trains and evaluates registered
algorithms on registered environments. Importing this package registers every suite.
"""

# Importing a suite module registers it.
from hybrid_toolkit.bench import (  # noqa: F401  (registration side effect)
    classic_env_references,
    classic_envs,
    dgrl_paper,
    hpo_env_references,
    hpo_paper,
    hyar_target,
    learning,
    ppo_vs_sb3,
    sweep_scaling,
)
from hybrid_toolkit.bench.registry import (
    SUITE_REGISTRY,
    BenchMode,
    BenchOptions,
    BenchSuite,
    get_suite,
    list_suites,
    register_suite,
)
from hybrid_toolkit.bench.speed import (  # noqa: F401  (registration side effect)
    decision_time,
    dgrl_envs,
    hpo_envs,
    hpo_update,
    ppo_action_size,
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

"""``hybrid-toolkit list``: what algorithms and environments are registered."""

from __future__ import annotations

from hybrid_toolkit.algorithms import get_algorithm, list_algorithms
from hybrid_toolkit.bench import get_suite, list_suites
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import ListArgs
from hybrid_toolkit.envs import env_spec, list_envs

KINDS = ("all", "algos", "envs", "bench")


def run_list(args: ListArgs) -> int:
    """Print the registries; an unknown ``kind`` exits with status 2."""
    if args.kind not in KINDS:
        print(f"error: {UserError('--kind', repr(args.kind), 'one of ' + ', '.join(KINDS))}")
        return 2
    if args.kind in ("all", "algos"):
        print("Algorithms:")
        for name in list_algorithms():
            doc = (get_algorithm(name).__doc__ or "").strip().splitlines()[0]
            print(f"  {name:<12} {doc}")
    if args.kind in ("all", "envs"):
        print("Environments:")
        for name in list_envs():
            spec = env_spec(name)
            print(f"  {name:<34} {spec.description}")
    if args.kind in ("all", "bench") and list_suites():
        print("Benchmark suites (hybrid-toolkit bench SUITE):")
        width = max(len(name) for name in list_suites())
        for name in list_suites():
            print(f"  {name:<{width}} {get_suite(name).description}")
    return 0

"""``hybrid-toolkit bench SUITE``: run a registered benchmark suite."""

from __future__ import annotations

import dataclasses
from typing import Any

from hybrid_toolkit.bench import get_suite


def bench_leaf(name: str) -> type:
    """The dataclass of ``bench <name>``: the suite's config, tagged with the suite name."""
    suite = get_suite(name)
    cls = dataclasses.make_dataclass(
        f"Bench_{name.replace('-', '_')}",
        [],
        bases=(suite.config_class,),
        namespace={"suite_name": name},
    )
    cls.__doc__ = suite.description
    return cls


def run_bench(args: Any) -> int:
    """Run the suite a ``bench`` leaf names; returns the suite's exit status."""
    return int(get_suite(args.suite_name).run(args))

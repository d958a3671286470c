"""PPO training throughput, hybrid_toolkit vs Stable-Baselines3: the ``ppo-vs-sb3`` bench suite.

A thin entry point: it runs ``hybrid-toolkit bench ppo-vs-sb3 --mode full`` (see
``hybrid_toolkit/bench/ppo_vs_sb3.py`` for what is compared and how), writes the JSON, Markdown
and PNG results under ``bench_results/ppo-vs-sb3/`` and rewrites the results block of
``docs/benchmarks/ppo-vs-sb3.md`` (the plot is copied beside it).

Usage:
    python benchmarks/ppo_vs_sb3.py                      # the documented run (a few minutes)
    python benchmarks/ppo_vs_sb3.py --mode quick         # smaller smoke check; docs untouched
    python benchmarks/ppo_vs_sb3.py --batch-sizes 64 1024 --repeats 5   # any suite option
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from hybrid_toolkit.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def is_quick(argv: list[str]) -> bool:
    """Whether ``argv`` asks for quick mode (whose numbers must not replace the docs' ones)."""
    pairs = itertools.pairwise(argv)  # (option, value) for every adjacent pair
    return "--mode=quick" in argv or any(a == "--mode" and b == "quick" for a, b in pairs)


if __name__ == "__main__":
    argv = sys.argv[1:]
    defaults = ["--mode", "full", "--out-dir", str(ROOT / "bench_results" / "ppo-vs-sb3")]
    if not is_quick(argv):
        defaults += ["--docs-page", str(ROOT / "docs" / "benchmarks" / "ppo-vs-sb3.md")]
    sys.exit(main(["bench", "ppo-vs-sb3", *defaults, *argv]))

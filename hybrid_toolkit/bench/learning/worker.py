"""The learning-sweep worker process: ``python -m hybrid_toolkit.bench.learning.worker``.

Started by :func:`hybrid_toolkit.bench.learning.runs.run_worker` with ``MKL_CBWR`` already set in
its environment (MKL reads it once, when it loads), it trains the runs that are not cached yet.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hybrid_toolkit.bench.learning.runs import MKL_SETTINGS, train_missing


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--mkl", choices=MKL_SETTINGS, required=True)
    parser.add_argument("--cases", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True)
    args = parser.parse_args(argv)
    train_missing(args.cache_dir, args.cases, args.seeds, args.mkl)


if __name__ == "__main__":
    main()

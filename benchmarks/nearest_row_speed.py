"""`nearest_row` against the brute-force search it replaces, side by side in one process.

Why this is a script and not a ``hybrid-toolkit bench`` suite: it times one internal function
(HyAR's nearest-embedding decode) for the record behind the CHANGELOG's and the HyAR page's
numbers, not anything a user configures. ``tests/bench/test_benchmarks_folder.py`` imports it
and ``tests/algorithms/test_nearest_row.py`` runs :func:`measure` at a tiny size, so it cannot
rot unseen.

For each table kind (embeddings spread over the box, saturated at its corners) it times the
brute force (``cdist`` with exact differences, then ``argmin``) and `nearest_row` on the same
queries, alternating, and checks that both return the same rows. Median of ``repeats`` calls.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/nearest_row_speed.py            # HyAR's hybrid maze
    python benchmarks/nearest_row_speed.py --rows 4096 --batch 256 --repeats 20
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from hybrid_toolkit.algorithms.common.nearest import nearest_row
from hybrid_toolkit.bench.report import environment, environment_lines

KINDS = {"spread": 2.0, "saturated": 8.0}
"""Table kind → the scale inside ``tanh`` (HyAR's embeddings are ``tanh`` of its table)."""


def brute_force(query: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """The reference: exact differences, ties to the lowest index."""
    distance = torch.cdist(
        query.unsqueeze(0), table.unsqueeze(0), compute_mode="donot_use_mm_for_euclid_dist"
    )
    return distance[0].argmin(dim=1)


def measure(rows: int, dim: int, batch: int, repeats: int, seed: int = 0) -> list[dict]:
    """Median milliseconds per call of both searches for each table kind, and their ratio."""
    results = []
    for kind, scale in KINDS.items():
        gen = torch.Generator().manual_seed(seed)
        table = torch.tanh(scale * torch.randn(rows, dim, generator=gen))
        picks = torch.randint(rows, (batch,), generator=gen)
        query = (table[picks] + 0.05 * torch.randn(batch, dim, generator=gen)).clamp(-1, 1)
        if not torch.equal(nearest_row(query, table), brute_force(query, table)):
            raise AssertionError(f"nearest_row disagrees with the brute force on {kind}")
        times: dict[str, list[float]] = {"brute": [], "nearest_row": []}
        for _ in range(repeats):
            for name, search in (("brute", brute_force), ("nearest_row", nearest_row)):
                start = time.perf_counter()
                search(query, table)
                times[name].append(1000 * (time.perf_counter() - start))
        brute, fast = (statistics.median(times[k]) for k in ("brute", "nearest_row"))
        results.append({"kind": kind, "brute_ms": brute, "nearest_row_ms": fast})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=83_521, help="table rows (the hybrid maze)")
    parser.add_argument("--dim", type=int, default=6, help="embedding size (HyAR's default)")
    parser.add_argument("--batch", type=int, default=128, help="queries (HyAR's minibatch)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    env = environment()
    rows = measure(args.rows, args.dim, args.batch, args.repeats)
    print(
        f"{args.batch} queries x {args.rows:,} rows x {args.dim} dims, median of "
        f"{args.repeats} calls\n"
    )
    print("\n".join(environment_lines(env)) + "\n")
    print("| table | brute force ms | nearest_row ms | brute / nearest_row |")
    print("|---|---:|---:|---:|")
    for r in rows:
        ratio = r["brute_ms"] / r["nearest_row_ms"]
        print(f"| {r['kind']} | {r['brute_ms']:.1f} | {r['nearest_row_ms']:.1f} | {ratio:.1f} |")


if __name__ == "__main__":
    main()

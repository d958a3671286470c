"""The nearest row of a large table for a batch of queries: exact, and fast on the CPU.

A brute-force search with exact differences (``torch.cdist`` without the matmul expansion)
costs ``B · N · d`` scalar operations and is slow to vectorise; the matmul expansion
``|q|² - 2 q·t + |t|²`` is fast but rounds, so near-ties can resolve to another row than the
brute force would. `nearest_row` does both in two passes:

1. **Bound.** Over cache-sized chunks of the table, the expanded distance and its minimum per
   chunk (a small ``[B, chunks]`` tensor, no ``[B, N]`` tensor ever allocated).
2. **Refine.** The chunks whose minimum lies within a rounding margin of some query's overall
   minimum are expanded again, and the (query, row) pairs within that margin get exact
   differences; ties go to the lowest row index.

The margin is far larger than the expansion's float32 rounding error, so the row the brute
force picks is always among the refined candidates; as a rule a query has one candidate row.
"""

from __future__ import annotations

import torch
from torch import Tensor

BRUTE_FORCE_ELEMENTS = 2**18
"""Up to this many query-to-row distances the brute force is the faster search."""

CHUNK_ELEMENTS = 2**18
"""Distances per chunk of the bounding pass (1 MiB of float32: stays in the CPU's cache)."""

MAX_CHUNK_ROWS = 2048
"""Most table rows per chunk (a chunk's expansion stays in the CPU's cache)."""

MARGIN = 1e-4
"""Relative margin of the bounding pass (float32's error in the expansion is about 1e-6)."""


def nearest_row(query: Tensor, table: Tensor, chunk_rows: int | None = None) -> Tensor:
    """Index ``int64 [B]`` of the row of ``table`` nearest (Euclidean) each query, exactly.

    Equal to ``cdist(query, table, compute_mode="donot_use_mm_for_euclid_dist").argmin(1)``
    (distances from exact differences, ties to the lowest index), without its cost.

    Args:
        query: ``[B, d]`` points.
        table: ``[N, d]`` rows (``N >= 1``).
        chunk_rows: Table rows per chunk of the bounding pass; default: `CHUNK_ELEMENTS` / B
            within [256, `MAX_CHUNK_ROWS`], and the brute force where B · N is at most
            `BRUTE_FORCE_ELEMENTS`.
    """
    n_rows, batch = table.shape[0], query.shape[0]
    if chunk_rows is None and batch * n_rows <= BRUTE_FORCE_ELEMENTS:
        distance = torch.cdist(
            query.unsqueeze(0), table.unsqueeze(0), compute_mode="donot_use_mm_for_euclid_dist"
        )
        return distance[0].argmin(dim=1)
    table_sq = table.square().sum(dim=1)
    chunk = min(n_rows, chunk_rows or min(MAX_CHUNK_ROWS, max(256, CHUNK_ELEMENTS // batch)))
    starts = range(0, n_rows, chunk)
    table_t = table.T

    def expanded(start: int, queries: Tensor) -> Tensor:  # |t|² - 2 q·t, [len(q), chunk]
        end = start + chunk
        return torch.addmm(table_sq[start:end], queries, table_t[:, start:end], alpha=-2.0)

    chunk_min = torch.stack([expanded(start, query).amin(dim=1) for start in starts], dim=1)
    scale = 1.0 + query.square().sum(dim=1, keepdim=True) + table_sq.max()
    threshold = chunk_min.amin(dim=1, keepdim=True) + MARGIN * scale  # [B, 1]
    # The candidate (query, row) pairs: rows whose expanded distance lies within the margin,
    # looked for again in each chunk for just the queries whose minimum it may hold. Saturated
    # embeddings crowd a corner with rows equal up to rounding; then many chunks are searched
    # again, but still only the rows within the margin get exact distances.
    hits = (chunk_min <= threshold).T  # [chunks, B]
    per_chunk = hits.sum(dim=1).tolist()
    queries_of = torch.nonzero(hits)[:, 1].split(per_chunk)
    pairs = []
    for start, queries in zip(starts, queries_of, strict=True):
        if queries.numel():
            inside = torch.nonzero(expanded(start, query[queries]) <= threshold[queries])
            pairs.append(torch.stack([queries[inside[:, 0]], inside[:, 1] + start], dim=1))
    rows, cols = torch.cat([query.new_empty(0, 2, dtype=torch.int64), *pairs]).unbind(dim=1)
    # sqrt as cdist takes it, so that sums that round to one distance tie as they do there
    dist = (query[rows] - table[cols]).square().sum(dim=1).sqrt()
    dist = dist.masked_fill(torch.isnan(dist), float("inf"))
    best = torch.full((batch,), float("inf"), device=query.device, dtype=dist.dtype)
    best = best.scatter_reduce(0, rows, dist, "amin")
    # Among the candidates at that distance, the lowest index (queries with none: row 0).
    tied = torch.where(dist == best[rows], cols, n_rows)
    index = torch.full((batch,), n_rows, dtype=torch.int64, device=query.device)
    index = index.scatter_reduce(0, rows, tied, "amin")
    return torch.where(index < n_rows, index, 0)

"""The nearest row of a large table for a batch of queries: exact, and fast on the CPU.

A brute-force search with exact differences (``torch.cdist`` without the matmul expansion)
costs ``B · N · d`` scalar operations and is slow to vectorise; the matmul expansion
``|q|² - 2 q·t + |t|²`` is fast but rounds, so near-ties can resolve to another row than the
brute force would. `nearest_row` does both in two passes:

1. **Bound.** Over cache-sized chunks of the table, the expanded distance and its minimum per
   chunk (a small ``[B, chunks]`` tensor, no ``[B, N]`` tensor ever allocated).
2. **Refine.** Every chunk whose minimum lies within a rounding margin of the query's overall
   minimum is searched again with exact differences; ties go to the lowest row index.

The margin is far larger than the expansion's float32 rounding error, so the row the brute
force picks is always among the refined candidates; as a rule one chunk per query is refined.
"""

from __future__ import annotations

import torch
from torch import Tensor

BRUTE_FORCE_ELEMENTS = 2**18
"""Up to this many query-to-row distances the brute force is the faster search."""

CHUNK_ELEMENTS = 2**18
"""Distances per chunk of the bounding pass (1 MiB of float32: stays in the CPU's cache)."""

MAX_CHUNK_ROWS = 2048
"""Most table rows per chunk: the refining pass searches whole chunks again."""

REFINE_ELEMENTS = 2**22
"""Query-to-row differences held at once by the refining pass (16 MiB of float32)."""

MARGIN = 1e-4
"""Relative margin of the bounding pass (float32's error in the expansion is about 1e-6)."""


def nearest_row(
    query: Tensor, table: Tensor, table_sq: Tensor | None = None, chunk_rows: int | None = None
) -> Tensor:
    """Index ``int64 [B]`` of the row of ``table`` nearest (Euclidean) each query, exactly.

    Equal to ``cdist(query, table, compute_mode="donot_use_mm_for_euclid_dist").argmin(1)``
    (distances from exact differences, ties to the lowest index), without its cost.

    Args:
        query: ``[B, d]`` points.
        table: ``[N, d]`` rows (``N >= 1``).
        table_sq: ``[N]`` squared row norms, if already known.
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
    if table_sq is None:
        table_sq = table.square().sum(dim=1)
    chunk = min(n_rows, chunk_rows or min(MAX_CHUNK_ROWS, max(256, CHUNK_ELEMENTS // batch)))
    table_t = table.T
    chunk_min = torch.stack(
        [
            torch.addmm(
                table_sq[start : start + chunk],
                query,
                table_t[:, start : start + chunk],
                alpha=-2.0,
            ).amin(dim=1)
            for start in range(0, n_rows, chunk)
        ],
        dim=1,
    )  # [B, chunks]: min over the chunk of |t|² - 2 q·t
    scale = 1.0 + query.square().sum(dim=1, keepdim=True) + table_sq.max()
    overall = chunk_min.amin(dim=1, keepdim=True)
    rows, chunks = torch.nonzero(chunk_min <= overall + MARGIN * scale, as_tuple=True)
    # Exact distances to every row of the candidate chunks, a slice of candidates at a time
    # where a table full of duplicates makes them many. The table is padded to whole chunks
    # with rows at infinity, so a chunk is one block to copy.
    n_chunks = chunk_min.shape[1]
    padding = table.new_full((n_chunks * chunk - n_rows, table.shape[1]), float("inf"))
    blocks = torch.cat([table, padding]).view(n_chunks, chunk, table.shape[1])
    offsets = torch.arange(chunk, device=table.device)
    per_slice = max(1, REFINE_ELEMENTS // (chunk * table.shape[1]))
    nearest_d, nearest_i = [query.new_empty(0)], [rows.new_empty(0)]
    for start in range(0, rows.shape[0], per_slice):
        r, c = rows[start : start + per_slice], chunks[start : start + per_slice]
        exact = (query[r].unsqueeze(1) - blocks[c]).square().sum(dim=2)
        exact = exact.masked_fill(torch.isnan(exact), float("inf"))
        low = exact.amin(dim=1, keepdim=True)
        nearest_d.append(low[:, 0])
        cols = c.unsqueeze(1) * chunk + offsets
        nearest_i.append(torch.where(exact == low, cols, n_rows).amin(dim=1))
    dist, col = torch.cat(nearest_d), torch.cat(nearest_i)
    best = torch.full((batch,), float("inf"), device=query.device, dtype=dist.dtype)
    best = best.scatter_reduce(0, rows, dist, "amin")
    # Among the candidates at that distance, the lowest index (queries with none: row 0).
    tied = torch.where(dist == best[rows], col, n_rows)
    index = torch.full((batch,), n_rows, dtype=torch.int64, device=query.device)
    index = index.scatter_reduce(0, rows, tied, "amin")
    return torch.where(index < n_rows, index, 0)

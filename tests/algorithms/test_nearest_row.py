"""`nearest_row`: the exact nearest-row search HyAR decodes its discrete embeddings with."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from hybrid_toolkit.algorithms.common.nearest import nearest_row


def brute_force(query: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """The definition: exact differences, ties to the lowest index."""
    distance = torch.cdist(
        query.unsqueeze(0), table.unsqueeze(0), compute_mode="donot_use_mm_for_euclid_dist"
    )
    return distance[0].argmin(dim=1)


def table_and_queries(kind: str, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    n_rows, dim, batch = 3_000 + 97 * seed, 2 + seed % 5, 150
    raw = torch.randn(n_rows, dim, generator=gen)
    if kind == "smooth":
        table = torch.tanh(1.5 * raw)
    elif kind == "saturated":  # tanh of large values: many rows equal to a corner
        table = torch.tanh(20.0 * raw)
    else:  # "duplicates": a coarse grid, every point many times over
        table = torch.round(2.0 * torch.tanh(raw)) / 2.0
    picks = torch.randint(n_rows, (batch,), generator=gen)
    query = table[picks] + 0.05 * torch.randn(batch, dim, generator=gen)
    query[: batch // 3] = table[picks[: batch // 3]]  # exactly on a row: ties where it repeats
    return table, query.clamp(-1.0, 1.0)


@pytest.mark.parametrize("kind", ["smooth", "saturated", "duplicates"])
@pytest.mark.parametrize("chunk_rows", [None, 7, 256, 5_000])
def test_equals_the_brute_force_search(kind: str, chunk_rows: int | None) -> None:
    for seed in range(3):
        table, query = table_and_queries(kind, seed)
        found = nearest_row(query, table, chunk_rows=chunk_rows)
        assert torch.equal(found, brute_force(query, table)), (kind, chunk_rows, seed)


def test_large_batches_take_the_chunked_path_and_agree() -> None:
    # 512 queries x 3,000 rows exceeds the brute-force threshold: the two-pass search runs.
    table, query = table_and_queries("smooth", 0)
    query = query.repeat(4, 1)
    assert torch.equal(nearest_row(query, table), brute_force(query, table))


def test_every_row_finds_itself_and_ties_go_to_the_lowest_index() -> None:
    table = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.5, -0.5]])
    found = nearest_row(table, table, chunk_rows=2)
    assert found.tolist() == [0, 1, 0, 1, 4]
    # a query equidistant from rows 1 and 4 (and their copies): the lowest index
    assert nearest_row(torch.tensor([[1.125, 0.125]]), table, chunk_rows=2).tolist() == [1]


def test_a_nan_query_decodes_to_row_zero_without_error() -> None:
    table = torch.rand(600, 3)
    query = torch.rand(4, 3)
    query[2] = float("nan")
    found = nearest_row(query, table, chunk_rows=64)
    assert found[2] == 0
    keep = torch.tensor([0, 1, 3])
    assert torch.equal(found[keep], brute_force(query[keep], table))


def test_the_speed_script_runs_and_checks_agreement() -> None:
    # benchmarks/nearest_row_speed.py records the numbers on the HyAR page; keep it running.
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "nearest_row_speed.py"
    spec = importlib.util.spec_from_file_location("_nearest_row_speed", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = script.measure(rows=3_000, dim=6, batch=128, repeats=2)
    assert [r["kind"] for r in rows] == ["spread", "saturated"]
    assert all(r["brute_ms"] > 0 and r["nearest_row_ms"] > 0 for r in rows)

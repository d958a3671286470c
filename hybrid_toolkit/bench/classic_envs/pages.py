"""Where the classic-envs suite's tables and figures go: the benchmark page's includes and
every env page's rows, per recipe set.

Kept apart from the runner so the pages can be rebuilt from cached runs alone
(``hybrid-toolkit bench classic-envs --report-only``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.classic_envs.plots import bars, curves
from hybrid_toolkit.bench.classic_envs.report import (
    Records,
    comparison_table,
    curves_table,
    provenance,
    reach_table,
    runs_table,
)


def write_report(
    records: Records,
    cases: dict[str, Any],
    recipes: dict[str, Any],
    results: Path,
    docs: Path,
    recipe_set: str = "budget",
    running: Records | None = None,
    note: str = "",
) -> list[Path]:
    """Write the benchmark page's table and plot, and every env page's rows, of one recipe set;
    returns the paths.

    ``budget`` writes ``classic-envs-table.md`` and ``classic-envs.png`` into ``docs``; other
    sets write ``classic-envs-<set>.png`` and the learning-curve figure
    ``classic-envs-<set>-curves.png`` (once a run has a curve) into ``docs``, and their tables,
    with the learning curves of finished and ``running`` runs (``classic-envs-<set>-curves.md``),
    into ``results`` (the page includes them from there, so they need no place in the site's
    nav). An env page is written only when one of its cases has a cached run. ``note`` (a
    variant's overrides) follows every table's provenance line.
    """
    docs.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    prefix = "classic-envs" if recipe_set == "budget" else f"classic-envs-{recipe_set}"

    def tables(names: list[str]) -> str:
        parts = (
            comparison_table(records, cases, names),
            runs_table(records, cases, recipes, names),
            reach_table(records, cases, names),
            provenance(records, names),
            note,
        )
        return "\n".join(part for part in parts if part)

    tables_dir = docs if recipe_set == "budget" else results
    written = [tables_dir / f"{prefix}-table.md", docs / f"{prefix}.png"]
    written[0].write_text(tables(list(cases)))
    bars(records, cases, written[1])
    if recipe_set != "budget":
        written.append(results / f"{prefix}-curves.md")
        written[-1].write_text(curves_table(records, running or {}, list(cases)))
        if curves(records, running or {}, cases, docs / f"{prefix}-curves.png"):
            written.append(docs / f"{prefix}-curves.png")
    for page in sorted({case.page for case in cases.values()}):
        names = [n for n in cases if cases[n].page == page]
        if not any(name in runs for runs in records.values() for name in names):
            continue  # a variant run on one env has no rows for the others
        written.append(results / f"{prefix}-{page}.md")
        written[-1].write_text(tables(names))
    return written

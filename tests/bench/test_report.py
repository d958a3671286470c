"""The machine/version lines every benchmark writes next to its numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    publish,
    replace_named_block,
)


def _load_line(start: float, end: float, cpus: int) -> str:
    env = {**environment("cpu"), "logical_cpus": cpus}
    env.update(load_average_start=start, load_average_end=end)
    (line,) = [x for x in environment_lines(env) if "load average" in x]
    return line


def test_the_load_note_says_the_machine_was_shared_only_when_it_was() -> None:
    quiet = _load_line(0.7, 0.9, cpus=2)
    assert "0.7 at the start, 0.9 at the end" in quiet
    assert "other jobs" not in quiet
    busy = _load_line(1.5, 6.5, cpus=2)
    assert "above the CPU count" in busy


def test_publish_copies_plot_and_attachments_beside_the_docs_page(tmp_path: Path) -> None:
    out, docs = tmp_path / "out", tmp_path / "docs"
    out.mkdir()
    docs.mkdir()
    page = docs / "speed.md"
    page.write_text("# Speed\n\nprose kept\n")
    (out / "speed.png").write_bytes(b"png")
    (out / "speed.json").write_text("{}")
    publish("| a |\n", out / "speed.md", out / "speed.png", str(page), (out / "speed.json",))
    assert "prose kept" in page.read_text() and "| a |" in page.read_text()
    assert (docs / "speed.png").read_bytes() == b"png"
    assert (docs / "speed.json").read_text() == "{}"


def test_publish_refuses_to_overwrite_the_docs_page_with_the_bare_block(tmp_path: Path) -> None:
    page = tmp_path / "speed.md"
    page.write_text("# Speed\n\nprose kept\n")
    with pytest.raises(ValueError, match="docs page itself"):
        publish("| a |\n", page, None, str(page))
    assert "prose kept" in page.read_text()


def test_named_block_is_replaced_and_a_page_without_it_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "env.md"
    page.write_text("intro\n<!-- lqr-grid:start -->\nold\n<!-- lqr-grid:end -->\noutro\n")
    replace_named_block(page, "lqr-grid", "| new |")
    assert page.read_text() == (
        "intro\n<!-- lqr-grid:start -->\n| new |\n<!-- lqr-grid:end -->\noutro\n"
    )
    with pytest.raises(ValueError, match="no <!-- lqr-2d:start -->"):
        replace_named_block(page, "lqr-2d", "| x |")

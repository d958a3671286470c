"""The machine/version lines every benchmark writes next to its numbers."""

from __future__ import annotations

from hybrid_toolkit.bench.report import environment, environment_lines


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

"""The decision-time suite's training-cost table: every part of a step is timed, the rows
train (updates run in the timed rounds), and the page's named block is rewritten in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hybrid_toolkit.bench.speed.decision_time import DecisionTimeOptions
from hybrid_toolkit.bench.speed.training_cost import (
    TimingSettings,
    build_trainer,
    run_training,
    warm_up,
)


def test_timed_rounds_split_the_step_and_include_the_updates() -> None:
    trainer = build_trainer("DGRL (job-shop)", components=2, choices=11)
    warm_up(trainer, 64)
    updates = trainer.model.critic_updates
    run = trainer.rounds(2)
    assert trainer.model.critic_updates > updates  # past the random warm-up: updates ran
    assert run["total"] >= run["act"] + run["env"] + run["update"] - 1e-6
    assert min(run.values()) >= 0.0


def test_run_training_writes_its_files_and_only_the_named_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "intro\n<!-- results:start -->\nkept\n<!-- results:end -->\n"
        "<!-- training-cost:start -->\nold\n<!-- training-cost:end -->\nend\n"
    )
    out = tmp_path / "out"
    timing = TimingSettings(repeats=1, seconds=0.0, warmup=32)
    records = run_training(("Cacla", "DNC (greedy)"), (2,), 11, timing, 0, "cpu", out, str(page))
    assert [r["algorithm"] for r in records] == ["Cacla", "DNC (greedy)"]
    assert json.loads((out / "training-cost.json").read_text())["results"]
    text = page.read_text()
    assert "kept" in text and "old" not in text and "| DNC (greedy) |" in text
    assert (tmp_path / "training-cost.json").exists()


def test_unknown_parts_and_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="parts"):
        DecisionTimeOptions(parts=("decisions", "bogus"))
    with pytest.raises(ValueError, match="training_algorithms"):
        DecisionTimeOptions(training_algorithms=("DGRL (fast)",))

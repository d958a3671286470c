"""The ppo-vs-sb3 bench suite: its CLI, its bookkeeping (medians, ratios, reports) and a tiny run.

No timing is asserted here: speed is what the suite measures, not what a test can check.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from conftest import CliRunner

from hybrid_toolkit.bench import get_suite, list_suites
from hybrid_toolkit.bench.ppo_vs_sb3 import (
    MODE_DEFAULTS,
    RUNNERS,
    Measurement,
    PPOvsSB3Options,
    markdown,
    ratios,
    summarize,
)
from hybrid_toolkit.bench.report import RESULTS_END, RESULTS_START, replace_results_block


def test_suite_is_registered_and_its_help_lists_the_options(
    run_cli: CliRunner,
) -> None:
    assert "ppo-vs-sb3" in list_suites()
    assert get_suite("ppo-vs-sb3").config_class is PPOvsSB3Options
    code, out = run_cli(["bench", "ppo-vs-sb3", "--help"])
    assert code == 0
    for option in ["--mode", "--batch-sizes", "--repeats", "--runners", "--docs-page", "--threads"]:
        assert option in out


def test_bad_options_are_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="runners"):
        PPOvsSB3Options(runners=("ours", "tianshou"))
    with pytest.raises(ValueError, match="n_epochs"):
        PPOvsSB3Options(n_epochs=0)
    with pytest.raises(ValueError, match="n_minibatches=4"):
        PPOvsSB3Options(batch_sizes=(1,), n_steps=2)


def test_mode_defaults_fill_only_what_was_left_empty() -> None:
    quick = PPOvsSB3Options(mode="quick").effective()
    assert (quick.batch_sizes, quick.repeats, quick.iterations) == (
        MODE_DEFAULTS["quick"]["batch_sizes"],
        1,
        1,
    )
    full = PPOvsSB3Options(mode="full", repeats=5).effective()
    assert full.batch_sizes == (16, 64, 256) and full.repeats == 5 and full.iterations == 4


def fake(runner: str, batch: int, seed: int, rate: float) -> Measurement:
    return Measurement(runner, batch, seed, 1000, 1000 / rate, 0.25 * 1000 / rate, 0.5)


def test_medians_ratios_and_the_table_are_computed_from_the_runs() -> None:
    rates = {"ours": [900.0, 1000.0, 3000.0], "sb3-batched": [400.0, 500.0, 450.0]}
    rates["sb3-dummyvecenv"] = [100.0, 50.0, 200.0]
    runs = [
        fake(runner, 8, seed, rate)
        for runner, values in rates.items()
        for seed, rate in enumerate(values)
    ]
    rows = summarize(runs)
    assert [r["runner"] for r in rows] == list(RUNNERS)
    medians = {r["runner"]: r["median_steps_per_second"] for r in rows}
    assert medians == {k: statistics.median(v) for k, v in rates.items()}
    assert rows[0]["seeds"] == [0, 1, 2]
    assert rows[0]["collect_fraction"] == pytest.approx(0.25)
    found = {r["label"]: r["ratio"] for r in ratios(rows)}
    assert found["ours / SB3 + DummyVecEnv"] == pytest.approx(1000 / 100)
    assert found["ours / SB3 + batched env"] == pytest.approx(1000 / 450)
    assert found["SB3 + batched env / SB3 + DummyVecEnv"] == pytest.approx(4.5)
    env = {
        "date_utc": "now",
        "cpu": "cpu",
        "logical_cpus": 2,
        "platform": "p",
        "python": "3",
        "versions": {"torch": "2"},
        "torch_threads": 1,
        "device": "cpu",
        "load_average_start": 0.5,
    }
    table = markdown(PPOvsSB3Options(mode="full").effective(), rows, env)
    assert "| 8 | 1,000 | 450 | 100 | 10.0× | 2.2× | 4.5× |" in table
    assert "load average: 0.5 at the start" in table


def test_ratios_skip_runners_that_were_not_run() -> None:
    rows = summarize([fake("ours", 4, 0, 10.0), fake("sb3-batched", 4, 0, 5.0)])
    assert [r["label"] for r in ratios(rows)] == ["ours / SB3 + batched env"]


def test_results_block_is_replaced_and_the_rest_of_the_page_kept(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\nintro\n\n{RESULTS_START}\nold\n{RESULTS_END}\n\n## After\n")
    replace_results_block(page, "new table")
    assert page.read_text() == (
        f"# Title\n\nintro\n\n{RESULTS_START}\nnew table\n{RESULTS_END}\n\n## After\n"
    )
    bare = tmp_path / "bare.md"
    bare.write_text("# Only a title\n")
    replace_results_block(bare, "table")
    assert bare.read_text() == f"# Only a title\n\n{RESULTS_START}\ntable\n{RESULTS_END}\n"


def test_a_tiny_run_writes_json_markdown_plot_and_the_docs_block(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    page = tmp_path / "docs" / "ppo-vs-sb3.md"
    page.parent.mkdir()
    page.write_text(f"# PPO vs SB3\n\n{RESULTS_START}\nold\n{RESULTS_END}\n")
    args = ["bench", "ppo-vs-sb3", "--batch-sizes", "2", "--n-steps", "4", "--n-epochs", "1"]
    args += ["--n-minibatches", "2", "--hidden", "8", "--repeats", "2", "--iterations", "1"]
    args += ["--out-dir", str(tmp_path / "out"), "--docs-page", str(page)]
    code, out = run_cli(args)
    assert code == 0, out
    data = json.loads((tmp_path / "out" / "ppo-vs-sb3.json").read_text())
    assert data["settings"]["batch_sizes"] == [2] and data["settings"]["repeats"] == 2
    assert sorted((m["runner"], m["seed"]) for m in data["measurements"]) == sorted(
        (runner, seed) for runner in RUNNERS for seed in (0, 1)
    )
    # every timed run trained exactly `iterations` rollouts of n_steps × B steps
    assert {m["timesteps"] for m in data["measurements"]} == {4 * 2}
    for row in data["results"]:
        assert row["median_steps_per_second"] == statistics.median(row["steps_per_second"])
    assert "versions" in data["environment"] and "load_average_end" in data["environment"]
    block = (tmp_path / "out" / "ppo-vs-sb3.md").read_text()
    assert block.strip() in page.read_text() and "old" not in page.read_text()
    assert (tmp_path / "out" / "ppo-vs-sb3.png").stat().st_size > 0
    assert (page.parent / "ppo-vs-sb3.png").exists()

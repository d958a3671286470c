"""``bench learning-sweep``: cached runs become pass counts per MKL setting, a table and a plot;
the worker trains missing runs in a process of its own under the requested ``MKL_CBWR``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hybrid_toolkit.bench import get_suite
from hybrid_toolkit.bench.learning import LEARNING_CASES
from hybrid_toolkit.bench.learning.runs import load_run, run_path
from hybrid_toolkit.bench.learning.suite import LearningSweepOptions


def fake_run(cache: Path, case: str, mkl: str, seed: int, score: float) -> None:
    path = run_path(cache, case, mkl, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    task = LEARNING_CASES[case].task
    path.write_text(
        json.dumps({"case": case, "task": task, "mkl": mkl, "seed": seed, "score": score})
    )


def test_cached_runs_give_pass_counts_table_and_plot(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    threshold = LEARNING_CASES["ppo-target-regime"].threshold
    for mkl in ("default", "AVX2"):
        for seed in (0, 1):
            fake_run(cache, "ppo-target-regime", mkl, seed, threshold + 0.01)
            # one AVX2 seed of the second case misses its threshold
            score = 0.5 if (mkl, seed) == ("AVX2", 1) else 1.0
            fake_run(cache, "vac-target-25-actions", mkl, seed, score)
    options = LearningSweepOptions(
        mode="full",
        out_dir=str(tmp_path),
        cases=("ppo-target-regime", "vac-target-25-actions"),
        seeds=(0, 1),
        mkl=("default", "AVX2"),
        cache_only=True,
        docs_page=str(tmp_path / "page.md"),
    )
    assert get_suite("learning-sweep").run(options) == 1  # a failed run is a failed sweep
    table = (tmp_path / "learning-sweep.md").read_text()
    assert "**7 of 8 runs met their threshold**" in table
    assert "| `vac-target-25-actions` |" in table and "| 2/2 | 1/2 | 0.500 |" in table
    assert (tmp_path / "learning-sweep.png").stat().st_size > 0
    assert "7 of 8 runs" in (tmp_path / "page.md").read_text()


def test_cache_only_refuses_to_train(tmp_path: Path) -> None:
    options = LearningSweepOptions(
        out_dir=str(tmp_path), cases=("hpo-target-regime",), cache_only=True
    )
    assert get_suite("learning-sweep").run(options) == 2


def test_a_changed_budget_invalidates_the_cached_run(tmp_path: Path) -> None:
    fake_run(tmp_path, "hpo-target-regime", "default", 0, 1.0)
    case = LEARNING_CASES["hpo-target-regime"]
    assert load_run(tmp_path, case.name, case.task, "default", 0) is not None
    assert load_run(tmp_path, case.name, case.task + " (longer)", "default", 0) is None


def test_unknown_case_or_mkl_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="cases has unknown values"):
        LearningSweepOptions(cases=("no-such-case",))
    with pytest.raises(ValueError, match="mkl has unknown values"):
        LearningSweepOptions(mkl=("AVX512",))


def test_worker_trains_a_missing_run_under_the_mkl_setting(tmp_path: Path) -> None:
    options = LearningSweepOptions(
        out_dir=str(tmp_path), cases=("hpo-target-regime",), seeds=(3,), mkl=("AVX2",)
    )
    assert get_suite("learning-sweep").run(options) == 0
    case = LEARNING_CASES["hpo-target-regime"]
    run = load_run(tmp_path / "cache", case.name, case.task, "AVX2", 3)
    assert run is not None and run["mkl"] == "AVX2" and run["passed"]

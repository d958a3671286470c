"""The bench grids as Ray Tune trials give the results of the sequential runner.

One local Ray instance (2 CPUs) serves the whole module, so Ray starts once; the workers import
this package from the same folder as the tests (a source tree or worktree on ``PYTHONPATH``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

import hybrid_toolkit
from hybrid_toolkit.bench.grid_runner import (
    GridJob,
    GridOptions,
    GridRunError,
    connect_ray,
    run_grid,
)

ray = pytest.importorskip("ray")
pytest.importorskip("ray.tune")

TIMING = frozenset(
    {"wall_s", "seconds_per_update", "cpu_seconds", "wall_seconds", "cpu_minutes"}
    | {"environment", "load_average"}
)
"""Fields that measure the machine, not the run; they differ between any two runs."""
RUNNER = frozenset({"out_dir", "runner", "max_concurrent", "num_cpus"})
"""Options that say where and how the grid ran, not what it computed."""


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    started = connect_ray(GridOptions(num_cpus=2))
    yield
    if started:
        ray.shutdown()


def _without(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


def _results(folder: Path) -> dict[str, Any]:
    files = sorted(folder.rglob("*.json"))
    return {
        str(f.relative_to(folder)): _without(json.loads(f.read_text()), TIMING | RUNNER)
        for f in files
    }


def test_hpo_paper_writes_the_same_results_through_ray_tune_as_sequentially(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    grid = ["--mode", "smoke", "--parts", "jrp", "--seeds", "2", "--jrp-updates", "4"]
    grid += ["--eval-every", "2", "--batch", "8"]
    for name in ("sequential", "ray"):
        out_dir = tmp_path / name
        if name == "ray":  # the reference policies are not part of the grid: reuse their cache
            out_dir.mkdir()
            shutil.copy(tmp_path / "sequential" / "references.json", out_dir)
        code, out = run_cli(
            ["bench", "hpo-paper", *grid, "--out-dir", str(out_dir), "--runner", name]
        )
        assert code == 0, out
    sequential, on_ray = _results(tmp_path / "sequential"), _results(tmp_path / "ray")
    assert len(sequential) == 6  # results, references and the four (algo, seed) runs
    assert on_ray == sequential
    for plot in ("dev_curves.png", "updates_to_target.png"):
        assert (tmp_path / "ray" / plot).read_bytes() == (
            tmp_path / "sequential" / plot
        ).read_bytes()


def test_trials_run_at_the_priority_of_a_sequential_run() -> None:
    """Ray's default worker niceness (15) would starve the trials beside any other job."""
    got: dict[int, Any] = {}
    run_grid([GridJob("nice", partial(os.nice, 0))], GridOptions(runner="ray"), got.__setitem__)
    assert got == {0: os.nice(0)}


@pytest.mark.slow
def test_a_failed_trial_fails_the_grid_naming_the_run_and_its_error() -> None:
    jobs = [
        GridJob("where", partial(importlib.util.find_spec, "hybrid_toolkit")),
        GridJob("sqrt -1", partial(math.sqrt, -1.0)),
    ]
    got: dict[int, Any] = {}
    with pytest.raises(
        GridRunError,
        match=r"1 of 2 grid runs failed .*sqrt -1, raised ValueError: math domain error",
    ):
        run_grid(jobs, GridOptions(runner="ray"), got.__setitem__)
    # The run that succeeded was delivered (the suite caches it), and its worker imported this
    # very package, not another install.
    assert list(got) == [0]
    assert got[0].origin == hybrid_toolkit.__file__


MACHINE = frozenset(
    {"environment", "load_average_start", "load_average_end", "date"}
    | {"train_seconds", "steps_per_second"}
)
"""What the dgrl-paper and classic-envs records say about the machine and the clock."""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suite", "grid", "files"),
    [
        ("dgrl-paper", ["--methods", "dgrl", "cacla", "--seeds", "0", "1"], 5),
        ("classic-envs", ["--algos", "ppo", "dgrl", "--seeds", "0", "1"], 4),
    ],
)
def test_more_suites_write_the_same_results_through_ray_tune_as_sequentially(
    suite: str, grid: list[str], files: int, tmp_path: Path, run_cli: CliRunner
) -> None:
    for name in ("sequential", "ray"):
        out_dir = str(tmp_path / name)
        args = ["bench", suite, "--mode", "smoke", *grid, "--out-dir", out_dir, "--runner", name]
        code, out = run_cli(args)
        assert code == 0, out
    sequential = {k: _without(v, MACHINE) for k, v in _results(tmp_path / "sequential").items()}
    assert sequential == {k: _without(v, MACHINE) for k, v in _results(tmp_path / "ray").items()}
    assert len(sequential) == files  # dgrl-paper.json and four runs; four classic-envs runs

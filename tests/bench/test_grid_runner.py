"""The bench grids' runner: which runner ``auto`` picks, the fallback without Ray, and the
errors a user sees (no Ray is started here; tests/bench/test_grid_on_ray.py starts it)."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

from hybrid_toolkit.bench import grid_runner
from hybrid_toolkit.bench.grid_runner import GridJob, GridOptions, run_grid


def _without_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    real = grid_runner.is_installed
    monkeypatch.setattr(
        grid_runner, "is_installed", lambda name: not name.startswith("ray") and real(name)
    )


def test_the_sequential_runner_delivers_every_value_in_job_order() -> None:
    jobs = [GridJob(f"sqrt {x}", partial(math.sqrt, x)) for x in (4.0, 9.0, 16.0)]
    got: list[tuple[int, float]] = []
    run_grid(jobs, GridOptions(runner="sequential"), lambda i, v: got.append((i, v)))
    assert got == [(0, 2.0), (1, 3.0), (2, 4.0)]


def test_a_failed_run_fails_the_grid_with_its_own_error() -> None:
    jobs = [
        GridJob("sqrt 4", partial(math.sqrt, 4.0)),
        GridJob("sqrt -1", partial(math.sqrt, -1.0)),
    ]
    got: list[int] = []
    with pytest.raises(ValueError, match="math domain error"):
        run_grid(jobs, GridOptions(runner="sequential"), lambda i, v: got.append(i))
    assert got == [0]  # the runs before it are delivered (and cached by the suite)


@pytest.mark.parametrize(
    ("options", "jobs", "threads", "expected"),
    [
        ({"runner": "sequential", "mode": "full"}, 8, 1, "sequential"),
        ({"mode": "smoke"}, 8, 1, "sequential"),  # Ray's start-up would dominate
        ({"mode": "quick"}, 8, 1, "sequential"),  # quick modes promise 3 minutes
        ({"mode": "quick", "address": "auto"}, 8, 1, "ray"),  # a cluster was asked for
        ({"mode": "full"}, 1, 1, "sequential"),  # nothing to run side by side
        ({"mode": "full", "max_concurrent": 1}, 8, 1, "sequential"),
        ({"mode": "full", "num_cpus": 2}, 8, 2, "sequential"),  # one 2-thread slot
        ({"mode": "full", "num_cpus": 2}, 8, 1, "ray"),
    ],
)
def test_auto_picks_ray_only_where_it_pays(
    options: dict[str, Any],
    jobs: int,
    threads: int,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(grid_runner, "is_installed", lambda name: True)
    assert GridOptions(**options).resolved_runner(jobs, threads) == expected


def test_auto_without_ray_runs_sequentially_and_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _without_ray(monkeypatch)
    assert GridOptions(mode="full", num_cpus=4).resolved_runner(8) == "sequential"
    note = capsys.readouterr().out
    assert "sequentially" in note and "pip install 'hybrid-toolkit[tune]'" in note


@pytest.mark.parametrize("flags", [["--runner", "ray"], ["--address", "auto"]])
def test_asking_for_ray_without_it_exits_2_naming_the_extra(
    flags: list[str], tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_ray(monkeypatch)
    code, out = run_cli(
        ["bench", "hpo-paper", "--mode", "smoke", "--out-dir", str(tmp_path), *flags]
    )
    assert code == 2, out
    assert "pip install 'hybrid-toolkit[tune]'" in out
    assert not list(tmp_path.iterdir())  # refused before running anything


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("runner", "threads", "runner must be one of auto, sequential, ray, got 'threads'"),
        ("max_concurrent", -1, "max_concurrent must be >= 0"),
        ("num_cpus", -2, "num_cpus must be >= 0"),
        ("gpus_per_trial", 0.0, "gpus_per_trial must be > 0, got 0.0"),
    ],
)
def test_bad_runner_options_name_the_option_and_the_value(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        GridOptions(**{field: value})  # type: ignore[arg-type]


def test_an_address_needs_a_ray_runner() -> None:
    with pytest.raises(ValueError, match="address must be empty with runner 'sequential'"):
        GridOptions(runner="sequential", address="ray://head:10001")

"""Run folders: CleanRL-style names, unique on collision, safe characters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from hybrid_toolkit.training import make_run_dir

WHEN = datetime(2024, 1, 2, 3, 4, 5)


def test_name_is_env_algo_seed_time(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "runs", "JointReplenishment-v0", "ppo", 7, now=WHEN)
    assert path == tmp_path / "runs" / "JointReplenishment-v0__ppo__7__20240102-030405"
    assert path.is_dir()


def test_collisions_get_a_numbered_suffix(tmp_path: Path) -> None:
    paths = [make_run_dir(tmp_path, "Env-v0", "ppo", 0, now=WHEN) for _ in range(3)]
    assert [p.name for p in paths] == [
        "Env-v0__ppo__0__20240102-030405",
        "Env-v0__ppo__0__20240102-030405_1",
        "Env-v0__ppo__0__20240102-030405_2",
    ]


def test_path_separators_do_not_create_subfolders(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path, "hybrid_toolkit/Platform-v0", "ppo", 1, now=WHEN)
    assert path.parent == tmp_path
    assert path.name == "hybrid_toolkit_Platform-v0__ppo__1__20240102-030405"


def test_uses_the_current_time_by_default(tmp_path: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    path = make_run_dir(tmp_path, "E", "a", 0)
    stamp = datetime.strptime(path.name.split("__")[-1], "%Y%m%d-%H%M%S")
    assert before <= stamp <= datetime.now()


def test_seed_must_be_an_int(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed must be an int, got '1'"):
        make_run_dir(tmp_path, "E", "a", "1")  # type: ignore[arg-type]

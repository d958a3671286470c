"""Learning curves from run directories: the median and interquartile band across seeds, grouping,
the reference line and the errors, checked exactly on hand-written ``progress.csv`` files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from hybrid_toolkit.training import load_curves, plot_runs
from hybrid_toolkit.training.learning_curves import aggregate
from hybrid_toolkit.training.run_logs import find_run_dirs, read_run_info, read_series

X, Y = "time/total_timesteps", "rollout/ep_rew_mean"


def write_run(
    root: Path, algo: str, seed: int, xs: list[float], ys: list[float], env: str = "TargetRegime-v0"
) -> Path:
    """A run directory whose progress.csv holds ``ys`` against ``xs`` (and another column)."""
    run = root / f"{env}__{algo}__{seed}__20260101-000000"
    run.mkdir(parents=True)
    with (run / "progress.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([Y, "train/loss", X])
        writer.writerows([y, 0.5, x] for x, y in zip(xs, ys, strict=True))
    return run


def test_median_and_interquartile_band_across_seeds_on_a_common_grid(tmp_path: Path) -> None:
    write_run(tmp_path, "ppo", 0, [0, 10, 20], [0, 1, 2])
    write_run(tmp_path, "ppo", 1, [0, 10, 20], [0, 2, 4])
    write_run(tmp_path, "ppo", 2, [0, 10, 20, 30], [0, 3, 6, 9])  # beyond the others: cut
    write_run(tmp_path, "ppo", 3, [0, 20], [0, 8])  # no row at x=10: interpolated to 4
    curves = load_curves([tmp_path])
    (group,) = curves.groups
    assert group.label == "ppo" and len(group.runs) == 4
    np.testing.assert_array_equal(group.x, [0, 10, 20])
    # at x=10 the runs read 1, 2, 3, 4; at x=20: 2, 4, 6, 8 (numpy's linear percentiles)
    np.testing.assert_allclose(group.median, [0, 2.5, 5.0])
    np.testing.assert_allclose(group.low, [0, 1.75, 3.5])
    np.testing.assert_allclose(group.high, [0, 3.25, 6.5])


def test_a_single_run_is_its_own_curve(tmp_path: Path) -> None:
    xs, ys = [0.0, 5.0, 7.0], [1.0, -2.0, 3.0]
    curves = load_curves([write_run(tmp_path, "hpo", 0, xs, ys)])
    (group,) = curves.groups
    np.testing.assert_array_equal(group.x, xs)
    for band in (group.median, group.low, group.high):
        np.testing.assert_array_equal(band, ys)


def test_runs_are_grouped_by_algorithm_in_order_and_by_env_when_several(tmp_path: Path) -> None:
    for seed in (0, 1):
        write_run(tmp_path, "ppo", seed, [0, 1], [0, 1])
        write_run(tmp_path, "hpo", seed, [0, 1], [1, 2])
    curves = load_curves([tmp_path])
    assert [(g.label, len(g.runs)) for g in curves.groups] == [("hpo", 2), ("ppo", 2)]
    write_run(tmp_path, "ppo", 0, [0, 1], [0, 1], env="TargetHybrid-v0")
    labels = [g.label for g in load_curves([tmp_path]).groups]
    assert labels == ["ppo (TargetHybrid-v0)", "hpo (TargetRegime-v0)", "ppo (TargetRegime-v0)"]
    by_run = load_curves([tmp_path], group_by="run").groups
    assert len(by_run) == 5 and all(len(g.runs) == 1 for g in by_run)


def test_run_identity_comes_from_run_json_before_hparams_and_folder_name(tmp_path: Path) -> None:
    run = write_run(tmp_path, "folder-algo", 7, [0, 1], [0, 1])
    assert (read_run_info(run).algorithm, read_run_info(run).seed) == ("folder-algo", 7)
    (run / "hparams.json").write_text(json.dumps({"algorithm": "hpo", "env": "E", "seed": 3}))
    assert (read_run_info(run).algorithm, read_run_info(run).env_name) == ("hpo", "E")
    record = {"algo_name": "dgrl", "env_name": "F", "env": {}, "run": {"seed": 5}}
    (run / "run.json").write_text(json.dumps(record))
    info = read_run_info(run)
    assert (info.algorithm, info.env_name, info.seed, info.env_config) == ("dgrl", "F", 5, {})


def test_a_resumed_run_logging_an_x_twice_keeps_the_last_value(tmp_path: Path) -> None:
    run = write_run(tmp_path, "ppo", 0, [0, 10, 10, 20], [0, 1, 5, 2])
    series = read_series(run, Y)
    assert series is not None
    np.testing.assert_array_equal(series[0], [0, 10, 20])
    np.testing.assert_array_equal(series[1], [0, 5, 2])


def test_target_env_optimum_is_the_reference_only_for_returns(tmp_path: Path) -> None:
    run = write_run(tmp_path, "ppo", 0, [0, 1], [0, 1])
    record = {"algo_name": "ppo", "env_name": "TargetRegime-v0", "env": {"horizon": 5}, "run": {}}
    (run / "run.json").write_text(json.dumps(record))
    assert load_curves([run]).references == (("optimum of TargetRegime-v0 (5)", 5.0),)
    assert load_curves([run], "train/loss").references == ()
    assert load_curves([run], reference="none").references == ()
    assert load_curves([run], reference=2.5).references == (("reference (2.5)", 2.5),)
    # without a record of the env's configuration, no optimum is claimed
    other = write_run(tmp_path, "hpo", 0, [0, 1], [0, 1])
    assert load_curves([other]).references == ()
    # a run trained from Python records it in hparams.json
    hparams = {"algorithm": "hpo", "env": "TargetRegime-v0", "env_config": {"horizon": 6}}
    (other / "hparams.json").write_text(json.dumps(hparams))
    assert load_curves([other]).references == (("optimum of TargetRegime-v0 (6)", 6.0),)


def test_config_json_is_read_before_an_older_run_json(tmp_path: Path) -> None:
    run = write_run(tmp_path, "folder-algo", 7, [0, 1], [0, 1])
    old = {"algo_name": "dgrl", "env_name": "F", "env": {}, "run": {"seed": 5}}
    (run / "run.json").write_text(json.dumps(old))
    (run / "config.json").write_text(json.dumps({**old, "algo_name": "ppo"}))
    assert read_run_info(run).algorithm == "ppo"


def test_png_svg_and_pdf_are_written_by_suffix(tmp_path: Path) -> None:
    run = write_run(tmp_path / "runs", "ppo", 0, [0, 1, 2], [0, 1, 4])
    outs = [tmp_path / "out" / "c.png", tmp_path / "c.svg", tmp_path / "c.pdf"]
    assert plot_runs([run], out=outs) == outs
    assert outs[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in outs[1].read_bytes()[:2000]
    assert outs[2].read_bytes().startswith(b"%PDF")


def test_a_parent_folder_expands_to_its_runs_recursively(tmp_path: Path) -> None:
    a = write_run(tmp_path / "exp1", "ppo", 0, [0, 1], [0, 1])
    b = write_run(tmp_path / "exp2" / "deeper", "ppo", 1, [0, 1], [0, 1])
    (a / "checkpoints").mkdir()  # a run's own folders are not searched
    assert find_run_dirs([tmp_path, a]) == [a, b]


def test_runs_that_lack_the_key_are_skipped_and_named(tmp_path: Path) -> None:
    kept = write_run(tmp_path, "ppo", 0, [0, 1], [0, 1])
    empty = tmp_path / "TargetRegime-v0__ppo__1__20260101-000000"
    empty.mkdir()
    (empty / "progress.csv").write_text(f"{Y},{X}\n")
    curves = load_curves([kept, empty])
    assert curves.groups[0].runs == (kept,)
    assert [run for run, _ in curves.skipped] == [empty]


def test_a_key_no_run_logged_lists_the_keys_that_exist(tmp_path: Path) -> None:
    run = write_run(tmp_path, "ppo", 0, [0, 1], [0, 1])
    with pytest.raises(ValueError, match=r"'eval/mean_reward'.*keys they logged: rollout/ep_rew"):
        load_curves([run], "eval/mean_reward")


def test_folders_without_runs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"'.*missing' does not exist"):
        load_curves([tmp_path / "missing"])
    (tmp_path / "notes").mkdir()
    with pytest.raises(ValueError, match="is not a run directory and holds none"):
        load_curves([tmp_path])


def test_runs_that_logged_nothing_are_refused(tmp_path: Path) -> None:
    run = tmp_path / "TargetRegime-v0__ppo__0__20260101-000000"
    run.mkdir()
    (run / "hparams.json").write_text("{}")
    with pytest.raises(ValueError, match="logged nothing"):
        load_curves([run])


def test_bad_arguments_name_the_parameter(tmp_path: Path) -> None:
    run = write_run(tmp_path, "ppo", 0, [0, 1], [0, 1])
    with pytest.raises(ValueError, match="group_by must be one of"):
        load_curves([run], group_by="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reference must be a finite number, 'auto' or 'none'"):
        load_curves([run], reference=float("nan"))
    with pytest.raises(ValueError, match=r"out must end in \.png"):
        plot_runs([run], out=tmp_path / "c.jpg")


def test_groups_that_share_no_x_range_are_refused() -> None:
    early = (np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    late = (np.array([5.0, 6.0]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"share an x range.*\[0, 1\], \[5, 6\]"):
        aggregate([early, late])

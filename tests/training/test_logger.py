"""Logger output formats: TensorBoard events, CSV with a growing header, stdout, hparams."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from hybrid_toolkit.training import Logger, configure_logger


def _scalars(folder: Path, tag: str) -> list[tuple[int, float]]:
    acc = EventAccumulator(str(folder))
    acc.Reload()
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def test_tensorboard_events_hold_the_recorded_scalars(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("tensorboard",), verbose=0)
    logger.record("train/policy_loss", 0.5)
    logger.record("rollout/ep_rew_mean", torch.tensor(-3.0))
    logger.dump(step=10)
    logger.record("train/policy_loss", 0.25)
    logger.dump(step=20)
    logger.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert {"train/policy_loss", "rollout/ep_rew_mean"} <= set(acc.Tags()["scalars"])
    assert _scalars(tmp_path, "train/policy_loss") == [(10, 0.5), (20, 0.25)]
    assert _scalars(tmp_path, "rollout/ep_rew_mean") == [(10, -3.0)]


def test_hparams_go_to_a_tensorboard_table_and_json(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("tensorboard",), verbose=0)
    hparams = {"learning_rate": 0.001, "net": {"hidden": [64, 64]}, "device": torch.device("cpu")}
    logger.record_hparams(hparams)
    logger.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    tag = "hyperparameters/text_summary"
    assert tag in acc.Tags()["tensors"]
    text = acc.Tensors(tag)[0].tensor_proto.string_val[0].decode()
    assert "| learning_rate | 0.001 |" in text
    assert "| net.hidden | [64, 64] |" in text
    saved = json.loads((tmp_path / "hparams.json").read_text())
    assert saved == {"learning_rate": 0.001, "net": {"hidden": [64, 64]}, "device": "cpu"}


def test_recording_the_same_hparams_twice_writes_them_once(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("tensorboard",), verbose=0)
    logger.record_hparams({"lr": 1})
    logger.record_hparams({"lr": 1})
    logger.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert len(acc.Tensors("hyperparameters/text_summary")) == 1


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_csv_header_grows_and_old_rows_are_padded(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("csv",), verbose=0)
    for values in ({"a": 1}, {"a": 2, "b": 3.5}, {"b": 4}):
        for key, value in values.items():
            logger.record(key, value)
        logger.dump()
    logger.close()
    path = tmp_path / "progress.csv"
    assert path.read_text().splitlines()[0] == "a,b"
    assert _rows(path) == [{"a": "1", "b": ""}, {"a": "2", "b": "3.5"}, {"a": "", "b": "4"}]
    assert [p.name for p in tmp_path.iterdir()] == ["progress.csv"]  # no temp file left


def test_csv_reopened_after_close_appends_and_new_logger_overwrites(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("csv",), verbose=0)
    logger.record("a", 1)
    logger.dump()
    logger.close()
    logger.record("a", 2)
    logger.dump()
    logger.close()
    assert _rows(tmp_path / "progress.csv") == [{"a": "1"}, {"a": "2"}]
    fresh = Logger(tmp_path, formats=("csv",), verbose=0)
    fresh.record("z", 9)
    fresh.dump()
    fresh.close()
    assert _rows(tmp_path / "progress.csv") == [{"z": "9"}]


def test_record_mean_averages_until_dump(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("csv",), verbose=0)
    for value in (1.0, 2.0, 6.0):
        logger.record_mean("train/loss", value)
    assert logger.name_to_value == {"train/loss": pytest.approx(3.0)}
    logger.dump()
    assert logger.name_to_value == {}
    logger.record_mean("train/loss", 10.0)
    logger.dump()
    logger.close()
    assert [r["train/loss"] for r in _rows(tmp_path / "progress.csv")] == ["3.0", "10.0"]


def test_stdout_table_groups_keys(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger(None, formats=("stdout",), verbose=1)
    logger.record("time/fps", 1234)
    logger.record("rollout/ep_rew_mean", 9.5)
    logger.dump(step=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("---") and lines[-1].startswith("---")
    cells = [[c.strip() for c in line[1:-1].split("|")] for line in lines[1:-1]]
    assert cells == [["rollout/", ""], ["ep_rew_mean", "9.5"], ["time/", ""], ["fps", "1234"]]
    assert len({len(line) for line in lines}) == 1  # aligned


def test_stdout_table_follows_a_later_redirect_and_matches_sb3() -> None:
    from stable_baselines3.common.logger import HumanOutputFormat

    logger = Logger(None, formats=("stdout",), verbose=1)  # created before the redirect
    values = {"rollout/ep_rew_mean": 9.5, "time/fps": 1234, "train/a_rather_long_metric_name": 0.1}
    for key, value in values.items():
        logger.record(key, value)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        logger.dump(step=1)
    expected = io.StringIO()
    HumanOutputFormat(expected, max_length=80).write(values, dict.fromkeys(values, ()))
    assert out.getvalue() == expected.getvalue()


def test_stdout_is_silent_with_verbose_0(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger(None, formats=("stdout",), verbose=0)
    logger.record("a", 1)
    logger.dump()
    assert capsys.readouterr().out == ""


def test_configuration_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown logger format\(s\) \['json'\]"):
        Logger(tmp_path, formats=("stdout", "json"))
    with pytest.raises(ValueError, match=r"\['csv'\] need a folder"):
        Logger(None, formats=("csv",))
    with pytest.raises(TypeError, match="sequence of format names"):
        Logger(tmp_path, formats="csv")
    with pytest.raises(TypeError, match="'train/x' must be a number or a string, got list"):
        Logger(None, ()).record("train/x", [1, 2])


def test_configure_logger_creates_the_run_dir(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "r1"
    logger = configure_logger(run, formats=("csv", "tensorboard"), verbose=0)
    logger.record("a", 1)
    logger.dump(1)
    logger.close()
    assert (run / "progress.csv").exists()
    assert any(p.name.startswith("events.out.tfevents") for p in run.iterdir())
    assert configure_logger(None).formats == ("stdout",)

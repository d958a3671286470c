"""The trainer loop: budget, callback order, early stop, cleanup on errors, metrics, logging."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from training_fakes import DEVICES, CounterEnv, FakeAlgo

from hybrid_toolkit.training import (
    Callback,
    Logger,
    TrainableAlgorithm,
    TrainingContext,
    train,
)
from hybrid_toolkit.training.trainer import AUTO_STDOUT_TABLES, auto_log_interval


class Recorder(Callback):
    """Appends ``(tag, hook, iteration, num_timesteps)`` to a shared log."""

    def __init__(self, log: list[tuple[str, str, int, int]], tag: str, stop_at: int = 0) -> None:
        self.log, self.tag, self.stop_at = log, tag, stop_at
        self.metrics: list[dict[str, float]] = []

    def on_training_start(self, ctx: TrainingContext) -> None:
        self.log.append((self.tag, "start", ctx.iteration, ctx.num_timesteps))

    def on_iteration(self, ctx: TrainingContext) -> bool:
        self.log.append((self.tag, "iter", ctx.iteration, ctx.num_timesteps))
        self.metrics.append(dict(ctx.metrics))
        return ctx.iteration != self.stop_at

    def on_training_end(self, ctx: TrainingContext) -> None:
        self.log.append((self.tag, "end", ctx.iteration, ctx.num_timesteps))


def test_fake_algo_satisfies_the_protocol() -> None:
    assert isinstance(FakeAlgo(CounterEnv([2])), TrainableAlgorithm)


@pytest.mark.parametrize("device", DEVICES)
def test_stops_once_total_timesteps_reached(device: str) -> None:
    # 2 scenarios x 4 steps = 8 timesteps per iteration; 20 needs 3 iterations (overshoot to 24).
    algo = FakeAlgo(CounterEnv([2, 2], device=device), steps_per_collect=4)
    log: list[tuple[str, str, int, int]] = []
    train(algo, total_timesteps=20, callback=Recorder(log, "a"))
    assert algo.num_timesteps == 24
    assert algo.events == ["collect", "update"] * 3
    assert log == [
        ("a", "start", 0, 0),
        ("a", "iter", 1, 8),
        ("a", "iter", 2, 16),
        ("a", "iter", 3, 24),
        ("a", "end", 3, 24),
    ]


def test_callbacks_run_in_the_given_order() -> None:
    algo = FakeAlgo(CounterEnv([2]), steps_per_collect=2)
    log: list[tuple[str, str, int, int]] = []
    train(algo, 4, callback=[Recorder(log, "a"), Recorder(log, "b")])
    assert [(tag, hook) for tag, hook, *_ in log] == [
        ("a", "start"),
        ("b", "start"),
        ("a", "iter"),
        ("b", "iter"),
        ("a", "iter"),
        ("b", "iter"),
        ("a", "end"),
        ("b", "end"),
    ]


def test_a_callback_returning_false_stops_training() -> None:
    algo = FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4)
    log: list[tuple[str, str, int, int]] = []
    train(algo, 1000, callback=[Recorder(log, "stopper", stop_at=2), Recorder(log, "other")])
    assert algo.num_timesteps == 16
    # The callback after the stopper still sees the stopping iteration; both get on_training_end.
    assert ("other", "iter", 2, 16) in log
    assert log[-2:] == [("stopper", "end", 2, 16), ("other", "end", 2, 16)]


def test_exception_in_update_still_ends_callbacks_and_closes_logger(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("csv", "tensorboard"), verbose=0)
    closed: list[bool] = []
    original_close = logger.close
    logger.close = lambda: (closed.append(True), original_close())[1]  # type: ignore[method-assign]
    algo = FakeAlgo(CounterEnv([2]), logger=logger, steps_per_collect=2, fail_in_update_at=2)
    log: list[tuple[str, str, int, int]] = []
    with pytest.raises(RuntimeError, match="boom in update"):
        train(algo, 1000, callback=Recorder(log, "a"))
    assert log[-1] == ("a", "end", 1, 4)
    assert closed == [True]
    # The first iteration was dumped before the failure and is on disk.
    rows = list(csv.DictReader((tmp_path / "progress.csv").open()))
    assert [row["time/total_timesteps"] for row in rows] == ["2"]


def test_keyboard_interrupt_still_runs_on_training_end() -> None:
    class InterruptingAlgo(FakeAlgo):
        def collect(self) -> int:
            if self.num_timesteps >= 2:
                raise KeyboardInterrupt
            return super().collect()

    log: list[tuple[str, str, int, int]] = []
    with pytest.raises(KeyboardInterrupt):
        train(InterruptingAlgo(CounterEnv([2]), steps_per_collect=2), 100, Recorder(log, "a"))
    assert log[-1] == ("a", "end", 1, 2)


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100", None])
def test_total_timesteps_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match=r"total_timesteps must be a positive integer, got"):
        train(FakeAlgo(CounterEnv([2])), bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_log_interval_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="log_interval must be an integer >= 0"):
        train(FakeAlgo(CounterEnv([2])), 10, log_interval=bad)  # type: ignore[arg-type]


def test_collect_that_does_not_advance_raises_instead_of_looping() -> None:
    class Stuck(FakeAlgo):
        def collect(self) -> int:
            return 0

    with pytest.raises(RuntimeError, match="did not advance num_timesteps"):
        train(Stuck(CounterEnv([2])), 10)


def test_iteration_metrics_include_rollout_and_time_keys() -> None:
    # Episodes last 2 steps; iteration k plays level k, so its episodes return 2k.
    algo = FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4)
    rec = Recorder([], "a")
    train(algo, 24, callback=rec)
    first, second, third = rec.metrics
    assert first["train/level"] == 2.0
    assert first["rollout/ep_rew_mean"] == pytest.approx(2.0)
    assert first["rollout/ep_len_mean"] == pytest.approx(2.0)
    assert second["rollout/ep_rew_mean"] == pytest.approx((4 * 2 + 4 * 4) / 8)
    assert third["rollout/ep_rew_mean"] == pytest.approx((4 * 2 + 4 * 4 + 4 * 6) / 12)
    assert [m["time/iterations"] for m in rec.metrics] == [1, 2, 3]
    assert [m["time/total_timesteps"] for m in rec.metrics] == [8, 16, 24]
    assert all(m["time/fps"] > 0 and m["time/time_elapsed"] >= 0 for m in rec.metrics)


def test_no_rollout_keys_before_an_episode_finishes() -> None:
    rec = Recorder([], "a")
    train(FakeAlgo(CounterEnv([100]), steps_per_collect=2), 4, callback=rec)
    assert not any(key.startswith("rollout/") for m in rec.metrics for key in m)


def stdout_iterations(out: str) -> list[int]:
    """The ``time/iterations`` value of every stdout table in ``out``."""
    cells = [line.split("|") for line in out.splitlines() if line.startswith("|")]
    return [int(row[2]) for row in cells if row[1].strip() == "iterations"]


def test_log_interval_prints_every_n_iterations_and_the_last_but_files_get_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = Logger(tmp_path, formats=("stdout", "csv"), verbose=1)
    algo = FakeAlgo(CounterEnv([2]), logger=logger, steps_per_collect=1)
    train(algo, 5, log_interval=2)
    assert stdout_iterations(capsys.readouterr().out) == [2, 4, 5]
    rows = list(csv.DictReader((tmp_path / "progress.csv").open()))
    assert [row["time/iterations"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [row["time/total_timesteps"] for row in rows] == ["1", "2", "3", "4", "5"]


def test_default_log_interval_bounds_the_stdout_tables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 1,000 iterations of one step, as an off-policy run with many short collects makes.
    logger = Logger(None, formats=("stdout",), verbose=1)
    train(FakeAlgo(CounterEnv([2]), logger=logger, steps_per_collect=1), 1000)
    tables = stdout_iterations(capsys.readouterr().out)
    assert len(tables) <= AUTO_STDOUT_TABLES + 1
    assert tables == list(range(10, 1001, 10))


def test_default_log_interval_prints_every_iteration_of_a_short_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger = Logger(None, formats=("stdout",), verbose=1)
    train(FakeAlgo(CounterEnv([2]), logger=logger, steps_per_collect=2), 20)
    assert stdout_iterations(capsys.readouterr().out) == list(range(1, 11))


@pytest.mark.parametrize(
    ("total", "start", "per_iteration", "expected"),
    [(50_000, 0, 16, 32), (1600, 0, 16, 1), (1616, 0, 16, 2), (50_000, 49_000, 16, 1)],
)
def test_auto_log_interval(total: int, start: int, per_iteration: int, expected: int) -> None:
    assert auto_log_interval(total, start, per_iteration) == expected


def test_hyperparameters_are_recorded(tmp_path: Path) -> None:
    logger = Logger(tmp_path, formats=("csv",), verbose=0)
    train(FakeAlgo(CounterEnv([2]), logger=logger, steps_per_collect=3), 3)
    text = (tmp_path / "hparams.json").read_text()
    assert '"steps_per_collect": 3' in text


def test_progress_bar_reaches_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    train(FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4), 20, progress_bar=True)
    assert "20/20" in capsys.readouterr().err

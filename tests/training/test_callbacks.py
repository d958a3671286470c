"""Built-in callbacks: evaluation + best model, stop on threshold, checkpoints, lists."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from support import MetricsRecorder
from training_fakes import DEVICES, CounterEnv, FakeAlgo

from hybrid_toolkit.training import (
    Callback,
    CallbackList,
    CheckpointCallback,
    EvalCallback,
    StopTrainingOnRewardThreshold,
    TrainingContext,
    as_callback_list,
    load_checkpoint,
    train,
)


@pytest.mark.parametrize("device", DEVICES)
def test_eval_saves_best_and_threshold_stops(tmp_path: Path, device: str) -> None:
    # 8 timesteps per iteration; eval after each. After k updates the policy plays 1 + k, and
    # an eval episode lasts 3 steps, so eval/mean_reward = 3 * (1 + k): 6, 9, 12 -> stop at 12.
    algo = FakeAlgo(CounterEnv([2, 2], device=device), steps_per_collect=4)
    stop = StopTrainingOnRewardThreshold(reward_threshold=12.0, verbose=0)
    evaluator = EvalCallback(
        CounterEnv([3, 3], device=device),
        eval_freq=8,
        n_eval_episodes=4,
        best_model_save_path=tmp_path / "best",
        callback_on_new_best=stop,
        verbose=0,
    )
    later = MetricsRecorder()
    train(algo, 1000, callback=[evaluator, later])
    assert algo.num_timesteps == 24
    assert [ts for ts, _ in evaluator.evaluations] == [8, 16, 24]
    assert [r.mean_reward for _, r in evaluator.evaluations] == pytest.approx([6.0, 9.0, 12.0])
    assert evaluator.best_mean_reward == pytest.approx(12.0)
    assert evaluator.last_mean_reward == pytest.approx(12.0)
    assert later.metrics[-1]["eval/mean_reward"] == pytest.approx(12.0)
    assert later.metrics[-1]["eval/std_reward"] == pytest.approx(0.0)
    assert later.metrics[-1]["eval/mean_ep_length"] == pytest.approx(3.0)
    best = load_checkpoint(tmp_path / "best" / "best_model.zip")
    assert best.state_dicts["policy"]["level"].item() == 4.0


def test_eval_saves_only_on_improvement(tmp_path: Path) -> None:
    algo = FakeAlgo(CounterEnv([2]), steps_per_collect=4, improve=False)
    evaluator = EvalCallback(
        CounterEnv([2]), eval_freq=4, n_eval_episodes=2, best_model_save_path=tmp_path, verbose=0
    )
    train(algo, 16, callback=evaluator)
    assert len(evaluator.evaluations) == 4
    assert algo.saved == [tmp_path / "best_model.zip"]


def test_eval_fires_when_timesteps_cross_a_multiple_of_eval_freq() -> None:
    # 8 timesteps per iteration, eval_freq=10: multiples 10, 20, 30, 40 are crossed at 16, 24,
    # 32 and 40; at 48 no new multiple of 10 was crossed since 40.
    algo = FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4)
    evaluator = EvalCallback(CounterEnv([2]), eval_freq=10, n_eval_episodes=1, verbose=0)
    train(algo, 48, callback=evaluator)
    assert [ts for ts, _ in evaluator.evaluations] == [16, 24, 32, 40]


def test_eval_prints_when_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    algo = FakeAlgo(CounterEnv([2]), steps_per_collect=2)
    train(algo, 2, callback=EvalCallback(CounterEnv([2]), eval_freq=2, n_eval_episodes=1))
    assert "Eval num_timesteps=2, episode_reward=4.00 +/- 0.00" in capsys.readouterr().out


def test_standalone_threshold_reads_rollout_reward() -> None:
    # Training episodes last 2 steps; rollout/ep_rew_mean after iteration k is k + 1.
    algo = FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4)
    stop = StopTrainingOnRewardThreshold(reward_threshold=4.0, verbose=0)
    assert stop.watched_key == "rollout/ep_rew_mean"
    train(algo, 1000, callback=stop)
    assert algo.num_timesteps == 24


def test_standalone_threshold_waits_for_finished_episodes() -> None:
    algo = FakeAlgo(CounterEnv([1000]), steps_per_collect=2)
    train(algo, 10, callback=StopTrainingOnRewardThreshold(reward_threshold=-math.inf))
    assert algo.num_timesteps == 10


def test_checkpoint_callback_names_files_by_timesteps(tmp_path: Path) -> None:
    algo = FakeAlgo(CounterEnv([2, 2]), steps_per_collect=4)
    saver = CheckpointCallback(save_freq=16, save_path=tmp_path / "ckpt", name_prefix="run")
    train(algo, 48, callback=saver)
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["run_16_steps.zip", "run_32_steps.zip", "run_48_steps.zip"]
    ckpt = load_checkpoint(tmp_path / "ckpt" / "run_32_steps.zip")
    assert ckpt.extra["num_timesteps"] == 32
    assert torch.equal(ckpt.state_dicts["policy"]["level"], torch.tensor(5.0))


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda: EvalCallback(CounterEnv([2]), eval_freq=0), "eval_freq"),
        (lambda: EvalCallback(CounterEnv([2]), eval_freq=5, n_eval_episodes=0), "n_eval_episodes"),
        (lambda: CheckpointCallback(save_freq=-1, save_path="x"), "save_freq"),
    ],
)
def test_frequencies_are_validated(factory: object, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        factory()  # type: ignore[operator]


def test_callback_list_ends_every_callback_even_if_one_raises() -> None:
    ended: list[str] = []

    class Ends(Callback):
        def __init__(self, tag: str, fail: bool) -> None:
            self.tag, self.fail = tag, fail

        def on_training_end(self, ctx: TrainingContext) -> None:
            ended.append(self.tag)
            if self.fail:
                raise OSError(f"{self.tag} failed")

    callbacks = CallbackList([Ends("a", True), Ends("b", False)])
    with pytest.raises(OSError, match="a failed"):
        train(FakeAlgo(CounterEnv([2])), 2, callback=callbacks)
    assert ended == ["a", "b"]


def test_as_callback_list_rejects_non_callbacks() -> None:
    assert as_callback_list(None).callbacks == []
    with pytest.raises(TypeError, match=r"callbacks\[1\] must be a Callback, got int"):
        as_callback_list([Callback(), 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="got str"):
        as_callback_list("eval")  # type: ignore[arg-type]

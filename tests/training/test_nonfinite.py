"""Training never fails silently: non-finite losses, weights, evaluations and observations."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from support import cheap_model
from torch import Tensor
from training_fakes import CounterEnv, FakeAlgo

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.common.finite import require_finite_proto
from hybrid_toolkit.envs.families.target import TargetEnv
from hybrid_toolkit.training import (
    CheckpointCallback,
    EvalCallback,
    EvalResult,
    NonFiniteTrainingError,
    StopTrainingOnRewardThreshold,
    load_checkpoint,
    train,
)
from hybrid_toolkit.training import callbacks as callbacks_module


class NaNRewardEnv(TargetEnv):
    """TargetRegime whose rewards turn NaN once ``nan_after`` batched steps have been taken."""

    def __init__(self, nan_after: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.nan_after = nan_after
        self.steps_taken = 0

    def _step(self, action: ht.HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict]:
        obs, reward, terminated, truncated, info = super()._step(action)
        self.steps_taken += 1
        if self.steps_taken > self.nan_after:
            reward = torch.full_like(reward, math.nan)
        return obs, reward, terminated, truncated, info


def tiny_ppo(env: ht.HybridEnv | str, **overrides: Any) -> ht.PPO:
    settings: dict[str, Any] = {"num_envs": 4, "n_steps": 8, "n_epochs": 2, "n_minibatches": 2}
    return ht.PPO(env, seed=0, verbose=0, **{**settings, **overrides})


def all_weights_finite(path: Path) -> bool:
    state = load_checkpoint(path).state_dicts["policy"]
    return all(bool(torch.isfinite(t).all()) for t in state.values() if t.is_floating_point())


# ---------------------------------------------------------------- the trainer stops


def test_huge_learning_rate_stops_at_the_first_update_and_saves_nothing(tmp_path: Path) -> None:
    model = tiny_ppo("TargetRegime-v0", learning_rate=1e30)
    saver = CheckpointCallback(save_freq=32, save_path=tmp_path)
    with pytest.raises(NonFiniteTrainingError) as info:
        model.learn(2_000, callback=saver)
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.iteration == 1 and err.num_timesteps == 32 and err.metric is not None
    assert err.metric in str(err) and "iteration 1" in str(err) and "num_timesteps=32" in str(err)
    assert "no checkpoint was saved" in str(err) and "learning rate" in str(err)
    assert list(tmp_path.iterdir()) == []


def test_nan_rewards_stop_training_naming_the_last_good_checkpoint(tmp_path: Path) -> None:
    # 4 envs x 8 steps = 32 timesteps per iteration; rewards turn NaN during iteration 3
    env = NaNRewardEnv(nan_after=20, num_envs=4)
    model = tiny_ppo(env)
    saver = CheckpointCallback(save_freq=32, save_path=tmp_path, name_prefix="ppo")
    with pytest.raises(NonFiniteTrainingError, match=r"train/\w*loss=nan at iteration 3") as info:
        model.learn(10_000, callback=saver)
    last = tmp_path / "ppo_64_steps.zip"
    assert info.value.last_checkpoint == last and str(last) in str(info.value)
    assert info.value.num_timesteps == 96
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ppo_32_steps.zip", "ppo_64_steps.zip"]
    assert all(all_weights_finite(p) for p in tmp_path.iterdir())
    loaded = ht.PPO.load(last, env=ht.make("TargetRegime-v0"))
    assert all(bool(torch.isfinite(p).all()) for p in loaded.policy.parameters())


def test_non_finite_parameters_stop_training_even_with_finite_losses() -> None:
    class PoisonedAlgo(FakeAlgo):
        def update(self, batch: int) -> dict[str, float]:
            metrics = super().update(batch)
            return {**metrics, "train/loss": 0.5, "train/nonfinite_parameters": 3.0}

    algo = PoisonedAlgo(CounterEnv([2, 2]))
    with pytest.raises(NonFiniteTrainingError, match="3 non-finite parameter value") as info:
        train(algo, 100)
    assert info.value.metric == "train/nonfinite_parameters" and algo.updates == 1


def test_infinite_gradient_norm_stops_training() -> None:
    class ExplodingAlgo(FakeAlgo):
        def update(self, batch: int) -> dict[str, float]:
            return {**super().update(batch), "train/actor_grad_norm": math.inf}

    with pytest.raises(NonFiniteTrainingError, match=r"train/actor_grad_norm=inf at iteration 1"):
        train(ExplodingAlgo(CounterEnv([2])), 100)


def test_other_non_finite_metrics_do_not_stop_training() -> None:
    class OddMetricAlgo(FakeAlgo):
        def update(self, batch: int) -> dict[str, float]:
            return {**super().update(batch), "train/explained_variance": math.nan}

    algo = OddMetricAlgo(CounterEnv([2]))
    train(algo, 8)
    assert algo.num_timesteps == 8


@pytest.mark.parametrize("name", ht.list_algorithms())
def test_every_algorithm_reports_its_parameter_count_and_gradient_norms(name: str) -> None:
    model = cheap_model(name)
    model.total_timesteps_target = 10_000
    seen: dict[str, float] = {}
    for _ in range(30):
        batch = model.collect()
        seen.update(model.update(batch))
        if "train/nonfinite_parameters" in seen and any("grad_norm" in key for key in seen):
            break
    assert seen.get("train/nonfinite_parameters") == 0.0, sorted(seen)
    assert any("grad_norm" in key for key in seen), sorted(seen)


# ---------------------------------------------------------------- proto-actions, checkpoints


def test_dgrl_whose_actor_diverged_mid_training_fails_clearly_not_with_index_error() -> None:
    # what DGRL with actor_lr=1e6 eventually did: a NaN proto-action cast to int64 gave
    # "IndexError: index -9223372036854775806"
    model = ht.DGRL("TargetMultiDiscrete-v0", seed=0, verbose=0, batch_size=8)
    model.learn(64)
    with torch.no_grad():
        next(model.model.actor.parameters()).fill_(math.nan)
    with pytest.raises(NonFiniteTrainingError, match="learning rate"):
        model.learn(64, reset_num_timesteps=False)


@pytest.mark.parametrize("name", ["dgrl", "dnc", "cacla"])
def test_nan_proto_actions_raise_instead_of_becoming_indices(name: str) -> None:
    model = ht.get_algorithm(name)("TargetMultiDiscrete-v0", seed=0, verbose=0)
    actor = model.model.actor if name == "dgrl" else model.learner.actor_module
    with torch.no_grad():
        for p in actor.parameters():
            p.fill_(math.nan)
    obs = model.env.reset(seed=0)
    with pytest.raises(NonFiniteTrainingError, match=r"proto-actions hold \d+ NaN"):
        model.act(obs)


def test_require_finite_proto_passes_finite_tensors_through() -> None:
    proto = torch.tensor([[0.5, -1.0]])
    assert require_finite_proto(proto) is proto
    with pytest.raises(NonFiniteTrainingError, match=r"hold 1 NaN or infinite value\(s\) \(of 2\)"):
        require_finite_proto(torch.tensor([[0.5, math.inf]]))


# ---------------------------------------------------------------- evaluation


def scripted_evaluations(monkeypatch: pytest.MonkeyPatch, means: list[float]) -> None:
    """Make every ``EvalCallback`` evaluation return the next of ``means``."""
    queue = list(means)

    def fake(*args: Any, **kwargs: Any) -> EvalResult:
        mean = queue.pop(0)
        return EvalResult(mean, 0.0, 1.0, [mean], [1])

    monkeypatch.setattr(callbacks_module, "evaluate_policy", fake)


def test_nan_evaluation_is_never_best_and_the_next_is_compared_with_the_last_finite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scripted_evaluations(monkeypatch, [5.0, math.nan, 3.0, 6.0])
    algo = FakeAlgo(CounterEnv([2]), steps_per_collect=1)
    evaluator = EvalCallback(CounterEnv([2]), eval_freq=1, best_model_save_path=tmp_path, verbose=0)
    with pytest.warns(RuntimeWarning, match="non-finite mean reward"):
        train(algo, 4, callback=evaluator)
    assert [r.mean_reward for _, r in evaluator.evaluations][2:] == [3.0, 6.0]
    assert evaluator.best_mean_reward == 6.0
    assert len(algo.saved) == 2  # after 5.0 and after 6.0; neither NaN nor 3.0 was "best"


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_threshold_never_fires_on_a_non_finite_evaluation(
    monkeypatch: pytest.MonkeyPatch, value: float
) -> None:
    scripted_evaluations(monkeypatch, [value] * 10)
    stop = StopTrainingOnRewardThreshold(reward_threshold=1.0, verbose=0)
    evaluator = EvalCallback(CounterEnv([2]), eval_freq=1, callback_on_new_best=stop, verbose=0)
    algo = FakeAlgo(CounterEnv([2]), steps_per_collect=1)
    with pytest.warns(RuntimeWarning):
        train(algo, 10, callback=evaluator)
    assert algo.num_timesteps == 10


def test_standalone_threshold_ignores_a_nan_training_mean() -> None:
    stop = StopTrainingOnRewardThreshold(reward_threshold=-1e9, verbose=0)
    algo = FakeAlgo(CounterEnv([1]), steps_per_collect=1)
    algo.episode_stats.summary = lambda: {"rollout/ep_rew_mean": math.nan}  # type: ignore[method-assign]
    train(algo, 5, callback=stop)
    assert algo.num_timesteps == 5


def test_nan_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="reward_threshold must be a number"):
        StopTrainingOnRewardThreshold(reward_threshold=math.nan)


# ---------------------------------------------------------------- predict


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_predict_refuses_non_finite_observations(bad: float) -> None:
    model = tiny_ppo("TargetRegime-v0")
    obs = model.env.reset(seed=0).numpy()
    obs[1, 2] = bad
    obs[3, 0] = bad
    with pytest.raises(ValueError, match=r"2 non-finite value\(s\).*first at index \(1, 2\)"):
        model.predict(obs)
    with pytest.raises(ValueError, match=r"1 non-finite value\(s\).*first at index \(2,\)"):
        model.predict(obs[1])
    with pytest.raises(ValueError, match="non-finite"):
        model.predict(torch.as_tensor(obs))
    model.predict(np.nan_to_num(obs, nan=0.0, posinf=0.0, neginf=0.0))

"""The SB3-style surface of DGRL: save/load, determinism, predict, presets, config errors,
warm-up and logged metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from proto_checks import (
    SMALL,
    check_predict_numpy,
    check_same_seed_same_training,
    check_save_load,
)
from support import MetricsRecorder

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms import DGRLConfig


def small_dgrl(env: Any = "TargetHybrid-v0", seed: int = 0, **kw: Any) -> ht.DGRL:
    return ht.DGRL(env, seed=seed, **{**SMALL, **kw})


@pytest.mark.parametrize("env_id", ["TargetHybrid-v0", "TargetRegime-v0"])
def test_save_load_gives_identical_predictions(env_id: str, tmp_path: Path) -> None:
    check_save_load(small_dgrl, env_id, tmp_path)


def test_same_seed_same_training() -> None:
    check_same_seed_same_training(small_dgrl, "TargetMultiDiscrete-v0")


def test_predict_numpy_single_and_batch() -> None:
    check_predict_numpy(small_dgrl, "TargetHybrid-v0")


@pytest.mark.parametrize("env_id", ["TargetHybrid-v0", "Maze-v0", "MazeHybrid-v0"])
def test_greedy_action_is_a_function_of_the_observation_alone(env_id: str) -> None:
    """A user serving one state at a time and one serving a batch get the same action."""
    model = small_dgrl(env_id).learn(256)
    obs = ht.make(env_id, num_envs=16).reset(seed=4)
    batch, _ = model.predict(obs)
    copies, _ = model.predict(obs[3:4].expand(64, *obs.shape[1:]).contiguous())
    assert (copies.discrete == copies.discrete[0]).all()
    assert (copies.continuous == copies.continuous[0]).all()
    for row in range(obs.shape[0]):
        alone, _ = model.predict(obs[row : row + 1])
        assert torch.equal(alone.discrete[0], batch.discrete[row]), row
        torch.testing.assert_close(alone.continuous[0], batch.continuous[row])
    assert torch.equal(copies.discrete[0], batch.discrete[3])


def test_warmup_acts_randomly_then_updates_start_and_metrics_are_logged() -> None:
    recorder = MetricsRecorder()
    model = small_dgrl(warmup_fraction=0.25, learning_starts_fraction=0.5)
    model.learn(512, callback=recorder)
    steps_per_iteration = 4 * 2
    first_update = next(i for i, m in enumerate(recorder.metrics) if "train/critic_loss" in m)
    assert first_update * steps_per_iteration >= 0.5 * 512 - steps_per_iteration
    first_sdn = next(i for i, m in enumerate(recorder.metrics) if "rollout/sdn_candidates" in m)
    assert first_sdn * steps_per_iteration >= 0.25 * 512 - steps_per_iteration
    last = recorder.metrics[-1]
    for key in (
        "train/critic_loss",
        "train/q_mean",
        "train/actor_loss",
        "train/dbu_discrete_loss",
        "train/dbu_continuous_loss",
        "train/dbu_target_distance",
        "train/dbu_max_weight",
        "train/n_updates",
        "rollout/sdn_candidates",
        "rollout/sdn_nearest_fraction",
    ):
        assert key in last, key
    assert 1.0 <= last["rollout/sdn_candidates"] <= model.num_candidates + 1
    assert model.hyperparameters()["sdn_radius"] == model.radius


def test_heuristics_resolve_radius_and_candidates_from_the_space() -> None:
    model = ht.DGRL("JobShop-v0", verbose=0, actor_hidden=(8,), critic_hidden=(8,))
    assert (model.radius, model.num_candidates) == (5, 100)  # 10 loads of 0..100
    model = ht.DGRL("Maze-v0", verbose=0, radius=3, num_candidates=17)
    assert (model.radius, model.num_candidates) == (3, 17)
    assert (model.sdn.radius, model.sdn.num_candidates) == (3, 17)


@pytest.mark.parametrize("preset", list(ht.DGRL.presets))
def test_every_preset_builds_and_acts(preset: str) -> None:
    model = ht.DGRL("TargetMultiDiscrete-v0", preset, verbose=0)
    assert isinstance(model.config, DGRLConfig)
    obs = model.env.reset(seed=0)
    model.env.action_space.validate(model.act(obs))


def test_paper_maze_preset_uses_fourier_features_and_a_state_encoder() -> None:
    model = ht.DGRL("Maze-v0", "paper-maze", verbose=0)
    assert model.model.features.out_dim == 2 * 4  # (x, y) and cos(pi k x), k = 1..3
    assert model.model.critic.encoder is not None
    cfg = model.config
    assert (cfg.num_envs, cfg.train_freq, cfg.batch_size, cfg.tau) == (1, 8, 16, 0.02)
    batched = ht.DGRL("Maze-v0", "maze", verbose=0).config
    assert (batched.fourier_order, batched.num_envs, batched.gradient_steps) == (3, 16, 4)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"radius": -1}, r"DGRLConfig.radius must be an integer >= 0, got -1"),
        ({"num_candidates": 2.5}, r"DGRLConfig.num_candidates must be an integer \(.*\), got 2.5"),
        ({"distance_scheme": "l2"}, r"DGRLConfig.distance_scheme must be one of"),
        ({"selection": "greedy"}, r"DGRLConfig.selection must be one of \('rank', 'softmax'\)"),
        ({"tau": 0.0}, r"DGRLConfig.tau must be in \(0, 1\], got 0.0"),
        ({"perturbation_std": -0.1}, r"DGRLConfig.perturbation_std must be >= 0, got -0.1"),
        ({"dbu_temperature": 0}, r"DGRLConfig.dbu_temperature must be > 0, got 0"),
        ({"actor_hidden": ()}, r"DGRLConfig.actor_hidden must be a non-empty tuple"),
        ({"batch_size": 64, "buffer_size": 32}, r"buffer_size=32 must be >= batch_size=64"),
        ({"warmup_fraction": 1.5}, r"DGRLConfig.warmup_fraction must be in \[0, 1\], got 1.5"),
        ({"obs_scaling": "minmax"}, r"DGRLConfig.obs_scaling must be one of"),
    ],
)
def test_bad_config_values_name_the_field(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DGRLConfig(**overrides)


def test_unknown_keys_presets_and_unsupported_envs_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown DGRLConfig key\(s\) \['radiuss'\]"):
        ht.DGRL("TargetRegime-v0", radiuss=2)
    with pytest.raises(ValueError, match=r"unknown dgrl preset 'nope'; valid presets are: default"):
        ht.DGRL("TargetRegime-v0", "nope")
    with pytest.raises(ValueError, match="fourier_order=3 needs observations scaled to"):
        ht.DGRL("OrderUpToReplenishment-v0", fourier_order=3, verbose=0)


def test_unbounded_continuous_parameters_are_refused() -> None:
    from hybrid_toolkit.envs.families.target import TargetEnv

    env = TargetEnv()
    env.action_space = ht.HybridSpace([3], low=[-1.0, 0.0], high=[1.0, float("inf")])
    with pytest.raises(ValueError, match=r"finite bounds .* parameter 1 has low=0.0, high=inf"):
        ht.DGRL(env, verbose=0)


def test_running_observation_scaling_for_unbounded_observations() -> None:
    model = ht.DGRL("OrderUpToReplenishment-v0", **{**SMALL, "num_envs": 2})
    assert model.model.features.scaling == "running"
    model.learn(64)
    assert float(model.model.features.normalizer.rms.count) > 0
    obs = model.env.reset(seed=0)
    assert torch.isfinite(model.model.features(obs)).all()

"""The SB3-style surface of DNC and H-DNC: save/load, determinism, presets, metrics, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.dnc import DNC, HDNC, DNCConfig
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace

SMALL = {"num_envs": 8, "actor_hidden": (16,), "critic_hidden": (16, 16)}


def small(cls: type, env_id: str, seed: int = 0, **kw: Any) -> Any:
    return cls(env_id, seed=seed, verbose=0, **{**SMALL, **kw})


class ContinuousOnlyEnv(HybridEnv):
    """A one-parameter env without discrete components (nothing for DNC to search)."""

    def __init__(self) -> None:
        super().__init__(num_envs=2, device="cpu")
        self.action_space = HybridSpace([], low=[-1.0], high=[1.0])
        self.observation_space = gymnasium.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)

    def _reset_envs(self, mask: torch.Tensor) -> torch.Tensor:
        return torch.zeros(self.num_envs, 1)

    def _step(self, action: HybridAction) -> tuple[Any, ...]:
        zeros = torch.zeros(self.num_envs, dtype=torch.bool)
        return torch.zeros(self.num_envs, 1), torch.zeros(self.num_envs), zeros, zeros, {}


@pytest.mark.parametrize(
    ("cls", "env_id"), [(DNC, "TargetMultiDiscrete-v0"), (HDNC, "TargetHybrid-v0")]
)
def test_save_load_gives_identical_predictions(cls: type, env_id: str, tmp_path: Path) -> None:
    model = small(cls, env_id).learn(256)
    obs = ht.make(env_id, num_envs=16).reset(seed=5)
    before, _ = model.predict(obs)
    path = model.save(tmp_path / "model")
    for loaded in (ht.load(path), cls.load(path)):
        after, _ = loaded.predict(obs)
        assert torch.equal(before.discrete, after.discrete)
        assert torch.equal(before.continuous, after.continuous)
        assert loaded.config == model.config
        assert loaded.num_timesteps == model.num_timesteps
        for key, value in model.learner.critic.state_dict().items():
            assert torch.equal(value, loaded.learner.critic.state_dict()[key])


@pytest.mark.parametrize(
    ("algo", "env_id"),
    [
        ("dnc", "TargetMultiDiscrete-v0"),
        ("h-dnc", "TargetHybrid-v0"),
        ("cacla", "TargetMultiDiscrete-v0"),
        ("wolpertinger", "TargetMultiDiscrete-v0"),
        ("vac", "TargetMultiDiscrete-v0"),
    ],
)
def test_same_seed_same_training(algo: str, env_id: str) -> None:
    def params(seed: int) -> list[float]:
        model = small(ht.get_algorithm(algo), env_id, seed)
        out = []
        for _ in range(2):
            model.learn(48, reset_num_timesteps=False)
            for module in (model.learner.actor_module, model.learner.critic):
                out.append(float(sum(p.detach().sum() for p in module.parameters())))
        return out

    assert params(3) == params(3)
    assert params(3) != params(4)


def test_actions_are_valid_and_predict_handles_numpy() -> None:
    model = small(HDNC, "TargetHybrid-v0").learn(128)
    env = ht.make("TargetHybrid-v0", num_envs=32)
    obs = env.reset(seed=0)
    for deterministic in (True, False):
        env.action_space.validate(model.predict(obs, deterministic=deterministic)[0])
    single, state = model.predict(obs[0].numpy())
    assert state is None
    assert single["discrete"].shape == (env.action_space.n_discrete,)
    assert single["continuous"].dtype == np.float32


def test_minmax_preset_executes_the_rounded_mean() -> None:
    model = DNC("TargetMultiDiscrete-v0", "minmax", seed=0, verbose=0).learn(128)
    assert not model.search.searches
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=16).reset(seed=1)
    feats = model.learner.features(obs)
    expected = model.codec.round(model.learner.actor.mean(feats))
    assert torch.equal(model.act(obs).discrete, expected.discrete)


def test_search_improves_on_the_rounded_proto_under_the_critic() -> None:
    model = small(DNC, "TargetMultiDiscrete-v0").learn(256)
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=64).reset(seed=2)
    feats = model.learner.features(obs)
    mean = model.learner.actor.mean(feats)
    with torch.no_grad():
        searched = model.search.select(model.learner.critic, feats, mean, False)
        rounded = model.codec.round(mean)
        q_search = model.learner.critic(feats, model.codec.unit(searched.action))
        q_round = model.learner.critic(feats, model.codec.unit(rounded))
    assert searched.search_gain is not None
    assert (q_search >= q_round - 1e-5).all()
    torch.testing.assert_close(q_search - q_round, searched.search_gain, atol=1e-5, rtol=0)


def test_presets_apply_the_reference_settings() -> None:
    model = DNC("MazeDNC-v0", "reference", verbose=0)
    cfg = model.config
    assert (cfg.optimizer, cfg.actor_lr, cfg.gamma, cfg.perturbation_range) == (
        "sgd",
        1e-2,
        0.999,
        10,
    )
    assert model.config.schedule.pool_sizes() == [1]
    assert isinstance(model.learner.actor_optimizer, torch.optim.SGD)
    assert model.learner.features.dim == 3 * 2  # uncoupled order-3 basis of (x, y)
    assert DNC("TargetMultiDiscrete-v0", "greedy", verbose=0).search.kind == "greedy"


def test_update_logs_losses_and_search_metrics() -> None:
    model = small(DNC, "TargetMultiDiscrete-v0")
    metrics = model.update(model.collect())
    for key in (
        "train/critic_loss",
        "train/actor_loss",
        "train/q_mean",
        "train/advantage_mean",
        "train/actor_grad_norm",
        "train/critic_grad_norm",
        "rollout/search_gain",
        "rollout/search_moved_fraction",
    ):
        assert key in metrics and np.isfinite(metrics[key]), key
    assert metrics["rollout/search_gain"] >= 0.0
    assert 0.0 <= metrics["rollout/search_moved_fraction"] <= 1.0


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("perturbation_range", 0, "an int >= 1"),
        ("sa_search_steps", -1, "an int >= 0"),
        ("cooling", 0.0, "in \\(0, 1\\]"),
        ("search", "tabu", r"one of \('sa', 'greedy'\)"),
        ("exploration_std", 0.0, "> 0"),
        ("advantage", "gae", r"one of \('baseline', 'td_error'\)"),
        ("critic_hidden", (), "a non-empty tuple"),
        ("gamma", 1.5, "in \\[0, 1\\]"),
    ],
)
def test_bad_config_values_name_the_field(field: str, value: object, expected: str) -> None:
    with pytest.raises(ValueError, match=rf"DNCConfig\.{field} must be {expected}"):
        DNCConfig(**{field: value})


def test_clear_errors_for_unsupported_spaces_and_options() -> None:
    with pytest.raises(ValueError, match="has none; use dnc"):
        HDNC("Maze-v0", verbose=0)
    with pytest.raises(ValueError, match="has none; use a continuous-action"):
        DNC(ContinuousOnlyEnv(), verbose=0)
    with pytest.raises(ValueError, match="unknown DNCConfig key"):
        DNC("Maze-v0", verbose=0, radius=3)
    with pytest.raises(ValueError, match="unknown dnc preset 'fast'"):
        DNC("Maze-v0", "fast", verbose=0)
    with pytest.raises(
        ValueError, match="normalize_observations must be False when fourier_order > 0"
    ):
        DNC("Maze-v0", verbose=0, fourier_order=3, normalize_observations=True)


def test_registered_and_exported() -> None:
    assert {"dnc", "h-dnc"} <= set(ht.list_algorithms())
    assert ht.get_algorithm("dnc") is DNC and ht.DNC is DNC and ht.HDNC is HDNC

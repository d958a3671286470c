"""H-Cacla: independent Cacla rounding, DDPG training (target actor, deterministic policy
gradient through the critic), the shared SB3 surface, and config errors."""

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

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms import HCaclaConfig


def small_cacla(env: Any = "TargetHybrid-v0", seed: int = 0, **kw: Any) -> ht.HCacla:
    return ht.HCacla(env, seed=seed, **{**SMALL, **kw})


def test_discrete_part_is_rounded_independently_of_the_parameters() -> None:
    model = small_cacla("TargetRegime-v0")
    obs = model.env.reset(seed=2)
    with torch.no_grad():
        proto = model.model.actor(model.model.features(obs))
    action = model.act(obs)
    box = model.coords.from_unit(proto)
    assert torch.equal(action.discrete, model.coords.project_indices(box))
    assert torch.allclose(action.continuous, model.coords.clamp_continuous(box))
    # rewriting the parameter outputs leaves the discrete choice unchanged
    other = proto.clone()
    other[:, 1:] = -other[:, 1:]
    assert torch.equal(model._rounded(other).discrete, action.discrete)
    model.env.action_space.validate(model.act(obs, deterministic=False))


def test_actor_step_ascends_the_critic_at_the_unrounded_proto_action() -> None:
    model = small_cacla("TargetHybrid-v0", actor_lr=1e-2)
    features = model.model.features(model.env.reset(seed=0))

    def value() -> float:
        with torch.no_grad():
            proto = model.model.actor(features)
            return float(model.model.critic.first(features, proto[:, None, :]).mean())

    before = value()
    critic_before = [p.detach().clone() for p in model.model.critic.parameters()]
    for _ in range(10):
        metrics = model._actor_step(features)
    assert value() > before
    assert -float(metrics["train/actor_loss"]) > before  # the last step's value, before it
    for old, new in zip(critic_before, model.model.critic.parameters(), strict=True):
        assert torch.equal(old, new)  # the actor step never changes the critic


def test_td_target_uses_the_target_actor_and_targets_track_by_polyak() -> None:
    model = small_cacla("TargetMultiDiscrete-v0", tau=0.25)
    target_actor = model.model.actor_target
    assert target_actor is not None
    expected = [p.detach().clone() for p in target_actor.parameters()]
    model.learn(128)  # a few critic updates, each followed by one Polyak step
    assert model.critic_updates > 0
    # the target actor moved toward the online actor but is not a copy of it
    moved = [
        not torch.equal(a, b) for a, b in zip(expected, target_actor.parameters(), strict=True)
    ]
    assert any(moved)
    online = list(model.model.actor.parameters())
    assert any(
        not torch.equal(a, b) for a, b in zip(online, target_actor.parameters(), strict=True)
    )
    # the next value is the target critic at the target actor's rounded action
    features = model.model.features(model.env.reset(seed=1))
    with torch.no_grad():
        discrete, continuous = model.model.unit_actions(target_actor(features))
        q = model.model.critic_target.first(
            features, model.model.critic_actions(discrete, continuous)[:, None, :]
        )[:, 0]
        assert torch.allclose(model._next_value(features), q)


def test_default_is_ddpg_with_one_critic_and_td3_style_twin_is_an_option() -> None:
    assert small_cacla().model.critic.n_critics == 1
    assert small_cacla(n_critics=2).model.critic.n_critics == 2


@pytest.mark.parametrize("env_id", ["TargetHybrid-v0", "TargetRegime-v0"])
def test_save_load_gives_identical_predictions(env_id: str, tmp_path: Path) -> None:
    check_save_load(small_cacla, env_id, tmp_path)


def test_same_seed_same_training() -> None:
    check_same_seed_same_training(small_cacla, "TargetHybrid-v0")


def test_predict_numpy_single_and_batch() -> None:
    check_predict_numpy(small_cacla, "TargetRegime-v0")


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"n_critics": 0}, r"HCaclaConfig.n_critics must be an integer >= 1, got 0"),
        ({"exploration_std": -1.0}, r"HCaclaConfig.exploration_std must be >= 0, got -1.0"),
        ({"critic_loss": "l1"}, r"HCaclaConfig.critic_loss must be one of \('mse', 'huber'\)"),
        ({"gamma": 1.5}, r"HCaclaConfig.gamma must be in \[0, 1\], got 1.5"),
    ],
)
def test_bad_config_values_name_the_field(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        HCaclaConfig(**overrides)


def test_unknown_key_is_rejected_with_valid_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown HCaclaConfig key\(s\) \['radius'\]"):
        ht.HCacla("TargetRegime-v0", radius=2)

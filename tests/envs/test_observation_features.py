"""Observation-feature declarations: validation, and what the JRP and LQR envs declare."""

from __future__ import annotations

import dataclasses

import pytest
from support import TINY_JRP

import hybrid_toolkit as ht
from hybrid_toolkit.envs import ObservationFeature, ObservationFeatures
from hybrid_toolkit.envs.families.lqr import SwitchedLQRConfig

Q = ObservationFeature.quantity
C = ObservationFeature.constant
S = ObservationFeature.scalar


def test_a_declaration_covers_the_observation_exactly_once() -> None:
    declared = [S("m", slice(4, 5), 10.0), Q("x", slice(0, 2), 2.0), C("c", slice(2, 4))]
    features = ObservationFeatures(declared)
    assert features.obs_dim == 5
    assert features.kept_indices() == [0, 1, 4]
    assert features.kept_divisors() == [2.0, 2.0, 10.0]
    assert not features.is_identity()
    assert features["c"].kind == "constant"


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([Q("x", slice(0, 2)), Q("y", slice(1, 3))], "entry 1 is covered twice"),
        ([Q("x", slice(0, 2)), Q("y", slice(3, 4))], "entry 2 is not covered"),
        ([Q("x", slice(0, 1)), Q("x", slice(1, 2))], r"names must be unique, got \['x'\]"),
        ([], "at least one feature"),
    ],
)
def test_bad_declarations_say_what_is_wrong(
    features: list[ObservationFeature], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ObservationFeatures(features)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Q("x", slice(0, 2), 0.0), r"'x': scale must be finite and > 0, got 0\.0"),
        (lambda: Q("x", slice(2, 2)), "0 <= start < stop"),
        (lambda: Q("x", slice(0, 4, 2)), "no step"),
        (lambda: ObservationFeature("x", slice(0, 1), "count"), "kind must be one of"),  # type: ignore[arg-type]
    ],
)
def test_bad_features_name_the_field_and_value(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize("normalized", [True, False])
def test_joint_replenishment_declares_constants_quantities_and_scalars(normalized: bool) -> None:
    config = dataclasses.replace(TINY_JRP, normalize_by_mean_demand=normalized, lead_time=2)
    env = ht.make("JointReplenishment-v0", 2, config=config)
    features = env.observation_features()
    assert features is not None
    features.check_obs_dim(env.obs_shape[0], "JointReplenishmentEnv")
    kinds = {f.name: f.kind for f in features}
    assert [k for k, v in kinds.items() if v == "constant"] == ["mean", "shortage", "holding"]
    mean_demand = float(env.instance.mean.double().mean())  # type: ignore[attr-defined]
    if normalized:  # stock already in units of m_t; the scalars are divided by their sizes
        assert features["on_hand"].scale == features["pipeline"].scale == 1.0
        assert features["mean_demand"].scale == pytest.approx(mean_demand)
        ratio = features["fixed_cost_ratio"].scale
        assert ratio == pytest.approx(env.fixed_cost / mean_demand)  # type: ignore[attr-defined]
    else:
        assert features["on_hand"].scale == pytest.approx(mean_demand)
        assert "mean_demand" not in kinds


def test_switched_lqr_declares_an_already_conditioned_observation() -> None:
    for observe_time in (False, True):
        config = SwitchedLQRConfig(state_dim=3, n_modes=2, observe_time=observe_time)
        env = ht.make("SwitchedLQR-v0", 2, config=config)
        features = env.observation_features()
        assert features is not None and features.is_identity()
        assert features.obs_dim == env.obs_shape[0]


def test_undeclared_envs_return_none() -> None:
    assert ht.make("TargetHybrid-v0", 2).observation_features() is None

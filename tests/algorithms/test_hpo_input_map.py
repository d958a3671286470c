"""HPO's network input: built from the env's declared observation features by default, the
observation itself with ``input_map="raw"`` or for envs that declare nothing."""

from __future__ import annotations

import dataclasses
import json
import runpy
import zipfile
from pathlib import Path
from typing import Any

import pytest
import torch
from support import TINY_JRP
from torch import Tensor

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.hpo import HPO_PRESETS
from hybrid_toolkit.bench.hpo_paper.saturation import dev_observations, first_layer_saturation
from hybrid_toolkit.envs import ObservationFeature, ObservationFeatures
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "hpo_custom_simulator.py"
SMALL: dict[str, Any] = {
    "discrete_hidden": (16,),
    "continuous_hidden": (16,),
    "value_hidden": (16,),
    "buffer_periods": 2,
    "n_epochs": 2,
    "n_minibatches": 2,
}


def tiny_jrp(num_envs: int = 8) -> Any:
    return ht.make("JointReplenishment-v0", num_envs, config=TINY_JRP, validate_actions=False)


def tank_env_class() -> type:
    """The tutorial's tank, re-declared: the level in units of 4, the clock a constant."""
    tank = runpy.run_path(str(EXAMPLE))["TankEnv"]

    class DeclaredTank(tank):  # type: ignore[misc, valid-type]
        def observation_features(self) -> ObservationFeatures:
            return ObservationFeatures(
                [
                    ObservationFeature.quantity("level", slice(0, 1), scale=4.0),
                    ObservationFeature.constant("time", slice(1, 2)),
                ]
            )

    return DeclaredTank


def test_a_user_env_with_a_declaration_gets_the_mapped_inputs() -> None:
    env = tank_env_class()(num_envs=4)
    obs = env.reset(seed=0)
    model = ht.HPO(env, seed=0, verbose=0, **SMALL)
    feats = model.policy.features(obs)
    torch.testing.assert_close(model.policy.network_input(feats), obs[:, :1] / 4.0)
    first = model.policy.continuous_net[0]  # type: ignore[index]
    assert first.in_features == 1
    raw = ht.HPO(env, seed=0, verbose=0, input_map="raw", **SMALL)
    assert torch.equal(raw.policy.network_input(feats), feats)
    # gradients still reach the state through the map (pathwise gradient and cross term)
    feats = feats.clone().requires_grad_(True)
    model.policy.continuous_action(feats).sum().backward()
    assert feats.grad is not None and bool(feats.grad[:, 0].ne(0).all())
    assert bool(feats.grad[:, 1].eq(0).all())


def test_jrp_declared_input_drops_constants_and_rescales_the_scalars() -> None:
    env = tiny_jrp()
    obs = env.reset(seed=0)
    model = ht.HPO(env, seed=0, verbose=0, **SMALL)
    layout, n = env.observation_layout, env.n_items
    mapped = model.policy.network_input(model.policy.features(obs))
    assert mapped.shape == (8, 2 * n + 2)  # on hand, pipeline (L = 2), m_t, K / m_t
    mean_demand = float(env.instance.mean.double().mean())
    torch.testing.assert_close(mapped[:, -2], obs[:, layout["mean_demand"]][:, 0] / mean_demand)
    ratio = obs[:, layout["fixed_cost_ratio"]][:, 0] * mean_demand / env.fixed_cost
    torch.testing.assert_close(mapped[:, -1], ratio)


def test_undeclared_envs_keep_their_observation_bit_for_bit() -> None:
    def predictions(**overrides: Any) -> tuple[Tensor, Tensor]:
        env = ht.make("TargetHybrid-v0", 16)
        model = ht.HPO(env, seed=3, verbose=0, n_steps=8, buffer_periods=0, **overrides)
        model.learn(16 * 8 * 2)
        action = model.act(env.reset(seed=1))
        return action.discrete, action.continuous

    declared, raw = predictions(), predictions(input_map="raw")
    assert torch.equal(declared[0], raw[0]) and torch.equal(declared[1], raw[1])


def test_paper_presets_choose_the_raw_input_and_the_default_the_declared_one() -> None:
    for name in ("jrp", "lqr", "jrp-decentralized", "lqr-decentralized"):
        assert HPO_PRESETS[name]["input_map"] == "raw"
    assert ht.HPO(tiny_jrp(), verbose=0, **SMALL).config.input_map == "declared"
    with pytest.raises(ValueError, match=r"HPOConfig.input_map must be one of .*'scaled'"):
        ht.HPO(tiny_jrp(), verbose=0, input_map="scaled")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_declared_input_keeps_the_first_layer_unsaturated_at_fifty_items(seed: int) -> None:
    # The default width (512); the raw observation saturates most units at this size.
    config = dataclasses.replace(JointReplenishmentConfig(n_items=50), num_eval_scenarios=64)
    env = ht.make("JointReplenishment-v0", 64, config=config, validate_actions=False)
    obs = env.reset(seed=seed)
    shared = {"seed": seed, "verbose": 0, "train_split": "", "dev_split": ""}
    declared = ht.HPO(env, **shared)
    assert first_layer_saturation(declared, obs) < 0.10
    raw = ht.HPO(env, input_map="raw", **shared)
    assert first_layer_saturation(raw, obs) > 0.5


def test_declared_input_stays_unsaturated_on_states_a_good_policy_visits() -> None:
    observations = dev_observations(5)["visited"]
    env = ht.make("JointReplenishment-v0", 8, config=JointReplenishmentConfig(n_items=5))
    for seed in (0, 1):
        model = ht.HPO(env, seed=seed, verbose=0, train_split="", dev_split="")
        assert first_layer_saturation(model, observations) < 0.10


def test_save_load_and_resume_keep_the_map(tmp_path: Path) -> None:
    model = ht.HPO(tiny_jrp(), seed=0, verbose=0, **SMALL).learn(8 * 12 * 2)
    assert "input_map.index" in model.policy.state_dict()  # the map travels with the weights
    obs = tiny_jrp(num_envs=5).reset(seed=4)
    before = model.act(obs)
    path = model.save(tmp_path / "hpo")
    loaded = ht.HPO.load(path, env=tiny_jrp())
    after = loaded.act(obs)
    assert loaded.config.input_map == "declared"
    assert torch.equal(before.discrete, after.discrete)
    assert torch.equal(before.continuous, after.continuous)
    # exact resume with the map: tests/algorithms/test_resume.py's HPO case (declared input)


def test_files_saved_before_the_input_map_existed_load_with_the_raw_input(tmp_path: Path) -> None:
    model = ht.HPO(tiny_jrp(), seed=0, verbose=0, input_map="raw", **SMALL)
    path = model.save(tmp_path / "hpo")
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                del config["input_map"]
                data = json.dumps(config).encode()
            dst.writestr(item, data)
    loaded = ht.HPO.load(old, env=tiny_jrp())
    assert loaded.config.input_map == "raw"
    obs = tiny_jrp(num_envs=5).reset(seed=4)
    assert torch.equal(loaded.act(obs).continuous, model.act(obs).continuous)

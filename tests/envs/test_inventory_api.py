"""Joint-replenishment env: registry, configs, scenario sets, seeding and input validation."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import torch
import tyro
from gymnasium.utils.env_checker import check_env

import hybrid_toolkit.envs.families.inventory  # noqa: F401  (registers the ids)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.inventory import (
    JointReplenishmentConfig,
    JointReplenishmentEnv,
    make_instance,
    reported_metric,
    scenario_demands,
)
from hybrid_toolkit.envs.families.inventory.demand import PoissonSampler
from hybrid_toolkit.spaces import HybridAction

IDS = ("JointReplenishment-v0", "JointReplenishmentHomogeneous-v0")


def test_registered_defaults_match_the_spec() -> None:
    env = make("JointReplenishment-v0", num_envs=4)
    assert isinstance(env, JointReplenishmentEnv) and env.differentiable
    assert env.n_items == 5 and env.lead_time == 2 and env.horizon == 100
    assert env.fixed_cost == 64.0 * 5
    assert env.observation_space.shape == (5 + 5 + 3 * 5 + 2,)
    homogeneous = make("JointReplenishmentHomogeneous-v0", n_items=3).instance
    assert homogeneous.mean.tolist() == [10.0] * 3
    assert homogeneous.holding.tolist() == [1.0] * 3
    assert homogeneous.shortage.tolist() == [9.0] * 3


def test_heterogeneous_instance_uses_the_seeded_ranges_and_is_prefix_stable() -> None:
    five = make_instance(JointReplenishmentConfig(n_items=5))
    three = make_instance(JointReplenishmentConfig(n_items=3))
    assert torch.equal(five.mean[:3], three.mean)  # item i is the same item for every n
    assert torch.equal(five.holding[:3], three.holding)
    assert bool(((five.mean >= 6) & (five.mean <= 14)).all())
    assert torch.equal(five.mean, (five.mean * 1000).round() / 1000)  # 3 decimals
    assert bool(((five.holding >= 0.7) & (five.holding <= 1.3)).all())
    assert bool(((five.shortage >= 6.3) & (five.shortage <= 11.7)).all())
    expected_mean = np.random.RandomState(33).uniform(6.0, 14.0, 5).round(3)
    assert five.mean.tolist() == expected_mean.tolist()


def test_scenario_splits_are_fixed_disjoint_and_shaped() -> None:
    config = JointReplenishmentConfig(n_items=2, num_train_scenarios=8, num_eval_scenarios=4)
    dev, train, test = (scenario_demands(config, s) for s in ("dev", "train", "test"))
    assert dev.shape == (4, 116, 2) and train.shape == (8, 116, 2) and test.shape == (4, 116, 2)
    assert torch.equal(dev, scenario_demands(config, "dev"))
    both = scenario_demands(
        JointReplenishmentConfig(n_items=2, num_train_scenarios=1, num_eval_scenarios=12), "dev"
    )
    assert torch.equal(both[:4], dev) and torch.equal(both[4:], train)  # one seeded draw
    assert not torch.equal(dev, test)
    assert torch.equal(dev, dev.round()) and bool((dev >= 0).all())
    with pytest.raises(ValueError, match="split must be one of"):
        scenario_demands(config, "validation")  # type: ignore[arg-type]


def test_env_scenarios_live_on_the_env_device_and_replay_in_tiles() -> None:
    config = JointReplenishmentConfig(n_items=2, num_eval_scenarios=3, horizon=5, ignore_periods=0)
    env = JointReplenishmentEnv(config, num_envs=6)
    dev = env.scenarios("dev")
    assert dev.dtype == torch.float32 and dev.device == env.device
    env.use_split("dev")
    env.reset()
    q = torch.zeros(6, 2)
    first = env.step(env.make_action(torch.zeros(6, dtype=torch.bool), q)).reward
    # rows c·S + s replay scenario s: the two copies see the same demand
    assert torch.equal(first[:3], first[3:])
    with pytest.raises(ValueError, match="multiple of the number of scenarios"):
        env.set_scenarios(torch.zeros(4, 21, 2))
    with pytest.raises(ValueError, match="must have shape"):
        env.set_scenarios(torch.zeros(3, 20, 2))


def test_fresh_episodes_are_reproducible_from_the_seed() -> None:
    env = make("JointReplenishment-v0", num_envs=8, n_items=3, horizon=6, ignore_periods=0)
    action = env.make_action(torch.ones(8, dtype=torch.bool), torch.full((8, 3), 9.0))

    def episode(seed: int) -> torch.Tensor:
        obs = [env.reset(seed=seed)]
        rewards = []
        for _ in range(6):
            step = env.step(action)
            rewards.append(step.reward)
        return torch.cat([obs[0].flatten(), torch.stack(rewards).flatten()])

    assert torch.equal(episode(3), episode(3))
    assert not torch.equal(episode(3), episode(4))


def test_autoreset_at_the_horizon() -> None:
    env = make("JointReplenishment-v0", num_envs=4, horizon=3, ignore_periods=0)
    first = env.reset(seed=0)
    action = env.make_action(torch.ones(4, dtype=torch.bool), torch.full((4, 5), 10.0))
    for t in range(3):
        step = env.step(action)
        assert bool(step.truncated.all()) == (t == 2) and not bool(step.terminated.any())
    assert env.period == 0  # a new episode began in the same step
    assert not torch.equal(step.info["final_obs"], step.obs)
    assert step.info["episode_length"].tolist() == [3] * 4
    assert first.shape == step.obs.shape


def test_poisson_sampler_matches_the_poisson_law() -> None:
    mean = torch.tensor([0.7, 6.0, 13.5], dtype=torch.float64)
    sampler = PoissonSampler(mean)
    draws = sampler.sample(200_000, generator=torch.Generator().manual_seed(0)).double()
    assert torch.equal(draws, draws.round()) and bool((draws >= 0).all())
    assert draws.mean(0).tolist() == pytest.approx(mean.tolist(), rel=0.01)
    assert draws.var(0).tolist() == pytest.approx(mean.tolist(), rel=0.02)
    # probability of zero demand: exp(-0.7)
    assert float((draws[:, 0] == 0).double().mean()) == pytest.approx(math.exp(-0.7), abs=0.004)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"lead_time": -1}, "lead_time must be an integer >= 0"),
        ({"n_items": 0}, "n_items"),
        ({"fixed_cost_per_item": math.inf}, "fixed_cost_per_item"),
        ({"fixed_cost_per_item": -1.0}, "fixed_cost_per_item"),
        ({"homogeneous_shortage": math.nan}, "homogeneous_shortage"),
        ({"holding_range": (0.5, math.inf)}, "holding_range"),
        ({"mean_range": (0.0, 3.0)}, "mean_range"),
        ({"ignore_periods": 100}, "ignore_periods"),
        ({"past_periods": 0}, "past_periods"),
        ({"ewma_beta": 1.0}, "ewma_beta"),
        ({"regime": "local"}, "regime"),
    ],
)
def test_invalid_configs_raise_naming_the_field(overrides: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make("JointReplenishment-v0", **overrides)


def test_invalid_actions_raise() -> None:
    env = make("JointReplenishment-v0", num_envs=2, n_items=2)
    env.reset(seed=0)
    good = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match=r"expected an integer in \[0, 1\]"):
        env.step(HybridAction(torch.tensor([[2], [0]]), good))
    with pytest.raises(ValueError, match=r"regime1/item0.*is -1\.0"):
        env.step(HybridAction(torch.tensor([[1], [0]]), torch.tensor([[-1.0, 2.0], [0.0, 0.0]])))
    with pytest.raises(ValueError, match=r"is inf; expected a finite value"):
        env.step(HybridAction(torch.tensor([[1], [1]]), torch.tensor([[math.inf, 2.0], good[1]])))
    # the quantities of the "no order" regime are inactive: anything goes
    env.step(HybridAction(torch.tensor([[0], [0]]), torch.full((2, 2), math.nan)))


def test_reported_metric_definition() -> None:
    costs = torch.tensor([[100.0, 1.0, 2.0], [100.0, 3.0, 4.0]])
    # periods >= 1 only: (1 + 2 + 3 + 4) / (2 scenarios · 2 periods · 5 items)
    assert float(reported_metric(costs, n_items=5, ignore_periods=1)) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="horizon > ignore_periods"):
        reported_metric(costs, n_items=5, ignore_periods=3)


@pytest.mark.parametrize("name", IDS)
def test_gymnasium_env_checker_passes(name: str) -> None:
    env = gymnasium.make(f"hybrid_toolkit/{name}", n_items=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # infinite Box bounds are inherent to the problem
        check_env(env.unwrapped)
    vector = gymnasium.make_vec(f"hybrid_toolkit/{name}", num_envs=3, n_items=2)
    obs, _ = vector.reset(seed=0)
    assert obs.shape == (3, 2 + 2 + 3 * 2 + 2)


def test_docs_example_runs() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "envs" / "joint-replenishment.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    assert blocks, "the page has no python example"
    exec(compile("\n".join(blocks), str(page), "exec"), {})


def test_config_parses_from_the_command_line() -> None:
    config = tyro.cli(
        JointReplenishmentConfig,
        args=["--n-items", "3", "--mean-range", "5", "9", "--regime", "per_item", "--lost-sales"],
    )
    assert (config.n_items, config.mean_range, config.regime) == (3, (5.0, 9.0), "per_item")
    assert config.lost_sales and config.fixed_cost == 192.0

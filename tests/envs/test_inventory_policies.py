"""Reference policies of the joint-replenishment env."""

from __future__ import annotations

import math

import pytest
import torch

from hybrid_toolkit.envs.families.inventory import (
    JointReplenishmentConfig,
    JointReplenishmentEnv,
    make_instance,
)
from hybrid_toolkit.envs.families.inventory.policies import (
    BaseStockPolicy,
    JointSSPolicy,
    RandomInventoryPolicy,
    evaluate_policy,
    poisson_quantile,
    rollout_costs,
    tune_joint_ss,
)


def poisson_cdf(lam: float, k: int) -> float:
    return sum(math.exp(-lam) * lam**j / math.factorial(j) for j in range(k + 1))


@pytest.mark.parametrize(("lam", "fractile"), [(3.0, 0.5), (3.0, 0.9), (3.0, 0.95), (30.0, 0.9)])
def test_poisson_quantile_is_the_smallest_level_reaching_the_fractile(
    lam: float, fractile: float
) -> None:
    level = int(poisson_quantile(torch.tensor([lam]), torch.tensor([fractile]))[0])
    assert poisson_cdf(lam, level) >= fractile
    assert level == 0 or poisson_cdf(lam, level - 1) < fractile


def test_newsvendor_levels_cover_lead_time_plus_one_periods() -> None:
    instance = make_instance(JointReplenishmentConfig(n_items=2, instance="homogeneous"))
    levels = BaseStockPolicy.newsvendor(instance).levels
    # Poisson(10·(2 + 1)) at p / (p + h) = 0.9
    assert levels.tolist() == [37.0, 37.0]
    assert poisson_cdf(30.0, 37) >= 0.9 > poisson_cdf(30.0, 36)  # 0.911 and 0.880


def small_env(n: int = 2, batch: int = 3) -> JointReplenishmentEnv:
    config = JointReplenishmentConfig(n_items=n, horizon=5, ignore_periods=0)
    env = JointReplenishmentEnv(config, num_envs=batch)
    env.reset(seed=0)
    return env


def test_base_stock_orders_up_to_its_levels() -> None:
    env = small_env()
    action = BaseStockPolicy(torch.tensor([30.0, 40.0]))(env)
    assert action.discrete.tolist() == [[1]] * 3
    assert action.continuous.tolist() == [[30.0, 40.0]] * 3
    env.step(action)
    # on hand after a period of demand is negative; position = on hand + 30 / 40 on order
    again = BaseStockPolicy(torch.tensor([30.0, 40.0]))(env)
    assert torch.allclose(again.continuous + env.inventory_position, torch.tensor([30.0, 40.0]))


def test_joint_ss_orders_everything_when_any_item_is_low() -> None:
    env = small_env()
    policy = JointSSPolicy(torch.tensor([-1.0, 0.5]), torch.tensor([10.0, 20.0]))
    action = policy(env)  # position (0, 0): item 1 is below its reorder point 0.5
    assert action.discrete.tolist() == [[1]] * 3
    assert action.continuous.tolist() == [[10.0, 20.0]] * 3
    quiet = JointSSPolicy(torch.tensor([-1.0, -1.0]), torch.tensor([10.0, 20.0]))(env)
    assert quiet.discrete.tolist() == [[0]] * 3
    with pytest.raises(ValueError, match="order_up_to >= reorder"):
        JointSSPolicy(torch.tensor([5.0]), torch.tensor([4.0]))


def test_joint_ss_factors_give_the_documented_levels() -> None:
    instance = make_instance(JointReplenishmentConfig(n_items=1, instance="homogeneous"))
    policy = JointSSPolicy.from_factors(instance, safety=1.0, cycle=2.0)
    assert policy.reorder.tolist() == pytest.approx([30.0 + math.sqrt(30.0)])
    assert policy.order_up_to.tolist() == pytest.approx([30.0 + math.sqrt(30.0) + 20.0])
    many = JointSSPolicy.from_factors(instance, torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    assert many.reorder.shape == (2, 1)


def test_per_item_regime_env_accepts_the_same_policies() -> None:
    config = JointReplenishmentConfig(n_items=2, horizon=5, ignore_periods=0, regime="per_item")
    env = JointReplenishmentEnv(config, num_envs=2)
    env.reset(seed=0)
    action = JointSSPolicy(torch.tensor([1.0, -1.0]), torch.tensor([10.0, 20.0]))(env)
    assert action.discrete.tolist() == [[1, 1]] * 2
    env.step(action)


def test_random_policy_orders_half_the_time_within_bounds() -> None:
    env = small_env(n=2, batch=4000)
    action = RandomInventoryPolicy(torch.Generator().manual_seed(0))(env)
    assert float(action.discrete.double().mean()) == pytest.approx(0.5, abs=0.03)
    top = 4.0 * env.instance.mean.float()
    assert bool(((action.continuous >= 0) & (action.continuous <= top)).all())
    env.step(action)


def test_rollout_costs_cover_one_episode() -> None:
    env = small_env()
    costs = rollout_costs(env, BaseStockPolicy(torch.tensor([30.0, 40.0])))
    assert costs.shape == (3, 5) and bool((costs > 0).all())


def test_tuned_joint_ss_is_the_grid_minimum_and_beats_base_stock() -> None:
    config = JointReplenishmentConfig(
        n_items=1, instance="homogeneous", horizon=40, ignore_periods=8, num_eval_scenarios=64
    )
    tuned = tune_joint_ss(config, safety_grid=(-1.0, 0.0, 1.0), cycle_grid=(0.0, 3.0, 6.0))
    # the batched grid evaluation agrees with evaluating the chosen policy on its own
    assert evaluate_policy(tuned.policy, config, "dev") == pytest.approx(tuned.dev_metric, rel=1e-5)
    for a in (-1.0, 0.0, 1.0):
        for b in (0.0, 3.0, 6.0):
            other = JointSSPolicy.from_factors(make_instance(config), a, b)
            assert tuned.dev_metric <= evaluate_policy(other, config, "dev") + 1e-4
    base_stock = BaseStockPolicy.newsvendor(make_instance(config))
    assert tuned.dev_metric < evaluate_policy(base_stock, config, "dev")


def test_tuning_in_chunks_gives_the_same_answer() -> None:
    config = JointReplenishmentConfig(
        n_items=2, horizon=30, ignore_periods=5, num_eval_scenarios=16
    )
    grids = {"safety_grid": (-1.0, 0.0, 1.0, 2.0, 3.0), "cycle_grid": (2.0,), "refine": False}
    whole = tune_joint_ss(config, **grids)  # type: ignore[arg-type]
    # 32 rows per candidate: chunks of 2, 2 and a single candidate
    chunked = tune_joint_ss(config, max_batch=64, **grids)  # type: ignore[arg-type]
    assert (chunked.safety, chunked.cycle) == (whole.safety, whole.cycle)
    assert chunked.dev_metric == pytest.approx(whole.dev_metric, rel=1e-6)

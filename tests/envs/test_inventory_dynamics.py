"""Joint-replenishment dynamics: hand-computed periods, gradients, and a pure-Python reference."""

from __future__ import annotations

import pytest
import torch

from hybrid_toolkit.envs.families.inventory import (
    JointReplenishmentConfig,
    JointReplenishmentEnv,
    scenario_demands,
)
from hybrid_toolkit.envs.families.inventory.policies import BaseStockPolicy
from hybrid_toolkit.spaces import HybridAction


def small_env(**overrides: object) -> JointReplenishmentEnv:
    base: dict[str, object] = {
        "n_items": 2,
        "instance": "homogeneous",
        "horizon": 4,
        "ignore_periods": 1,
        "past_periods": 2,
        "precision": "float64",
        "ewma_beta": 0.5,
    }
    base.update(overrides)
    return JointReplenishmentEnv(JointReplenishmentConfig(**base), num_envs=1)  # type: ignore[arg-type]


# history [8, 12], [10, 10]; then periods 0..3
DEMANDS = torch.tensor(
    [[[8.0, 12.0], [10.0, 10.0], [5.0, 7.0], [9.0, 11.0], [10.0, 10.0], [3.0, 4.0]]],
    dtype=torch.float64,
)


def run(env: JointReplenishmentEnv, plan: list[tuple[bool, tuple[float, float]]]) -> list[float]:
    env.set_scenarios(DEMANDS)
    env.reset()
    costs = []
    for order, q in plan:
        action = env.make_action(torch.tensor([order]), torch.tensor([q], dtype=torch.float64))
        costs.append(-float(env.step(action).reward[0]))
    return costs


def test_backlogging_periods_worked_by_hand() -> None:
    # h = 1, p = 9, K = 64·2 = 128, L = 2: an order placed in period t serves period t + 2.
    env = small_env()
    env.set_scenarios(DEMANDS)
    obs = env.reset()
    layout = env.observation_layout
    # m0 = mean of the history = 10 -> K / m0 = 12.8
    assert obs[0, layout["mean_demand"]].item() == 10.0
    assert obs[0, layout["fixed_cost_ratio"]].item() == pytest.approx(12.8)
    plan = [(True, (20.0, 30.0)), (False, (0.0, 0.0)), (True, (5.0, 5.0)), (True, (1.0, 1.0))]
    costs = run(env, plan[:1])
    # period 0: on hand 0, demand (5, 7): shortage 9·(5 + 7) = 108, plus K = 128
    assert costs == [236.0]
    assert env.on_hand.tolist() == [[-5.0, -7.0]]
    assert env.pipeline[0, :, 0].tolist() == [20.0, 30.0]
    costs = run(env, plan)
    # period 1: backlog grows to (-14, -18): 9·32 = 288, no order
    # period 2: the period-0 order arrived: on hand (6, 12), demand (10, 10): 9·4 + 1·2 + 128
    # period 3: on hand (-4, 2), demand (3, 4): 9·7 + 9·2 + 128
    assert costs == [236.0, 288.0, 166.0, 209.0]


def test_mean_demand_estimate_follows_the_ewma() -> None:
    env = small_env()
    env.set_scenarios(DEMANDS)
    env.reset()
    seen = [float(env.mean_demand_estimate[0])]
    for _ in range(3):
        env.step(env.make_action(torch.tensor([False]), torch.zeros(1, 2, dtype=torch.float64)))
        seen.append(float(env.mean_demand_estimate[0]))
    # m_{t+1} = 0.5 m_t + 0.5 mean(D_t): 10 -> 8 -> 9 -> 9.5
    assert seen == [10.0, 8.0, 9.0, 9.5]


def test_lost_sales_floors_inventory_after_costing() -> None:
    env = small_env(lost_sales=True)
    costs = run(env, [(True, (20.0, 30.0)), (False, (0.0, 0.0)), (False, (0.0, 0.0))])
    # period 0: 108 + 128, unmet demand lost -> on hand (0, 0); period 1: 9·(9 + 11) = 180
    # period 2: the order arrived -> on hand (20, 30), demand (10, 10): holding 10 + 20
    assert costs == [236.0, 180.0, 30.0]


@pytest.mark.parametrize(("lead_time", "expected"), [(0, [130.0, 162.0]), (1, [236.0, 162.0])])
def test_short_lead_times(lead_time: int, expected: list[float]) -> None:
    # L = 0: the order (6, 8) serves this period's demand (5, 7): holding 1 + 1, plus K.
    # L = 1: period 0 is all shortage (108 + K); the order lifts on hand to (1, 1) for period 1.
    # Either way period 1 starts at (1, 1) against demand (9, 11): 9·(8 + 10) = 162.
    env = small_env(lead_time=lead_time)
    costs = run(env, [(True, (6.0, 8.0)), (False, (0.0, 0.0))])
    assert costs == expected


def test_per_item_regimes_charge_the_joint_cost_once() -> None:
    env = small_env(regime="per_item")
    assert env.action_space.n_discrete == 2
    env.set_scenarios(DEMANDS)
    env.reset()
    action = HybridAction(torch.tensor([[1, 1]]), torch.tensor([[3.0, 4.0]], dtype=torch.float64))
    assert -float(env.step(action).reward[0]) == 108.0 + 128.0
    action = HybridAction(torch.tensor([[0, 1]]), torch.tensor([[99.0, 4.0]], dtype=torch.float64))
    # item 0 does not order: its 99 is inactive; backlog (-14, -18) still costs 9·32
    assert -float(env.step(action).reward[0]) == 288.0 + 128.0
    assert env.pipeline[0, :, 0].tolist() == [0.0, 4.0]


def test_episode_cost_gradcheck_in_order_quantities() -> None:
    horizon, batch = 5, 3
    config = JointReplenishmentConfig(
        n_items=3, horizon=horizon, ignore_periods=0, precision="float64", lead_time=2
    )
    demands = scenario_demands(config, "dev")[:batch]
    regimes = torch.tensor([[1], [0], [1]])  # fixed per period (a discrete draw held fixed)

    def episode_cost(quantities: torch.Tensor) -> torch.Tensor:
        env = JointReplenishmentEnv(config, num_envs=batch)
        env.set_scenarios(demands)
        env.reset()
        total = torch.zeros((), dtype=torch.float64)
        for t in range(horizon):
            step = env.step(HybridAction(regimes.roll(t, 0), quantities[t]))
            total = total - step.reward.sum()
        return total

    generator = torch.Generator().manual_seed(0)
    # Non-integer quantities keep every inventory level away from the kink at 0.
    q = 3.0 + 20.0 * torch.rand(horizon, batch, 3, generator=generator, dtype=torch.float64)
    q.requires_grad_(True)
    assert torch.autograd.gradcheck(episode_cost, (q,), eps=1e-6, atol=1e-6)


def test_lost_sales_gradient_signs_by_hand() -> None:
    env = small_env(lost_sales=True, horizon=3)
    env.set_scenarios(DEMANDS[:, :5])
    env.reset()
    q = torch.tensor([[7.5, 30.25]], dtype=torch.float64, requires_grad=True)
    env.step(env.make_action(torch.tensor([True]), q))
    idle = env.make_action(torch.tensor([False]), torch.zeros(1, 2, dtype=torch.float64))
    env.step(idle)
    idle = env.make_action(torch.tensor([False]), torch.zeros(1, 2, dtype=torch.float64))
    cost = -env.step(idle).reward
    cost.sum().backward()
    # period 2: on hand (7.5, 30.25) against demand (10, 10): item 0 short (∂ = -p = -9),
    # item 1 long (∂ = +h = +1).
    assert q.grad is not None and q.grad.tolist() == [[-9.0, 1.0]]


def test_observation_is_differentiable_in_the_quantities() -> None:
    env = small_env()
    env.set_scenarios(DEMANDS)
    env.reset()
    q = torch.tensor([[4.0, 5.0]], dtype=torch.float64, requires_grad=True)
    obs = env.step(env.make_action(torch.tensor([True]), q)).obs
    obs[0, env.observation_layout["pipeline"]].sum().backward()
    # the pipeline feature is q / m_1 with m_1 = 8
    assert q.grad is not None and q.grad.tolist() == [[0.125, 0.125]]


def reference_metric(
    demands: torch.Tensor,
    mean: list[float],
    holding: list[float],
    shortage: list[float],
    levels: list[float],
    fixed_cost: float,
    lead_time: int,
    past: int,
    ignore: int,
) -> float:
    """Base-stock policy simulated with Python floats, one scenario and item at a time."""
    total, counted = 0.0, 0
    for scenario in demands.tolist():
        n = len(mean)
        on_hand = [0.0] * n
        pipeline = [[0.0] * (lead_time - 1) for _ in range(n)]
        for t, demand in enumerate(scenario[past:]):
            orders = [max(levels[i] - on_hand[i] - sum(pipeline[i]), 0.0) for i in range(n)]
            cost = fixed_cost if any(o > 0 for o in orders) else 0.0
            for i in range(n):
                left = on_hand[i] - demand[i]
                cost += holding[i] * left if left > 0 else shortage[i] * -left
                on_hand[i] = left + pipeline[i][0]
                pipeline[i] = [*pipeline[i][1:], orders[i]]
            if t >= ignore:
                total += cost
                counted += 1
    return total / (counted * len(mean))


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_reported_metric_matches_a_pure_python_reference(precision: str) -> None:
    config = JointReplenishmentConfig(
        n_items=3,
        horizon=40,
        ignore_periods=16,
        precision=precision,  # type: ignore[arg-type]
    )
    demands = scenario_demands(config, "dev")[:12]
    env = JointReplenishmentEnv(config, num_envs=12)
    env.set_scenarios(demands)
    policy = BaseStockPolicy(torch.tensor([38.0, 41.5, 40.0]))
    env.reset()
    costs = torch.stack([-env.step(policy(env)).reward for _ in range(config.horizon)], dim=1)
    inst = env.instance
    expected = reference_metric(
        demands,
        inst.mean.tolist(),
        inst.holding.tolist(),
        inst.shortage.tolist(),
        [38.0, 41.5, 40.0],
        config.fixed_cost,
        config.lead_time,
        config.past_periods,
        config.ignore_periods,
    )
    tolerance = 1e-12 if precision == "float64" else 1e-5
    assert float(env.reported_metric(costs)) == pytest.approx(expected, rel=tolerance)

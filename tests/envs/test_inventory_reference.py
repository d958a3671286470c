"""The optimised joint-replenishment step against a straightforward reference, period by period.

The env's hot path is written for speed (one concatenation per period, the reward as two fused
matrix-vector products, per-period rows split once per episode, the autoreset bookkeeping
skipped between horizons). This reference follows the module docstring literally, one
period at a time, and every observation, reward and episode statistic must agree with it, for
every variant (lead times, lost sales, per-item regimes, no normalisation, tiled scenarios),
across an autoreset into a second episode.
"""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from hybrid_toolkit.envs.families.inventory import (
    JointReplenishmentConfig,
    JointReplenishmentEnv,
    scenario_demands,
)
from hybrid_toolkit.spaces import HybridAction


def reference_episode(
    config: JointReplenishmentConfig, demands: Tensor, actions: list[HybridAction], copies: int
) -> tuple[list[Tensor], list[Tensor]]:
    """Observations (before each period, and after the last) and rewards of one episode."""
    env = JointReplenishmentEnv(config)  # only for the instance, reformulation and layout
    inst, n, lead = env.instance, config.n_items, config.lead_time
    h, p, mean = inst.holding, inst.shortage, inst.mean
    past, beta, fixed_cost = config.past_periods, config.ewma_beta, config.fixed_cost
    rows = demands.double().repeat(copies, 1, 1)  # [B, P, n]: row c·S + s replays trace s
    batch = rows.shape[0]
    m = rows[:, :past].mean(dim=(1, 2)) if past else torch.ones(batch, dtype=torch.float64)
    on_hand = torch.zeros(batch, n, dtype=torch.float64)
    pipeline = [torch.zeros(batch, n, dtype=torch.float64) for _ in range(max(lead - 1, 0))]

    def observe() -> Tensor:
        quantities = torch.cat([on_hand, *pipeline, mean.expand(batch, n)], dim=1)
        costs = torch.cat([p, h]).expand(batch, 2 * n)
        if not config.normalize_by_mean_demand:
            return torch.cat([quantities, costs], dim=1)
        ratio = torch.stack([m, fixed_cost / m], dim=1)
        return torch.cat([quantities / m[:, None], costs, ratio], dim=1)

    observations, rewards = [observe()], []
    for t, action in enumerate(actions):
        regime = action.discrete.expand(batch, n) if action.discrete.shape[1] == 1 else None
        regime = action.discrete if regime is None else regime
        ordering = regime == 1
        order = torch.where(ordering, action.continuous.double(), 0.0)
        demand = rows[:, past + t]
        stock = on_hand + order if lead == 0 else on_hand
        left = stock - demand
        cost = torch.maximum(h * left, -p * left).sum(dim=1)
        cost = cost + fixed_cost * ordering.any(dim=1)
        if config.lost_sales:
            left = left.clamp(min=0.0)
        if lead == 0:
            on_hand = left
        elif lead == 1:
            on_hand = left + order
        else:
            on_hand = left + pipeline[0]
            pipeline = [*pipeline[1:], order]
        m = beta * m + (1 - beta) * demand.mean(dim=1)
        rewards.append(-cost)
        observations.append(observe())
    return observations, rewards


def random_actions(env: JointReplenishmentEnv, periods: int, seed: int) -> list[HybridAction]:
    """Random regimes and non-integer quantities, NaN in every inactive entry."""
    generator = torch.Generator().manual_seed(seed)
    actions = []
    width = env.action_space.n_discrete
    for _ in range(periods):
        regime = torch.randint(0, 2, (env.num_envs, width), generator=generator)
        quantities = 30.0 * torch.rand(env.num_envs, env.n_items, generator=generator)
        active = regime.expand(-1, env.n_items) == 1
        quantities = torch.where(active, quantities, torch.nan).to(env.dtype)
        actions.append(HybridAction(regime, quantities))
    return actions


VARIANTS = {
    "default": {},
    "lead_time_0": {"lead_time": 0},
    "lead_time_1": {"lead_time": 1},
    "lead_time_3": {"lead_time": 3},
    "lost_sales": {"lost_sales": True},
    "per_item": {"regime": "per_item"},
    "unnormalized": {"normalize_by_mean_demand": False, "past_periods": 0},
    "no_history_unnormalized": {"normalize_by_mean_demand": False},
    "homogeneous": {"instance": "homogeneous", "n_items": 2},
}


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_step_matches_the_reference_over_two_episodes(variant: str, precision: str) -> None:
    settings = {"n_items": 3, "horizon": 6, "ignore_periods": 1, "precision": precision}
    config = JointReplenishmentConfig(**{**settings, **VARIANTS[variant]})  # type: ignore[arg-type]
    scenarios, copies = 4, 2
    demands = scenario_demands(config, "dev")[:scenarios]
    env = JointReplenishmentEnv(config, num_envs=scenarios * copies, validate_actions=False)
    env.set_scenarios(demands)
    actions = random_actions(env, 2 * config.horizon, seed=len(variant))
    tol = {"rtol": 1e-12, "atol": 1e-12} if precision == "float64" else {"rtol": 2e-6, "atol": 1e-4}

    obs = env.reset()
    for episode in range(2):
        chunk = actions[episode * config.horizon : (episode + 1) * config.horizon]
        expected_obs, expected_rewards = reference_episode(config, demands, chunk, copies)
        torch.testing.assert_close(obs.double(), expected_obs[0], **tol)
        total = torch.zeros(env.num_envs, dtype=torch.float64)
        for t, action in enumerate(chunk):
            step = env.step(action)
            assert step.obs.dtype == env.dtype and step.reward.dtype == env.dtype
            torch.testing.assert_close(step.reward.double(), expected_rewards[t], **tol)
            total += expected_rewards[t]
            last = t == config.horizon - 1
            torch.testing.assert_close(step.info["final_obs"].double(), expected_obs[t + 1], **tol)
            assert bool(step.truncated.all()) == last and not bool(step.terminated.any())
            assert step.info["episode_length"].tolist() == [t + 1] * env.num_envs
            torch.testing.assert_close(step.info["episode_return"].double(), total, **tol)
            if not last:
                torch.testing.assert_close(step.obs, step.info["final_obs"], rtol=0, atol=0)
            obs = step.obs  # after the last period: the next episode's first observation


def test_gradients_match_the_reference() -> None:
    config = JointReplenishmentConfig(
        n_items=3, horizon=5, ignore_periods=0, precision="float64", lead_time=2
    )
    demands = scenario_demands(config, "dev")[:3]
    env = JointReplenishmentEnv(config, num_envs=3)
    env.set_scenarios(demands)
    generator = torch.Generator().manual_seed(1)
    regimes = torch.randint(0, 2, (config.horizon, 3, 1), generator=generator)
    base = 3.0 + 20.0 * torch.rand(config.horizon, 3, 3, generator=generator, dtype=torch.float64)

    def gradient(run: str) -> Tensor:
        q = base.clone().requires_grad_(True)
        actions = [HybridAction(regimes[t], q[t]) for t in range(config.horizon)]
        if run == "env":
            env.reset()
            steps = [env.step(a) for a in actions]
            rewards = [s.reward for s in steps]
            observation = steps[-1].info["final_obs"]  # the observation after the last period
        else:
            observations, rewards = reference_episode(config, demands, actions, copies=1)
            observation = observations[-1]
        objective = torch.stack(rewards).sum() + observation.sum()
        (grad,) = torch.autograd.grad(objective, q)
        return grad

    torch.testing.assert_close(gradient("env"), gradient("reference"), rtol=1e-12, atol=1e-12)

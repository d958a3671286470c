"""Tutorial: write a small differentiable simulator and train it with HPO.

A water tank is refilled by a pump. Every step the controller decides whether to run the pump
(starting it costs a fixed 2.0) and, if it runs, at which rate. Demand drains the tank; the
cost is a quadratic penalty on the distance to the target level plus the energy of pumping.
The start-up charge makes the cost jump at "rate = 0", so the action is reformulated as a
regime {off, on} plus a rate that is active only when the pump is on.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

import hybrid_toolkit as ht
from hybrid_toolkit.envs import HybridEnv, ObservationFeature, ObservationFeatures
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.spaces.discontinuity import Discontinuity, DiscontinuityReformulation

# --8<-- [start:simulator]
TARGET, START_COST, ENERGY = 1.0, 2.0, 0.1


class TankEnv(HybridEnv):
    """A batched water tank: ``num_envs`` tanks simulated as one tensor program."""

    differentiable = True  # rewards and observations are torch functions of the rate

    def __init__(self, num_envs: int = 1, device: str = "cpu", horizon: int = 20) -> None:
        super().__init__(num_envs, device, validate_actions=False)
        self.horizon = horizon  # HPO rolls out one whole episode per update
        self.reformulation = DiscontinuityReformulation(
            [Discontinuity.fixed_cost(START_COST, name="start")]
        )
        self.action_space = self.reformulation.action_space(["rate"])  # [0, inf) when on
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.level = torch.zeros(num_envs, device=self.device)
        self.t = torch.zeros(num_envs, device=self.device)

    def _observe(self) -> Tensor:
        return torch.stack([self.level, self.t / self.horizon], dim=1)

    def observation_features(self) -> ObservationFeatures:
        """What the two observation entries are, so HPO can condition its network input."""
        return ObservationFeatures(
            [
                # the level, in units of the target level (1.0: already O(1))
                ObservationFeature.quantity("level", slice(0, 1), scale=TARGET),
                # t / T lies in [0, 1]
                ObservationFeature.scalar("time", slice(1, 2), scale=1.0),
            ]
        )

    def reset(self, *, seed: int | None = None) -> Tensor:
        self.level = self.level.detach()  # a new batch of episodes starts a new graph
        return super().reset(seed=seed)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        fresh = 2.0 * torch.rand(self.num_envs, generator=self.generator, device=self.device)
        self.level = torch.where(mask, fresh, self.level)  # keeps the graph where not reset
        self.t = torch.where(mask, 0.0, self.t)
        return self._observe()

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        # rate: the "on" regime's parameter or exactly 0; start: 2.0 where the pump runs
        rate, charges = self.reformulation.decode(action.discrete, action.continuous)
        rate = rate[:, 0]
        demand = 0.5 * torch.rand(self.num_envs, generator=self.generator, device=self.device)
        self.level = self.level + rate - demand  # differentiable in the rate
        cost = (self.level - TARGET) ** 2 + charges["start"][:, 0] + ENERGY * rate
        self.t = self.t + 1
        truncated = self.t >= self.horizon
        return self._observe(), -cost, torch.zeros_like(truncated), truncated, {}


# --8<-- [end:simulator]
# --8<-- [start:baselines]
def mean_cost(policy: Any, episodes: int = 256, seed: int = 7) -> float:
    """Average cost per step of ``policy(obs) -> HybridAction`` over fresh episodes."""
    env = TankEnv(num_envs=episodes)
    obs, total = env.reset(seed=seed), torch.zeros(())
    with torch.no_grad():
        for _ in range(env.horizon):
            step = env.step(policy(obs))
            total, obs = total - step.reward.mean(), step.obs
    return float(total) / env.horizon


def never_pump(obs: Tensor) -> HybridAction:
    """Baseline: the tank just drains."""
    return HybridAction(torch.zeros(len(obs), 1, dtype=torch.long), torch.zeros(len(obs), 1))


def refill_rule(low: float, high: float) -> Any:
    """A hand-written (s, S) rule: below ``low``, start the pump and refill up to ``high``."""

    def policy(obs: Tensor) -> HybridAction:
        level = obs[:, 0]
        return HybridAction((level < low).long()[:, None], (high - level).clamp(min=0)[:, None])

    return policy


def best_refill_rule() -> tuple[float, float, float]:
    """Grid search of the rule's two levels: ``(cost, low, high)`` of the best pair."""
    grid = [(mean_cost(refill_rule(lo, hi)), lo, hi) for lo in (0.2, 0.4, 0.6, 0.8, 1.0)
            for hi in (1.0, 1.2, 1.4, 1.6, 1.8, 2.0)]  # fmt: skip
    return min(grid)


# --8<-- [end:baselines]
# --8<-- [start:train]
def train(updates: int = 40, seed: int = 0) -> ht.HPO:
    """HPO on the tank: score function for on/off, backpropagation through the tank for the rate."""
    env = TankEnv(num_envs=64)
    model = ht.HPO(
        env,
        seed=seed,
        verbose=0,
        gamma=0.9,
        buffer_periods=0,  # short episodes: keep every step
        learning_rate=3e-3,
        ent_coef=0.05,
        continuous_shift=0.0,
        discrete_hidden=(32, 32),
        continuous_hidden=(32, 32),
        value_hidden=(32, 32),
    )
    return model.learn(updates * env.num_envs * env.horizon)  # timesteps = updates × B × T


# --8<-- [end:train]
# --8<-- [start:run]
if __name__ == "__main__":
    model = train()
    learned = mean_cost(lambda obs: model.act(obs, deterministic=True))
    rule, low, high = best_refill_rule()
    print(f"cost per step — never pump: {mean_cost(never_pump):.3f}, best refill rule "
          f"(low {low}, high {high}): {rule:.3f}, HPO: {learned:.3f}")  # fmt: skip
# --8<-- [end:run]

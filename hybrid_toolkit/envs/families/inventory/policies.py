"""Reference policies of the joint-replenishment env, and how to evaluate any policy.

None of these is optimal for the JRP (its exact optimum is intractable beyond a few items);
they are the yardsticks optimality gaps are reported against:

* :class:`BaseStockPolicy` — order every item up to ``S_i`` every period, paying ``K`` whenever
  any item is below its level. With the newsvendor levels of :meth:`BaseStockPolicy.newsvendor`
  it is the optimal policy **of the problem without the fixed cost** (backlogging); with ``K``
  it is a weak heuristic that shows what ignoring the fixed cost costs.
* :class:`JointSSPolicy` — joint ``(s, S)``: when any item's inventory position falls below
  ``s_i``, order every item up to ``S_i``. Its levels come from two scalars (a safety factor
  ``a`` and a cycle length ``b``) tuned by grid search on the dev split
  (:func:`tune_joint_ss`). A heuristic; for one item a tuned ``(s, S)`` policy is near the
  optimal ``(s, S)`` (optimal for a single item with backlogging), up to the grid.
* :class:`RandomInventoryPolicy` — order with probability ½, quantities uniform on
  ``[0, 4 μ_i]`` (expected supply equals expected demand): the untrained baseline.

A policy is any callable ``policy(env) -> HybridAction`` that reads the env's public state
(``env.on_hand``, ``env.inventory_position``, ``env.instance``, ``env.period``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.inventory.config import JointReplenishmentConfig
from hybrid_toolkit.envs.families.inventory.env import JointReplenishmentEnv
from hybrid_toolkit.envs.families.inventory.instance import InventoryInstance, make_instance
from hybrid_toolkit.envs.families.inventory.scenarios import Split, scenario_demands
from hybrid_toolkit.spaces import HybridAction

InventoryPolicy = Callable[[JointReplenishmentEnv], HybridAction]

SAFETY_GRID = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
"""Default coarse grid of the joint (s, S) safety factor."""
CYCLE_GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
"""Default coarse grid of the joint (s, S) cycle length, in periods of mean demand."""


def poisson_quantile(mean: Tensor, fractile: Tensor) -> Tensor:
    """Smallest integer ``s`` with ``P(Poisson(mean) <= s) >= fractile`` (elementwise, float64)."""
    top = math.ceil(float(mean.max()) + 12.0 * math.sqrt(float(mean.max())) + 12.0)
    k = torch.arange(top + 1, dtype=torch.float64)
    mean = mean.double()[..., None]
    log_pmf = k * mean.log() - mean - torch.lgamma(k + 1.0)
    cdf = log_pmf.exp().cumsum(dim=-1)
    return (cdf < fractile.double()[..., None]).sum(dim=-1).double()


def _protection(instance: InventoryInstance) -> Tensor:
    """Mean demand over the protection interval: the ``L + 1`` periods an order must cover."""
    return instance.mean * (instance.lead_time + 1)


class _OnEnvDevice:
    """Copies of a policy's parameter tensors on the env's device, made once, not per step."""

    def __init__(self, **tensors: Tensor) -> None:
        self._tensors = tensors
        self._copies: dict[tuple[str, torch.device, torch.dtype], Tensor] = {}

    def get(self, name: str, env: JointReplenishmentEnv) -> Tensor:
        key = (name, env.device, env.dtype)
        if key not in self._copies:
            self._copies[key] = self._tensors[name].to(device=env.device, dtype=env.dtype)
        return self._copies[key]


class BaseStockPolicy:
    """Order every item up to ``levels`` each period (order only if some item is below).

    Args:
        levels: Order-up-to levels ``[n]`` or ``[B, n]``.
    """

    def __init__(self, levels: Tensor) -> None:
        self.levels = levels
        self._device = _OnEnvDevice(levels=levels)

    @classmethod
    def newsvendor(cls, instance: InventoryInstance) -> BaseStockPolicy:
        """Levels ``S_i`` = the ``p_i / (p_i + h_i)`` quantile of Poisson demand over ``L + 1``
        periods: optimal base-stock levels without the fixed cost (backlogging)."""
        fractile = instance.shortage / (instance.shortage + instance.holding)
        return cls(poisson_quantile(_protection(instance), fractile))

    def __call__(self, env: JointReplenishmentEnv) -> HybridAction:
        gap = self._device.get("levels", env) - env.inventory_position
        quantities = gap.clamp(min=0.0)
        return env.make_action(gap > 0, quantities)


class JointSSPolicy:
    """Joint ``(s, S)``: if any item's inventory position is below ``s_i``, order all up to ``S_i``.

    Args:
        reorder: Reorder points ``s`` ``[n]`` or ``[B, n]``.
        order_up_to: Order-up-to levels ``S`` (same shape, ``S >= s``).
    """

    def __init__(self, reorder: Tensor, order_up_to: Tensor) -> None:
        if bool((order_up_to < reorder).any()):
            raise ValueError("JointSSPolicy needs order_up_to >= reorder for every item")
        self.reorder = reorder
        self.order_up_to = order_up_to
        self._device = _OnEnvDevice(reorder=reorder, order_up_to=order_up_to)

    @classmethod
    def from_factors(
        cls, instance: InventoryInstance, safety: Tensor | float, cycle: Tensor | float
    ) -> JointSSPolicy:
        """Levels from two scalars (or ``[C]`` vectors for ``C`` policies at once).

        ``s_i = λ_i + safety·sqrt(λ_i)`` with ``λ_i = (L + 1) μ_i`` the protection-interval
        demand, and ``S_i = s_i + cycle·μ_i``. Vectors give ``[C, n]`` levels.
        """
        lam = _protection(instance)
        a = torch.as_tensor(safety, dtype=torch.float64).reshape(-1, 1)
        b = torch.as_tensor(cycle, dtype=torch.float64).reshape(-1, 1)
        reorder = lam + a * lam.sqrt()
        up_to = reorder + b.clamp(min=0.0) * instance.mean
        if reorder.shape[0] == 1:
            return cls(reorder[0], up_to[0])
        return cls(reorder, up_to)

    def __call__(self, env: JointReplenishmentEnv) -> HybridAction:
        position = env.inventory_position
        trigger = (position < self._device.get("reorder", env)).any(dim=1, keepdim=True)
        quantities = (self._device.get("order_up_to", env) - position).clamp(min=0.0)
        return env.make_action(trigger.expand_as(position), quantities)


class RandomInventoryPolicy:
    """Order with probability ``order_probability``; quantities ``U[0, 2 μ_i / p]``.

    Args:
        generator: Source of randomness (on the env's device).
        order_probability: Chance of ordering each period (per item with per-item regimes).
    """

    def __init__(self, generator: torch.Generator, order_probability: float = 0.5) -> None:
        if not 0.0 < order_probability <= 1.0:
            raise ValueError(f"order_probability must be in (0, 1], got {order_probability}")
        self.generator = generator
        self.order_probability = order_probability

    def __call__(self, env: JointReplenishmentEnv) -> HybridAction:
        shape = (env.num_envs, env.n_items)
        draws = torch.rand(2, *shape, generator=self.generator, device=env.device)
        order = draws[0] < self.order_probability
        if not env.reformulation.per_axis:
            order = order[:, :1].expand(shape)
        top = env.instance.mean.to(env.device, env.dtype) * (2.0 / self.order_probability)
        return env.make_action(order, draws[1].to(env.dtype) * top)


def rollout_costs(env: JointReplenishmentEnv, policy: InventoryPolicy) -> Tensor:
    """Run one episode from ``env.reset()`` without autograd; per-period costs ``[B, T]``."""
    costs = []
    with torch.no_grad():
        env.reset()
        for _ in range(env.horizon):
            costs.append(-env.step(policy(env)).reward)
    return torch.stack(costs, dim=1)


def _split_env(
    config: JointReplenishmentConfig, split: Split, copies: int, device: torch.device | str
) -> JointReplenishmentEnv:
    demands = scenario_demands(config, split)
    env = JointReplenishmentEnv(
        config, num_envs=copies * demands.shape[0], device=device, validate_actions=False
    )
    env.set_scenarios(demands)
    return env


def evaluate_policy(
    policy: InventoryPolicy,
    config: JointReplenishmentConfig | None = None,
    split: Split = "dev",
    device: torch.device | str = "cpu",
) -> float:
    """The reported metric of ``policy`` on the fixed scenarios of ``split``."""
    config = config if config is not None else JointReplenishmentConfig()
    env = _split_env(config, split, 1, device)
    return float(env.reported_metric(rollout_costs(env, policy)))


@dataclass(frozen=True)
class TunedJointSS:
    """Result of :func:`tune_joint_ss`: the policy, its factors and its dev metric."""

    policy: JointSSPolicy
    safety: float
    cycle: float
    dev_metric: float


def _grid_metrics(
    config: JointReplenishmentConfig, safety: Tensor, cycle: Tensor, device: torch.device | str
) -> Tensor:
    """Dev metric of every ``(safety[c], cycle[c])`` pair, all simulated as one batch."""
    env = _split_env(config, "dev", safety.numel(), device)
    policy = JointSSPolicy.from_factors(env.instance, safety, cycle)
    scenarios = env.num_envs // safety.numel()
    n = config.n_items
    tiled = JointSSPolicy(  # [C, n] levels -> one row per simulated scenario
        policy.reorder.reshape(-1, n).repeat_interleave(scenarios, dim=0),
        policy.order_up_to.reshape(-1, n).repeat_interleave(scenarios, dim=0),
    )
    costs = rollout_costs(env, tiled)[:, config.ignore_periods :]
    per_policy = costs.reshape(safety.numel(), -1).sum(dim=1)
    return per_policy / (scenarios * costs.shape[1] * config.n_items)


def tune_joint_ss(
    config: JointReplenishmentConfig | None = None,
    safety_grid: Sequence[float] = SAFETY_GRID,
    cycle_grid: Sequence[float] = CYCLE_GRID,
    refine: bool = True,
    device: torch.device | str = "cpu",
    max_batch: int = 1 << 21,
) -> TunedJointSS:
    """Grid search of :meth:`JointSSPolicy.from_factors` on the dev split.

    Args:
        config: The env configuration (its dev scenarios are used).
        safety_grid: Candidate safety factors ``a``.
        cycle_grid: Candidate cycle lengths ``b`` (periods of mean demand).
        refine: Search again on a grid 4× finer around the best pair.
        device: Where to simulate.
        max_batch: Most ``scenario × item`` rows simulated at once (memory bound).
    """
    config = config if config is not None else JointReplenishmentConfig()
    per_policy = config.num_eval_scenarios * config.n_items
    chunk = max(1, max_batch // per_policy)

    def search(safety: Sequence[float], cycle: Sequence[float]) -> tuple[float, float, float]:
        a, b = torch.meshgrid(
            torch.tensor(safety, dtype=torch.float64),
            torch.tensor(cycle, dtype=torch.float64),
            indexing="ij",
        )
        a, b = a.flatten(), b.flatten()
        metrics = torch.cat(
            [
                _grid_metrics(config, a[i : i + chunk], b[i : i + chunk], device).cpu()
                for i in range(0, a.numel(), chunk)
            ]
        )
        best = int(metrics.argmin())
        return float(a[best]), float(b[best]), float(metrics[best])

    a, b, metric = search(safety_grid, cycle_grid)
    if refine:
        da = (max(safety_grid) - min(safety_grid)) / max(len(safety_grid) - 1, 1)
        db = (max(cycle_grid) - min(cycle_grid)) / max(len(cycle_grid) - 1, 1)
        fine_a = [a + da * k / 4 for k in range(-4, 5)]
        fine_b = [max(b + db * k / 4, 0.0) for k in range(-4, 5)]
        a, b, metric = search(fine_a, fine_b)
    policy = JointSSPolicy.from_factors(make_instance(config), a, b)
    return TunedJointSS(policy, a, b, metric)

"""Reference policies of the job shop: uniform random and a balanced-load rule."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.job_shop.dynamics import (
    energy_consumption,
    expected_wear,
    next_rate,
    step_reward,
)
from hybrid_toolkit.envs.families.job_shop.env import JobShopEnv
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy
from hybrid_toolkit.spaces import HybridAction


class JobShopRandomPolicy(UniformRandomPolicy):
    """Uniformly random loads on every machine.

    The shared :class:`~hybrid_toolkit.envs.outcomes.UniformRandomPolicy` under the name this
    family's docs and tests use.

    Args:
        env: The job shop (its action space and device are used).
        seed: Seed of the policy's own generator, independent of the env's.
    """


class JobShopBalancedLoadPolicy:
    """Give every machine the same load, chosen by a one-step lookahead with a steady tail.

    Equal loads make the imbalance penalty zero. The common load ``L`` maximises
    ``r(s, L) + horizon * max_L' r(s'(L), L')``: the expected reward now plus the best reward
    of the expected next state, assumed to last for the rest of the episode. Random wear
    changes are replaced by the middle of their ranges. Candidate loads are 11 evenly spaced
    values plus the boundaries of the wear rules (the largest repairing and the largest
    non-wearing load).

    With the default constants this plays optimally in both energy models: full load every
    step in ``"fixed-base"`` (no step can earn more than ``3 * n_jobs - energy_cap`` per
    machine, which full load reaches), and in ``"reference"`` one idle step (zeroing the
    carried-over energy) followed by full load.

    Args:
        env: The job shop to control.
        horizon: Weight of the steady-state tail; defaults to ``max_steps - 1``.
    """

    def __init__(self, env: JobShopEnv, horizon: int | None = None) -> None:
        cfg = env.config
        self.env = env
        self.horizon = float(cfg.max_steps - 1 if horizon is None else horizon)
        repair = int(cfg.low_load * cfg.n_jobs)
        repair = repair - 1 if repair == cfg.low_load * cfg.n_jobs else repair
        no_wear = int(cfg.high_load * cfg.n_jobs)
        grid = {round(cfg.n_jobs * k / 10) for k in range(11)}
        loads = sorted(grid | {max(repair, 0), min(no_wear, cfg.n_jobs)})
        self.loads = torch.tensor(loads, dtype=torch.float32, device=env.device)

    def __call__(self, obs: Tensor) -> HybridAction:
        """Actions for a batch of observations ``[B, 2m]`` (rates, then wear)."""
        cfg, m = self.env.config, self.env.config.n_machines
        obs = obs.to(self.env.device)
        rate, wear = obs[:, None, :m], obs[:, None, m:]  # [B, 1, m]
        now = self.loads[None, :, None].expand(obs.shape[0], -1, m)  # [B, C, m]
        wear1 = expected_wear(wear, now, cfg)
        energy1 = energy_consumption(rate, wear1, now, cfg)
        reward1 = step_reward(now, energy1, cfg)  # [B, C]
        rate1 = next_rate(rate.expand_as(energy1), energy1, cfg)
        later = self.loads[None, None, :, None]  # [1, 1, C', 1]
        wear2 = expected_wear(wear1[:, :, None, :], later.expand(-1, -1, -1, m), cfg)
        energy2 = energy_consumption(rate1[:, :, None, :], wear2, later, cfg)
        reward2 = step_reward(later.expand_as(energy2), energy2, cfg)  # [B, C, C']
        value = reward1 + self.horizon * reward2.max(dim=2).values
        best = self.loads[value.argmax(dim=1)]
        discrete = best[:, None].expand(-1, m).round().long()
        continuous = torch.zeros(obs.shape[0], 0, device=self.env.device)
        return HybridAction(discrete, continuous)


def job_shop_episode_returns(
    env: JobShopEnv, policy: JobShopRandomPolicy | JobShopBalancedLoadPolicy, seed: int
) -> Tensor:
    """``[B]`` return of one full episode (``max_steps`` steps) in every scenario of ``env``."""
    obs = env.reset(seed=seed)
    returns = torch.zeros(env.num_envs, device=env.device)
    for _ in range(env.config.max_steps):
        step = env.step(policy(obs))
        returns = returns + step.reward
        obs = step.obs
    return returns

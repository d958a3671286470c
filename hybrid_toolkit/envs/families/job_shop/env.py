"""`JobShopEnv`: batched per-period machine loading with wear and energy dynamics."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.job_shop.config import JobShopConfig
from hybrid_toolkit.envs.families.job_shop.dynamics import (
    energy_consumption,
    next_rate,
    step_reward,
    update_wear,
)
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace


class JobShopEnv(HybridEnv):
    """Assign ``0..n_jobs`` jobs to each of ``n_machines`` machines every step.

    Heavy loads wear a machine, light loads repair it, and a worn machine needs more energy
    per job (see :mod:`hybrid_toolkit.envs.families.job_shop.dynamics`). The action space
    (``(n_jobs + 1) ** n_machines`` actions) is never enumerated.

    Observation ``[2 * n_machines]``: the energy rate each machine will apply to its next load,
    then its wear. With ``energy_model="reference"`` the rate is the last consumption (the
    reference code's state); with ``"fixed-base"`` it is the constant base rate.

    Args:
        config: The job-shop configuration.
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action against the action space.
    """

    def __init__(
        self,
        config: JobShopConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else JobShopConfig()
        cfg = self.config
        m = cfg.n_machines
        self.action_space = HybridSpace(
            [DiscreteComponent(cfg.n_jobs + 1, "ordinal", name=f"machine{i}") for i in range(m)]
        )
        # Bounds that actually hold: energy never exceeds the cap (or the initial rate), and
        # wear grows by at most the top of its range per step.
        rate_high = max(cfg.energy_cap, cfg.initial_energy[1])
        wear_high = cfg.max_steps * cfg.wear_increase[1]
        self.observation_space = gymnasium.spaces.Box(
            low=np.zeros(2 * m, dtype=np.float32),
            high=np.array([rate_high] * m + [wear_high] * m, dtype=np.float32),
            dtype=np.float32,
        )
        self.rate = torch.zeros(num_envs, m, device=self.device)
        """``[B, m]`` energy rate applied to the next load (may be set directly in tests)."""
        self.wear = torch.zeros(num_envs, m, device=self.device)
        """``[B, m]`` wear level of each machine (may be set directly in tests)."""
        self.elapsed = torch.zeros(num_envs, dtype=torch.int64, device=self.device)
        """``[B]`` steps taken in the current episode."""

    @property
    def optimal_return(self) -> float | None:
        """The optimal episode return where it is known in closed form (see the config)."""
        return self.config.optimal_return

    def _observe(self) -> Tensor:
        return torch.cat([self.rate, self.wear], dim=1)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        low, high = self.config.initial_energy
        shape = (self.num_envs, self.config.n_machines)
        draw = torch.rand(shape, generator=self.generator, device=self.device)
        rows = mask[:, None]
        self.rate = torch.where(rows, low + (high - low) * draw, self.rate)
        self.wear = torch.where(rows, 0.0, self.wear)
        self.elapsed = torch.where(mask, 0, self.elapsed)
        return self._observe()

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg = self.config
        loads = action.discrete.to(torch.float32)
        uniform = torch.rand(loads.shape, generator=self.generator, device=self.device)
        self.wear = update_wear(self.wear, loads, uniform, cfg)
        energy = energy_consumption(self.rate, self.wear, loads, cfg)
        reward = step_reward(loads, energy, cfg)
        self.rate = next_rate(self.rate, energy, cfg)
        self.elapsed = self.elapsed + 1
        terminated = torch.zeros(self.num_envs, dtype=torch.bool, device=self.device)
        truncated = self.elapsed >= cfg.max_steps
        return self._observe(), reward, terminated, truncated, {"energy": energy}

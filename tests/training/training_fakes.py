"""A counter environment and a fake algorithm for the training-layer tests.

`CounterEnv`: scenario ``i``'s episodes last exactly ``lengths[i]`` steps (then truncate) and the
reward of a step is the continuous action, so a policy that always plays ``c`` earns ``c * L_i``
per episode — returns are known in closed form.

`FakeAlgo`: satisfies ``TrainableAlgorithm``; its "policy" plays ``level``, which ``update``
raises by one, so the policy visibly improves over iterations.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.training import EpisodeStats, Logger, save_checkpoint

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


class CounterEnv(HybridEnv):
    def __init__(self, lengths: Sequence[int], device: str = "cpu") -> None:
        super().__init__(num_envs=len(lengths), device=device)
        self.action_space = HybridSpace([2], low=[-1000.0], high=[1000.0])
        self.observation_space = gymnasium.spaces.Box(-math.inf, math.inf, shape=(2,))
        self.lengths = torch.tensor(list(lengths), dtype=torch.int64, device=self.device)
        self.t = torch.zeros(self.num_envs, dtype=torch.int64, device=self.device)

    def _obs(self) -> Tensor:
        return torch.stack([self.t.float(), self.lengths.float()], dim=1)

    def _reset_envs(self, mask: Tensor) -> Tensor:
        self.t = torch.where(mask, 0, self.t)
        return self._obs()

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        self.t = self.t + 1
        truncated = self.t >= self.lengths
        terminated = torch.zeros_like(truncated)
        return self._obs(), action.continuous[:, 0].float(), terminated, truncated, {}


@dataclasses.dataclass
class FakeConfig:
    steps_per_collect: int = 4
    learning_rate: float = 0.1


class FakeAlgo:
    name = "fake"

    def __init__(
        self,
        env: HybridEnv,
        logger: Logger | None = None,
        steps_per_collect: int = 4,
        fail_in_update_at: int | None = None,
        improve: bool = True,
    ) -> None:
        self.env = env
        self.seed = 0
        self.num_timesteps = 0
        self.config = FakeConfig(steps_per_collect=steps_per_collect)
        self.logger = logger if logger is not None else Logger(None, (), verbose=0)
        self.episode_stats = EpisodeStats(window=100)
        self.level = 1.0
        self.improve = improve
        self.fail_in_update_at = fail_in_update_at
        self.obs = env.reset(seed=0)
        self.events: list[str] = []
        self.saved: list[Path] = []
        self.updates = 0

    def collect(self) -> int:
        self.events.append("collect")
        for _ in range(self.config.steps_per_collect):
            step = self.env.step(self.act(self.obs, deterministic=False))
            self.obs = step.obs
            self.episode_stats.add(
                step.info["episode_return"],
                step.info["episode_length"],
                step.terminated | step.truncated,
            )
            self.num_timesteps += self.env.num_envs
        return self.config.steps_per_collect

    def update(self, batch: int) -> dict[str, float]:
        self.events.append("update")
        self.updates += 1
        if self.fail_in_update_at == self.updates:
            raise RuntimeError("boom in update")
        if self.improve:
            self.level += 1.0
        return {"train/level": self.level}

    def act(self, obs: Tensor, deterministic: bool) -> HybridAction:
        batch = obs.shape[0]
        discrete = torch.zeros(batch, 1, dtype=torch.int64, device=obs.device)
        return HybridAction(discrete, torch.full((batch, 1), self.level, device=obs.device))

    def save(self, path: str | Path) -> Path:
        written = save_checkpoint(
            path,
            algorithm=self.name,
            config=dataclasses.asdict(self.config),
            spaces={"action_space": self.env.action_space.to_json()},
            state_dicts={"policy": {"level": torch.tensor(self.level)}},
            extra={"num_timesteps": self.num_timesteps},
        )
        self.saved.append(written)
        return written

    def hyperparameters(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.config), "seed": self.seed}

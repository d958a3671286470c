"""Fixed scenario splits: how HPO (and the HPO paper's PPO) train on the train split and
score a policy on dev/test.

The HPO environments (joint replenishment, switched LQR) share a small protocol:
``scenarios(split)`` returns the fixed exogenous data of a split (demand traces, initial
states), ``set_scenarios(data)`` replays it from the next reset, ``horizon`` is the episode
length and ``reported_metric(costs [S, T])`` is the paper's ``loss/reported``. Any env offering
it gets the paper's protocol: rollouts over shuffled batches of the train split, greedy
evaluation on all of dev at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction

_PROTOCOL = ("scenarios", "set_scenarios", "horizon", "reported_metric")


def has_splits(env: HybridEnv) -> bool:
    """Whether ``env`` offers fixed scenario splits and a reported metric."""
    return all(hasattr(env, name) for name in _PROTOCOL)


def _require_splits(env: HybridEnv) -> Any:
    if not has_splits(env):
        raise ValueError(
            f"{type(env).__name__} has no fixed scenario splits (needs {', '.join(_PROTOCOL)})"
        )
    return env


def batches_per_epoch(env: HybridEnv, split: str = "train") -> int:
    """Rollouts of ``env.num_envs`` scenarios in one pass over ``split`` (one **training
    epoch**: the unit of HPO's entropy anneal); the remainder of a pass is left out."""
    return int(_require_splits(env).scenarios(split).shape[0]) // env.num_envs


class TrainBatches:
    """Feeds ``env`` one batch of ``num_envs`` train scenarios per rollout, reshuffled per pass.

    A pass over the split (``len(split) // num_envs`` batches; the remainder of a pass is left
    out) is one **training epoch**, the unit of HPO's entropy anneal and dev evaluation.

    Args:
        env: An env with scenario splits; its ``num_envs`` is the batch size.
        split: The split to draw from (``"train"``).
        generator: Shuffles the scenarios (on any device).

    Raises:
        ValueError: If the split has fewer scenarios than ``env.num_envs``.
    """

    def __init__(self, env: HybridEnv, split: str, generator: torch.Generator) -> None:
        self.env = _require_splits(env)
        self.data: Tensor = self.env.scenarios(split)
        self.generator = generator
        size = int(self.data.shape[0])
        if size < env.num_envs:
            raise ValueError(
                f"the {split!r} split has {size} scenarios, fewer than one batch of "
                f"num_envs={env.num_envs}; lower num_envs or add scenarios"
            )
        self.batches_per_epoch = batches_per_epoch(env, split)
        self._order: list[Tensor] = []

    def reset_env(self) -> Tensor:
        """Load the next batch into the env and return its first observations."""
        if not self._order:
            perm = torch.randperm(self.data.shape[0], generator=self.generator, device="cpu")
            batch = self.env.num_envs
            self._order = list(perm[: self.batches_per_epoch * batch].split(batch))
        rows = self._order.pop(0).to(self.data.device)
        self.env.set_scenarios(self.data[rows])
        return self.env.reset()


class SplitEvaluator:
    """Scores a policy greedily on every scenario of one split at once.

    A copy of ``env`` (same class and config, ``num_envs`` = the split's size) replays the split.

    Args:
        env: An env with scenario splits (its class is rebuilt from ``env.config``).
        split: The split to evaluate on (``"dev"`` or ``"test"``).
    """

    def __init__(self, env: HybridEnv, split: str) -> None:
        source = _require_splits(env)
        data = source.scenarios(split)
        self.split = split
        factory: Any = type(env)  # the split-protocol families take their config first
        self.env: Any = factory(
            source.config, num_envs=int(data.shape[0]), device=env.device, validate_actions=False
        )
        self.env.set_scenarios(data)

    @torch.no_grad()
    def costs(self, act: Callable[[Tensor], HybridAction]) -> Tensor:
        """Per-step costs ``[S, T]`` of ``act`` over one episode of every scenario."""
        obs = self.env.reset()
        costs = []
        for _ in range(self.env.horizon):
            step = self.env.step(act(obs))
            costs.append(-step.reward)
            obs = step.obs
        return torch.stack(costs, dim=1)

    def evaluate(self, act: Callable[[Tensor], HybridAction]) -> float:
        """The reported metric (cost per period per item/coordinate) of ``act`` on the split."""
        return float(self.env.reported_metric(self.costs(act)))

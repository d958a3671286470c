"""Off-policy helpers shared by DGRL, DNC, Cacla and HyAR: a batched replay buffer, Polyak updates.

The buffer stores whole batches of transitions at once (one ``env.step`` of ``B`` scenarios is one
``add``), lives on the algorithm's device, and never loops over scenarios in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from hybrid_toolkit.envs import Step
from hybrid_toolkit.spaces import HybridAction


@dataclass
class ReplayBatch:
    """A sampled minibatch of transitions.

    Attributes:
        obs: ``[N, *obs_shape]`` observations the actions were taken in.
        action: The actions taken.
        reward: ``[N]`` rewards.
        next_obs: ``[N, *obs_shape]`` successor observations (the *final* observation where an
            episode ended, never the reset one).
        terminated: ``[N]`` bool: the successor is terminal (no bootstrap); time-limit
            truncations are not terminal.
        extras: Algorithm-specific per-transition tensors (e.g. latent actions, proto-actions).
    """

    obs: Tensor
    action: HybridAction
    reward: Tensor
    next_obs: Tensor
    terminated: Tensor
    extras: dict[str, Tensor] = field(default_factory=dict)


class ReplayBuffer:
    """A ring buffer of transitions stored as pre-allocated tensors.

    Args:
        capacity: Maximum number of transitions kept (oldest overwritten first).
        obs_shape: Per-scenario observation shape.
        n_discrete: Discrete components of an action.
        n_continuous: Continuous parameters of an action.
        device: Storage device.
        extras: Names and per-transition shapes of extra tensors to store (float32).
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        n_discrete: int,
        n_continuous: int,
        device: torch.device | str = "cpu",
        extras: Mapping[str, tuple[int, ...]] | None = None,
    ) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"ReplayBuffer capacity must be an integer >= 1, got {capacity!r}")
        self.capacity = capacity
        self.device = torch.device(device)
        self.obs = torch.zeros(capacity, *obs_shape, device=self.device)
        self.next_obs = torch.zeros(capacity, *obs_shape, device=self.device)
        self.discrete = torch.zeros(capacity, n_discrete, dtype=torch.int64, device=self.device)
        self.continuous = torch.zeros(capacity, n_continuous, device=self.device)
        self.reward = torch.zeros(capacity, device=self.device)
        self.terminated = torch.zeros(capacity, dtype=torch.bool, device=self.device)
        self.extras = {
            name: torch.zeros(capacity, *shape, device=self.device)
            for name, shape in (extras or {}).items()
        }
        self.pos = 0
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(
        self,
        obs: Tensor,
        action: HybridAction,
        reward: Tensor,
        next_obs: Tensor,
        terminated: Tensor,
        **extras: Tensor,
    ) -> None:
        """Store a batch of ``B`` transitions (``B`` may exceed what is left before wrapping)."""
        batch = obs.shape[0]
        if batch > self.capacity:
            raise ValueError(
                f"cannot add {batch} transitions to a ReplayBuffer of capacity {self.capacity}"
            )
        missing = set(self.extras) - set(extras)
        unknown = set(extras) - set(self.extras)
        if missing or unknown:
            raise ValueError(
                f"ReplayBuffer.add extras mismatch: missing {sorted(missing)}, "
                f"unexpected {sorted(unknown)}; declared {sorted(self.extras)}"
            )
        idx = (torch.arange(batch, device=self.device) + self.pos) % self.capacity
        self.obs[idx] = obs.detach().to(self.device, torch.float32)
        self.next_obs[idx] = next_obs.detach().to(self.device, torch.float32)
        self.discrete[idx] = action.discrete.to(self.device)
        self.continuous[idx] = action.continuous.detach().to(self.device, torch.float32)
        self.reward[idx] = reward.detach().to(self.device, torch.float32)
        self.terminated[idx] = terminated.to(self.device)
        for name, value in extras.items():
            self.extras[name][idx] = value.detach().to(self.device, torch.float32)
        self.pos = (self.pos + batch) % self.capacity
        self.size = min(self.size + batch, self.capacity)

    def _columns(self) -> dict[str, Tensor]:
        columns = {
            "obs": self.obs,
            "next_obs": self.next_obs,
            "discrete": self.discrete,
            "continuous": self.continuous,
            "reward": self.reward,
            "terminated": self.terminated,
        }
        columns.update({f"extra.{name}": value for name, value in self.extras.items()})
        return columns

    def state_dict(self) -> dict[str, Any]:
        """The stored transitions (only the filled rows), the write position and the capacity.

        A full buffer of ``capacity`` transitions costs ``capacity × (2·obs_dim + n_discrete +
        n_continuous + extras + 2)`` numbers (4 bytes each, 8 for discrete indices).
        """
        state: dict[str, Any] = {"capacity": self.capacity, "pos": self.pos, "size": self.size}
        state.update({k: v[: self.size].clone() for k, v in self._columns().items()})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Inverse of `state_dict`; the capacity and column layout must match.

        Raises:
            ValueError: The saved capacity or columns differ from this buffer's.
        """
        columns = self._columns()
        saved = set(state) - {"capacity", "pos", "size"}
        if state.get("capacity") != self.capacity or saved != set(columns):
            raise ValueError(
                f"replay buffer state has capacity {state.get('capacity')!r} and columns "
                f"{sorted(saved)}; expected capacity {self.capacity} and columns {sorted(columns)}"
            )
        size = int(state["size"])
        for name, column in columns.items():
            column[:size] = state[name].to(column.device, column.dtype)
        self.pos, self.size = int(state["pos"]), size

    def add_step(self, obs: Tensor, action: HybridAction, step: Step, **extras: Tensor) -> None:
        """Store the transitions of one ``env.step``, using ``info["final_obs"]`` as successor."""
        self.add(obs, action, step.reward, step.info["final_obs"], step.terminated, **extras)

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> ReplayBatch:
        """Uniformly sample ``batch_size`` stored transitions (with replacement)."""
        if self.size == 0:
            raise RuntimeError(
                "cannot sample from an empty ReplayBuffer; collect transitions first"
            )
        gen_device = generator.device if generator is not None else torch.device("cpu")
        idx = torch.randint(self.size, (batch_size,), generator=generator, device=gen_device)
        idx = idx.to(self.device)
        return ReplayBatch(
            obs=self.obs[idx],
            action=HybridAction(self.discrete[idx], self.continuous[idx]),
            reward=self.reward[idx],
            next_obs=self.next_obs[idx],
            terminated=self.terminated[idx],
            extras={name: value[idx] for name, value in self.extras.items()},
        )


@torch.no_grad()
def polyak_update(
    params: Iterable[nn.Parameter], target_params: Iterable[nn.Parameter], tau: float
) -> None:
    """``target ← (1 − τ)·target + τ·source`` for every parameter pair (``τ = 1`` copies)."""
    sources: list[Tensor] = list(params)
    targets: list[Tensor] = list(target_params)
    if len(sources) != len(targets):
        raise ValueError(
            f"polyak_update needs matching parameter lists, got {len(sources)} and {len(targets)}"
        )
    torch._foreach_lerp_(targets, sources, tau)

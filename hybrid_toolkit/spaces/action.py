"""`HybridAction`: a batch of hybrid actions as two tensors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class HybridAction:
    """A batch of hybrid actions.

    Attributes:
        discrete: ``int64`` tensor of shape ``[B, n_discrete]`` — one index per discrete component.
        continuous: floating tensor of shape ``[B, n_continuous]`` — all continuous parameters;
            entries that are inactive for the chosen discrete values are ignored by environments,
            distributions and validation.
    """

    discrete: Tensor
    continuous: Tensor

    def __post_init__(self) -> None:
        for name in ("discrete", "continuous"):
            if not isinstance(getattr(self, name), Tensor):
                raise TypeError(
                    f"HybridAction.{name} must be a torch.Tensor, got "
                    f"{type(getattr(self, name)).__name__}"
                )
        if self.discrete.dim() != 2 or self.continuous.dim() != 2:
            raise ValueError(
                "HybridAction expects discrete [B, n_discrete] and continuous [B, n_continuous] "
                f"tensors, got shapes {tuple(self.discrete.shape)} and "
                f"{tuple(self.continuous.shape)}"
            )
        if self.discrete.shape[0] != self.continuous.shape[0]:
            raise ValueError(
                "HybridAction batch sizes differ: discrete has "
                f"{self.discrete.shape[0]}, continuous has {self.continuous.shape[0]}"
            )

    @property
    def batch_size(self) -> int:
        """Number of actions in the batch (``B``)."""
        return int(self.discrete.shape[0])

    @property
    def device(self) -> torch.device:
        """Device of the tensors."""
        return self.discrete.device

    def to(self, device: torch.device | str) -> HybridAction:
        """Return the same actions on ``device``."""
        return HybridAction(self.discrete.to(device), self.continuous.to(device))

    def detach(self) -> HybridAction:
        """Return the actions with the continuous part cut from the autograd graph."""
        return HybridAction(self.discrete, self.continuous.detach())

    def __getitem__(self, index: int | slice | Tensor) -> HybridAction:
        """Select a sub-batch; an integer index keeps the batch dimension."""
        if isinstance(index, int):
            index = slice(index, index + 1 if index != -1 else None)
        return HybridAction(self.discrete[index], self.continuous[index])

    def __len__(self) -> int:
        return self.batch_size

    @staticmethod
    def cat(actions: Sequence[HybridAction]) -> HybridAction:
        """Concatenate batches along the batch dimension."""
        if not actions:
            raise ValueError("HybridAction.cat needs at least one action batch, got none")
        return HybridAction(
            torch.cat([a.discrete for a in actions], dim=0),
            torch.cat([a.continuous for a in actions], dim=0),
        )

"""Helpers for macro-action environments: batched simulation state and the internal frame loop.

In Platform and Goal one environment step is one **macro-action** of variable internal duration:
the simulator advances in small frames until the action has played out (the player landed, the
ball came to rest, a goal was scored). Batched over scenarios, every scenario runs the same
frame function under an ``active`` mask; finished scenarios keep their state, and the loop stops
once no scenario is active. Whether any scenario is still active is checked only every few
frames, so a GPU is not synchronised on every frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import torch
from torch import Tensor

S = TypeVar("S", bound="TensorState")


@dataclasses.dataclass
class TensorState:
    """A dataclass whose fields are tensors sharing the leading batch dimension ``B``.

    Subclasses list their tensors as fields; the helpers apply one operation to all of them, so
    a planner can copy a state, repeat it per candidate action, or merge two states per scenario.
    """

    def _map(self: S, fn: Callable[[Tensor], Tensor]) -> S:
        return type(self)(**{f.name: fn(getattr(self, f.name)) for f in dataclasses.fields(self)})

    def clone(self: S) -> S:
        """A copy that shares no storage with this state."""
        return self._map(torch.clone)

    def repeat_interleave(self: S, repeats: int) -> S:
        """Each scenario repeated ``repeats`` times in a row (``B`` becomes ``B * repeats``)."""
        return self._map(lambda t: t.repeat_interleave(repeats, dim=0))

    def where(self: S, mask: Tensor, other: S) -> S:
        """Per scenario, this state where ``mask`` (``[B]`` bool) is True, else ``other``."""

        def pick(name: str) -> Tensor:
            mine, theirs = getattr(self, name), getattr(other, name)
            shaped = mask.reshape(mask.shape + (1,) * (mine.dim() - 1))
            return torch.where(shaped, mine, theirs)

        return type(self)(**{f.name: pick(f.name) for f in dataclasses.fields(self)})

    @property
    def batch_size(self) -> int:
        """``B``, the leading dimension of every field."""
        first = getattr(self, dataclasses.fields(self)[0].name)
        return int(first.shape[0])


def run_frames(
    frame: Callable[[Tensor], Tensor],
    active: Tensor,
    max_frames: int,
    check_every: int = 8,
) -> tuple[Tensor, Tensor]:
    """Call ``frame(active) -> still_active`` until no scenario is active or ``max_frames`` calls.

    ``frame`` must advance only the scenarios where ``active`` is True (branch-free, with
    ``torch.where``) and return which of them continue.

    Args:
        frame: One simulation frame of the whole batch.
        active: ``[B]`` bool, the scenarios that start the macro-action.
        max_frames: Safety cap on frames; scenarios still active then are stopped.
        check_every: Frames between checks of whether any scenario is still active (a device
            sync on GPU).

    Returns:
        ``frames`` (``[B]`` int64, frames each scenario ran) and ``capped`` (``[B]`` bool, the
        scenarios stopped by ``max_frames``).
    """
    frames = torch.zeros(active.shape, dtype=torch.int64, device=active.device)
    done_frames = 0
    while done_frames < max_frames:
        for _ in range(min(check_every, max_frames - done_frames)):
            frames = frames + active.long()
            active = frame(active)
            done_frames += 1
        if not bool(active.any()):
            break
    return frames, active

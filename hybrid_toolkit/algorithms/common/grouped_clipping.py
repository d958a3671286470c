"""Gradient-norm clipping per parameter group (one norm per network), as the HPO paper's code
clips: HPO always, PPO with ``grad_clipping="per_group"``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import torch
from torch import Tensor


class GroupedModel(Protocol):
    """A model whose parameters come in named groups (HPO's policy, PPO's actor-critic)."""

    def parameter_groups(self) -> dict[str, list[torch.nn.Parameter]]: ...


def clip_groups(model: GroupedModel, names: Sequence[str], max_norm: float) -> dict[str, Tensor]:
    """Clip each named group's gradient norm to ``max_norm`` separately, without a device sync.

    Returns:
        ``train/grad_norm_<group>``: each group's norm before clipping (0-dim tensors on the
        parameters' device), for the groups that have gradients.
    """
    groups = model.parameter_groups()
    norms = {}
    for name in names:
        params = [p for p in groups[name] if p.grad is not None]
        if params:
            norms[f"train/grad_norm_{name}"] = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return norms

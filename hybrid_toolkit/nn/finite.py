"""Finiteness of network parameters as one device tensor (no host sync)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

NONFINITE_PARAMETERS = "train/nonfinite_parameters"
"""Metric key under which algorithms report :func:`count_nonfinite` of their parameters."""


def count_nonfinite(modules: Iterable[nn.Module | Tensor]) -> Tensor:
    """Number of NaN or infinite entries in the parameters of ``modules``, as a 0-d tensor.

    The count stays on the device, so an algorithm can stack it with its other metrics and read
    everything back in the single sync it does per update.

    Args:
        modules: Modules (all their parameters count) or parameter tensors.

    Returns:
        A float32 scalar tensor (0 when every parameter is finite).
    """
    params: list[Tensor] = []
    for item in modules:
        params.extend(item.parameters() if isinstance(item, nn.Module) else [item])
    if not params:
        return torch.zeros(())
    counts = [(~torch.isfinite(p.detach())).sum() for p in params]
    return torch.stack(counts).sum().float()


def total_grad_norm(params: Iterable[Tensor]) -> Tensor:
    """The Euclidean norm of all gradients of ``params`` together (what clipping would see).

    For networks that are not clipped but whose gradient norm is still reported; a 0-d tensor
    on the parameters' device (0 when no parameter has a gradient).
    """
    norms = [torch.linalg.vector_norm(p.grad.detach()) for p in params if p.grad is not None]
    if not norms:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(norms))

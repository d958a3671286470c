"""A clear error where a diverged actor's proto-action would become a garbage index."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.training.nonfinite import ADVICE, NonFiniteTrainingError


def require_finite_proto(proto: Tensor) -> Tensor:
    """Return ``proto`` if every entry is finite; raise `NonFiniteTrainingError` otherwise.

    Rounding a NaN proto-action to an index casts it to ``int64`` (``-2**63``), which surfaced
    as an ``IndexError`` deep in the action projection. On the CPU the check is free. On an
    accelerator it would cost a device sync per environment step, so there non-finite entries
    are mapped into the unit box instead (NaN to 0, ±inf to ±1) and the trainer's per-update
    parameter check, read in the update's one sync, stops the run with the same error.

    Raises:
        NonFiniteTrainingError: Naming how many entries are NaN or infinite (CPU tensors).
    """
    if proto.device.type != "cpu":
        return torch.nan_to_num(proto, nan=0.0, posinf=1.0, neginf=-1.0)
    bad = ~torch.isfinite(proto)
    if bool(bad.any()):
        raise NonFiniteTrainingError(
            f"the actor's proto-actions hold {int(bad.sum())} NaN or infinite value(s) (of "
            f"{proto.numel()}): its weights have diverged. {ADVICE}"
        )
    return proto

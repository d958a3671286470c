"""A clear error where a diverged actor's proto-action would become a garbage index."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.training.nonfinite import ADVICE, NonFiniteTrainingError


def require_finite_proto(proto: Tensor) -> Tensor:
    """Return ``proto`` if every entry is finite; raise `NonFiniteTrainingError` otherwise.

    Rounding a NaN proto-action to an index casts it to ``int64`` (``-2**63``), which surfaced
    as an ``IndexError`` deep in the action projection. The check reads one boolean back from
    the device per call (free on CPU).

    Raises:
        NonFiniteTrainingError: Naming how many entries are NaN or infinite.
    """
    bad = ~torch.isfinite(proto)
    if bool(bad.any()):
        raise NonFiniteTrainingError(
            f"the actor's proto-actions hold {int(bad.sum())} NaN or infinite value(s) (of "
            f"{proto.numel()}): its weights have diverged. {ADVICE}"
        )
    return proto

"""Enumerating a discrete action set — only for the baselines that need it, and only when small.

Wolpertinger (k nearest neighbours over the action set) and VAC (a softmax over it) must list
every discrete action. Their memory and time grow with ``|A| = prod(n_i)``, which is
astronomically large for the spaces DNC and DGRL target, so they refuse spaces above a limit
instead of trying. Actions are numbered in mixed radix, the last component varying fastest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from hybrid_toolkit.spaces import HybridSpace


def discrete_cardinality(space: HybridSpace) -> int:
    """``|A| = prod(n_i)`` of the discrete components, as an exact Python integer."""
    return math.prod(c.n for c in space.discrete)


def _describe(count: int, log10: float) -> str:
    return f"{count:,}" if log10 < 15 else f"about 10^{log10:.1f}"


def _table_size(log10_bytes: float) -> str:
    """A human-readable size for ``10**log10_bytes`` bytes (never materialised)."""
    for unit, power in (("GiB", 30), ("MiB", 20)):
        if log10_bytes >= power * math.log10(2):
            value = 10 ** (log10_bytes - power * math.log10(2))
            return f"{value:,.0f} {unit}" if value < 1e6 else f"about 10^{log10_bytes:.0f} bytes"
    return f"{10**log10_bytes:,.0f} bytes"


def check_enumerable(algorithm: str, space: HybridSpace, max_actions: int) -> int:
    """Return ``|A|``, or raise ``ValueError`` when it exceeds ``max_actions``.

    Args:
        algorithm: Name used in the message (``"wolpertinger"``, ``"vac"``).
        space: The action space.
        max_actions: The algorithm's ``max_actions`` config field.
    """
    count = discrete_cardinality(space)
    if count > max_actions:
        log10 = space.log10_cardinality
        table = _table_size(log10 + math.log10(12 * space.n_discrete))
        raise ValueError(
            f"{algorithm} enumerates every discrete action, but this action space has "
            f"{_describe(count, log10)} of them, above the limit max_actions={max_actions:,}; "
            f"its action table alone would take {table}. Raise max_actions if memory allows, "
            "or use dnc, cacla or dgrl, which never enumerate the space."
        )
    return count


def flat_to_discrete(index: Tensor, sizes: Sequence[int]) -> Tensor:
    """Mixed-radix digits: flat indices ``[...]`` → discrete actions ``int64 [..., n_d]``."""
    digits = []
    rest = index.long()
    for size in reversed(sizes):  # one op per component, never per action
        digits.append(rest % size)
        rest = rest // size
    return torch.stack(digits[::-1], dim=-1)


def discrete_to_flat(discrete: Tensor, sizes: Sequence[int]) -> Tensor:
    """Inverse of `flat_to_discrete`: discrete actions ``[..., n_d]`` → flat indices ``[...]``."""
    flat = torch.zeros(discrete.shape[:-1], dtype=torch.int64, device=discrete.device)
    for i, size in enumerate(sizes):
        flat = flat * size + discrete[..., i]
    return flat


def enumerate_discrete(sizes: Sequence[int], device: torch.device | str) -> Tensor:
    """Every discrete action ``int64 [prod(sizes), n_d]`` in flat-index order."""
    return flat_to_discrete(torch.arange(math.prod(sizes), device=device), sizes)

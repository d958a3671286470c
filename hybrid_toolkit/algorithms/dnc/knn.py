"""Wolpertinger's selection: k nearest enumerated actions of the proto-action, argmax Q.

Dulac-Arnold et al. (2015) look up the ``k`` actions nearest (Euclidean) to the proto-action in
the enumerated action set and execute the one the critic scores highest. The set is stored once
as unit-box coordinates ``[|A|, n_d]``; the lookup is exact (no approximate index) and batched
over scenarios, in chunks of the table when ``B · |A|`` distances would not fit the memory
budget.

The reference code queried with the raw tanh output, not rescaled to the action box, which is
mis-scaled wherever the box is not ``[-1, 1]`` (spec pitfall 7); here the table and the query
share the unit box, so the map is correct on every space.
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.enumeration import check_enumerable, enumerate_discrete
from hybrid_toolkit.algorithms.dnc.networks import QCritic
from hybrid_toolkit.algorithms.dnc.selection import Selection, critic_scorer
from hybrid_toolkit.spaces import HybridAction

DISTANCE_BUDGET = 2**24
"""Largest number of query-to-action distances computed at once (64 MiB of float32)."""


def nearest_rows(query: Tensor, table: Tensor, k: int, table_sq: Tensor | None = None) -> Tensor:
    """Indices ``int64 [B, k]`` of the ``k`` rows of ``table`` nearest (Euclidean) each query.

    Exact and batched; the table is scanned in chunks so that at most `DISTANCE_BUDGET`
    distances exist at once, however many rows it has.

    Args:
        query: ``[B, d]`` points.
        table: ``[N, d]`` rows (``k <= N``).
        k: Neighbours per query, nearest first.
        table_sq: ``[N]`` squared row norms, if already known.
    """
    if table_sq is None:
        table_sq = table.square().sum(dim=-1)
    chunk = max(k, DISTANCE_BUDGET // max(query.shape[0], 1))
    best_d = query.new_empty(query.shape[0], 0)
    best_i = torch.empty(query.shape[0], 0, dtype=torch.int64, device=query.device)
    q_sq = query.square().sum(dim=-1, keepdim=True)
    for start in range(0, table.shape[0], chunk):  # one pass unless the table is huge
        rows = table[start : start + chunk]
        dist = q_sq - 2.0 * query @ rows.T + table_sq[start : start + chunk]
        top_d, top_i = dist.topk(min(k, rows.shape[0]), dim=1, largest=False)
        merged_d = torch.cat([best_d, top_d], dim=1)
        merged_i = torch.cat([best_i, top_i + start], dim=1)
        best_d, order = merged_d.topk(min(k, merged_d.shape[1]), dim=1, largest=False)
        best_i = merged_i.gather(1, order)
    return best_i


class NearestNeighbourSelection:
    """k-nearest-neighbour lookup over the enumerated discrete actions, scored by the critic.

    Args:
        codec: The action codec.
        n_neighbours: ``k`` (clipped to ``|A|``).
        max_actions: Refuse spaces with more discrete actions than this.
        algorithm: Name for error messages.
    """

    def __init__(
        self,
        codec: ActionCodec,
        n_neighbours: int,
        max_actions: int,
        algorithm: str = "wolpertinger",
    ) -> None:
        self.codec = codec
        self.n_actions = check_enumerable(algorithm, codec.space, max_actions)
        self.k = min(n_neighbours, self.n_actions)
        device = codec.relaxed.device
        self.actions = enumerate_discrete([c.n for c in codec.space.discrete], device)
        """``int64 [|A|, n_d]`` every discrete action."""
        self.table = codec.discrete_unit(self.actions)
        """``[|A|, n_d]`` their unit-box coordinates."""
        self._table_sq = self.table.square().sum(dim=-1)

    def nearest(self, query: Tensor) -> Tensor:
        """Flat indices ``int64 [B, k]`` of the ``k`` nearest actions, nearest first.

        Args:
            query: ``[B, n_d]`` unit-box points (the discrete part of a proto-action).
        """
        return nearest_rows(query.clamp(-1.0, 1.0), self.table, self.k, self._table_sq)

    def select(self, critic: QCritic, feats: Tensor, proto: Tensor) -> Selection:
        """One batched Wolpertinger decision: proto-actions ``[B, D]`` → the best of ``k``.

        The continuous parameters (if any) pass through from the clipped proto-action.
        """
        _, params = self.codec.split(proto)
        index = self.nearest(proto[:, : self.codec.n_discrete])
        candidates = self.actions[index]  # [B, k, n_d]
        scores = critic_scorer(critic, self.codec, feats, params)(candidates)
        best = scores.argmax(dim=1)
        chosen = candidates.gather(1, best[:, None, None].expand(-1, 1, candidates.shape[-1]))
        gain = scores.gather(1, best[:, None])[:, 0] - scores[:, 0]
        return Selection(HybridAction(chosen[:, 0], params), gain, best != 0)

"""`ActionEmbedding`: one learned point per discrete action, and the model that learns them.

Chandak et al. (2019) factor the policy as ``π(a | s) = ∫ f(a | e) π_i(e | s) de``: an internal
policy ``π_i`` acts in a low-dimensional embedding space and ``f`` maps a point to an action.
The embeddings are learned from transitions alone: an inverse model ``g(s, s')`` predicts a
point, and the probability that action ``a`` was taken between ``s`` and ``s'`` is a softmax
over every action of the (negated squared) distance of that point to the action's embedding,

``P(a | s, s') = exp(−‖g(s, s') − e_a‖²) / Σ_b exp(−‖g(s, s') − e_b‖²)``,  ``e_a = tanh(E_a)``,

fitted by cross-entropy (divided by ``log |A|``) plus a small penalty on the raw table ``E``
(spec §4.2, the DNC reference code's ``Action_representation_deep``). Actions that move the
state alike end up close, so the internal policy can generalise across them. ``f`` is the
nearest embedding (Euclidean), looked up exactly with the DNC family's chunked search.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.dnc.knn import nearest_rows
from hybrid_toolkit.nn import mlp


class ActionEmbedding(nn.Module):
    """The embedding table ``E`` ``[|A|, d]`` and the inverse model ``g``.

    Args:
        feature_dim: Size of the state features ``g`` reads (twice: ``s`` and ``s'``).
        n_actions: ``|A|``, one row each (actions numbered in mixed radix).
        embedding_dim: ``d``.
        hidden: Hidden sizes of ``g``; ``()`` is a single linear layer.
        activation: Hidden activation of ``g``.
        regularization: Weight of the ``mean(E²) / d`` penalty.
    """

    def __init__(
        self,
        feature_dim: int,
        n_actions: int,
        embedding_dim: int,
        hidden: tuple[int, ...],
        activation: str = "relu",
        regularization: float = 1e-5,
    ) -> None:
        super().__init__()
        # U[-1, 1] as in the reference: away from tanh's flat extremes.
        self.table = nn.Parameter(torch.rand(n_actions, embedding_dim) * 2.0 - 1.0)
        self.inverse = mlp(2 * feature_dim, hidden, embedding_dim, activation=activation)
        self.regularization = regularization
        self.norm = math.log(max(n_actions, 2))  # the loss is comparable across |A|

    @property
    def n_actions(self) -> int:
        """``|A|``."""
        return int(self.table.shape[0])

    def embeddings(self) -> Tensor:
        """Every action's point ``tanh(E)`` ``[|A|, d]`` in ``(-1, 1)^d``."""
        return torch.tanh(self.table)

    def predict(self, feats: Tensor, next_feats: Tensor) -> Tensor:
        """``g(s, s')`` ``[B, d]``: where the action taken from ``s`` to ``s'`` should lie."""
        return torch.tanh(self.inverse(torch.cat([feats, next_feats], dim=-1)))

    def loss(self, feats: Tensor, action: Tensor, next_feats: Tensor) -> Tensor:
        """Cross-entropy of the taken actions (flat indices ``[B]``) / ``log |A|``, plus penalty.

        Costs ``B · |A| · d`` operations: every action is a class of the softmax.
        """
        point = self.predict(feats, next_feats)
        logits = -torch.cdist(point, self.embeddings()).square()
        penalty = self.table.square().mean() / self.table.shape[1]
        return F.cross_entropy(logits, action) / self.norm + self.regularization * penalty

    @torch.no_grad()
    def nearest(self, points: Tensor) -> Tensor:
        """Flat index ``int64 [B]`` of the action whose embedding is nearest each point."""
        return nearest_rows(points, self.embeddings(), 1)[:, 0]

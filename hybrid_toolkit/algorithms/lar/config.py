"""`LARConfig`: the Q-actor-critic fields plus the learned action representation's.

The loop fields (``n_steps``, ``gamma``, learning rates, networks, Fourier basis …) are those of
every DNC-family baseline (`QACConfig`); the rest configure the embedding table, its inverse
model, the random warm-up it is pre-trained on and its online updates (spec §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from hybrid_toolkit.algorithms.dnc.config import REFERENCE_QAC_LOOP
from hybrid_toolkit.algorithms.dnc.qac_config import QACConfig, is_int_at_least
from hybrid_toolkit.utils.config import check_fields


@dataclass
class LARConfig(QACConfig):
    """LAR hyperparameters (Chandak et al. 2019, as the DNC reference code runs it)."""

    exploration_std: float = 0.5
    """Fixed standard deviation σ of the Gaussian actor in embedding space, whose points lie in
    `(-1, 1)^d` (the reference's `gauss_variance`: 1.0)."""
    embedding_dim: int = 2
    """`d`: size of each action's embedding (the reference's `reduced_action_dim`: 2)."""
    inverse_hidden: tuple[int, ...] = (128, 64)
    """Hidden sizes of the inverse model `g(s, s')` that predicts the embedding of the action
    taken between two states (the reference's deep model: 128, 64; `()` is its linear one)."""
    max_table_entries: int = 10_000_000
    """Refuse action spaces whose embedding table `|A| × d` has more numbers than this."""
    buffer_size: int = 10_000
    """Transitions of the uniformly random warm-up the embeddings are pre-trained on, and the
    capacity of the buffer their online updates sample from (reference: 600,000)."""
    pretrain_epochs: int = 100
    """Most passes over the warm-up buffer; pre-training stops earlier once the mean loss of the
    last 10 epochs no longer falls below that of the last 20 (reference: up to 500)."""
    pretrain_lr: float = 1e-3
    """Adam learning rate of the pre-training (reference: 1e-3)."""
    embedding_batch_size: int = 64
    """Minibatch of the embedding model, in pre-training and online (reference: 64)."""
    embedding_lr: float = 1e-4
    """Learning rate of the online embedding updates, with the loop's `optimizer` (reference:
    1e-4)."""
    embedding_loss_weight: float = 0.9
    """`λ`: weight of the online embedding loss, one step per update; 0 freezes the embeddings
    after pre-training (reference `emb_lambda`: 0.9)."""
    embedding_regularization: float = 1e-5
    """Weight of the `mean(E²) / d` penalty on the raw embedding table (reference `emb_reg`)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(
            self,
            {
                "exploration_std": (self.exploration_std > 0, "> 0"),
                "embedding_dim": (is_int_at_least(self.embedding_dim, 1), "an integer >= 1"),
                "max_table_entries": (
                    is_int_at_least(self.max_table_entries, 1),
                    "an integer >= 1",
                ),
                "buffer_size": (is_int_at_least(self.buffer_size, 1), "an integer >= 1"),
                "pretrain_epochs": (is_int_at_least(self.pretrain_epochs, 0), "an integer >= 0"),
                "pretrain_lr": (self.pretrain_lr > 0, "> 0"),
                "embedding_batch_size": (
                    is_int_at_least(self.embedding_batch_size, 1),
                    "an integer >= 1",
                ),
                "embedding_lr": (self.embedding_lr > 0, "> 0"),
                "embedding_loss_weight": (self.embedding_loss_weight >= 0, ">= 0"),
                "embedding_regularization": (self.embedding_regularization >= 0, ">= 0"),
            },
        )


PAPER: dict[str, object] = {
    # The DNC reference code's LAR (`learned_mapping`, spec §4.2) in its QAC loop (online
    # updates with batch size 1 and SGD, γ = 0.999, linear actor on an order-3 Fourier basis,
    # critic 32/32, σ = 1, TD-error advantage); 6e5 random transitions, up to 500 epochs.
    **REFERENCE_QAC_LOOP,
    "buffer_size": 600_000,
    "pretrain_epochs": 500,
}

LAR_PRESETS: dict[str, dict[str, object]] = {"default": {}, "paper": PAPER}
"""Named presets: ``paper`` is the DNC reference code's LAR, the DGRL paper's baseline."""

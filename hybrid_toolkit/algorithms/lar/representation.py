"""`RepresentationLearner`: LAR's embedding model, its buffer, pre-training and online updates.

As in the DNC reference code (spec §4.2):

* **pre-training** — once ``buffer_size`` uniformly random transitions are stored, Adam
  (``pretrain_lr``) makes passes over them in shuffled minibatches until the mean loss of the
  last 10 passes no longer falls below that of the last 20 (after at least 20) or
  ``pretrain_epochs`` passes are done;
* **online** — every transition the agent collects joins the same ring buffer, and each update
  of the actor-critic is followed by one minibatch step on ``λ ×`` the loss with the loop's
  optimizer at ``embedding_lr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch, ReplayBuffer
from hybrid_toolkit.algorithms.dnc.qac import make_optimizer
from hybrid_toolkit.algorithms.lar.config import LARConfig
from hybrid_toolkit.algorithms.lar.embedding import ActionEmbedding
from hybrid_toolkit.spaces import HybridAction

MIN_EPOCHS = 20
"""Passes before the reference's convergence test may stop pre-training."""
WINDOW = 10
"""The test compares the mean loss of the last ``WINDOW`` passes with the last ``2·WINDOW``."""

Features = Callable[[Tensor], Tensor]


class RepresentationLearner:
    """Owns the `ActionEmbedding`, the transitions it learns from and its optimiser.

    Args:
        model: The embedding model.
        features: The state features the actor-critic reads (shared, so ``g`` sees them too).
        obs_shape: Per-scenario observation shape (the buffer stores raw observations).
        config: The algorithm's config.
        generator: The algorithm's random stream (minibatch order).
    """

    def __init__(
        self,
        model: ActionEmbedding,
        features: Features,
        obs_shape: tuple[int, ...],
        config: LARConfig,
        generator: torch.Generator,
    ) -> None:
        self.model, self.features, self.config, self.generator = model, features, config, generator
        device = next(model.parameters()).device
        self.buffer = ReplayBuffer(config.buffer_size, obs_shape, 1, 0, device)
        """Transitions with the action stored as its flat index (one discrete column)."""
        self.optimizer = make_optimizer(
            list(model.parameters()), config.optimizer, config.embedding_lr
        )
        self.pretrained = False
        self.pretrain_losses: list[float] = []

    @property
    def warmup_left(self) -> int:
        """Random transitions still to store before pre-training can start."""
        return 0 if self.pretrained else self.config.buffer_size - len(self.buffer)

    def add(self, batch: ReplayBatch, flat_action: Tensor) -> None:
        """Store transitions (at most ``buffer_size`` of them are kept)."""
        keep = min(flat_action.shape[0], self.buffer.capacity)
        start = flat_action.shape[0] - keep
        self.buffer.add(
            batch.obs[start:],
            HybridAction(flat_action[start:, None], batch.action.continuous[start:, :0]),
            batch.reward[start:],
            batch.next_obs[start:],
            batch.terminated[start:],
        )

    # ------------------------------------------------------------------ pre-training
    def pretrain(self) -> dict[str, float]:
        """Fit the embeddings to the stored random transitions (the reference's rule)."""
        cfg, size = self.config, len(self.buffer)
        with torch.no_grad():
            feats = self.features(self.buffer.obs[:size])
            next_feats = self.features(self.buffer.next_obs[:size])
        actions = self.buffer.discrete[:size, 0]
        optimizer = torch.optim.Adam(self.model.parameters(), lr=cfg.pretrain_lr)
        losses = self.pretrain_losses
        for _ in range(cfg.pretrain_epochs):
            order = torch.randperm(size, generator=self.generator, device=self.generator.device)
            total = torch.zeros((), device=feats.device)
            for idx in order.to(feats.device).split(cfg.embedding_batch_size):
                loss = self.model.loss(feats[idx], actions[idx], next_feats[idx])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.detach() * idx.shape[0]
            losses.append(float(total) / size)  # one sync per pass
            if converged(losses):
                break
        self.pretrained = True
        metrics = {"train/embedding_pretrain_epochs": float(len(losses))}
        if losses:  # none with pretrain_epochs=0 (and a NaN metric would stop the trainer)
            metrics["train/embedding_loss"] = losses[-1]
        return metrics

    # ------------------------------------------------------------------ online
    def online_step(self) -> Tensor:
        """One minibatch step on ``λ ×`` the loss; returns the (unweighted) loss, on device."""
        cfg = self.config
        batch = self.buffer.sample(cfg.embedding_batch_size, self.generator)
        with torch.no_grad():
            feats, next_feats = self.features(batch.obs), self.features(batch.next_obs)
        loss = self.model.loss(feats, batch.action.discrete[:, 0], next_feats)
        self.optimizer.zero_grad(set_to_none=True)
        (cfg.embedding_loss_weight * loss).backward()
        self.optimizer.step()
        return loss.detach()

    # ------------------------------------------------------------------ persistence
    def state_dict(self) -> dict[str, Any]:
        """Model, online optimiser and pre-training record (the buffer is saved separately)."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "pretrained": self.pretrained,
            "pretrain_losses": torch.tensor(self.pretrain_losses, dtype=torch.float64),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.pretrained = bool(state["pretrained"])
        self.pretrain_losses = [float(x) for x in state["pretrain_losses"].tolist()]


def converged(losses: list[float]) -> bool:
    """The reference's stop rule: at least `MIN_EPOCHS` passes, and the mean loss of the last
    `WINDOW` no longer below that of the last ``2·WINDOW`` (by more than 1e-5)."""
    if len(losses) < MIN_EPOCHS:
        return False
    recent, longer = losses[-WINDOW:], losses[-2 * WINDOW :]
    return sum(recent) / len(recent) + 1e-5 >= sum(longer) / len(longer)

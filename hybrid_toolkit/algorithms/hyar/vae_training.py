"""`RepresentationTrainer`: VAE gradient steps with plateau stopping, and latent-bound refreshes.

Used for both of HyAR's representation phases: the one-off pre-training on the warm-up data and
the periodic fine-tuning during TD3. Each round runs ``steps`` gradient steps on minibatches of
the embedding buffer, then up to ``extra_steps`` more while the loss still falls (the mean of
the last 5 losses below the mean of the last 10, the reference's stopping rule), and finishes by
recomputing the latent space constraint and the dynamics error the relabelling compares against.
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch, ReplayBuffer
from hybrid_toolkit.algorithms.hyar.codec import ActionCodec
from hybrid_toolkit.algorithms.hyar.config import HyARConfig
from hybrid_toolkit.algorithms.hyar.representation import ActionRepresentation, VAELoss

_PLATEAU_SHORT, _PLATEAU_LONG = 5, 10


def _plateaued(history: list[Tensor]) -> bool:
    """The reference's rule: the last 5 losses are not below the last 10 (plus 1e-5)."""
    recent = torch.stack(history[-_PLATEAU_LONG:])
    return bool(recent[-_PLATEAU_SHORT:].mean() + 1e-5 >= recent.mean())


class RepresentationTrainer:
    """Trains an `ActionRepresentation` on an embedding buffer.

    Args:
        representation: The embedding table and VAE to train.
        codec: Says which parameter slots of each choice are real.
        buffer: Transitions stored as ``(scaled obs, joint choice, unit parameters, scaled next
            obs)``: ``action.discrete[:, 0]`` is the joint choice, ``action.continuous`` the
            packed parameters.
        config: Batch size, learning rate, loss weights, stopping and LSC settings.
        generator: Source of minibatch indices and VAE noise.
    """

    def __init__(
        self,
        representation: ActionRepresentation,
        codec: ActionCodec,
        buffer: ReplayBuffer,
        config: HyARConfig,
        generator: torch.Generator,
    ) -> None:
        self.representation = representation
        self.codec = codec
        self.buffer = buffer
        self.config = config
        self.generator = generator
        self.optimizer = torch.optim.Adam(
            representation.parameters(), lr=config.vae_learning_rate, foreach=True
        )
        self.weights = (
            config.dynamics_weight,
            config.reconstruction_weight,
            config.kl_weight,
        )

    def _loss(self, batch: ReplayBatch) -> VAELoss:
        index = batch.action.discrete[:, 0]
        return self.representation.loss(
            batch.obs,
            index,
            batch.action.continuous,
            self.codec.slot_mask(index),
            batch.next_obs - batch.obs,
            self.weights,
            self.generator,
        )

    def step(self) -> VAELoss:
        """One gradient step on a fresh minibatch; returns the (detached) losses."""
        loss = self._loss(self.buffer.sample(self.config.vae_batch_size, self.generator))
        if self.config.vae_reset_optimizer:
            self.optimizer.state.clear()
        self.optimizer.zero_grad(set_to_none=True)
        loss.total.backward()
        self.optimizer.step()
        return VAELoss(*(part.detach() for part in loss))

    def fit(self, steps: int, rounds: int = 1) -> dict[str, float]:
        """``rounds`` rounds of ``steps`` (+ plateau extra) steps, then refresh the bounds.

        Returns:
            ``train/vae_*`` metrics: mean losses over the steps run, their number, and the
            refreshed latent bounds' mean width and dynamics error.
        """
        sums = torch.zeros(4, device=self.buffer.device)
        count = 0
        for _ in range(rounds):
            history: list[Tensor] = []
            for i in range(steps + self.config.vae_extra_steps):
                if i >= steps and _plateaued(history):
                    break
                loss = self.step()
                history.append(loss.total)
                sums += torch.stack(list(loss))
                count += 1
        self.refresh_bounds()
        total, dynamics, reconstruction, kl = (sums / max(count, 1)).tolist()
        rep = self.representation
        return {
            "train/vae_loss": total,
            "train/vae_dynamics_loss": dynamics,
            "train/vae_reconstruction_loss": reconstruction,
            "train/vae_kl": kl,
            "train/vae_steps": float(count),
            "train/latent_width": float((rep.latent_high - rep.latent_low).mean()),
            "train/dynamics_error": float(rep.dynamics_error),
        }

    @torch.no_grad()
    def refresh_bounds(self) -> None:
        """Latent space constraint and dynamics error from ``lsc_samples`` encoder samples."""
        batch = self.buffer.sample(self.config.lsc_samples, self.generator)
        rep = self.representation
        index = batch.action.discrete[:, 0]
        emb = rep.embed(index)
        z, _, _ = rep.sample_latent(batch.obs, emb, batch.action.continuous, self.generator)
        rep.set_latent_bounds(z, self.config.lsc_tail)
        _, delta_hat = rep.decode(batch.obs, emb, z)
        rep.dynamics_error.copy_((delta_hat - (batch.next_obs - batch.obs)).square().mean())

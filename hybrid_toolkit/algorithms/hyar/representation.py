"""HyAR's hybrid action representation: an embedding table, a conditional VAE, a dynamics head.

* Discrete choice k ↦ ``tanh(E[k])`` (table ``E`` of shape ``K × d1``, initialised U(-1, 1));
  a point ``e`` of the embedding space decodes to the nearest row in L2.
* Parameters ``x_k`` of the chosen action ↦ latent ``z`` (``d2``) by a VAE conditioned on the
  state and the choice's embedding. Encoder and decoder both gate a condition branch
  ``ReLU(W [s, e_k])`` with an input branch (``ReLU(W x_k)`` or ``ReLU(W z)``) by an element-wise
  product, then two ReLU layers; the decoder's parameter head is tanh.
* A dynamics head after the decoder trunk (one more ReLU layer) predicts the state change
  ``s' - s``, which is what makes the latent space semantically smooth (the paper's L_Dyn). Its
  output is ``2·tanh``: observations are scaled into [-1, 1], so their changes lie in [-2, 2]
  (the reference uses ``tanh`` and cannot express changes beyond ±1).
* The latent space constraint (LSC): the actor acts in [-1, 1]^d2, mapped affinely onto the
  central ``1 - 2·tail`` range of encoder samples per dimension (`set_latent_bounds`).

The latent bounds and the dynamics error the representation shift correction compares against
are buffers, so they travel with ``state_dict()``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.common.nearest import nearest_row

LOG_STD_MIN, LOG_STD_MAX = -4.0, 15.0
"""Clamp of the encoder's log-std (the reference code's values)."""

DYNAMICS_RANGE = 2.0
"""The dynamics head predicts state changes in ``[-DYNAMICS_RANGE, DYNAMICS_RANGE]``."""


class VAELoss(NamedTuple):
    """The weighted VAE loss and its unweighted parts (all scalar tensors)."""

    total: Tensor
    dynamics: Tensor
    reconstruction: Tensor
    kl: Tensor


def _gated_trunk(hidden: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())


class ActionRepresentation(nn.Module):
    """Embedding table + conditional VAE + dynamics head, with the latent space constraint.

    Args:
        obs_dim: Flattened observation size.
        n_choices: Number of (joint) discrete actions K.
        param_dim: Packed parameter slots P of a chosen action.
        embed_dim: Embedding size d1.
        latent_dim: Latent size d2.
        hidden: Width of every hidden layer.
    """

    latent_low: Tensor
    latent_high: Tensor
    dynamics_error: Tensor

    def __init__(
        self,
        obs_dim: int,
        n_choices: int,
        param_dim: int,
        embed_dim: int,
        latent_dim: int,
        hidden: int = 256,
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.embeddings = nn.Parameter(torch.rand(n_choices, embed_dim) * 2 - 1)
        cond = obs_dim + embed_dim
        self.enc_cond = nn.Linear(cond, hidden)
        self.enc_param = nn.Linear(param_dim, hidden)
        self.enc_trunk = _gated_trunk(hidden)
        self.enc_mean = nn.Linear(hidden, latent_dim)
        self.enc_log_std = nn.Linear(hidden, latent_dim)
        self.dec_cond = nn.Linear(cond, hidden)
        self.dec_latent = nn.Linear(latent_dim, hidden)
        self.dec_trunk = _gated_trunk(hidden)
        self.param_head = nn.Linear(hidden, param_dim)
        self.dynamics_head = nn.Sequential(
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, obs_dim)
        )
        self.register_buffer("latent_low", -torch.ones(latent_dim))
        self.register_buffer("latent_high", torch.ones(latent_dim))
        self.register_buffer("dynamics_error", torch.zeros(()))

    # ------------------------------------------------------------------ discrete embedding
    def table(self) -> Tensor:
        """All embeddings ``tanh(E)`` ``[K, d1]``."""
        return torch.tanh(self.embeddings)

    def embed(self, index: Tensor) -> Tensor:
        """Embeddings ``tanh(E[k])`` ``[B, d1]`` of choices ``int64 [B]``."""
        return torch.tanh(self.embeddings[index])

    @torch.no_grad()
    def nearest(self, e: Tensor) -> Tensor:
        """The choice whose embedding is nearest (L2) to each row of ``e`` ``[B, d1]``.

        Distances come from exact differences (not the ``|a|² - 2ab + |b|²`` expansion alone),
        so near-ties resolve as a brute-force search would; ties go to the lower index. The
        search is `nearest_row`'s: a 128-minibatch against the hybrid maze's 83,521 embeddings
        takes a seventh to a tenth of the brute force's time (`benchmarks/nearest_row_speed.py`).
        """
        return nearest_row(e, self.table())

    # ------------------------------------------------------------------ VAE
    def encode(self, obs: Tensor, emb: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        """Mean and std ``[B, d2]`` of q(z | s, e_k, x_k)."""
        cond = F.relu(self.enc_cond(torch.cat([obs, emb], dim=1)))
        h = self.enc_trunk(cond * F.relu(self.enc_param(params)))
        log_std = self.enc_log_std(h).clamp(LOG_STD_MIN, LOG_STD_MAX)
        return self.enc_mean(h), log_std.exp()

    def _decoder_features(self, obs: Tensor, emb: Tensor, z: Tensor) -> Tensor:
        cond = F.relu(self.dec_cond(torch.cat([obs, emb], dim=1)))
        return self.dec_trunk(cond * F.relu(self.dec_latent(z)))

    def decode(self, obs: Tensor, emb: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters ``[B, P]`` in [-1, 1] and the predicted state change ``[B, obs_dim]``."""
        h = self._decoder_features(obs, emb, z)
        delta = DYNAMICS_RANGE * torch.tanh(self.dynamics_head(h))
        return torch.tanh(self.param_head(h)), delta

    def decode_params(self, obs: Tensor, emb: Tensor, z: Tensor) -> Tensor:
        """Parameters only (skips the dynamics head when acting)."""
        return torch.tanh(self.param_head(self._decoder_features(obs, emb, z)))

    def sample_latent(
        self, obs: Tensor, emb: Tensor, params: Tensor, generator: torch.Generator | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Reparameterised sample ``z = mean + std·ε`` with its mean and std."""
        mean, std = self.encode(obs, emb, params)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device)
        return mean + std * noise, mean, std

    def loss(
        self,
        obs: Tensor,
        index: Tensor,
        params: Tensor,
        slot_mask: Tensor,
        delta_obs: Tensor,
        weights: tuple[float, float, float],
        generator: torch.Generator | None = None,
    ) -> VAELoss:
        """``w_dyn·MSE(Δs) + w_rec·MSE(x_k) + w_kl·KL`` on a batch of transitions.

        The reconstruction error averages over real parameter slots only (padding is ignored);
        the KL is averaged over batch and latent dimensions, as in the reference code.
        """
        emb = self.embed(index)
        z, mean, std = self.sample_latent(obs, emb, params, generator)
        recon, delta_hat = self.decode(obs, emb, z)
        dynamics = F.mse_loss(delta_hat, delta_obs)
        mask = slot_mask.to(recon.dtype)
        reconstruction = ((recon - params).square() * mask).sum() / mask.sum().clamp(min=1.0)
        kl = -0.5 * (1 + 2 * std.log() - mean.square() - std.square()).mean()
        w_dyn, w_rec, w_kl = weights
        total = w_dyn * dynamics + w_rec * reconstruction + w_kl * kl
        return VAELoss(total, dynamics, reconstruction, kl)

    # ------------------------------------------------------------------ latent space constraint
    @torch.no_grad()
    def set_latent_bounds(self, z: Tensor, tail: float) -> None:
        """Per dimension, bounds at the order statistics that cut ``tail`` of the samples.

        With ``N`` samples ``z [N, d2]`` and ``border = floor(tail·N)``, the bounds are the
        ``border``-th smallest and the ``border``-th largest sample (0-based), as the reference's
        ``sorted[border]`` / ``sorted[-border - 1]``.
        """
        n = z.shape[0]
        border = min(int(tail * n + 1e-9), (n - 1) // 2)
        ordered = torch.sort(z, dim=0).values
        self.latent_low.copy_(ordered[border])
        self.latent_high.copy_(ordered[n - 1 - border])

    def _center_half(self) -> tuple[Tensor, Tensor]:
        center = (self.latent_high + self.latent_low) / 2
        half = ((self.latent_high - self.latent_low) / 2).clamp(min=1e-6)
        return center, half

    def to_latent(self, u: Tensor) -> Tensor:
        """Actor output ``u`` in [-1, 1]^d2 ↦ latent in [latent_low, latent_high]."""
        center, half = self._center_half()
        return center + u * half

    def from_latent(self, z: Tensor) -> Tensor:
        """Inverse of `to_latent` (not clamped: latents outside the bounds leave [-1, 1])."""
        center, half = self._center_half()
        return (z - center) / half

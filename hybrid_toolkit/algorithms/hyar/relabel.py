"""Representation shift correction (RSC): refresh stored latent actions before a TD3 step.

The VAE keeps training while TD3 learns, so a latent action stored in the replay buffer may no
longer decode to the hybrid action that was executed. Before each TD3 minibatch:

* **discrete**: if the stored embedding ``e`` no longer decodes to the executed choice k, it is
  replaced by ``tanh(E[k])`` plus clipped Gaussian noise (std ``noise``);
* **continuous**: if the decoder's state-change prediction for the stored latent misses the
  observed ``s' - s`` by at least ``threshold`` (``relabel_threshold`` × the VAE's dynamics loss),
  the latent is re-encoded from ``(s, k, x_k)`` and mapped back into actor units.

One deliberate difference from the reference code: the reference feeds the stored actor-unit
latent straight into the decoder for the dynamics check, although the executed parameters were
decoded from the LSC-mapped latent; here the check decodes the latent the action came from.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.hyar.representation import ActionRepresentation


class Relabelled(NamedTuple):
    """Corrected latent actions and how many were replaced.

    Attributes:
        embedding: ``[B, d1]`` discrete embeddings in [-1, 1].
        latent: ``[B, d2]`` continuous latents in actor units, [-1, 1].
        discrete_fraction: Scalar tensor, share of embeddings replaced.
        continuous_fraction: Scalar tensor, share of latents re-encoded.
    """

    embedding: Tensor
    latent: Tensor
    discrete_fraction: Tensor
    continuous_fraction: Tensor


@torch.no_grad()
def relabel_latents(
    representation: ActionRepresentation,
    obs: Tensor,
    index: Tensor,
    params: Tensor,
    delta_obs: Tensor,
    embedding: Tensor,
    latent: Tensor,
    *,
    noise: float,
    noise_clip: float,
    threshold: float | Tensor,
    generator: torch.Generator | None = None,
) -> Relabelled:
    """Apply both corrections to a minibatch (see the module docstring).

    Args:
        representation: The current embedding table and VAE.
        obs: ``[B, obs_dim]`` (scaled) states.
        index: ``int64 [B]`` executed joint choices.
        params: ``[B, P]`` executed parameters of the chosen action, unit-scaled.
        delta_obs: ``[B, obs_dim]`` observed state changes ``s' - s``.
        embedding: ``[B, d1]`` stored discrete embeddings.
        latent: ``[B, d2]`` stored continuous latents (actor units, [-1, 1]).
        noise: Std of the noise added to replacement embeddings.
        noise_clip: Clip of that noise.
        threshold: Per-sample state-change MSE at or above which a latent is re-encoded.
        generator: Source of the noise.
    """
    table_emb = representation.embed(index)
    stale_discrete = representation.nearest(embedding) != index
    jitter = torch.randn(table_emb.shape, generator=generator, device=table_emb.device)
    jitter = (jitter * noise).clamp(-noise_clip, noise_clip)
    replacement = (table_emb + jitter).clamp(-1.0, 1.0)
    new_embedding = torch.where(stale_discrete.unsqueeze(1), replacement, embedding)

    _, delta_hat = representation.decode(obs, table_emb, representation.to_latent(latent))
    error = (delta_hat - delta_obs).square().mean(dim=1)
    stale_continuous = error >= threshold
    z, _, _ = representation.sample_latent(obs, table_emb, params, generator)
    encoded = representation.from_latent(z)
    new_latent = torch.where(stale_continuous.unsqueeze(1), encoded, latent).clamp(-1.0, 1.0)
    return Relabelled(
        new_embedding,
        new_latent,
        stale_discrete.float().mean(),
        stale_continuous.float().mean(),
    )

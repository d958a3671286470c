"""LAR: an actor-critic acting in a learned action-embedding space (Chandak et al. 2019).

As the DNC reference code runs it (``learned_mapping``, spec §4.2) and the DGRL paper uses it
as a discrete baseline (App. D.2): a Gaussian actor outputs a point in the embedding space
``(-1, 1)^d``; the executed action is the one whose learned embedding is nearest; actor and
Q-critic train with the on-policy Q-actor-critic loop of the DNC family (A2C with a Q-network
critic, the critic reading the executed action itself); the embeddings come from an inverse
model trained on transitions (`ActionEmbedding`). Phases, through the one trainer loop:

1. **warm-up** — ``collect`` steps uniformly random actions until ``buffer_size`` transitions
   are stored (in chunks of at most `WARMUP_CHUNK` batched steps);
2. **pre-training** — the ``update`` after the last warm-up chunk fits the embeddings
   (`RepresentationLearner.pretrain`);
3. **actor-critic** — ``collect`` runs ``n_steps`` batched steps of the actor; ``update`` does
   one actor-critic step on them, stores them, then one online embedding step.

The embedding table holds ``|A| × d`` numbers, so LAR refuses spaces where that exceeds
``max_table_entries``; it is discrete-only (HyAR is its hybrid extension).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch
from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.enumeration import (
    discrete_cardinality,
    discrete_to_flat,
    flat_to_discrete,
)
from hybrid_toolkit.algorithms.dnc.networks import GaussianActor
from hybrid_toolkit.algorithms.dnc.qac import QActorCritic, QActorCriticMethods, require_discrete
from hybrid_toolkit.algorithms.dnc.selection import Selection
from hybrid_toolkit.algorithms.lar.config import LAR_PRESETS, LARConfig
from hybrid_toolkit.algorithms.lar.embedding import ActionEmbedding
from hybrid_toolkit.algorithms.lar.representation import RepresentationLearner
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.nn import NONFINITE_PARAMETERS, count_nonfinite
from hybrid_toolkit.spaces import HybridAction, HybridSpace

WARMUP_CHUNK = 64
"""Most batched random steps one warm-up ``collect`` takes (one trainer iteration)."""


def check_table_fits(name: str, space: HybridSpace, embedding_dim: int, limit: int) -> int:
    """Return ``|A|``, or raise ``ValueError`` when the table ``|A| × d`` exceeds ``limit``."""
    count = discrete_cardinality(space)
    if count * embedding_dim > limit:
        shown = f"{count:,}" if count < 10**15 else f"about 10^{space.log10_cardinality:.1f}"
        raise ValueError(
            f"{name} stores one embedding per discrete action, but this action space has "
            f"{shown} actions: a table of |A| x embedding_dim = {shown} x {embedding_dim} "
            f"numbers, above max_table_entries={limit:,}. Raise max_table_entries if memory "
            "allows, or use dgrl or dnc, which never enumerate the action space."
        )
    return count


@register_algorithm
class LAR(BaseAlgorithm):
    """Learned action representations: act in an embedding space, decode to the nearest action.

    ``act(obs)`` decodes the actor's mean point; ``act(obs, deterministic=False)`` a sample.

    Examples:
        >>> model = LAR("TargetMultiDiscrete-v0", seed=0, gamma=0.5).learn(10_000)
    """

    name: ClassVar[str] = "lar"
    config_class: ClassVar[type] = LARConfig
    presets = LAR_PRESETS
    saved_attributes = ("learner", "representation")
    resume_attributes = QActorCriticMethods.resume_attributes
    episode_attributes = QActorCriticMethods.episode_attributes
    replay_attributes: ClassVar[Sequence[str]] = ("representation.buffer",)
    config: LARConfig

    def _build(self) -> None:
        require_discrete(self)
        space, cfg = self.action_space, self.config
        if space.n_continuous:
            raise ValueError(
                f"{self.name} embeds discrete actions only, but the action space {space!r} has "
                f"{space.n_continuous} continuous parameters; use hyar (LAR's hybrid "
                "extension), h-dnc or dgrl for hybrid spaces"
            )
        n_actions = check_table_fits(self.name, space, cfg.embedding_dim, cfg.max_table_entries)
        self._sizes = [c.n for c in space.discrete]
        self.codec = ActionCodec(space, self.device)

        def make_actor(in_dim: int) -> nn.Module:
            return GaussianActor(
                in_dim, cfg.embedding_dim, cfg.actor_hidden, cfg.activation, cfg.exploration_std
            )

        self.learner = QActorCritic(self, self.codec, make_actor, self._select)
        self.embedding = ActionEmbedding(
            self.learner.features.dim,
            n_actions,
            cfg.embedding_dim,
            cfg.inverse_hidden,
            cfg.activation,
            cfg.embedding_regularization,
        ).to(self.device)
        obs_shape = tuple(self.env.observation_space.shape)
        self.representation = RepresentationLearner(
            self.embedding, self.learner.features, obs_shape, cfg, self.generator
        )

    def _select(self, feats: Tensor, proto: Tensor, explore: bool) -> Selection:
        discrete = flat_to_discrete(self.embedding.nearest(proto), self._sizes)
        return Selection(HybridAction(discrete, proto.new_zeros(proto.shape[0], 0)))

    # ------------------------------------------------------------------ trainer loop
    def _on_reset(self) -> None:
        self.learner.reset()

    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """The action nearest the actor's mean point (deterministic) or a sampled point."""
        return self.learner.act(obs, deterministic)

    def collect(self) -> ReplayBatch | None:
        """A chunk of random warm-up steps (``None``), then the actor's ``n_steps``."""
        if self.representation.warmup_left > 0:
            self._collect_warmup()
            return None
        return self.learner.collect()

    @torch.no_grad()
    def _collect_warmup(self) -> None:
        learner, env = self.learner, self.env
        if learner._last_obs is None:
            learner._last_obs = env.reset(seed=self.seed)
        obs, n = learner._last_obs, env.num_envs
        steps = min(WARMUP_CHUNK, math.ceil(self.representation.warmup_left / n))
        for _ in range(steps):
            learner.features(obs, update_stats=True)  # normaliser statistics, if any
            flat = torch.randint(
                self.embedding.n_actions, (n,), generator=self.generator, device=self.device
            )
            action = HybridAction(flat_to_discrete(flat, self._sizes), obs.new_zeros(n, 0))
            step = env.step(action)
            stored = HybridAction(flat[:, None], action.continuous)  # the flat index
            self.representation.buffer.add_step(obs.to(self.device), stored, step)
            done = step.terminated | step.truncated
            self.episode_stats.add(step.info["episode_return"], step.info["episode_length"], done)
            obs = step.obs
        learner._last_obs = obs
        self.num_timesteps += steps * n

    def update(self, batch: ReplayBatch | None) -> dict[str, float]:
        """Pre-train after the warm-up; then an actor-critic step and an embedding step."""
        rep = self.representation
        if batch is None:
            metrics = {"train/phase": 0.0, "train/warmup_transitions": float(len(rep.buffer))}
            if rep.warmup_left <= 0:
                metrics.update(rep.pretrain())
                self.episode_stats.reset()  # report the actor's episodes, not the random ones
            return metrics
        metrics = self.learner.update(batch)
        rep.add(batch, discrete_to_flat(batch.action.discrete, self._sizes))
        if self.config.embedding_loss_weight > 0:
            loss = rep.online_step()
            extra = torch.stack([loss, count_nonfinite([self.embedding]).float()]).tolist()
            metrics["train/embedding_loss"] = extra[0]
            metrics[NONFINITE_PARAMETERS] += extra[1]
        metrics["train/phase"] = 1.0
        return metrics

"""HyAR: TD3 in a learned latent space of hybrid actions (Li et al., ICLR 2022).

An embedding table gives every discrete choice k a point ``tanh(E[k])``; a conditional VAE maps
the chosen action's parameters ``x_k`` to a latent ``z`` given the state and that embedding; a
dynamics head trained beside it (predicting ``s' - s``) makes nearby latents mean similar
effects. TD3 then acts in the continuous space ``(e, u)``: ``e`` decodes to the nearest
embedding's choice, ``u`` is mapped onto the central range of encoder samples (the latent space
constraint) and decoded into parameters. Stored latents are relabelled when the representation
has moved (the representation shift correction).

The phases run through the one trainer loop (``collect`` / ``update`` per iteration):

1. **warm-up** — ``collect`` steps uniformly random actions into the embedding buffer, in chunks
   of ``warmup_chunk`` batched steps, until ``warmup_episodes`` episodes have finished;
2. **pre-training** — the ``update`` after the chunk that completes the warm-up trains the VAE
   for ``vae_pretrain_steps`` steps, sets the latent bounds, and resets the env, so every
   TD3-phase episode is played by the actor;
3. **TD3** — ``collect`` steps the noisy actor ``train_freq`` times into both buffers; ``update``
   runs ``gradient_steps`` relabelled TD3 steps, then any periodic VAE fine-tuning rounds due.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.base import BaseAlgorithm
from hybrid_toolkit.algorithms.common.off_policy import ReplayBuffer
from hybrid_toolkit.algorithms.hyar.codec import ActionCodec
from hybrid_toolkit.algorithms.hyar.config import HYAR_PRESETS, HyARConfig
from hybrid_toolkit.algorithms.hyar.observation import ObservationScaler
from hybrid_toolkit.algorithms.hyar.progress import HyARProgress
from hybrid_toolkit.algorithms.hyar.relabel import relabel_latents
from hybrid_toolkit.algorithms.hyar.representation import ActionRepresentation
from hybrid_toolkit.algorithms.hyar.td3 import LatentActorCritic
from hybrid_toolkit.algorithms.hyar.vae_training import RepresentationTrainer
from hybrid_toolkit.algorithms.registry import register_algorithm
from hybrid_toolkit.nn import NONFINITE_PARAMETERS, count_nonfinite, total_grad_norm
from hybrid_toolkit.spaces import HybridAction

Transition = tuple[Tensor, HybridAction, Tensor, Tensor, Tensor]
"""(scaled obs, HybridAction(joint choice [B, 1], unit parameters [B, P]), reward, scaled
successor, terminated) — the layout of both of HyAR's buffers."""


@register_algorithm
class HyAR(BaseAlgorithm):
    """Hybrid Action Representation: TD3 on a learned latent action space.

    Works on every action-space shape whose joint discrete actions can be enumerated (at most
    ``max_discrete_choices``) and whose activated parameters have finite bounds: regime +
    parameters (the paper's setting), small multi-discrete vectors, and both. It refuses larger
    discrete spaces (one embedding row per joint action) and unbounded parameters (the decoder
    outputs a box).

    Examples:
        >>> model = HyAR("TargetRegime-v0", "target", seed=0).learn(30_000)
        >>> action, _ = model.predict(obs)
    """

    name: ClassVar[str] = "hyar"
    config_class: ClassVar[type] = HyARConfig
    presets = HYAR_PRESETS
    saved_attributes = (
        "representation",
        "actor_critic",
        "actor_optimizer",
        "critic_optimizer",
        "vae_optimizer",
        "progress",
    )
    resume_attributes = ("_last_obs", "_reseed", "_episodes")
    episode_attributes = ("_last_obs",)
    replay_attributes = ("replay_buffer", "embedding_buffer")
    config: HyARConfig

    def _build(self) -> None:
        cfg, env, dev = self.config, self.env, self.device
        self.codec = ActionCodec(self.action_space, cfg.max_discrete_choices, dev)
        nominal = cfg.observation_bounds == "nominal"
        self.scaler = ObservationScaler(env, cfg.scale_observations, dev, use_nominal=nominal)
        obs_dim, d1, d2 = self.scaler.dim, cfg.embed_dim, cfg.latent_dim
        self.representation = ActionRepresentation(
            obs_dim, self.codec.n_choices, self.codec.param_dim, d1, d2, cfg.vae_hidden
        ).to(dev)
        self.actor_critic = LatentActorCritic(
            obs_dim, d1 + d2, cfg.actor_hidden, cfg.critic_hidden
        ).to(dev)
        self.actor_optimizer = torch.optim.Adam(
            self.actor_critic.actor_parameters(), lr=cfg.learning_rate, foreach=True
        )
        self.critic_optimizer = torch.optim.Adam(
            self.actor_critic.critic_parameters(), lr=cfg.learning_rate, foreach=True
        )
        p = self.codec.param_dim
        self.embedding_buffer = ReplayBuffer(cfg.embedding_buffer_size, (obs_dim,), 1, p, dev)
        self.replay_buffer = ReplayBuffer(
            cfg.buffer_size, (obs_dim,), 1, p, dev, extras={"embedding": (d1,), "latent": (d2,)}
        )
        self.vae_trainer = RepresentationTrainer(
            self.representation, self.codec, self.embedding_buffer, cfg, self.generator
        )
        self.vae_optimizer = self.vae_trainer.optimizer
        self.progress = HyARProgress()
        self._episodes = torch.zeros((), dtype=torch.int64, device=dev)
        self._last_obs: Tensor | None = None
        self._reseed = True

    def _on_reset(self) -> None:
        self._last_obs = None
        self._reseed = True

    # ------------------------------------------------------------------ acting
    def _decode(self, obs: Tensor, latent_action: Tensor) -> tuple[Tensor, HybridAction]:
        """Joint choices and valid hybrid actions for actor outputs ``[B, d1 + d2]``."""
        rep, d1 = self.representation, self.config.embed_dim
        index = rep.nearest(latent_action[:, :d1])
        z = rep.to_latent(latent_action[:, d1:])
        params = rep.decode_params(obs, rep.embed(index), z)
        return index, self.codec.action_from(index, params)

    def _noisy_latent(self, obs: Tensor, std: float) -> Tensor:
        out = self.actor_critic.act(obs)
        if std == 0.0:  # deterministic acting leaves the training's random stream alone
            return out
        noise = torch.randn(out.shape, generator=self.generator, device=out.device)
        return (out + std * noise).clamp(-1.0, 1.0)

    @torch.no_grad()
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Decoded actor actions; with ``deterministic=False`` the current exploration noise."""
        scaled = self.scaler(obs)
        std = 0.0 if deterministic else self.progress.exploration_std(self.config)
        _, action = self._decode(scaled, self._noisy_latent(scaled, std))
        return action

    # ------------------------------------------------------------------ collect
    @torch.no_grad()
    def collect(self) -> None:
        """Warm-up chunk of random steps, or ``train_freq`` steps of the noisy actor."""
        if self._last_obs is None:
            self._last_obs = self.env.reset(seed=self.seed if self._reseed else None)
            self._reseed = False
        if self.progress.pretrained:
            self._collect_td3()
        else:
            self._collect_warmup()

    def _env_step(
        self, obs: Tensor, index: Tensor, action: HybridAction
    ) -> tuple[Tensor, Transition]:
        """Step the env; store the transition in the embedding buffer; count episodes.

        Returns:
            The next observations (raw) and the stored transition: scaled observations, the
            action as (joint choice, unit parameters), reward, scaled successor, terminated.
        """
        step = self.env.step(action.to(self.env.device))
        done = step.terminated | step.truncated
        scaled, final = self.scaler(obs), self.scaler(step.info["final_obs"])
        params = self.codec.params_of(action, index)
        reward = step.reward.detach().to(self.device, torch.float32)
        terminated = step.terminated.to(self.device)
        transition = (scaled, HybridAction(index.unsqueeze(1), params), reward, final, terminated)
        self.embedding_buffer.add(*transition)
        self.episode_stats.add(step.info["episode_return"], step.info["episode_length"], done)
        self._episodes += done.to(self.device).sum()
        self._last_obs = step.obs
        return step.obs, transition

    def _collect_warmup(self) -> None:
        obs = self._last_obs
        assert obs is not None
        for _ in range(self.config.warmup_chunk):
            index, params = self.codec.sample(self.env.num_envs, self.generator)
            obs, _ = self._env_step(obs, index, self.codec.action_from(index, params))
        self.num_timesteps += self.config.warmup_chunk * self.env.num_envs

    def _collect_td3(self) -> None:
        cfg, obs = self.config, self._last_obs
        assert obs is not None
        std = self.progress.exploration_std(cfg)
        for _ in range(cfg.train_freq):
            scaled = self.scaler(obs)
            latent_action = self._noisy_latent(scaled, std)
            index, action = self._decode(scaled, latent_action)
            obs, (s, a, r, s_next, term) = self._env_step(obs, index, action)
            self.replay_buffer.add(
                s,
                a,
                r * cfg.reward_scale,
                s_next,
                term,
                embedding=latent_action[:, : cfg.embed_dim],
                latent=latent_action[:, cfg.embed_dim :],
            )
        self.num_timesteps += cfg.train_freq * self.env.num_envs

    # ------------------------------------------------------------------ update
    def update(self, batch: None) -> dict[str, float]:
        """Pre-train the VAE when the warm-up is complete; else TD3 steps and VAE fine-tuning."""
        cfg, progress = self.config, self.progress
        finished = int(self._episodes)  # the one host sync of an iteration
        self._episodes.zero_()
        if not progress.pretrained:
            progress.warmup_episodes += finished
            done = progress.warmup_episodes
            metrics = {"train/phase": 0.0, "train/warmup_episodes": float(done)}
            if done >= cfg.warmup_episodes:
                metrics.update(self._fit_representation(cfg.vae_pretrain_steps))
                self._start_td3_phase()
            return metrics
        progress.td3_episodes += finished
        metrics = {"train/phase": 1.0, "train/exploration_std": progress.exploration_std(cfg)}
        if len(self.replay_buffer) >= max(1, cfg.learning_starts):
            metrics.update(self._td3_steps(cfg.episode_updates * finished))
        rounds = progress.vae_rounds_due(cfg)
        if rounds and len(self.embedding_buffer) > 0:
            vae_metrics = self._fit_representation(cfg.vae_update_steps, rounds)
            vae_metrics[NONFINITE_PARAMETERS] += metrics.get(NONFINITE_PARAMETERS, 0.0)
            metrics.update(vae_metrics)
            progress.vae_rounds += rounds
        return metrics

    def _fit_representation(self, steps: int, rounds: int = 1) -> dict[str, float]:
        """VAE training, with the count of non-finite representation parameters after it.

        The representation changes only here, so only here is it checked: on the hybrid maze
        its 83,521-row embedding table made the check a sixth of every TD3 step.
        """
        metrics = self.vae_trainer.fit(steps, rounds)
        metrics[NONFINITE_PARAMETERS] = float(count_nonfinite([self.representation]))
        return metrics

    def _start_td3_phase(self) -> None:
        """Warm-up over: TD3-phase episodes start from a fresh reset, played by the actor."""
        self.progress.pretrained = True
        self._last_obs = None
        self.episode_stats.reset()

    def _td3_steps(self, extra: int = 0) -> dict[str, float]:
        """``gradient_steps`` TD3 steps plus ``extra`` (the ended episodes' ``episode_updates``)."""
        cfg = self.config
        n_steps = cfg.gradient_steps
        if n_steps < 0:
            n_steps = cfg.train_freq * self.env.num_envs
        n_steps += extra
        sums: dict[str, Tensor] = {}
        counts: dict[str, int] = {}
        for _ in range(n_steps):
            for key, value in self._td3_step().items():
                sums[key] = sums.get(key, torch.zeros((), device=self.device)) + value
                counts[key] = counts.get(key, 0) + 1
        means = [value / counts[key] for key, value in sums.items()]
        # one sync for every metric; the trainer stops on a non-zero parameter count (the
        # representation's parameters are counted when the VAE trains: TD3 leaves them alone)
        nets = [self.actor_critic]
        values = torch.stack([*means, count_nonfinite(nets).to(self.device)]).tolist()
        metrics = dict(zip([*sums, NONFINITE_PARAMETERS], values, strict=True))
        metrics["train/n_updates"] = float(self.progress.td3_updates)
        return metrics

    def _td3_step(self) -> dict[str, Tensor]:
        """One relabelled TD3 step: critic always, actor and targets every ``policy_delay``."""
        cfg, ac, rep = self.config, self.actor_critic, self.representation
        batch = self.replay_buffer.sample(cfg.batch_size, self.generator)
        embedding, latent = batch.extras["embedding"], batch.extras["latent"]
        stats: dict[str, Tensor] = {}
        if cfg.relabel:
            fixed = relabel_latents(
                rep,
                batch.obs,
                batch.action.discrete[:, 0],
                batch.action.continuous,
                batch.next_obs - batch.obs,
                embedding,
                latent,
                noise=cfg.relabel_noise,
                noise_clip=cfg.noise_clip,
                threshold=cfg.relabel_threshold * rep.dynamics_error,
                generator=self.generator,
            )
            embedding, latent = fixed.embedding, fixed.latent
            stats["train/discrete_relabel_fraction"] = fixed.discrete_fraction
            stats["train/continuous_relabel_fraction"] = fixed.continuous_fraction
        action = torch.cat([embedding, latent], dim=1)
        target = ac.td_target(
            batch.next_obs,
            batch.reward,
            batch.terminated,
            cfg.gamma,
            cfg.policy_noise,
            cfg.noise_clip,
            self.generator,
        )
        critic_loss, q = ac.critic_loss(batch.obs, action, target)
        self.critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        stats["train/critic_grad_norm"] = total_grad_norm(ac.critic_parameters())
        self.critic_optimizer.step()
        stats["train/critic_loss"] = critic_loss.detach()
        stats["train/q_value"] = q.mean()
        self.progress.td3_updates += 1
        if self.progress.td3_updates % cfg.policy_delay == 0:
            surrogate, actor_q = ac.actor_loss(batch.obs, cfg.inverting_gradients)
            self.actor_optimizer.zero_grad(set_to_none=True)
            surrogate.backward()
            stats["train/actor_grad_norm"] = torch.nn.utils.clip_grad_norm_(
                ac.actor_parameters(), cfg.actor_max_grad_norm
            )
            self.actor_optimizer.step()
            ac.update_targets(cfg.tau)
            # SB3's convention: the actor loss is -Q(s, μ(s)) (the inverted-gradient surrogate
            # that is minimised has no meaningful value of its own).
            stats["train/actor_loss"] = -actor_q
        return stats

"""`HyARConfig`: every hyperparameter of HyAR, the single source of truth, and its paper presets.

Defaults are the official HyAR code's TD3 variant on Platform (``TJU-DRL-LAB/self-supervised-rl``,
``main_embedding_platform_td3.py``): a 6-d discrete embedding and a 6-d continuous latent, a
256-wide conditional VAE trained with ``1·dynamics + 2·reconstruction + 0.5·KL`` at learning rate
1e-4, TD3 with 256-256 networks, learning rate 3e-4, γ 0.99, τ 0.005, target noise 0.1 clipped at
0.5, policy delay 2, batch 128 and inverting gradients; 5000 random warm-up episodes, 5000 VAE
pre-training steps, VAE fine-tuning every 10 episodes after 1000, exploration noise annealed
1.0 → 0.1 over 1000 episodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.utils.config import check_fields
from hybrid_toolkit.utils.config_checks import check_field_types


@dataclass
class HyARConfig:
    """HyAR hyperparameters (constructor overrides, CLI flags and saved `config.json`)."""

    num_envs: int = 1
    """Scenarios stepped as one batch when the env is given by name."""
    embed_dim: int = 6
    """Size d1 of the learned discrete-action embedding (a choice k is `tanh(E[k])`)."""
    latent_dim: int = 6
    """Size d2 of the continuous latent of the conditional VAE."""
    vae_hidden: int = 256
    """Width of every hidden layer of the VAE (encoder, decoder, dynamics head)."""
    actor_hidden: tuple[int, ...] = (256, 256)
    """Hidden sizes of the latent-space actor."""
    critic_hidden: tuple[int, ...] = (256, 256)
    """Hidden sizes of each of the twin critics."""
    max_discrete_choices: int = 4096
    """Refuse spaces with more joint discrete actions than this (the table has one row each)."""
    scale_observations: bool = True
    """Map every observation dimension with finite bounds affinely onto [-1, 1]."""
    observation_bounds: Literal["nominal", "box"] = "nominal"
    """The bounds that scaling maps onto [-1, 1]: the env's nominal bounds where it declares
    them (Goal: its features are already in [-1, 1] inside a wider clipping box), else its
    observation box; or always the box (on Goal that halves the features, as before the fix
    of issue 15; partial runs learned Goal faster with it on one seed, not on another)."""
    warmup_episodes: int = 5000
    """Episodes of uniformly random actions collected before the VAE is pre-trained."""
    warmup_chunk: int = 64
    """Batched env steps per trainer iteration during warm-up."""
    vae_pretrain_steps: int = 5000
    """VAE gradient steps run once, in the first update after the warm-up."""
    vae_extra_steps: int = 10
    """Further VAE steps allowed after `vae_pretrain_steps` / `vae_update_steps` while the
    loss still falls (stop when the mean of the last 5 losses is not below that of the last 10)."""
    vae_batch_size: int = 64
    """Minibatch size of every VAE step."""
    vae_learning_rate: float = 1e-4
    """Adam learning rate of the VAE and the embedding table."""
    vae_reset_optimizer: bool = False
    """Clear the VAE's Adam state before every step, as the official code (which re-creates the
    optimiser each step) does; off by default because it throws the moment estimates away."""
    vae_update_interval: int = 10
    """Fine-tune the VAE every this many finished TD3-phase episodes."""
    vae_update_start: int = 1000
    """TD3-phase episodes before the periodic VAE fine-tuning starts."""
    vae_update_steps: int = 1
    """VAE gradient steps per fine-tuning round; 0 disables fine-tuning."""
    dynamics_weight: float = 1.0
    """Weight of the state-change prediction loss (the paper's β·L_Dyn)."""
    reconstruction_weight: float = 2.0
    """Weight of the parameter reconstruction loss."""
    kl_weight: float = 0.5
    """Weight of the KL term towards the unit Gaussian prior."""
    embedding_buffer_size: int = 1_000_000
    """Capacity of the buffer the VAE trains on (warm-up and TD3-phase transitions)."""
    lsc_samples: int = 5000
    """Encoder samples from which the latent space constraint is computed."""
    lsc_tail: float = 0.02
    """Share of encoder samples cut from each tail per latent dimension (0.02 keeps 96 %)."""
    relabel: bool = True
    """Representation shift correction of sampled latent actions before every TD3 step."""
    relabel_noise: float = 0.1
    """Std of the Gaussian noise added to a relabelled discrete embedding."""
    relabel_threshold: float = 5.0
    """Re-encode a stored latent when its state-change prediction error is at least this × the
    VAE's dynamics loss measured at the last latent-bound refresh."""
    buffer_size: int = 100_000
    """Capacity of the TD3 replay buffer (latent actions stored beside the executed ones)."""
    learning_starts: int = 128
    """TD3-phase transitions in the replay buffer before TD3 updates begin."""
    train_freq: int = 1
    """Batched env steps per trainer iteration in the TD3 phase."""
    gradient_steps: int = -1
    """TD3 updates per iteration; -1 means one per transition collected (train_freq × num_envs)."""
    episode_updates: int = 0
    """Extra TD3 updates per TD3-phase episode that ends, on top of `gradient_steps`. The
    official scripts take one at the start of every episode (1): with episodes of a few steps
    (Goal) that raises their replay ratio well above one update per transition."""
    batch_size: int = 128
    """TD3 minibatch size."""
    learning_rate: float = 3e-4
    """Adam learning rate of actor and critics."""
    gamma: float = 0.99
    """Discount factor."""
    tau: float = 0.005
    """Polyak coefficient of the target networks."""
    policy_noise: float = 0.1
    """Std of the target policy smoothing noise (actor units)."""
    noise_clip: float = 0.5
    """Clip of the target policy smoothing noise and of the relabelling noise."""
    policy_delay: int = 2
    """Critic updates per actor (and target) update."""
    inverting_gradients: bool = True
    """Bound the actor's output gradients by the room left to ±1 (Hausknecht & Stone)."""
    actor_max_grad_norm: float = 10.0
    """Gradient-norm clip of the actor."""
    expl_noise_initial: float = 1.0
    """Initial std of the Gaussian exploration noise on the actor's outputs."""
    expl_noise_final: float = 0.1
    """Final std of the exploration noise."""
    expl_noise_episodes: int = 1000
    """TD3-phase episodes over which the exploration std is annealed linearly."""
    reward_scale: float = 1.0
    """Rewards are multiplied by this before they enter the TD3 buffer."""

    def __post_init__(self) -> None:
        check_field_types(self)
        rules: dict[str, tuple[bool, str]] = {
            "num_envs": (self.num_envs >= 1, ">= 1"),
            "embed_dim": (self.embed_dim >= 1, ">= 1"),
            "latent_dim": (self.latent_dim >= 1, ">= 1"),
            "vae_hidden": (self.vae_hidden >= 1, ">= 1"),
            "actor_hidden": (all(h >= 1 for h in self.actor_hidden), "positive widths"),
            "critic_hidden": (all(h >= 1 for h in self.critic_hidden), "positive widths"),
            "max_discrete_choices": (self.max_discrete_choices >= 1, ">= 1"),
            "warmup_episodes": (self.warmup_episodes >= 1, ">= 1 (the VAE needs data)"),
            "warmup_chunk": (self.warmup_chunk >= 1, ">= 1"),
            "vae_pretrain_steps": (self.vae_pretrain_steps >= 1, ">= 1"),
            "vae_extra_steps": (self.vae_extra_steps >= 0, ">= 0"),
            "vae_batch_size": (self.vae_batch_size >= 1, ">= 1"),
            "vae_learning_rate": (self.vae_learning_rate > 0, "> 0"),
            "vae_update_interval": (self.vae_update_interval >= 1, ">= 1"),
            "vae_update_start": (self.vae_update_start >= 0, ">= 0"),
            "vae_update_steps": (self.vae_update_steps >= 0, ">= 0 (0 disables fine-tuning)"),
            "dynamics_weight": (self.dynamics_weight >= 0, ">= 0"),
            "reconstruction_weight": (self.reconstruction_weight >= 0, ">= 0"),
            "kl_weight": (self.kl_weight >= 0, ">= 0"),
            "embedding_buffer_size": (self.embedding_buffer_size >= 1, ">= 1"),
            "lsc_samples": (self.lsc_samples >= 2, ">= 2"),
            "lsc_tail": (0.0 <= self.lsc_tail < 0.5, "in [0, 0.5)"),
            "relabel_noise": (self.relabel_noise >= 0, ">= 0"),
            "relabel_threshold": (self.relabel_threshold >= 0, ">= 0"),
            "buffer_size": (self.buffer_size >= 1, ">= 1"),
            "learning_starts": (self.learning_starts >= 0, ">= 0"),
            "train_freq": (self.train_freq >= 1, ">= 1"),
            "gradient_steps": (self.gradient_steps >= -1, ">= 0, or -1 for one per transition"),
            "episode_updates": (self.episode_updates >= 0, ">= 0"),
            "batch_size": (self.batch_size >= 1, ">= 1"),
            "learning_rate": (self.learning_rate > 0, "> 0"),
            "gamma": (0.0 <= self.gamma <= 1.0, "in [0, 1]"),
            "tau": (0.0 < self.tau <= 1.0, "in (0, 1]"),
            "policy_noise": (self.policy_noise >= 0, ">= 0"),
            "noise_clip": (self.noise_clip >= 0, ">= 0"),
            "policy_delay": (self.policy_delay >= 1, ">= 1"),
            "actor_max_grad_norm": (self.actor_max_grad_norm > 0, "> 0"),
            "expl_noise_initial": (self.expl_noise_initial >= 0, ">= 0"),
            "expl_noise_final": (self.expl_noise_final >= 0, ">= 0"),
            "expl_noise_episodes": (self.expl_noise_episodes >= 1, ">= 1"),
            "reward_scale": (self.reward_scale > 0, "> 0"),
        }
        check_fields(self, rules)


_CLASSIC = {"vae_update_start": 1000, "vae_update_interval": 10, "learning_starts": 128}

HYAR_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    # d1 = 2K = 6 and d2 = 2·Σ|X_k| = 6 for Platform's K = 3 one-dimensional parameters.
    "platform": {
        **_CLASSIC,
        "embed_dim": 6,
        "latent_dim": 6,
        "warmup_episodes": 5000,
        "embedding_buffer_size": 1_000_000,
        "buffer_size": 100_000,
    },
    # The Goal / Hard Goal scripts collect 20000 warm-up episodes (the paper says 5000).
    "goal": {
        **_CLASSIC,
        "embed_dim": 6,
        "latent_dim": 6,
        "warmup_episodes": 20_000,
        "embedding_buffer_size": 2_000_000,
        "buffer_size": 100_000,
    },
    "hard-goal": {
        **_CLASSIC,
        "embed_dim": 6,
        "latent_dim": 6,
        "warmup_episodes": 20_000,
        "embedding_buffer_size": 2_000_000,
        "buffer_size": 100_000,
    },
    # Catch Point: d1 = 2K = 4 and d2 = 2·1 + 2 = 4.
    "catch-point": {
        **_CLASSIC,
        "embed_dim": 4,
        "latent_dim": 4,
        "warmup_episodes": 5000,
        "embedding_buffer_size": 1_000_000,
        "buffer_size": 100_000,
    },
    "hard-move": {
        **_CLASSIC,
        "embed_dim": 6,
        "latent_dim": 6,
        "warmup_episodes": 5000,
        "embedding_buffer_size": 1_000_000,
        "buffer_size": 1_000_000,
    },
    # Not a paper setting: small networks and short phases for the tiny Target envs (contextual
    # bandits, hence the short discount horizon); what the learning tests and benchmark use.
    "target": {
        "num_envs": 8,
        "vae_hidden": 64,
        "actor_hidden": (64, 64),
        "critic_hidden": (64, 64),
        "warmup_episodes": 256,
        "vae_pretrain_steps": 500,
        "vae_batch_size": 128,
        "vae_learning_rate": 1e-3,
        "vae_update_start": 200,
        "vae_update_interval": 50,
        "embedding_buffer_size": 50_000,
        "lsc_samples": 2000,
        "buffer_size": 50_000,
        "train_freq": 2,
        "gradient_steps": 4,
        "gamma": 0.5,
        "learning_rate": 1e-3,
        "expl_noise_episodes": 300,
    },
}
"""Named presets: ``HyAR(env, "platform")``; the classic ones are the official scripts' values."""

HYAR_PAPER_TD3_TIMESTEPS: dict[str, int] = {
    "platform": 200_000,
    "goal": 300_000,
    "hard-goal": 300_000,
    "catch-point": 1_000_000,
    "hard-move": 1_000_000,
}
"""TD3-phase environment steps of the official scripts (``learn`` also counts warm-up steps)."""

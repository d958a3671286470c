"""`PPOConfig`: every hyperparameter of hybrid PPO, the single source of truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.nn import Activation
from hybrid_toolkit.utils.config_checks import check_field_types

NetworkLayout = Literal["shared", "separate"]
"""``shared``: one trunk under the discrete and continuous heads; ``separate``: two MLPs."""
ContinuousLogProb = Literal["active", "all"]
"""Gaussian terms in the log-probability: the active parameters only, or every parameter."""
RewardScaling = Literal["return_std", "batch_std"]
"""What ``scale_rewards`` divides by: a running std of discounted returns, or the rollout's
reward std."""
EpochSchedule = Literal["minibatches", "full_batch_first"]
"""``minibatches``: every epoch in minibatches; ``full_batch_first``: epoch 0 is one
full-batch step."""
GradClipping = Literal["global", "per_group"]
"""One gradient norm over every parameter, or one per network (parameter group)."""
RolloutGraph = Literal["detached", "kept"]
"""Roll out without autograd, or keep the graph through a differentiable simulator."""
TrainSplit = Literal["", "train"]
"""Scenario split the rollouts cycle through (``""``: fresh scenarios, episodes continue)."""


@dataclass
class PPOConfig:
    """Hybrid PPO hyperparameters (constructor overrides, CLI flags and saved `config.json`)."""

    num_envs: int = 16
    """Scenarios stepped as one batch when the env is given by name."""
    n_steps: int = 64
    """Steps per scenario in each rollout (rollout size = n_steps × num_envs)."""
    learning_rate: float = 3e-4
    """Adam learning rate."""
    anneal_lr: bool = False
    """Linearly anneal the learning rate to 0 over the run."""
    adam_eps: float = 1e-5
    """Adam epsilon."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.95
    """GAE λ."""
    n_epochs: int = 10
    """Passes over each rollout."""
    n_minibatches: int = 4
    """Minibatches per pass."""
    clip_range: float = 0.2
    """PPO ratio clipping ε."""
    clip_range_vf: float = 0.0
    """Value clipping around the old values; 0 disables it."""
    normalize_advantage: bool = True
    """Normalise advantages per minibatch."""
    ent_coef: float = 0.0
    """Entropy bonus coefficient (discrete + continuous, see `continuous_entropy`)."""
    continuous_entropy: bool = True
    """Include the (expected, activity-weighted) Gaussian entropy in the bonus."""
    vf_coef: float = 0.5
    """Value-loss coefficient."""
    max_grad_norm: float = 0.5
    """Global gradient-norm clipping."""
    target_kl: float = 0.0
    """Stop the epochs early when the approximate KL exceeds this; 0 disables it."""
    policy_hidden: tuple[int, ...] = (64, 64)
    """Hidden sizes of the policy MLP."""
    value_hidden: tuple[int, ...] = (64, 64)
    """Hidden sizes of the value MLP."""
    activation: Activation = "tanh"
    """Hidden activation: tanh, relu, elu, gelu or silu."""
    log_std_init: float = 0.0
    """Initial log standard deviation of the Gaussian parameters."""
    normalize_observations: bool = False
    """Running mean/std observation normalisation."""
    scale_rewards: bool = False
    """Divide rewards by a standard deviation (which one: `reward_scaling`)."""
    # The HPO paper's PPO (reference code): each field below is one difference from this PPO;
    # the default is this library's behaviour, the `paper-jrp` / `paper-lqr` presets switch all
    # of them (docs: "The HPO paper's PPO").
    network_layout: NetworkLayout = "shared"
    """`shared`: the discrete logits and the Gaussian means read one trunk (`policy_hidden`);
    `separate`: two MLPs of `policy_hidden` each, one for the logits and one for the means
    (the paper's), so no gradient of one part moves the other's features."""
    continuous_log_prob: ContinuousLogProb = "active"
    """`active`: the Gaussian log-density counts only the parameters active for the sampled
    discrete action; `all`: every sampled parameter counts, also on steps whose choice leaves
    them unused (the paper's: the chosen regime's n raw samples enter even on "don't order"
    steps), which adds pure-noise score terms to the continuous means and log-std."""
    reward_scaling: RewardScaling = "return_std"
    """With `scale_rewards`: `return_std` divides by a running std of discounted returns;
    `batch_std` divides each rollout's rewards by their own standard deviation (the paper's)."""
    buffer_periods: int = 0
    """Edge trimming: GAE runs over the whole rollout, but only steps `[buffer, n_steps -
    buffer)` enter the losses (the paper's JRP: 20 of 100)."""
    epoch_schedule: EpochSchedule = "minibatches"
    """`minibatches`: `n_epochs` passes of `n_minibatches` steps; `full_batch_first`: one
    full-batch step, then `n_epochs - 1` passes of `n_minibatches` steps (the paper's 1 + 4 × 4)."""
    kl_stop_factor: float = 1.5
    """Stop the epochs once the approximate KL exceeds `kl_stop_factor · target_kl` (the
    paper's: 1.0)."""
    grad_clipping: GradClipping = "global"
    """`global`: one gradient norm over all parameters, clipped to `max_grad_norm`;
    `per_group`: each network (discrete, continuous, shared trunk, value, log-std) clipped to
    `max_grad_norm` on its own (the paper's)."""
    train_split: TrainSplit = ""
    """Envs with fixed scenario splits: `train` starts every rollout from a fresh batch of the
    fixed train split, reshuffled per pass (the paper's 1,024 scenarios); empty: fresh
    scenarios, episodes continuing across rollouts."""
    rollout_graph: RolloutGraph = "detached"
    """`detached`: roll out without autograd (model-free); `kept` (differentiable envs only):
    sample the Gaussian by reparameterisation and keep the simulator's graph, so epoch 0's
    first step also differentiates the surrogate, value and entropy losses through the states
    into earlier actions (the paper's code does; every rollout then starts from a reset)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        checks = {
            "num_envs": self.num_envs >= 1,
            "n_steps": self.n_steps >= 1,
            "n_epochs": self.n_epochs >= 1,
            "n_minibatches": self.n_minibatches >= 1,
            "learning_rate": self.learning_rate > 0,
            "gamma": 0.0 <= self.gamma <= 1.0,
            "gae_lambda": 0.0 <= self.gae_lambda <= 1.0,
            "clip_range": self.clip_range > 0,
            "clip_range_vf": self.clip_range_vf >= 0,
            "max_grad_norm": self.max_grad_norm > 0,
            "target_kl": self.target_kl >= 0,
            "buffer_periods": self.buffer_periods >= 0,
            "kl_stop_factor": self.kl_stop_factor > 0,
        }
        expected = {
            "num_envs": ">= 1",
            "n_steps": ">= 1",
            "n_epochs": ">= 1",
            "n_minibatches": ">= 1",
            "learning_rate": "> 0",
            "gamma": "in [0, 1]",
            "gae_lambda": "in [0, 1]",
            "clip_range": "> 0",
            "clip_range_vf": ">= 0 (0 disables)",
            "max_grad_norm": "> 0",
            "target_kl": ">= 0 (0 disables)",
            "buffer_periods": ">= 0",
            "kl_stop_factor": "> 0",
        }
        for key, ok in checks.items():
            if not ok:
                raise ValueError(
                    f"PPOConfig.{key} must be {expected[key]}, got {getattr(self, key)!r}"
                )
        if 2 * self.buffer_periods >= self.n_steps:
            raise ValueError(
                f"PPOConfig.buffer_periods={self.buffer_periods} trims every step of an "
                f"n_steps={self.n_steps} rollout; it must be < n_steps / 2"
            )
        kept = (self.n_steps - 2 * self.buffer_periods) * self.num_envs
        if kept < self.n_minibatches:
            raise ValueError(
                f"PPOConfig.n_minibatches={self.n_minibatches} exceeds the rollout size "
                f"(n_steps - 2*buffer_periods)*num_envs={kept}"
            )


PPO_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    "sb3": {
        # Stable-Baselines3's PPO defaults, for like-for-like comparisons with SB3.
        "n_steps": 2048,
        "num_envs": 1,
        "n_epochs": 10,
        "n_minibatches": 32,
        "learning_rate": 3e-4,
        "gamma": 0.99,
        "gae_lambda": 0.95,
        "clip_range": 0.2,
        "ent_coef": 0.0,
        "vf_coef": 0.5,
        "max_grad_norm": 0.5,
    },
    # Classic PAMDP benchmarks; build Platform and Goal with action_scale="unit" (docs/envs).
    "platform": {"num_envs": 128, "n_steps": 16, "n_minibatches": 8, "ent_coef": 0.01},
    "goal": {
        "num_envs": 256,
        "n_steps": 8,
        "n_minibatches": 8,
        "ent_coef": 0.01,
        "scale_rewards": True,
    },
    "hard-move": {"num_envs": 64, "n_steps": 32, "n_minibatches": 8, "scale_rewards": True},
}
# The HPO paper's Gaussian-PPO baseline (spec §10.1, §11), as far as this PPO expresses it:
# B = 128 scenarios, one whole episode per rollout, lr 1e-4, clip 0.15, 5 epochs × 4
# minibatches, vf_coef 0.15, [512, 512] Tanh networks, a learned state-independent log-std
# initialised at 0, discrete-only entropy, rewards scaled by a return std, global clipping at
# 5.0 and target KL 0.015. This PPO has no entropy schedule, so the preset holds the constant
# 0.01 of the paper's "PPO 3" one-off variant (the hpo-paper suite anneals 0.5 → 0.001 like the
# paper's main runs with a callback); it shares one trunk between the discrete and continuous
# heads where the paper uses two networks. Rollouts are model-free (no gradient through the
# simulator).
_HPO_PAPER_PPO: dict[str, object] = {
    "num_envs": 128,
    "learning_rate": 1e-4,
    "gae_lambda": 0.96,
    "n_epochs": 5,
    "n_minibatches": 4,
    "clip_range": 0.15,
    "vf_coef": 0.15,
    "ent_coef": 0.01,
    "continuous_entropy": False,
    "max_grad_norm": 5.0,
    "target_kl": 0.015,
    "policy_hidden": (512, 512),
    "value_hidden": (512, 512),
    "log_std_init": 0.0,
    "scale_rewards": True,
}
PPO_PRESETS["hpo-paper-jrp"] = {**_HPO_PAPER_PPO, "n_steps": 100, "gamma": 0.93}
PPO_PRESETS["hpo-paper-lqr"] = {**_HPO_PAPER_PPO, "n_steps": 20, "gamma": 0.99}
"""Named presets: ``PPO(env, "sb3")``; ``hpo-paper-jrp`` / ``hpo-paper-lqr`` are the HPO
paper's PPO baseline on joint replenishment / switched LQR."""
# The HPO paper's PPO itself (reference code `GaussianPPOAgent` + `HybridWrapper`): the
# hpo-paper settings above plus every implementation difference switched to the reference's
# behaviour (`PAPER_SWITCHES`; one field each, documented on `PPOConfig` and listed with their
# two values in `hybrid_toolkit.algorithms.ppo.paper`).
PAPER_SWITCHES: dict[str, object] = {
    "network_layout": "separate",
    "continuous_log_prob": "all",
    "reward_scaling": "batch_std",
    "buffer_periods": 20,
    "epoch_schedule": "full_batch_first",
    "kl_stop_factor": 1.0,
    "grad_clipping": "per_group",
    "train_split": "train",
    "rollout_graph": "kept",
}
PPO_PRESETS["paper-jrp"] = {**PPO_PRESETS["hpo-paper-jrp"], **PAPER_SWITCHES}
# switched LQR: the reference trims nothing of its 20-step horizon
PPO_PRESETS["paper-lqr"] = {**PPO_PRESETS["hpo-paper-lqr"], **PAPER_SWITCHES, "buffer_periods": 0}

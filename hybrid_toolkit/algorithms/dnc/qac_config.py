"""Config fields every Q-actor-critic baseline shares (DNC, H-DNC, Cacla, Wolpertinger, VAC)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hybrid_toolkit.nn import Activation
from hybrid_toolkit.utils.config import check_fields
from hybrid_toolkit.utils.config_checks import check_field_types

Advantage = Literal["baseline", "td_error"]
ActorLoss = Literal["policy_gradient", "cacla"]
Optimizer = Literal["adam", "sgd"]


def is_int_at_least(value: Any, minimum: int) -> bool:
    """Whether ``value`` is an ``int`` (not a ``bool``) of at least ``minimum``."""
    return not isinstance(value, bool) and isinstance(value, int) and value >= minimum


@dataclass
class QACConfig:
    """Q-actor-critic hyperparameters (the DNC reference loop, spec §2.2), batched."""

    num_envs: int = 16
    """Scenarios stepped as one batch when the env is given by name."""
    n_steps: int = 1
    """Batched env steps per update; each update uses exactly these transitions (on-policy)."""
    gamma: float = 0.99
    """Discount factor."""
    actor_lr: float = 1e-3
    """Actor learning rate."""
    critic_lr: float = 3e-3
    """Critic learning rate (above the actor's: the searches rely on an accurate critic)."""
    optimizer: Optimizer = "adam"
    """`"adam"`, or plain `"sgd"` as in the DNC reference code."""
    max_grad_norm: float = 1.0
    """Gradient-norm clipping, per network (the reference clips each module to 1)."""
    huber_delta: float = 1.0
    """δ of the critic's Huber loss."""
    advantage: Advantage = "baseline"
    """Weight of the actor's log-likelihood. `"td_error"`: the reference's `y − Q(s, a)`,
    which tends to 0 as the critic fits the executed action. `"baseline"`: `y − Q(s, ā)`
    with `ā` the rounded mean proto-action (VAC: the most likely action) — an
    action-independent baseline, so the policy gradient stays unbiased: A2C with a Q-critic."""
    normalize_advantage: bool = False
    """Centre advantages on their batch mean and divide by their standard deviation."""
    ent_coef: float = 0.0
    """Entropy bonus; only VAC's categorical policy has a learnable entropy (the Gaussian
    actors' σ is fixed)."""
    actor_hidden: tuple[int, ...] = (64, 64)
    """Hidden sizes of the actor; `()` is the reference's linear actor."""
    critic_hidden: tuple[int, ...] = (64, 64)
    """Critic widths: the state encoder's width, then the head's hidden widths (the reference
    critic is `(32, 32)`)."""
    activation: Activation = "relu"
    """Hidden activation of both networks: tanh, relu, elu, gelu or silu."""
    fourier_order: int = 0
    """Order of the Fourier cosine basis over the bounded state (the reference uses 3 in the
    maze and the recommender); 0 feeds the raw observation."""
    fourier_coupled: bool = False
    """Coupled Fourier basis (all `(order+1)^d` frequency vectors) instead of uncoupled."""
    normalize_observations: bool = False
    """Running mean/std observation normalisation (not with the Fourier basis)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        check_fields(
            self,
            {
                "num_envs": (is_int_at_least(self.num_envs, 1), "an integer >= 1"),
                "n_steps": (is_int_at_least(self.n_steps, 1), "an integer >= 1"),
                "gamma": (0.0 <= self.gamma <= 1.0, "in [0, 1]"),
                "actor_lr": (self.actor_lr > 0, "> 0"),
                "critic_lr": (self.critic_lr > 0, "> 0"),
                "max_grad_norm": (self.max_grad_norm > 0, "> 0"),
                "huber_delta": (self.huber_delta > 0, "> 0"),
                "ent_coef": (self.ent_coef >= 0, ">= 0"),
                "critic_hidden": (len(self.critic_hidden) >= 1, "a non-empty tuple of widths"),
                "fourier_order": (is_int_at_least(self.fourier_order, 0), "an integer >= 0"),
                "normalize_observations": (
                    not (self.normalize_observations and self.fourier_order),
                    "False when fourier_order > 0 (the basis scales the state by its bounds)",
                ),
            },
        )


@dataclass
class ProtoActionConfig(QACConfig):
    """Q-actor-critic fields of the algorithms whose actor emits a Gaussian proto-action."""

    exploration_std: float = 0.5
    """Fixed standard deviation σ of the Gaussian proto-action, in the unit box `[-1, 1]^D`
    (the reference's `gauss_variance`: 1.0, 0.5 in its first version)."""
    actor_loss: ActorLoss = "policy_gradient"
    """`"policy_gradient"`: `−A · log π(â | s)` (A2C). `"cacla"`: the classic CACLA rule,
    regress the mean toward the executed action where the advantage is positive."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(
            self,
            {
                "exploration_std": (self.exploration_std > 0, "> 0"),
            },
        )

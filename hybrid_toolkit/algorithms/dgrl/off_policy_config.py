"""`ProtoOffPolicyConfig`: the fields DGRL and H-Cacla share (loop, networks, features).

Both are off-policy actor-critics whose actor emits a proto-action in the relaxed box: the same
replay loop (paper App. C: every 8 steps one minibatch of 16, Polyak 0.02 after every critic
update, an optional uniform-random warm-up), the same state features and the same critics. Each
algorithm's config dataclass extends this one with its own fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hybrid_toolkit.algorithms.dgrl.features import ObsScaling
from hybrid_toolkit.nn import Activation
from hybrid_toolkit.utils.config_checks import check_field_types

CriticLoss = Literal["mse", "huber"]

FloatCheck = tuple[Callable[[float], bool], str]
"""A validity test of a float field and the words naming what was expected."""


def check_config_fields(
    config: Any,
    ints: Mapping[str, int] | None = None,
    floats: Mapping[str, FloatCheck] | None = None,
) -> None:
    """Raise ``ValueError`` naming the field, its value and what was expected.

    Choice fields are ``Literal`` annotations, checked by ``check_field_types``.

    Args:
        config: The dataclass instance.
        ints: Integer fields and their smallest valid value.
        floats: Float fields and their (check, expectation).
    """
    cls = type(config).__name__
    for name, minimum in (ints or {}).items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{cls}.{name} must be an integer >= {minimum}, got {value!r}")
    for name, (check, expected) in (floats or {}).items():
        value = getattr(config, name)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not (ok and math.isfinite(value) and check(value)):
            raise ValueError(f"{cls}.{name} must be {expected}, got {value!r}")


def check_widths(config: Any, name: str) -> tuple[int, ...]:
    """A hidden-layer tuple field as a tuple, or ``ValueError`` if it is not positive ints."""
    widths = getattr(config, name)
    widths = tuple(widths) if isinstance(widths, list | tuple) else widths
    if (
        not isinstance(widths, tuple)
        or not widths
        or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths)
    ):
        raise ValueError(
            f"{type(config).__name__}.{name} must be a non-empty tuple of integers >= 1, "
            f"got {getattr(config, name)!r}"
        )
    return widths


@dataclass
class ProtoOffPolicyConfig:
    """Hyperparameters shared by the proto-action off-policy actor-critics."""

    # ------------------------------------------------------------------ loop (paper App. C)
    num_envs: int = 16
    """Scenarios stepped as one batch when the env is given by name (paper: 1)."""
    buffer_size: int = 100_000
    """Replay buffer capacity in transitions."""
    batch_size: int = 64
    """Transitions per gradient step (paper: 16)."""
    train_freq: int = 1
    """Batched env steps collected between two rounds of gradient steps (paper: 8 steps of one
    env; the default: one step of 16 envs)."""
    gradient_steps: int = 4
    """Gradient steps per round, each on a fresh minibatch (paper: 1 per 8 transitions; the
    default, 4 per 16 transitions of batch 64, replays each transition 16 times instead of 2,
    which solved the maze in a fifth of the steps in our runs)."""
    warmup_fraction: float = 0.0
    """Share of the training budget acted uniformly at random before the actor takes over
    (paper: 0.1 for job shop, replenishment and recommender; 0 for the maze)."""
    learning_starts_fraction: float = 0.0
    """Share of the training budget collected before the first gradient step (paper: 0.05 where
    the random warm-up is used); updates never start before `batch_size` transitions exist."""
    gamma: float = 0.99
    """Discount factor."""
    tau: float = 0.02
    """Polyak factor of the target networks, applied after every critic update (paper: 0.02)."""
    n_critics: int = 2
    """Independent critics; with 2 or more the TD target takes their minimum (clipped double
    Q-learning)."""
    critic_loss: CriticLoss = "mse"
    """TD regression loss of the critics: `"mse"` or `"huber"` (threshold 1)."""
    reward_scale: float = 1.0
    """Rewards are multiplied by this in the TD target (keeps Q-values near unit scale)."""
    max_grad_norm: float = 10.0
    """Gradient-norm clip of each network's update; 0 disables it."""

    # ------------------------------------------------------------------ networks and features
    actor_hidden: tuple[int, ...] = (64, 64, 64)
    """Hidden widths of the actor (paper: three hidden layers, widths tuned per env)."""
    critic_hidden: tuple[int, ...] = (128, 128, 128)
    """Hidden widths of each critic; with `critic_state_encoder` the first is the state layer."""
    critic_state_encoder: bool = False
    """The critics' first layer sees only the state and the action joins after it (paper: maze
    and recommender); otherwise state and action enter together (job shop, replenishment)."""
    activation: Activation = "relu"
    """Hidden activation: tanh, relu, elu, gelu or silu."""
    actor_lr: float = 3e-4
    """Adam learning rate of the actor."""
    critic_lr: float = 3e-4
    """Adam learning rate of the critics."""
    obs_scaling: ObsScaling = "auto"
    """`"bounds"` maps the observation box to [0, 1] (the paper), `"running"` standardises
    with running statistics, `"auto"` uses bounds when all are finite and running statistics
    otherwise, `"none"` passes observations through."""
    fourier_order: int = 0
    """Order of the uncoupled Fourier basis `cos(pi k x)`, `k = 1..order`, appended to the
    scaled state (paper: 3 for maze and recommender); 0 disables it."""
    exploration_std: float = 0.3
    """Std of the Gaussian added to the actor's proto-action in training, in [-1, 1] units."""

    def __post_init__(self) -> None:
        check_field_types(self)
        self.actor_hidden = check_widths(self, "actor_hidden")
        self.critic_hidden = check_widths(self, "critic_hidden")
        check_config_fields(
            self,
            ints={
                "num_envs": 1,
                "buffer_size": 1,
                "batch_size": 1,
                "train_freq": 1,
                "gradient_steps": 1,
                "n_critics": 1,
                "fourier_order": 0,
            },
            floats={
                "warmup_fraction": (lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
                "learning_starts_fraction": (lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
                "gamma": (lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
                "tau": (lambda v: 0.0 < v <= 1.0, "in (0, 1]"),
                "reward_scale": (lambda v: v > 0, "> 0"),
                "max_grad_norm": (lambda v: v >= 0, ">= 0 (0 disables)"),
                "actor_lr": (lambda v: v > 0, "> 0"),
                "critic_lr": (lambda v: v > 0, "> 0"),
                "exploration_std": (lambda v: v >= 0, ">= 0"),
            },
        )
        if self.buffer_size < self.batch_size:
            raise ValueError(
                f"{type(self).__name__}.buffer_size={self.buffer_size} must be >= "
                f"batch_size={self.batch_size}"
            )


PAPER_LOOP: dict[str, object] = {
    # Paper App. C: one scenario, every 8 steps one minibatch of 16, Polyak 0.02 after every
    # critic update.
    "num_envs": 1,
    "train_freq": 8,
    "batch_size": 16,
    "gradient_steps": 1,
    "tau": 0.02,
}
"""The loop settings the DGRL paper states (App. C); the paper presets start from them."""

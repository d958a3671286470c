"""`DGRLConfig`: every hyperparameter of DGRL, the single source of truth, and its presets.

The DGRL paper's text lost most of its numbers in extraction (spec §3.6), so every default that
is not the paper's loop setting (App. C) is our decision; ``docs/algorithms/dgrl.md`` gives the
reasoning. ``radius=0`` and ``num_candidates=0`` mean "derive from the action space" (paper
App. D.3), see `heuristic_radius` and `heuristic_num_candidates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.algorithms.dgrl.dbu import PerturbationScheme
from hybrid_toolkit.algorithms.dgrl.off_policy_config import PAPER_LOOP as SHARED_PAPER_LOOP
from hybrid_toolkit.algorithms.dgrl.off_policy_config import (
    ProtoOffPolicyConfig,
    check_config_fields,
)
from hybrid_toolkit.algorithms.dgrl.sdn import DistanceScheme, SelectionScheme

TargetAction = Literal["sdn", "nearest"]


@dataclass
class DGRLConfig(ProtoOffPolicyConfig):
    """DGRL hyperparameters (constructor overrides, CLI flags and saved `config.json`)."""

    # ------------------------------------------------------------------ SDN (paper §3.1)
    radius: int = 0
    """Chebyshev radius r of the sampled neighbourhood in index steps; 0 derives it: 5 % of the
    widest component's range, clamped to 1-10."""
    num_candidates: int = 0
    """Sampled candidates k kept after de-duplication (the nearest neighbour comes on top);
    0 derives it: `clamp(2 r d, 10, 100)` for `d` discrete components."""
    distance_scheme: DistanceScheme = "linear"
    """Per-dimension weights of the options within the radius: `"linear"`
    (`r - |x - a| + temperature`, the paper's default) or `"softmax"`
    (`exp(-|x - a| / temperature)`)."""
    distance_temperature: float = 1.0
    """Temperature of the distance scheme (larger is flatter)."""
    selection: SelectionScheme = "rank"
    """How the executed candidate is drawn in training: `"rank"`
    (`P ∝ exp(-rank / temperature)`, rank 0 the best Q; the paper's default) or
    `"softmax"` over per-state standardised Q-values. Evaluation takes the argmax."""
    selection_temperature: float = 1.0
    """Temperature of the training-time selection."""
    sdn_continuous_std: float = 0.1
    """Std of the Gaussian neighbourhood of the continuous part that SDN samples jointly with
    the discrete part (hybrid spaces), in [-1, 1] units."""
    target_action: TargetAction = "nearest"
    """Successor action of the TD target: `"nearest"` is the actor's rounded proto-action;
    `"sdn"` scores an SDN neighbourhood of it with the target critics and takes the best
    (what evaluation would execute, but the max over candidates overestimates)."""

    # ------------------------------------------------------------------ DBU (paper §3.2)
    dbu_candidates: int = 16
    """Perturbed, rounded candidates N that define the regression target."""
    perturbation_std: float = 0.3
    """Std sigma_p of the Gaussian perturbation of the proto-action, in [-1, 1] units (paper
    App. D.3: of the same magnitude as `exploration_std`)."""
    dbu_perturbation: PerturbationScheme = "auto"
    """How perturbations near a face of the box are kept inside it. `"clamp"` (the paper's)
    clamps the perturbed points, which biases the target inward near a face (with a perfect
    critic, an optimum at load 100 of ten 0..100 coordinates becomes 92); `"symmetric"` clips
    every offset to the distance to the nearer face (at least one index step), so an optimum at
    a face or inside is a fixed point, but DBU then searches only that close to a face (on the
    recommender's item ids the greedy return fell from about 200 to 80-130); `"auto"` is
    symmetric on ordinal components (quantities, whose ends are real optima) and clamps
    categorical components and continuous parameters."""
    dbu_temperature: float = 1.0
    """Temperature of the softmax over the candidates' Q-values."""
    dbu_standardize: bool = True
    """Standardise the candidates' Q-values per state before the softmax, so the temperature
    does not depend on the reward scale."""
    huber_delta: float = 1.0
    """Huber threshold of the actor's regression loss."""
    actor_delay: int = 1
    """One actor (DBU) update every this many critic updates."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_config_fields(
            self,
            ints={"radius": 0, "num_candidates": 0, "dbu_candidates": 1, "actor_delay": 1},
            floats={
                "distance_temperature": (lambda v: v > 0, "> 0"),
                "selection_temperature": (lambda v: v > 0, "> 0"),
                "sdn_continuous_std": (lambda v: v >= 0, ">= 0"),
                "perturbation_std": (lambda v: v >= 0, ">= 0"),
                "dbu_temperature": (lambda v: v > 0, "> 0"),
                "huber_delta": (lambda v: v > 0, "> 0"),
            },
        )


PAPER_LOOP: dict[str, object] = {**SHARED_PAPER_LOOP, "n_critics": 2}
"""The paper's loop (App. C) with clipped double Q-learning; every paper preset starts here."""

# Job shop, replenishment and recommender: uniform random actions for the first 10 % of the
# training budget, updates from 5 % on (paper App. C).
_WARMUP: dict[str, object] = {"warmup_fraction": 0.1, "learning_starts_fraction": 0.05}
_WIDE: dict[str, object] = {"actor_hidden": (128, 128, 128), "critic_hidden": (256, 256, 256)}
_CLASSIC_BATCH: dict[str, object] = {"num_envs": 64, "gradient_steps": 16}

ENV_SETTINGS: dict[str, dict[str, object]] = {
    # maze and recommender: Fourier features of the scaled state, a state-encoding critic layer
    "maze": {"fourier_order": 3, "critic_state_encoder": True},
    "recommender": {
        **_WARMUP,
        **_WIDE,
        "fourier_order": 3,
        "critic_state_encoder": True,
        "reward_scale": 0.1,
    },
    # job shop and replenishment: state and action enter the critic together; rewards are in
    # the thousands per step, so they are scaled down. The job shop's optimum is a corner of the
    # box, which clamped DBU perturbations pull away from (docs: DBU at the faces of the box).
    "job-shop": {**_WARMUP, **_WIDE, "reward_scale": 1e-3, "dbu_perturbation": "symmetric"},
    "replenishment": {**_WARMUP, **_WIDE, "reward_scale": 1e-3},
}
"""Per-environment settings of the paper (App. C) plus our widths and reward scales."""

CLASSIC_SETTINGS: dict[str, dict[str, object]] = {
    "platform": {**_CLASSIC_BATCH},
    "goal": {**_CLASSIC_BATCH, "reward_scale": 0.02},
    "hard-move": {**_CLASSIC_BATCH, "reward_scale": 0.1},
}
"""The classic PAMDP benchmarks (Platform, Goal / Hard Goal, Hard Move; not in the DGRL paper,
so all our choices): a batch of 64 scenarios, because one Platform or Goal step simulates up to
~150 physics frames, with the default replay ratio (16 updates of 64 per 64 transitions);
Goal's +50 is scaled to 1 (as MP-DQN does), Hard Move's per-step distance penalties by 0.1."""

DGRL_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    "paper": dict(PAPER_LOOP),
    **{name: dict(values) for name, values in ENV_SETTINGS.items()},
    **{f"paper-{name}": {**PAPER_LOOP, **values} for name, values in ENV_SETTINGS.items()},
    **{name: dict(values) for name, values in CLASSIC_SETTINGS.items()},
}
"""Named presets: ``DGRL(env, "maze")``. ``<env>`` keeps our batched loop (16 envs, 4 updates of
64 per step); ``paper-<env>`` uses the paper's loop (one env, one update of 16 every 8 steps).
The loop, warm-up, Fourier basis and critic layout are the paper's (App. C); its per-env widths
and learning rates were lost in the text extraction, so those are our choices (see the docs)."""

"""`DNCConfig` and the presets of DNC and H-DNC."""

from __future__ import annotations

from dataclasses import dataclass

from hybrid_toolkit.algorithms.dnc.qac_config import (
    ProtoActionConfig,
    check_fields,
    is_int_at_least,
)
from hybrid_toolkit.algorithms.dnc.search import AnnealingSchedule
from hybrid_toolkit.algorithms.dnc.selection import SearchKind


@dataclass
class DNCConfig(ProtoActionConfig):
    """DNC / H-DNC hyperparameters: the Q-actor-critic fields plus the neighbourhood search."""

    search: SearchKind = "sa"
    """`"sa"`: simulated annealing; `"greedy"`: hill climbing ("DNC w/o SA")."""
    perturbation_range: int = 2
    """Neighbourhood radius `R`: index steps `±1 … ±R` along each discrete component
    (the reference: 10; 5 in its first version)."""
    sa_search_steps: int = 4
    """SA: `K₀`, neighbours pooled in the first iteration; with `cooling` it sets the number
    of iterations (the defaults: two). 0 searches nothing: MinMax (the rounded proto-action)."""
    cooling: float = 0.5
    """SA: `K` shrinks by `max(int(cooling·K₀), 1)` per iteration (`ceil(1/cooling)`
    iterations when `K₀ ≥ 1/cooling`)."""
    initial_acceptance: float = 0.9
    """SA: initial temperature `T₀` of the downhill acceptance test."""
    acceptance_cooling: float = 0.225
    """SA: temperature drop after each accepted downhill move."""
    bug_compatible_acceptance: bool = False
    """SA: accept every downhill move once the temperature is negative, as the reference code
    does (pitfall 5); by default a temperature `≤ 0` accepts none."""
    greedy_steps: int = 1
    """Greedy: hill-climbing iterations (1 = the reference's single neighbourhood; 0 = MinMax)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(
            self,
            {
                "perturbation_range": (is_int_at_least(self.perturbation_range, 1), "an int >= 1"),
                "sa_search_steps": (is_int_at_least(self.sa_search_steps, 0), "an int >= 0"),
                "cooling": (0.0 < self.cooling <= 1.0, "in (0, 1]"),
                "initial_acceptance": (self.initial_acceptance >= 0, ">= 0"),
                "acceptance_cooling": (self.acceptance_cooling >= 0, ">= 0"),
                "greedy_steps": (is_int_at_least(self.greedy_steps, 0), "an integer >= 0"),
            },
        )

    @property
    def schedule(self) -> AnnealingSchedule:
        """The simulated-annealing schedule these fields describe."""
        return AnnealingSchedule(
            self.sa_search_steps,
            self.cooling,
            self.initial_acceptance,
            self.acceptance_cooling,
            self.bug_compatible_acceptance,
        )


REFERENCE_QAC_LOOP: dict[str, object] = {
    # The DNC reference code's Q-actor-critic loop (DNC's and LAR's reference presets use it):
    # online updates with batch size 1, SGD, lr 1e-2, γ = 0.999, linear actor on an
    # uncoupled order-3 Fourier basis, critic 32/32, σ = 1, TD-error advantage.
    "num_envs": 1,
    "n_steps": 1,
    "gamma": 0.999,
    "optimizer": "sgd",
    "actor_lr": 1e-2,
    "critic_lr": 1e-2,
    "advantage": "td_error",
    "exploration_std": 1.0,
    "actor_hidden": (),
    "critic_hidden": (32, 32),
    "fourier_order": 3,
}
"""The reference code's QAC loop settings, shared by the presets that reproduce it."""

REFERENCE: dict[str, object] = {
    # DNC reference code, current (April 2024) defaults: its QAC loop, R = 10 and a single SA
    # iteration (K₀ = 1, cooling 0.1).
    **REFERENCE_QAC_LOOP,
    "perturbation_range": 10,
    "sa_search_steps": 1,
    "cooling": 0.1,
    "initial_acceptance": 0.9,
    "acceptance_cooling": 0.225,
    "bug_compatible_acceptance": True,
}
"""The reference code's current settings (spec §2)."""

DNC_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    "reference": REFERENCE,
    "reference-initial": {
        # The May 2023 version (recommender config): σ = 0.5, R = 5, cooling 0.25; its K₀ was
        # 10 % of the neighbourhood size, which is 2·R·d / 10 = d for R = 5.
        **REFERENCE,
        "exploration_std": 0.5,
        "perturbation_range": 5,
        "sa_search_steps": 4,
        "cooling": 0.25,
    },
    "greedy": {"search": "greedy"},
    "minmax": {"sa_search_steps": 0},
}
"""Named presets: ``DNC(env, "reference")``; ``greedy`` is "DNC w/o SA", ``minmax`` only rounds."""

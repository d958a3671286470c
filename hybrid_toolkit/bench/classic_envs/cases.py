"""The classic-envs benchmark's grid: the cases beside the HyAR paper's Table 2, and how each
algorithm trains on each case (preset, budget and overrides) under each recipe set:

* ``budget`` (:data:`RECIPES`): our first, compute-limited runs — HyAR at 0.25 TD3 updates per
  transition with shortened warm-up and VAE pre-training, 5–15 % of the paper's training;
* ``reference`` (:data:`REFERENCE_RECIPES`): HyAR at the official scripts' schedule — one TD3
  update per transition, their warm-up episodes and VAE pre-training steps, their TD3-phase
  budget — and PPO and DGRL at the same environment-step budget per case."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from hybrid_toolkit.algorithms.dgrl import DGRL
from hybrid_toolkit.algorithms.hyar import HyAR
from hybrid_toolkit.algorithms.ppo import PPO

ALGORITHMS: dict[str, Any] = {"hyar": HyAR, "ppo": PPO, "dgrl": DGRL}


@dataclass(frozen=True)
class Case:
    """One benchmark setting and what HyAR's Table 2 reports for it."""

    env: str
    env_kwargs: dict[str, Any]
    page: str
    """The env page that shows this case (``classic-envs-<page>.md``)."""
    max_steps: int
    """Episode length limit of the env (the evaluation's step cap)."""
    metric: str
    """Table 2's metric: ``"return"`` (Platform's normalised return) or ``"success"``."""
    table2_hyar: float
    """Table 2, HyAR-TD3 column."""
    table2_hppo: float
    """Table 2, HPPO column."""
    paper_hyar_steps: int
    """TD3-phase steps of the official HyAR script (plus its 5000 / 20000 warm-up episodes)."""


def _hard_move(n: int, hyar: float, hppo: float) -> Case:
    return Case(
        "HardMove-v0", {"n_actuators": n}, "hard-move", 30, "success", hyar, hppo, 1_000_000
    )


CASES: dict[str, Case] = {
    "Platform": Case("Platform-v0", {}, "platform", 200, "return", 0.98, 0.80, 200_000),
    "Goal": Case("Goal-v0", {}, "goal", 100, "success", 0.78, 0.0, 300_000),
    "HardGoal": Case("HardGoal-v0", {}, "goal", 100, "success", 0.60, 0.0, 300_000),
    "HardMove4": _hard_move(4, 0.93, 0.09),
    "HardMove6": _hard_move(6, 0.92, 0.05),
    "HardMove8": _hard_move(8, 0.89, 0.04),
    "HardMove10": _hard_move(10, 0.75, 0.05),
}
"""Every case, with the HyAR paper's Table 2 values (5 runs each in the paper)."""


@dataclass(frozen=True)
class Recipe:
    """How one algorithm trains on one case: preset, budget and the overrides on top."""

    preset: str
    timesteps: int
    """Environment steps of ``learn`` (HyAR: warm-up steps included)."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Config fields changed from the preset (our compute budget)."""
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    """Env options beyond the case's own (PPO: ``action_scale="unit"``)."""


# HyAR: the official scripts' values (presets) on a batch of 64 scenarios — one Platform or
# Goal step simulates up to ~150 physics frames, so a single scenario runs at ~10 steps/s here —
# with 16 TD3 updates per batched step (0.25 per transition instead of 1), and shorter warm-up,
# VAE pre-training and (Hard Move) exploration schedule; budgets are a small fraction of the
# paper's (docs: the budget cut).
_HYAR_BATCH = {"num_envs": 64, "gradient_steps": 16, "warmup_chunk": 8, "vae_pretrain_steps": 2000}
_HYAR_SHORT = {**_HYAR_BATCH, "warmup_episodes": 2000, "vae_update_start": 1000}
_HYAR_SHORT |= {"expl_noise_episodes": 1000}
_HYAR_MOVE = {**_HYAR_BATCH, "warmup_episodes": 500, "vae_update_start": 500}
_HYAR_MOVE |= {"expl_noise_episodes": 500}
_UNIT = {"action_scale": "unit"}
SCALED = ("warmup_episodes", "vae_pretrain_steps", "vae_update_start", "expl_noise_episodes")
"""Overrides divided like the budget in ``quick`` and ``smoke`` runs."""

RECIPES: dict[str, dict[str, Recipe]] = {
    "hyar": {
        "Platform": Recipe("platform", 30_000, _HYAR_SHORT),
        "Goal": Recipe("goal", 22_000, _HYAR_SHORT),
        "HardGoal": Recipe("hard-goal", 22_000, _HYAR_SHORT),
        **{f"HardMove{n}": Recipe("hard-move", 60_000, _HYAR_MOVE) for n in (4, 6, 8, 10)},
    },
    "ppo": {
        "Platform": Recipe("platform", 100_000, env_kwargs=_UNIT),
        "Goal": Recipe("goal", 50_000, env_kwargs=_UNIT),
        "HardGoal": Recipe("goal", 50_000, env_kwargs=_UNIT),
        **{f"HardMove{n}": Recipe("hard-move", 200_000) for n in (4, 6, 8, 10)},
    },
    "dgrl": {
        "Platform": Recipe("platform", 20_000),
        "Goal": Recipe("goal", 20_000),
        "HardGoal": Recipe("goal", 20_000),
        **{f"HardMove{n}": Recipe("hard-move", 40_000) for n in (4, 6, 8, 10)},
    },
}
"""Every algorithm's recipe per case."""


REFERENCE_WARMUP_STEPS: dict[str, int] = {
    "Platform": 11_000,
    "Goal": 21_000,
    "HardGoal": 21_000,
    **{f"HardMove{n}": 150_000 for n in (4, 6, 8, 10)},
}
"""Environment steps of the reference warm-up per case, rounded up: its episodes (Platform and
Hard Move 5000, Goal and Hard Goal 20 000) × the mean length of a uniformly random episode
measured here (Platform 2.2 steps; Goal, Hard Goal 1.0: a random kick ends most episodes;
Hard Move 30, the time limit), plus the
overshoot of a warm-up chunk of 64 × 8 steps. ``learn`` counts warm-up steps, the paper's
budgets do not, so the reference budget is this plus the official script's TD3-phase steps."""

# HyAR at the reference's replay ratio: 64 scenarios per batched step and one TD3 update per
# transition collected (gradient_steps -1: train_freq × num_envs = 64 per batched step, like
# the official scripts' one update per env step), the official warm-up episodes (the preset's),
# 5000 VAE pre-training steps, fine-tuning from episode 1000 and exploration σ annealed over
# 1000 episodes. Every phase length is listed so that quick and smoke runs scale it.
_HYAR_REFERENCE = {
    "num_envs": 64,
    "warmup_chunk": 8,
    "train_freq": 1,
    "gradient_steps": -1,
    "vae_pretrain_steps": 5000,
    "vae_update_start": 1000,
    "expl_noise_episodes": 1000,
}
_HYAR_PRESET = {"Platform": "platform", "Goal": "goal", "HardGoal": "hard-goal"}
_HYAR_PRESET |= {f"HardMove{n}": "hard-move" for n in (4, 6, 8, 10)}


def reference_timesteps(case: str) -> int:
    """Environment steps of a reference run: warm-up plus the official TD3-phase steps."""
    return REFERENCE_WARMUP_STEPS[case] + CASES[case].paper_hyar_steps


def _hyar_reference(case: str) -> Recipe:
    preset = _HYAR_PRESET[case]
    warmup = {"warmup_episodes": HyAR.presets[preset]["warmup_episodes"]}
    return Recipe(preset, reference_timesteps(case), {**_HYAR_REFERENCE, **warmup})


def _same_budget(recipe: Recipe, case: str) -> Recipe:
    return replace(recipe, timesteps=reference_timesteps(case))


REFERENCE_RECIPES: dict[str, dict[str, Recipe]] = {
    "hyar": {case: _hyar_reference(case) for case in CASES},
    **{
        algo: {case: _same_budget(RECIPES[algo][case], case) for case in CASES}
        for algo in ("ppo", "dgrl")
    },
}
"""The ``reference`` recipe set: HyAR at the official scripts' schedule and replay ratio; PPO
and DGRL with their ``budget`` presets and options at HyAR's environment-step budget."""

RECIPE_SETS: dict[str, dict[str, dict[str, Recipe]]] = {
    "budget": RECIPES,
    "reference": REFERENCE_RECIPES,
}
"""Recipe sets by the name ``--recipe`` takes."""


def scaled_recipe(recipe: Recipe, divisor: int, **overrides: Any) -> Recipe:
    """The recipe at ``1/divisor`` of its budget and phase lengths (quick: 20; smoke: more),
    with ``overrides`` on top."""
    scaled = {k: max(1, v // divisor) if k in SCALED else v for k, v in recipe.overrides.items()}
    return replace(
        recipe,
        timesteps=max(1, recipe.timesteps // divisor),
        overrides={**scaled, **overrides},
    )


def recipe_key(recipe: Recipe, timesteps: int, recipe_set: str = "budget") -> dict[str, Any]:
    """What must match for a cached run to count: preset, budget, overrides, env options, and
    the recipe set (named for every set but ``budget``, whose runs were cached before sets
    existed)."""
    key = {**asdict(recipe), "timesteps": timesteps}
    return key if recipe_set == "budget" else {**key, "recipe_set": recipe_set}

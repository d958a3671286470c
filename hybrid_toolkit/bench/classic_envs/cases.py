"""The classic-envs benchmark's grid: the cases beside the HyAR paper's Table 2, and how each
algorithm trains on each case (preset, budget and the overrides of our compute budget)."""

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


def scaled_recipe(recipe: Recipe, divisor: int, **overrides: Any) -> Recipe:
    """The recipe at ``1/divisor`` of its budget and phase lengths (quick: 20; smoke: more),
    with ``overrides`` on top."""
    scaled = {k: max(1, v // divisor) if k in SCALED else v for k, v in recipe.overrides.items()}
    return replace(
        recipe,
        timesteps=max(1, recipe.timesteps // divisor),
        overrides={**scaled, **overrides},
    )


def recipe_key(recipe: Recipe, timesteps: int) -> dict[str, Any]:
    """What must match for a cached run to count: preset, budget, overrides, env options."""
    return {**asdict(recipe), "timesteps": timesteps}

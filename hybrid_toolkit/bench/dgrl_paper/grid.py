"""What ``bench dgrl-paper`` runs: methods, environments, budgets and training loops.

Every run is one (method, environment, seed); its protocol (see
:mod:`~hybrid_toolkit.bench.dgrl_paper.cache`) is everything that decides its result, so a
cached run is reused exactly when its protocol matches. The paper's own numbers are in
:mod:`~hybrid_toolkit.bench.dgrl_paper.paper_results`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hybrid_toolkit.algorithms.dgrl.config import ENV_SETTINGS
from hybrid_toolkit.algorithms.dgrl.h_cacla_config import HCaclaConfig
from hybrid_toolkit.utils.config import field_names

Loop = Literal["paper", "batched"]
"""Training loop of the off-policy methods: ``paper`` is the DGRL paper's (App. C: one
environment, a minibatch of 16 every 8 steps), ``batched`` ours (16 environments, 4 updates of
64 per batched step)."""

SpaceKind = Literal["discrete", "hybrid"]


@dataclass(frozen=True)
class Method:
    """One column of the comparison: a registered algorithm with its presets and overrides.

    Attributes:
        label: How tables and plots name it (the paper's naming).
        algorithm: Registered algorithm name.
        presets: Loop → environment family → preset; ``"*"`` stands for every family, and a
            family found in neither is ``"default"``.
        overrides: Config overrides applied on top of the preset, in every family.
        family_overrides: Further overrides per environment family.
        spaces: The kinds of action space the paper compares it on; on the other kind it is
            shown as n/a.
    """

    label: str
    algorithm: str
    presets: dict[str, dict[str, str]] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    family_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    spaces: tuple[SpaceKind, ...] = ("discrete",)

    def preset(self, family: str, loop: Loop) -> str:
        """The preset of this method in ``family`` under ``loop``."""
        by_family = self.presets.get(loop, {})
        return by_family.get(family, by_family.get("*", "default"))

    def overrides_for(self, family: str) -> dict[str, Any]:
        """The overrides of this method in ``family`` (common ones, then the family's)."""
        return {**self.overrides, **self.family_overrides.get(family, {})}


FOURIER = {"fourier_order": 3}
"""DNC, Cacla and LAR get the order-3 Fourier basis the paper (and the DNC reference) uses."""

_FAMILIES = ("maze", "recommender", "job-shop")
_H_CACLA_FIELDS = set(field_names(HCaclaConfig))
H_CACLA_FEATURES: dict[str, dict[str, Any]] = {
    family: {k: v for k, v in ENV_SETTINGS[family].items() if k in _H_CACLA_FIELDS}
    for family in _FAMILIES
}
"""H-Cacla shares DGRL's loop, networks and features, so it gets DGRL's per-family settings
(Fourier basis, state-encoding critic layer, warm-up, widths, reward scale) minus DBU's."""

_HYAR_COMMON: dict[str, Any] = {
    "max_discrete_choices": 100_000,  # the maze's 17^4 = 83,521 fit, 1,639^2 items do not
    "embedding_buffer_size": 100_000,
    "buffer_size": 100_000,
}
HYAR_FAMILY: dict[str, dict[str, Any]] = {
    # about 10 % of the budget as random warm-up (maze: <= 100 steps, recommender: ~6 steps
    # per episode), fine-tuning and exploration annealed within the budget
    "maze": {"warmup_episodes": 50, "vae_update_start": 100, "expl_noise_episodes": 200},
    "recommender": {
        "warmup_episodes": 300,
        "vae_update_start": 300,
        "expl_noise_episodes": 1_000,
        "reward_scale": 0.1,
    },
}
"""HyAR has no preset for these environments (its presets are the classic PAMDP scripts',
which warm up for 5,000+ episodes); these are our choices, scaled to the budgets."""

LAR_COST_CAPS: dict[str, Any] = {
    # Every embedding step is a softmax over all |A| actions (B·|A|·d work): ~0.1 CPU s at the
    # maze's 83,521 actions, so the paper preset's 500 pre-training epochs and one online
    # embedding step per env step would cost 1.5-2.5 CPU hours per maze run. We pre-train for at
    # most 20 epochs and then freeze the embeddings (embedding_loss_weight=0), and refuse tables
    # above 200,000 numbers: the k = 2 recommender's 1,639^2 x 2 = 5.4e6 would cost ~3 CPU s a
    # step.
    "pretrain_epochs": 20,
    "embedding_loss_weight": 0.0,
    "max_table_entries": 200_000,
}
LAR_BUFFER: dict[str, dict[str, Any]] = {
    "maze": {"buffer_size": 5_000},
    "recommender": {"buffer_size": 2_000},
}
"""LAR's random warm-up (and online buffer): 10 % of the budget, where the paper preset's
600,000 transitions would be the whole budget ten times over."""

METHODS: dict[str, Method] = {
    "dgrl": Method(
        "DGRL (SDN, DBU)",
        "dgrl",
        {
            "batched": {f: f for f in _FAMILIES},
            "paper": {**{f: f"paper-{f}" for f in _FAMILIES}, "*": "paper"},
        },
        spaces=("discrete", "hybrid"),
    ),
    "dnc": Method(
        "DNC (SA)",
        "dnc",
        overrides=FOURIER,
    ),
    "dnc-greedy": Method(
        "DNC (greedy)",
        "dnc",
        overrides={**FOURIER, "search": "greedy"},
    ),
    "cacla": Method(
        "Cacla",
        "cacla",
        overrides=FOURIER,
    ),
    "lar": Method(
        "LAR",
        "lar",
        {"paper": {"*": "paper"}},
        overrides={**FOURIER, **LAR_COST_CAPS},
        family_overrides=LAR_BUFFER,
    ),
    "h-dnc": Method(
        "H-DNC",
        "h-dnc",
        overrides=FOURIER,
        spaces=("hybrid",),
    ),
    "h-cacla": Method(
        "H-Cacla",
        "h-cacla",
        {"paper": {"*": "paper"}},
        family_overrides=H_CACLA_FEATURES,
        spaces=("hybrid",),
    ),
    "hyar": Method(
        "HyAR",
        "hyar",
        overrides=_HYAR_COMMON,
        family_overrides=HYAR_FAMILY,
        spaces=("hybrid",),
    ),
}
"""Method key → method. Loops: DGRL uses its ``paper-<family>`` presets under ``--loop paper``
and its batched ``<family>`` presets under ``--loop batched`` (Fourier features, state-encoding
critic layer, warm-up: App. C); H-Cacla the ``paper`` / ``default`` loop with DGRL's per-family
features; LAR its ``paper`` preset (the DNC reference code's online loop) / its defaults. DNC,
Cacla and H-DNC have no paper-loop preset and train in their batched Q-actor-critic loop (16
environments, A2C-style updates) under both; HyAR in its own TD3 loop (one update per step)."""


@dataclass(frozen=True)
class EnvCase:
    """One environment of the grid with its budget.

    Attributes:
        label: How tables and plots name it.
        env_id: Registered environment id.
        family: Preset family of the methods (``"maze"``, ``"recommender"``, ``"job-shop"``).
        steps: Training steps per run in full mode (summed over the batch).
        eval_every: Full mode: evaluate every this many steps.
        eval_episodes: Full mode: episodes per evaluation.
        env_overrides: Config overrides of the environment (training and evaluation).
        eval_overrides: Extra overrides of the evaluation environment only (the maze's fixed
            evaluation start).
        solved_above: An evaluation episode counts as solved above this return; ``None``: the
            environment has no goal.
        paper: Keys of :data:`~hybrid_toolkit.bench.dgrl_paper.paper_results.PAPER_RESULTS`
            this case is compared with.
        hybrid: Whether the action space has continuous parameters (the hybrid comparisons:
            H-DNC and H-Cacla are the references instead of DNC and Cacla).
    """

    label: str
    env_id: str
    family: str
    steps: int
    eval_every: int
    eval_episodes: int
    env_overrides: dict[str, Any] = field(default_factory=dict)
    eval_overrides: dict[str, Any] = field(default_factory=dict)
    solved_above: float | None = None
    paper: tuple[str, ...] = ()
    hybrid: bool = False

    @property
    def kind(self) -> SpaceKind:
        """``"hybrid"`` or ``"discrete"``."""
        return "hybrid" if self.hybrid else "discrete"

    @property
    def references(self) -> tuple[str, str]:
        """The method keys the paper's percentage columns compare against."""
        return ("h-dnc", "h-cacla") if self.hybrid else ("dnc", "cacla")


def _maze(label: str, env_id: str, paper: tuple[str, ...], hybrid: bool = False) -> EnvCase:
    """A maze case: 50k steps, 16 greedy episodes from the fixed evaluation start."""
    return EnvCase(
        label, env_id, "maze", 50_000, 10_000, 16, {}, {"start": "eval"}, 5.0, paper, hybrid
    )


def _recommender(k: int, paper: tuple[str, ...], pricing: bool = False) -> EnvCase:
    """A recommender case recommending ``k`` items: 20k steps, 64 evaluation episodes."""
    label = f"Recommender{', priced' if pricing else ''}, k = {k} of 1,639 items"
    env_id = "RecommenderPricing-v0" if pricing else "Recommender-v0"
    overrides = {"n_recommendations": k}
    return EnvCase(
        label, env_id, "recommender", 20_000, 4_000, 64, overrides, {}, None, paper, pricing
    )


def _job_shop(label: str, env_id: str) -> EnvCase:
    """A job-shop case: 30k steps, 16 evaluation episodes every 5k."""
    return EnvCase(label, env_id, "job-shop", 30_000, 5_000, 16, paper=("job-shop",))


ENV_CASES: dict[str, EnvCase] = {
    "maze": _maze(
        "Maze, structured (17^4 actions)",
        "Maze-v0",
        ("maze-small-structured", "maze-large-structured"),
    ),
    "maze-irregular": _maze(
        "Maze, irregular (17^4 actions)",
        "MazeIrregular-v0",
        ("maze-small-irregular", "maze-large-irregular"),
    ),
    "recommender": _recommender(2, ("recommender-small",)),
    "recommender-large": _recommender(5, ("recommender-large",)),
    "job-shop": _job_shop("Job shop, 10 machines (101^10 actions)", "JobShop-v0"),
    "job-shop-interior": _job_shop(
        "Job shop, energy cap 250 (optimum inside the box)", "JobShopInterior-v0"
    ),
    "maze-hybrid": _maze(
        "Maze, hybrid (17^4 actions x step length)",
        "MazeHybrid-v0",
        ("maze-hybrid-small", "maze-hybrid-large"),
        hybrid=True,
    ),
    "recommender-hybrid": _recommender(2, ("recommender-hybrid-small",), pricing=True),
    "recommender-hybrid-large": _recommender(5, ("recommender-hybrid-large",), pricing=True),
}
"""Env key → case. Sizes: the paper's maze and recommender sizes were lost in the text
extraction; ours are the registered defaults (see the docs page for the reasoning). The job
shop's constants were lost too; ``job-shop`` is the reference code's problem (optimum at a
corner), ``job-shop-interior`` (``--envs job-shop-interior``, not in ``--mode full``) raises the
energy cap so the optimum lies inside the box. The hybrid cases (the paper's Fig. 4 and Table
8) are the maze with a step length and the recommender with a price per item."""

FULL_ENVS: tuple[str, ...] = (
    "maze",
    "maze-irregular",
    "recommender",
    "recommender-large",
    "job-shop",
    "maze-hybrid",
    "recommender-hybrid",
    "recommender-hybrid-large",
)
"""Environments of ``--mode full`` (every case of the grid but ``job-shop-interior``)."""
FULL_METHODS: tuple[str, ...] = tuple(METHODS)
"""Methods of ``--mode full`` (each shown as n/a where it does not apply)."""
FULL_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""Seeds of ``--mode full`` (the paper: ten)."""

QUICK_BUDGET: dict[str, int] = {"steps": 3_000, "eval_every": 1_500, "eval_episodes": 8}
"""``--mode quick``: every case shrinks to this budget, one seed, to check the pipeline."""

SMOKE_ENVS: tuple[str, ...] = ("maze", "maze-hybrid")
"""Environments of ``--mode smoke``: one discrete and one hybrid case, so every method runs."""
SMOKE_BUDGET: dict[str, int] = {"steps": 64, "eval_every": 32, "eval_episodes": 1}
"""``--mode smoke``: a budget of seconds, so the tests run the whole suite end to end."""

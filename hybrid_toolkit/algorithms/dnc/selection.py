"""Per-decision selection: proto-actions to actions, the way each baseline decides.

These are the functions the algorithms call on every step, importable on their own so that a
decision-time benchmark can time exactly them:

* `round_to_nearest` — Cacla and MinMax: the nearest valid action of the proto-action;
* `NeighbourhoodSearch` — DNC: rounding, then simulated-annealing or greedy search over the
  base action's neighbourhood, scored by the critic with the continuous parameters fixed.

Wolpertinger's k-nearest-neighbour selection lives with its enumerated action table in
`hybrid_toolkit.algorithms.dnc.knn`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.dnc.codec import ActionCodec
from hybrid_toolkit.algorithms.dnc.networks import QCritic
from hybrid_toolkit.algorithms.dnc.search import (
    AnnealingSchedule,
    ScoreFn,
    SearchResult,
    greedy_search,
    perturbation_offsets,
    score_only,
    simulated_annealing,
)
from hybrid_toolkit.spaces import HybridAction

SearchKind = Literal["sa", "greedy"]


class Selection(NamedTuple):
    """A selected action, and what a critic-scored search did for it.

    Attributes:
        action: The valid actions ``[B]``.
        search_gain: ``[B]`` critic score of the action minus that of the rounded proto (the
            search's improvement), or ``None`` when nothing was searched.
        moved: ``bool [B]`` whether the search left the rounded proto, or ``None``.
    """

    action: HybridAction
    search_gain: Tensor | None = None
    moved: Tensor | None = None


SelectFn = Callable[[Tensor, Tensor, bool], Selection]
"""``select(feats [B, F], proto [B, P], explore) -> Selection``."""


def critic_scorer(critic: QCritic, codec: ActionCodec, feats: Tensor, params: Tensor) -> ScoreFn:
    """A `ScoreFn` for discrete candidates ``[B, M, n_d]`` in states ``feats`` ``[B, F]``.

    The state is encoded once; every candidate is scored with the parameters ``params``
    ``[B, n_c]`` held fixed.
    """
    encoding = critic.encode(feats)
    fixed = params[:, None, :]

    def score(candidates: Tensor) -> Tensor:
        return critic.score(encoding, codec.critic_input(candidates, fixed))

    return score


def round_to_nearest(codec: ActionCodec, proto: Tensor) -> Selection:
    """Cacla's (and MinMax's) selection: the nearest valid action of every proto-action."""
    return Selection(codec.round(proto))


@dataclass
class NeighbourhoodSearch:
    """DNC's selection: round the proto-action, then search its neighbourhood with the critic.

    Args:
        codec: The action codec (component sizes, rounding, critic inputs).
        kind: ``"sa"`` (simulated annealing) or ``"greedy"`` (hill climbing, "DNC w/o SA").
        radius: Neighbourhood radius ``R``: steps ``±1 … ±R`` along each discrete component.
        schedule: The simulated-annealing schedule (``search_steps = 0``: no search, MinMax).
        greedy_steps: Hill-climbing iterations of the greedy search (0: no search).
    """

    codec: ActionCodec
    kind: SearchKind = "sa"
    radius: int = 2
    schedule: AnnealingSchedule = field(default_factory=AnnealingSchedule)
    greedy_steps: int = 1

    def __post_init__(self) -> None:
        if self.kind not in ("sa", "greedy"):
            raise ValueError(f"search kind must be 'sa' or 'greedy', got {self.kind!r}")
        device = self.codec.relaxed.device
        self.offsets = perturbation_offsets(self.codec.n_discrete, self.radius, device)

    @property
    def searches(self) -> bool:
        """False when the configuration searches nothing (MinMax)."""
        steps = self.schedule.search_steps if self.kind == "sa" else self.greedy_steps
        return steps > 0

    def candidates_per_iteration(self) -> int:
        """Critic evaluations per scenario and iteration: the neighbourhood plus the centre."""
        return int(self.offsets.shape[0]) + 1

    def search(
        self,
        score_fn: ScoreFn,
        base: Tensor,
        explore: bool,
        generator: torch.Generator | None = None,
    ) -> SearchResult:
        """Run the configured search from ``base`` (``int64 [B, n_d]``)."""
        sizes = self.codec.sizes
        if not self.searches:
            return score_only(score_fn, base)
        if self.kind == "greedy":
            return greedy_search(score_fn, base, sizes, self.offsets, self.greedy_steps)
        return simulated_annealing(
            score_fn, base, sizes, self.offsets, self.schedule, explore, generator
        )

    def select(
        self,
        critic: QCritic,
        feats: Tensor,
        proto: Tensor,
        explore: bool,
        generator: torch.Generator | None = None,
    ) -> Selection:
        """One batched DNC decision: proto-actions ``[B, D]`` → searched valid actions.

        The continuous parameters (if any) are the clipped proto-action's and stay fixed during
        the search; ``explore`` selects training-mode SA (downhill moves and random jumps).
        """
        base, params = self.codec.split(proto)
        if not self.searches:
            return Selection(HybridAction(base, params))
        score = critic_scorer(critic, self.codec, feats, params)
        result = self.search(score, base, explore, generator)
        moved = (result.discrete != base).any(dim=-1)
        return Selection(
            HybridAction(result.discrete, params), result.value - result.start_value, moved
        )

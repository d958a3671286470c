"""DNC's neighbourhood search around a base action, batched over scenarios and candidates.

Dynamic Neighbourhood Construction (Akkerman et al., ICLR 2024) turns a rounded proto-action
(the *base* action) into a better discrete action by local search scored with the critic:

* the **neighbourhood** of an action ``c`` holds ``c ± j·e_i`` for every discrete component
  ``i`` and every step ``j = 1..radius`` (index steps), up to ``2·radius·n_discrete`` actions at
  Hamming distance one. The reference clips out-of-range candidates to the box and removes the
  duplicates this creates; a clipped candidate always duplicates a smaller step or the centre,
  so masking it out is the same de-duplication without a sort;
* **greedy search** ("DNC w/o SA") moves to the best neighbour while it improves;
* **simulated annealing** moves to the best neighbour when it improves and otherwise (in
  training only) accepts the worse move with probability ``exp(-Δ/T)`` or jumps to a random
  member of a pool of good candidates collected along the way.

Both return the best action scored during the search, so the result is never worse than the
base action under the critic. Everything is tensor arithmetic on ``[B, M, n_discrete]``
candidate batches: the critic scores all neighbours of all scenarios in one call; acceptance and
moves are ``torch.where``. The only Python loop runs over search iterations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

ScoreFn = Callable[[Tensor], Tensor]
"""Scores candidates: ``int64 [B, M, n_discrete]`` discrete indices → ``[B, M]`` values."""


@dataclass(frozen=True)
class SearchResult:
    """What a search returns.

    Attributes:
        discrete: ``int64 [B, n_discrete]`` the best action found for each scenario.
        value: ``[B]`` its score.
        start_value: ``[B]`` the score of the base action the search started from.
    """

    discrete: Tensor
    value: Tensor
    start_value: Tensor


@dataclass(frozen=True)
class AnnealingSchedule:
    """Simulated-annealing parameters (names follow the DNC reference code).

    Attributes:
        search_steps: ``K₀``: neighbours added to the candidate pool in the first iteration. It
            shrinks by ``ΔK = max(int(cooling·K₀), 1)`` per iteration and the search stops when
            it reaches 0, so there are ``ceil(K₀ / ΔK)`` iterations; ``K₀ = 0`` searches nothing
            (MinMax).
        cooling: Fraction of ``K₀`` removed per iteration.
        initial_acceptance: Starting acceptance temperature ``T₀`` of downhill moves.
        acceptance_cooling: Amount ``T`` drops after every accepted downhill move.
        bug_compatible_acceptance: Reproduce the reference code, where a negative temperature
            (reached after five accepted downhill moves with the defaults) accepts every move;
            by default a temperature at or below zero accepts none.
    """

    search_steps: int = 4
    cooling: float = 0.5
    initial_acceptance: float = 0.9
    acceptance_cooling: float = 0.225
    bug_compatible_acceptance: bool = False

    def pool_sizes(self) -> list[int]:
        """``K`` of every iteration: ``K₀, K₀ − ΔK, …`` while positive (the iteration count)."""
        decrement = max(int(self.cooling * self.search_steps), 1)
        return list(range(self.search_steps, 0, -decrement))


def perturbation_offsets(n_discrete: int, radius: int, device: torch.device | str) -> Tensor:
    """DNC's perturbation matrix: ``int64 [2·radius·n_discrete, n_discrete]`` rows ``±j·e_i``.

    Rows are grouped by component ``i``; within a group ``+1 … +radius`` come first, then
    ``−1 … −radius``.
    """
    if isinstance(radius, bool) or not isinstance(radius, int) or radius < 1:
        raise ValueError(f"perturbation radius must be an integer >= 1, got {radius!r}")
    steps = torch.arange(1, radius + 1, device=device)
    signed = torch.cat([steps, -steps])
    eye = torch.eye(n_discrete, dtype=torch.int64, device=device)
    return (eye[:, None, :] * signed[None, :, None]).reshape(-1, n_discrete)


def neighbours(center: Tensor, sizes: Tensor, offsets: Tensor) -> tuple[Tensor, Tensor]:
    """The neighbourhood of every scenario's action.

    Args:
        center: ``int64 [B, n_discrete]`` valid discrete actions.
        sizes: ``int64 [n_discrete]`` number of choices of each component.
        offsets: ``int64 [M, n_discrete]`` from `perturbation_offsets`.

    Returns:
        ``(candidates, valid)``: ``int64 [B, M, n_discrete]`` neighbours clamped into the
        space, and ``bool [B, M]`` marking those that needed no clamping (the others duplicate
        a smaller step or the centre).
    """
    raw = center[:, None, :] + offsets[None, :, :]
    valid = ((raw >= 0) & (raw < sizes)).all(dim=-1)
    return torch.minimum(raw.clamp(min=0), sizes - 1), valid


def acceptance_probability(
    delta: Tensor, temperature: Tensor, bug_compatible: bool = False
) -> Tensor:
    """Probability that SA takes a move which lowers the score by ``delta >= 0``.

    ``exp(-delta / T)`` for ``T > 0``. At ``T <= 0`` no downhill move is accepted — unless
    ``bug_compatible``, where (as in the reference code, whose ``exp(-delta / T)`` exceeds 1
    for negative ``T``) every move is accepted once ``T < 0``.
    """
    safe_t = temperature.clamp(min=torch.finfo(delta.dtype).tiny)
    probability = torch.where(temperature > 0, torch.exp(-delta / safe_t).clamp(max=1.0), 0.0)
    if bug_compatible:
        probability = torch.where(temperature < 0, 1.0, probability)
    return probability


def _score(score_fn: ScoreFn, current: Tensor, cand: Tensor, valid: Tensor) -> tuple[Tensor, ...]:
    """Score the current actions and their neighbours in one critic call."""
    scores = score_fn(torch.cat([current[:, None, :], cand], dim=1))
    return scores[:, 0], scores[:, 1:].masked_fill(~valid, -math.inf)


def _pick(cand: Tensor, index: Tensor) -> Tensor:
    """``cand[b, index[b]]`` for every scenario ``b``."""
    return cand.gather(1, index[:, None, None].expand(-1, 1, cand.shape[-1]))[:, 0]


def score_only(score_fn: ScoreFn, base: Tensor) -> SearchResult:
    """No search (MinMax): the base action with its score."""
    value = score_fn(base[:, None, :])[:, 0]
    return SearchResult(base, value, value)


def greedy_search(
    score_fn: ScoreFn, base: Tensor, sizes: Tensor, offsets: Tensor, steps: int = 1
) -> SearchResult:
    """Hill climbing: ``steps`` times, move to the best neighbour if it beats the current action.

    ``steps = 1`` is DNC's greedy variant (one neighbourhood of the base, arg-max over it and
    the base); ``steps = 0`` returns the base action (MinMax).
    """
    if steps <= 0:
        return score_only(score_fn, base)
    current, q_current, start = base, torch.empty(0), torch.empty(0)
    for it in range(steps):
        cand, valid = neighbours(current, sizes, offsets)
        q_now, q_nb = _score(score_fn, current, cand, valid)
        if it == 0:
            q_current = start = q_now
        q_best, index = q_nb.max(dim=1)
        better = q_best > q_current
        current = torch.where(better[:, None], _pick(cand, index), current)
        q_current = torch.where(better, q_best, q_current)
    return SearchResult(current, q_current, start)


def simulated_annealing(
    score_fn: ScoreFn,
    base: Tensor,
    sizes: Tensor,
    offsets: Tensor,
    schedule: AnnealingSchedule,
    explore: bool,
    generator: torch.Generator | None = None,
) -> SearchResult:
    """DNC's simulated-annealing search, batched over scenarios.

    Per iteration (``K`` from `AnnealingSchedule.pool_sizes`):

    1. score the current action and its neighbourhood;
    2. add the top-``K`` neighbours to the pool of good candidates;
    3. if the best neighbour beats the current action, move there;
    4. otherwise, when ``explore``: accept it anyway with `acceptance_probability` (then
       ``T ← T − acceptance_cooling``), else jump to a uniformly random pool member and remove
       it from the pool.

    Without ``explore`` (evaluation) step 4 is skipped, which is hill climbing.

    Args:
        score_fn: Critic scores of candidate batches (see `ScoreFn`).
        base: ``int64 [B, n_discrete]`` start actions (the rounded proto-actions).
        sizes: ``int64 [n_discrete]`` component sizes.
        offsets: The perturbation matrix (`perturbation_offsets`).
        schedule: Iterations and temperatures.
        explore: Training-mode search with downhill moves and random jumps.
        generator: Random stream of the acceptance tests and jumps.

    Returns:
        The best action scored during the search (never worse than ``base``).
    """
    pool_sizes = schedule.pool_sizes()
    if not pool_sizes:
        return score_only(score_fn, base)
    batch, device = base.shape[0], base.device
    gen_device = generator.device if generator is not None else torch.device("cpu")
    rows = torch.arange(batch, device=device)
    current = best = base
    start = best_q = temperature = torch.empty(0)
    pool = base.new_zeros(batch, 0, base.shape[1])
    pool_ok = torch.zeros(batch, 0, dtype=torch.bool, device=device)
    for it, k in enumerate(pool_sizes):
        cand, valid = neighbours(current, sizes, offsets)
        q_now, q_nb = _score(score_fn, current, cand, valid)
        if it == 0:
            start = best_q = q_now
            temperature = torch.full_like(q_now, schedule.initial_acceptance)
        top_q, top_index = q_nb.topk(min(k, q_nb.shape[1]), dim=1)
        top = cand.gather(1, top_index[..., None].expand(-1, -1, base.shape[1]))
        pool = torch.cat([pool, top], dim=1)
        pool_ok = torch.cat([pool_ok, torch.isfinite(top_q)], dim=1)

        q_best, index = q_nb.max(dim=1)
        neighbour = _pick(cand, index)
        improve = q_best > q_now
        record = q_best > best_q
        best = torch.where(record[:, None], neighbour, best)
        best_q = torch.where(record, q_best, best_q)
        if not explore:
            current = torch.where(improve[:, None], neighbour, current)
            continue
        uniform = torch.rand(batch, generator=generator, device=gen_device).to(device)
        downhill = ~improve & torch.isfinite(q_best)
        probability = acceptance_probability(
            q_now - q_best, temperature, schedule.bug_compatible_acceptance
        )
        accept = downhill & (uniform < probability)
        temperature = torch.where(accept, temperature - schedule.acceptance_cooling, temperature)
        # A uniformly random remaining pool member: arg-max of uniform keys over valid slots.
        keys = torch.rand(pool_ok.shape, generator=generator, device=gen_device).to(device)
        slot = keys.masked_fill(~pool_ok, -1.0).argmax(dim=1)
        jump = ~improve & ~accept & pool_ok.any(dim=1)
        pool_ok = pool_ok.clone()
        pool_ok[rows, slot] = pool_ok[rows, slot] & ~jump
        move_to = torch.where(jump[:, None], _pick(pool, slot), current)
        current = torch.where((improve | accept)[:, None], neighbour, move_to)
    # Every action the search can stand on was scored as a neighbour first, so `best` covers it.
    return SearchResult(best, best_q, start)

"""DNC's search mechanics: neighbourhoods, SA acceptance, greedy and SA results on known critics."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from hybrid_toolkit.algorithms.dnc import (
    AnnealingSchedule,
    acceptance_probability,
    greedy_search,
    neighbours,
    perturbation_offsets,
    simulated_annealing,
)


def separable_critic(weights: torch.Tensor):
    """A critic ``Q(a) = sum_i W[b, i, a_i]`` whose optimum is known per scenario."""

    def score(candidates: torch.Tensor) -> torch.Tensor:
        batch, m, d = candidates.shape
        rows = torch.arange(batch)[:, None, None].expand(batch, m, d)
        cols = torch.arange(d)[None, None, :].expand(batch, m, d)
        return weights[rows, cols, candidates].sum(dim=-1)

    return score


def line_critic(values: dict[int, float], default: float = -10.0):
    """A critic over one component: ``values[a]`` where given, ``default`` elsewhere."""

    def score(candidates: torch.Tensor) -> torch.Tensor:
        out = torch.full(candidates.shape[:2], default)
        for action, value in values.items():
            out = torch.where(candidates[..., 0] == action, value, out)
        return out

    return score


# ----------------------------------------------------------------------------- neighbourhoods
def test_perturbation_offsets_are_signed_unit_steps() -> None:
    offsets = perturbation_offsets(3, 2, "cpu")
    assert offsets.shape == (12, 3)
    assert (offsets != 0).sum(dim=1).eq(1).all()  # Hamming distance one
    steps = sorted(int(v) for v in offsets.sum(dim=1))
    assert steps == [-2, -2, -2, -1, -1, -1, 1, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError, match="radius"):
        perturbation_offsets(3, 0, "cpu")


@pytest.mark.parametrize("radius", [1, 3, 10])
def test_neighbours_are_valid_in_range_and_complete(radius: int) -> None:
    sizes = torch.tensor([2, 5, 7, 1])
    gen = torch.Generator().manual_seed(0)
    center = torch.stack([torch.randint(0, int(n), (64,), generator=gen) for n in sizes], 1)
    cand, valid = neighbours(center, sizes, perturbation_offsets(4, radius, "cpu"))
    assert ((cand >= 0) & (cand < sizes)).all(), "every candidate lies inside the space"
    for b in range(center.shape[0]):
        kept = {tuple(c.tolist()) for c, ok in zip(cand[b], valid[b], strict=True) if ok}
        expected = set()
        for i, n in enumerate(sizes.tolist()):
            for step in range(1, radius + 1):
                for sign in (1, -1):
                    value = int(center[b, i]) + sign * step
                    if 0 <= value < n:
                        moved = center[b].clone()
                        moved[i] = value
                        expected.add(tuple(moved.tolist()))
        assert kept == expected, "valid candidates are exactly the in-range ±j·e_i moves"
        assert int(valid[b].sum()) == len(expected), "no duplicates among the valid candidates"
        # clamped (invalid) candidates duplicate the centre or a valid one: masking them is
        # the reference code's clip-and-deduplicate
        dropped = {tuple(c.tolist()) for c, ok in zip(cand[b], valid[b], strict=True) if not ok}
        assert dropped <= expected | {tuple(center[b].tolist())}


# ----------------------------------------------------------------------------- acceptance
def test_acceptance_probability_as_specified() -> None:
    delta = torch.tensor([0.0, 0.1, 0.5, 2.0, 0.5, 0.5, 0.5])
    temp = torch.tensor([0.9, 0.9, 0.9, 0.9, 0.0, -0.1, 0.225])
    fixed = acceptance_probability(delta, temp)
    expected = [1.0, math.exp(-0.1 / 0.9), math.exp(-0.5 / 0.9), math.exp(-2 / 0.9), 0, 0]
    expected.append(math.exp(-0.5 / 0.225))
    torch.testing.assert_close(fixed, torch.tensor(expected))
    quirk = acceptance_probability(delta, temp, bug_compatible=True)
    assert quirk[5] == 1.0, "a negative temperature accepts every move in the reference code"
    torch.testing.assert_close(quirk[[0, 1, 2, 3, 4, 6]], fixed[[0, 1, 2, 3, 4, 6]])


def test_reference_temperature_turns_negative_after_five_accepts() -> None:
    schedule = AnnealingSchedule(initial_acceptance=0.9, acceptance_cooling=0.225)
    temps = [schedule.initial_acceptance - k * schedule.acceptance_cooling for k in range(6)]
    probs = acceptance_probability(torch.full((6,), 0.3), torch.tensor(temps), True)
    assert probs[-1] == 1.0 and temps[-1] < 0
    assert acceptance_probability(torch.full((6,), 0.3), torch.tensor(temps))[-1] == 0.0


# A one-component landscape: base 10 is a local maximum, its better-looking neighbour 11 is worse
# by `delta`, and 12 (reachable only from 11) is the global optimum. With K0 = 2 and cooling 0.5
# SA runs two iterations; after the first it either accepts the move to 11 (probability p) or
# jumps to one of the two pooled neighbours {9, 11} uniformly. It finds 12 with probability
# p + (1 - p) / 2.
@pytest.mark.parametrize(("delta", "temperature"), [(0.1, 0.9), (0.5, 0.9), (1.0, 0.5), (2.0, 0.4)])
def test_sa_accepts_downhill_moves_with_the_specified_probability(
    delta: float, temperature: float
) -> None:
    batch = 40_000
    score = line_critic({10: 0.0, 11: -delta, 12: 5.0, 9: -3.0})
    base = torch.full((batch, 1), 10)
    sizes, offsets = torch.tensor([30]), perturbation_offsets(1, 1, "cpu")
    schedule = AnnealingSchedule(2, 0.5, temperature, 0.0)
    gen = torch.Generator().manual_seed(1)
    result = simulated_annealing(score, base, sizes, offsets, schedule, True, gen)
    found = (result.discrete[:, 0] == 12).float().mean().item()
    p = math.exp(-delta / temperature)
    assert found == pytest.approx(p + (1 - p) / 2, abs=0.01)
    # every result is the best action seen: 12 when found, else the base
    assert set(result.discrete[:, 0].tolist()) <= {10, 12}
    evaluation = simulated_annealing(score, base, sizes, offsets, schedule, False)
    assert (evaluation.discrete == 10).all(), "without exploration SA is hill climbing"


@pytest.mark.parametrize(("bug_compatible", "expected"), [(True, 1.0), (False, 0.5)])
def test_sa_negative_temperature_quirk(bug_compatible: bool, expected: float) -> None:
    score = line_critic({10: 0.0, 11: -1.0, 12: 5.0, 9: -3.0})
    base = torch.full((20_000, 1), 10)
    schedule = AnnealingSchedule(2, 0.5, -0.1, 0.225, bug_compatible)
    gen = torch.Generator().manual_seed(2)
    offsets = perturbation_offsets(1, 1, "cpu")
    result = simulated_annealing(score, base, torch.tensor([30]), offsets, schedule, True, gen)
    found = (result.discrete[:, 0] == 12).float().mean().item()
    assert found == pytest.approx(expected, abs=0.015)


# ----------------------------------------------------------------------------- search results
def _brute_force_best_neighbour(score, base: torch.Tensor, sizes: torch.Tensor, radius: int):
    """Best of the base and its neighbourhood, by looping over every candidate."""
    best = []
    for b in range(base.shape[0]):
        options = [base[b].clone()]
        for i, n in enumerate(sizes.tolist()):
            for value in range(n):
                if value != int(base[b, i]) and abs(value - int(base[b, i])) <= radius:
                    moved = base[b].clone()
                    moved[i] = value
                    options.append(moved)
        stacked = torch.stack(options)
        values = score(stacked[None].expand(base.shape[0], -1, -1))[b]
        best.append(float(values.max()))
    return torch.tensor(best)


def test_greedy_finds_the_critics_best_neighbour() -> None:
    gen = torch.Generator().manual_seed(3)
    sizes = torch.tensor([6, 4, 9])
    weights = torch.randn(32, 3, 9, generator=gen)
    score = separable_critic(weights)
    base = torch.stack([torch.randint(0, int(n), (32,), generator=gen) for n in sizes], 1)
    result = greedy_search(score, base, sizes, perturbation_offsets(3, 2, "cpu"))
    torch.testing.assert_close(result.value, _brute_force_best_neighbour(score, base, sizes, 2))
    torch.testing.assert_close(score(result.discrete[:, None, :])[:, 0], result.value)
    torch.testing.assert_close(result.start_value, score(base[:, None, :])[:, 0])
    assert (result.discrete - base).ne(0).sum(dim=1).le(1).all(), "one move at most"


def test_sa_returns_the_best_action_seen_and_never_worse_than_the_base() -> None:
    gen = torch.Generator().manual_seed(4)
    sizes = torch.tensor([5, 5, 5, 5])
    weights = torch.randn(256, 4, 5, generator=gen)
    score = separable_critic(weights)
    base = torch.randint(0, 5, (256, 4), generator=gen)
    offsets = perturbation_offsets(4, 2, "cpu")
    schedule = AnnealingSchedule(8, 0.25)
    one_step = greedy_search(score, base, sizes, offsets, 1)
    for explore in (True, False):
        result = simulated_annealing(
            score, base, sizes, offsets, schedule, explore, torch.Generator().manual_seed(5)
        )
        assert ((result.discrete >= 0) & (result.discrete < sizes)).all()
        torch.testing.assert_close(score(result.discrete[:, None, :])[:, 0], result.value)
        assert (result.value >= one_step.value - 1e-6).all()
    hill = simulated_annealing(score, base, sizes, offsets, schedule, False)
    climbed = greedy_search(score, base, sizes, offsets, len(schedule.pool_sizes()))
    assert torch.equal(hill.discrete, climbed.discrete), "evaluation SA = hill climbing"
    # a separable critic has no local optima under single-component moves: climbing far enough
    # reaches the global optimum
    far = greedy_search(score, base, sizes, perturbation_offsets(4, 4, "cpu"), 4)
    torch.testing.assert_close(far.value, weights.max(dim=-1).values.sum(dim=-1))


def test_zero_search_steps_return_the_base_action() -> None:
    score = separable_critic(torch.randn(8, 2, 3))
    base = torch.randint(0, 3, (8, 2))
    sizes, offsets = torch.tensor([3, 3]), perturbation_offsets(2, 1, "cpu")
    for result in (
        simulated_annealing(score, base, sizes, offsets, AnnealingSchedule(0), True),
        greedy_search(score, base, sizes, offsets, 0),
    ):
        assert torch.equal(result.discrete, base)
        torch.testing.assert_close(result.value, result.start_value)


def test_pool_sizes_follow_the_cooling_schedule() -> None:
    assert AnnealingSchedule(1, 0.1).pool_sizes() == [1]  # the reference default: one pass
    assert AnnealingSchedule(8, 0.25).pool_sizes() == [8, 6, 4, 2]
    assert AnnealingSchedule(10, 0.25).pool_sizes() == [10, 8, 6, 4, 2]
    assert AnnealingSchedule(0).pool_sizes() == []


def test_sa_is_reproducible_with_a_seeded_generator() -> None:
    gen = torch.Generator().manual_seed(6)
    weights = torch.randn(128, 3, 7, generator=gen)
    base = torch.randint(0, 7, (128, 3), generator=gen)
    sizes, offsets = torch.tensor([7, 7, 7]), perturbation_offsets(3, 3, "cpu")
    runs = [
        simulated_annealing(
            separable_critic(weights),
            base,
            sizes,
            offsets,
            AnnealingSchedule(6, 0.2),
            True,
            torch.Generator().manual_seed(seed),
        ).discrete
        for seed in (7, 7)
    ]
    assert torch.equal(*runs)


def test_sa_scores_every_scenario_in_one_call_per_iteration() -> None:
    calls: list[tuple[int, ...]] = []
    weights = torch.randn(16, 2, 4)

    def counting(candidates: torch.Tensor) -> torch.Tensor:
        calls.append(tuple(candidates.shape))
        return separable_critic(weights)(candidates)

    schedule = AnnealingSchedule(8, 0.25)
    offsets = perturbation_offsets(2, 2, "cpu")
    base = torch.zeros(16, 2, dtype=torch.int64)
    simulated_annealing(counting, base, torch.tensor([4, 4]), offsets, schedule, True)
    assert calls == [(16, 9, 2)] * len(schedule.pool_sizes())


def test_product_iterator_helper_is_exhaustive() -> None:
    # guard for the brute-force helper above: it must see all single-component moves
    sizes = torch.tensor([3, 2])
    base = torch.tensor([[1, 0]])
    table = {a: float(i) for i, a in enumerate(itertools.product(range(3), range(2)))}

    def score(candidates: torch.Tensor) -> torch.Tensor:
        flat = candidates.reshape(-1, 2).tolist()
        return torch.tensor([table[tuple(c)] for c in flat]).reshape(candidates.shape[:2])

    assert float(_brute_force_best_neighbour(score, base, sizes, 5)[0]) == table[(2, 0)]

"""Maze actuators: the normaliser against brute force, the fixed shuffle, broken locality."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

import hybrid_toolkit.envs.families.maze  # noqa: F401  (registers the maze ids)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.maze import MazeConfig, MazeEnv
from hybrid_toolkit.envs.families.maze.actuators import (
    actuator_vectors,
    direction_vectors,
    max_subset_norm,
    splitmix64_permutation,
)
from hybrid_toolkit.spaces import HybridAction


def reference_vectors(n: int) -> list[tuple[float, float]]:
    """The reference code's actuator vectors, with Python's math and round (independent)."""
    angles = [2 * math.pi * k / n for k in range(n)]
    return [(round(math.cos(a), 3), round(math.sin(a), 3)) for a in angles]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 8, 11, 12])
def test_normaliser_equals_brute_force_over_all_subsets(n: int) -> None:
    vectors = reference_vectors(n)
    best = 0.0
    for bits in itertools.product([0, 1], repeat=n):
        x = sum(b * v[0] for b, v in zip(bits, vectors, strict=True))
        y = sum(b * v[1] for b, v in zip(bits, vectors, strict=True))
        best = max(best, math.hypot(x, y))
    assert max_subset_norm(direction_vectors(n)) == pytest.approx(best, rel=1e-12)


def test_normaliser_matches_reference_constant_and_closed_form() -> None:
    # The reference code hard-codes n = 28 (2^28 subsets were too many to enumerate).
    assert max_subset_norm(direction_vectors(28)) == pytest.approx(8.93217285994847, rel=1e-12)
    for n in (4, 8, 12, 16, 20, 24, 64):  # 1/sin(pi/n) up to the 3-decimal rounding
        assert max_subset_norm(direction_vectors(n)) == pytest.approx(
            1 / math.sin(math.pi / n), rel=2e-3
        )
        exact = max_subset_norm(direction_vectors(n, round_decimals=-1))
        assert exact == pytest.approx(1 / math.sin(math.pi / n), rel=1e-9)


def test_largest_motion_has_unit_length() -> None:
    # Binary: the half of the actuators around a heading; slots: all slots on one actuator.
    dnc = make("MazeDNC-v0")
    assert isinstance(dnc, MazeEnv)
    half = HybridAction(torch.tensor([[1] * 6 + [0] * 6]), torch.zeros(1, 0))
    assert dnc.motion(half).norm().item() == pytest.approx(1.0, abs=1e-6)
    env = make("Maze-v0", round_decimals=-1)
    assert isinstance(env, MazeEnv)
    same = HybridAction(torch.tensor([[5, 5, 5, 5]]), torch.zeros(1, 0))
    assert env.motion(same).norm().item() == pytest.approx(1.0, abs=1e-6)
    sample = env.action_space.sample(4096, generator=torch.Generator().manual_seed(0))
    assert float(env.motion(sample).norm(dim=1).max()) <= 1.0 + 1e-6


def test_shuffle_is_a_fixed_permutation_that_keeps_do_nothing_first() -> None:
    perm = splitmix64_permutation(16, 20260209)
    assert sorted(perm) == list(range(16)) and perm != list(range(16))
    assert perm == splitmix64_permutation(16, 20260209)
    assert perm != splitmix64_permutation(16, 1)
    structured = actuator_vectors(MazeConfig())
    irregular = actuator_vectors(MazeConfig(actuator_order="irregular"))
    assert torch.equal(irregular[0], torch.zeros(2, dtype=torch.float64))
    assert torch.equal(irregular[1:], structured[1:][perm])
    # The same motions exist; only which index produces which changed.
    assert sorted(map(tuple, irregular.tolist())) == sorted(map(tuple, structured.tolist()))


def _mean_neighbour_motion_gap(name: str) -> float:
    """Mean |motion(a) - motion(b)| over random pairs at Chebyshev distance exactly 1."""
    env = make(name)
    assert isinstance(env, MazeEnv)
    return _mean_neighbour_motion_gap_for(env)


def _mean_neighbour_motion_gap_for(env: MazeEnv, samples: int = 20_000) -> float:
    gen = torch.Generator().manual_seed(0)
    a = env.action_space.sample(samples, generator=gen).discrete
    high = env.action_space.nvec - 1
    b = torch.minimum(torch.clamp(a + torch.randint(-1, 2, a.shape, generator=gen), min=0), high)
    keep = (a - b).abs().amax(dim=1) == 1
    none = torch.zeros(int(keep.sum()), 0)
    gap = env.motion(HybridAction(a[keep], none)) - env.motion(HybridAction(b[keep], none))
    return float(gap.norm(dim=1).mean())


def test_irregular_maze_breaks_locality() -> None:
    structured = _mean_neighbour_motion_gap("Maze-v0")
    irregular = _mean_neighbour_motion_gap("MazeIrregular-v0")
    # Structured: neighbouring indices are neighbouring angles (chord 2 sin(11.25 deg) = 0.39
    # per changed slot, divided by 4 slots); irregular: random angles (mean chord about 1.2).
    assert irregular > 2.5 * structured


def test_shuffling_on_off_actuators_cannot_break_locality() -> None:
    # Why the DGRL ids use slots: permuting binary coordinates maps Chebyshev neighbours to
    # Chebyshev neighbours, so the statistic is unchanged (up to sampling noise).
    structured = _mean_neighbour_motion_gap("MazeDNC-v0")
    env = make("MazeDNC-v0", actuator_order="irregular")
    assert isinstance(env, MazeEnv) and env.config.actuator_order == "irregular"
    irregular = _mean_neighbour_motion_gap_for(env)
    assert irregular == pytest.approx(structured, rel=0.05)

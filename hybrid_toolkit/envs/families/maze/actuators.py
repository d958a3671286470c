"""Actuator vectors of the maze, their fixed shuffle and the normaliser of the combined motion.

Nothing here enumerates the action space: the normaliser (the largest norm any action's summed
actuator vectors reach) has a closed form for the slot encoding and is found by an ``O(n^2)``
half-plane sweep for the binary encoding.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.maze.config import MazeConfig

_MASK64 = (1 << 64) - 1


def direction_vectors(n_directions: int, round_decimals: int = 3) -> Tensor:
    """Unit vectors at angles ``2*pi*k/n_directions``, ``k = 0..n_directions-1`` (float64).

    Components are rounded to ``round_decimals`` decimals as in the reference code (``-1`` keeps
    full precision), so ``cos(pi/2)`` becomes exactly 0.
    """
    angles = torch.arange(n_directions, dtype=torch.float64) * (2.0 * math.pi / n_directions)
    vectors = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    if round_decimals >= 0:
        vectors = torch.round(vectors, decimals=round_decimals)
    return vectors


def splitmix64_permutation(n: int, seed: int) -> list[int]:
    """A permutation of ``range(n)``: Fisher-Yates driven by SplitMix64 seeded with ``seed``.

    Written out (rather than ``torch.randperm``) so the irregular maze is the same on every
    torch version and device.
    """
    state = seed & _MASK64
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        z ^= z >> 31
        j = z % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def actuator_vectors(config: MazeConfig) -> Tensor:
    """The ``[n_actuators, 2]`` actuator table (float64), in the order the action indexes it.

    With ``do_nothing`` row 0 is zero and the other ``n_actuators - 1`` rows are evenly spaced
    directions; otherwise all rows are directions. The irregular order shuffles the direction
    rows (never the do-nothing row) with :func:`splitmix64_permutation`.
    """
    n_dirs = config.n_actuators - (1 if config.do_nothing else 0)
    dirs = direction_vectors(n_dirs, config.round_decimals)
    if config.actuator_order == "irregular":
        dirs = dirs[splitmix64_permutation(n_dirs, config.shuffle_seed)]
    if config.do_nothing:
        dirs = torch.cat([torch.zeros(1, 2, dtype=torch.float64), dirs], dim=0)
    return dirs


def max_subset_norm(vectors: Tensor) -> float:
    """``max over subsets S of |sum_{i in S} v_i|`` without enumerating the ``2^n`` subsets.

    An optimal subset with sum ``s`` contains exactly the vectors with a positive component
    along ``s`` (adding one with a non-negative component, or dropping one with a negative
    component, would not shorten the sum), so it is a strict half-plane set. Half-plane sets
    only change where the direction crosses a normal of some vector: testing one direction
    between each pair of consecutive normals covers all of them (``O(n^2)``).

    For ``n`` evenly spaced unit vectors this is ``1 / sin(pi / n)`` for even ``n`` (the
    closed form of the DNC spec) up to the reference code's rounding of the components.
    """
    v = vectors.to(torch.float64)
    v = v[v.norm(dim=1) > 0]
    if v.shape[0] == 0:
        return 0.0
    normals = torch.atan2(v[:, 1], v[:, 0])
    critical = torch.cat([normals + math.pi / 2, normals - math.pi / 2]) % (2 * math.pi)
    critical = torch.sort(critical).values
    gaps = torch.diff(critical, append=critical[:1] + 2 * math.pi)
    mids = critical + gaps / 2
    directions = torch.stack([torch.cos(mids), torch.sin(mids)], dim=1)
    chosen = (v @ directions.T > 0).to(torch.float64)  # [n, K]
    sums = chosen.T @ v  # [K, 2]
    return float(sums.norm(dim=1).max())


def motion_normaliser(config: MazeConfig, table: Tensor) -> float:
    """The largest norm of the summed actuator vectors over all actions (so motions are <= 1).

    Slots: every slot picks the longest actuator, giving ``n_slots * max |v|`` exactly.
    Binary: :func:`max_subset_norm` of the table.
    """
    if config.encoding == "slots":
        return float(config.n_slots * table.norm(dim=1).max())
    return max_subset_norm(table)

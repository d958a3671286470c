"""Reference policies of the maze: uniform random and a geodesic shortest-path controller."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from hybrid_toolkit.envs.families.maze.env import MazeEnv
from hybrid_toolkit.envs.families.maze.geometry import (
    BLOCKED,
    GOAL,
    TILE,
    MazeGeometry,
    classify,
    resolve_substeps,
)
from hybrid_toolkit.envs.outcomes import UniformRandomPolicy
from hybrid_toolkit.spaces import HybridAction


class MazeRandomPolicy(UniformRandomPolicy):
    """Uniformly random actions (continuous step length uniform in its bounds).

    The shared :class:`~hybrid_toolkit.envs.outcomes.UniformRandomPolicy` under the name this
    family's docs and tests use.

    Args:
        env: The maze (its action space and device are used).
        seed: Seed of the policy's own generator, independent of the env's.
    """


def geodesic_distance_field(geometry: MazeGeometry, resolution: int = 200) -> Tensor:
    """Shortest-path distance to the goal around walls and teleport tiles, on a grid.

    Node ``[i, j]`` is the point ``(i, j) / resolution``; paths use a 16-neighbour grid graph
    (see :func:`_neighbour_min`). Nodes inside obstacles get their neighbours'
    distance plus one grid step, so points just beside a wall that round onto it stay usable.

    Returns:
        ``[resolution + 1, resolution + 1]`` float32 tensor on the geometry's device.
    """
    device = geometry.eval_start.device
    axis = torch.arange(resolution + 1, device=device, dtype=torch.float32) / resolution
    grid = torch.stack(torch.meshgrid(axis, axis, indexing="ij"), dim=-1)
    kind = classify(geometry, grid)
    blocked = (kind == BLOCKED) | (kind == TILE)
    inf = torch.tensor(math.inf, device=device)
    dist = torch.where(kind == GOAL, 0.0, inf)
    for sweep in range(4 * (resolution + 1) ** 2):  # bound far above any path length
        relaxed = torch.where(blocked, inf, torch.minimum(dist, _neighbour_min(dist, resolution)))
        if sweep % 32 == 0 and torch.equal(relaxed, dist):
            break
        dist = relaxed
    for _ in range(2):
        dist = torch.where(blocked, _neighbour_min(dist, resolution), dist)
    return dist


def _neighbour_min(dist: Tensor, resolution: int) -> Tensor:
    """Per node, the smallest neighbour distance plus the length of the edge to it.

    Neighbours are the 16 nodes reachable by king and knight moves, so grid paths are at most
    about 3 % longer than straight lines (8 neighbours alone: 8 %).
    """
    n = dist.shape[0]
    padded = F.pad(dist[None, None], (2, 2, 2, 2), value=math.inf)[0, 0]
    best = torch.full_like(dist, math.inf)
    for dx, dy in _MOVES:
        shifted = padded[2 + dx : 2 + dx + n, 2 + dy : 2 + dy + n]
        best = torch.minimum(best, shifted + math.hypot(dx, dy) / resolution)
    return best


_MOVES = [
    (dx, dy)
    for dx in range(-2, 3)
    for dy in range(-2, 3)
    if max(abs(dx), abs(dy)) == 1 or {abs(dx), abs(dy)} == {1, 2}
]


class MazeShortestPathPolicy:
    """Greedy one-step lookahead on the geodesic distance to the goal.

    It simulates a fixed set of candidate actions without noise (walls, goal and teleport
    tiles included) from each observed position and picks the one whose end position is
    closest to the goal along :func:`geodesic_distance_field`. Candidates: for the slot encoding,
    splits of the slots between two angularly adjacent actuators (with idle slots for shorter
    steps); for the binary encoding, arcs of consecutive actuators. The hybrid step length is
    always the maximum.

    Args:
        env: The maze to control.
        resolution: Grid resolution of the distance field.
    """

    def __init__(self, env: MazeEnv, resolution: int = 200) -> None:
        self.env = env
        self.resolution = resolution
        self.distance = geodesic_distance_field(env.geometry, resolution)
        self.candidates = self._candidate_actions()
        cand = self.candidates
        self._planned = env.motion(cand) * env.substep_length(cand)  # [C, 2] per sub-step
        self._n_passes = env.geometry.n_passes(env.config.n_substeps, env.config.step_unit)

    def _candidate_actions(self) -> HybridAction:
        env, cfg = self.env, self.env.config
        moving = torch.nonzero(env.actuators.norm(dim=1) > 0).flatten().cpu()
        vectors = env.actuators[moving].cpu()
        order = moving[torch.argsort(torch.atan2(vectors[:, 1], vectors[:, 0]))].tolist()
        if cfg.encoding == "slots":
            rows = self._slot_rows(order, cfg.n_slots, can_idle=cfg.do_nothing)
        else:
            rows = self._arc_rows(order, cfg.n_actuators)
        discrete = torch.tensor(rows, dtype=torch.int64)
        continuous = torch.full(
            (discrete.shape[0], env.action_space.n_continuous), cfg.max_step_length
        )
        return HybridAction(discrete.to(env.device), continuous.to(env.device))

    @staticmethod
    def _slot_rows(order: list[int], n_slots: int, can_idle: bool) -> list[list[int]]:
        """Slot vectors splitting ``used`` slots between two adjacent directions, the rest on
        the do-nothing actuator 0.

        Fewer used slots give shorter steps (needed to turn around wall corners); without a
        do-nothing actuator every slot is used. At most 6 lengths and 9 splits per length.
        """
        lengths = _spread(1, n_slots, 6) if can_idle else [n_slots]
        rows = []
        for a, b in zip(order, order[1:] + order[:1], strict=True):
            for used in lengths:
                for k in _spread(0, used, 9):
                    rows.append([a] * k + [b] * (used - k) + [0] * (n_slots - used))
        return rows

    @staticmethod
    def _arc_rows(order: list[int], n_actuators: int) -> list[list[int]]:
        """On/off vectors switching on an arc of angularly consecutive actuators.

        An arc of half the actuators moves at full speed towards its middle; shorter arcs move
        more slowly.
        """
        n_dirs = len(order)
        rows = []
        for first in range(n_dirs):
            for size in range(1, (n_dirs + 1) // 2 + 1):
                row = [0] * n_actuators
                for offset in range(size):
                    row[order[(first + offset) % n_dirs]] = 1
                rows.append(row)
        return rows

    def __call__(self, obs: Tensor) -> HybridAction:
        """Actions for a batch of observed positions ``[B, 2]``."""
        env = self.env
        batch, n_cand = obs.shape[0], self._planned.shape[0]
        start = obs.to(env.device)[:, None, :].expand(batch, n_cand, 2).reshape(-1, 2)
        deltas = self._planned[None, :, None, :].expand(batch, n_cand, env.config.n_substeps, 2)
        outcome = resolve_substeps(
            env.geometry, start, deltas.reshape(-1, env.config.n_substeps, 2), self._n_passes
        )
        idx = (outcome.position * self.resolution).round().long().clamp(0, self.resolution)
        score = self.distance[idx[:, 0], idx[:, 1]]
        score = score - 1e3 * outcome.goal_reached.float() + 1e3 * outcome.teleports.float()
        best = score.reshape(batch, n_cand).argmin(dim=1)
        return HybridAction(self.candidates.discrete[best], self.candidates.continuous[best])


def _spread(low: int, high: int, count: int) -> list[int]:
    """At most ``count`` distinct integers spread evenly over ``[low, high]``, ends included."""
    if high - low + 1 <= count:
        return list(range(low, high + 1))
    return sorted({round(low + (high - low) * i / (count - 1)) for i in range(count)})


def maze_episode_returns(
    env: MazeEnv, policy: MazeRandomPolicy | MazeShortestPathPolicy, seed: int
) -> Tensor:
    """``[B]`` return of the first episode of every scenario of ``env`` under ``policy``.

    Runs ``max_steps`` steps after ``env.reset(seed=seed)``, which every episode fits in.
    """
    obs = env.reset(seed=seed)
    returns = torch.zeros(env.num_envs, device=env.device)
    finished = torch.zeros(env.num_envs, dtype=torch.bool, device=env.device)
    for _ in range(env.config.max_steps):
        step = env.step(policy(obs))
        done = step.terminated | step.truncated
        returns = torch.where(done & ~finished, step.info["episode_return"], returns)
        finished = finished | done
        obs = step.obs
    return returns

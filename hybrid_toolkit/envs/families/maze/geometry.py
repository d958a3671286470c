"""Maze geometry (walls, goal, teleport tiles, starts) and the batched sub-step resolution.

Regions are closed axis-aligned rectangles ``(x1, y1, x2, y2)`` in the unit square, as in the
reference code's ``in_region``. All checks are batched over scenarios *and* sub-steps: the
candidate positions of every sub-step are the start position plus a cumulative sum of the
displacements, valid up to the first event (a blocked sub-step, the goal, a teleport tile).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from hybrid_toolkit.envs.families.maze.config import MazeLayout

Rect = tuple[float, float, float, float]

L_WALLS: tuple[Rect, ...] = ((0.0, 0.25, 0.50, 0.30), (0.50, 0.25, 0.55, 0.75))
L_GOAL: Rect = (0.25, 0.45, 0.30, 0.50)
L_EVAL_START = (0.25, 0.10)
TELEPORT_TILES: tuple[Rect, ...] = ((0.4, 0.4, 0.6, 0.6),)
TELEPORT_GOAL: Rect = (0.0, 0.45, 0.05, 0.50)
TELEPORT_EVAL_START = (0.99, 0.01)


@dataclass(frozen=True)
class MazeGeometry:
    """The fixed geometry of one layout; the tensors live on the env's device.

    Attributes:
        walls: Impassable rectangles.
        goal: Goal rectangle.
        tiles: Teleport tiles; entering one sends the agent to ``eval_start``.
        eval_start: ``[2]`` evaluation start (also the teleport destination).
        free_cells: ``[F, 4]`` disjoint rectangles covering the unit square minus walls,
            tiles and goal (where training episodes start).
        free_cum_area: ``[F]`` cumulative areas of ``free_cells``.
    """

    walls: tuple[Rect, ...]
    goal: Rect
    tiles: tuple[Rect, ...]
    eval_start: Tensor
    free_cells: Tensor
    free_cum_area: Tensor

    @classmethod
    def for_layout(cls, layout: MazeLayout, device: torch.device) -> MazeGeometry:
        """The geometry of ``layout`` (``"l-walls"``, ``"teleport"`` or ``"open"``)."""
        walls: tuple[Rect, ...] = L_WALLS if layout == "l-walls" else ()
        tiles: tuple[Rect, ...] = TELEPORT_TILES if layout == "teleport" else ()
        goal = TELEPORT_GOAL if layout == "teleport" else L_GOAL
        start = TELEPORT_EVAL_START if layout == "teleport" else L_EVAL_START

        cells = _free_cells((*walls, *tiles, goal))
        areas = torch.tensor([(c[2] - c[0]) * (c[3] - c[1]) for c in cells], dtype=torch.float64)
        return cls(
            walls=walls,
            goal=goal,
            tiles=tiles,
            eval_start=torch.tensor(start, dtype=torch.float32, device=device),
            free_cells=torch.tensor(cells, dtype=torch.float32, device=device),
            free_cum_area=torch.cumsum(areas, 0).to(torch.float32).to(device),
        )

    def n_passes(self, n_substeps: int, max_substep: float) -> int:
        """How many event passes :func:`resolve_substeps` needs to follow every teleport.

        One pass reaches the first event; each teleport restarts from ``eval_start`` and needs
        another. A restart needs at least ``k`` sub-steps to reach a tile again, with ``k`` the
        L-infinity distance from ``eval_start`` to the nearest tile over the longest sub-step.
        """
        if not self.tiles:
            return 1
        x, y = self.eval_start.tolist()
        gap = min(max(x1 - x, x - x2, y1 - y, y - y2, 0.0) for x1, y1, x2, y2 in self.tiles)
        k = max(1, math.ceil(gap / max_substep))
        return 2 + (n_substeps - 1) // k


def _free_cells(obstacles: tuple[Rect, ...]) -> list[Rect]:
    """Disjoint rectangles covering the unit square minus ``obstacles``.

    The obstacles' edges cut the square into a grid of cells; a cell is free when its centre
    lies in no obstacle (a cell is either inside an obstacle or disjoint from its interior).
    """
    xs = sorted({0.0, 1.0, *(v for r in obstacles for v in (r[0], r[2]))})
    ys = sorted({0.0, 1.0, *(v for r in obstacles for v in (r[1], r[3]))})
    cells = []
    for x1, x2 in itertools.pairwise(xs):
        for y1, y2 in itertools.pairwise(ys):
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            if not any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in obstacles):
                cells.append((x1, y1, x2, y2))
    return cells


def in_rects(points: Tensor, rects: tuple[Rect, ...]) -> Tensor:
    """Bool ``[...]``: whether each point ``[..., 2]`` lies in any of the closed rectangles.

    One scalar comparison per edge: with a handful of rectangles this beats a broadcast
    comparison against a ``[R, 4]`` tensor several times over.
    """
    x, y = points[..., 0], points[..., 1]
    inside = torch.zeros(points.shape[:-1], dtype=torch.bool, device=points.device)
    for x1, y1, x2, y2 in rects:
        inside = inside | ((x >= x1) & (x <= x2) & (y >= y1) & (y <= y2))
    return inside


def outside_unit_square(points: Tensor) -> Tensor:
    """Bool ``[...]``: whether each point ``[..., 2]`` lies outside the closed unit square."""
    return (points != points.clamp(0.0, 1.0)).any(dim=-1)


class SubstepOutcome(NamedTuple):
    """Result of :func:`resolve_substeps` (all ``[B]`` except ``position``, ``[B, 2]``)."""

    position: Tensor
    goal_reached: Tensor
    collided: Tensor
    teleports: Tensor


FREE, BLOCKED, TILE, GOAL = 0, 1, 2, 3
"""The kinds of point :func:`classify` returns."""


def classify(geometry: MazeGeometry, points: Tensor) -> Tensor:
    """``int64 [...]`` kind of each point: free 0, blocked 1, teleport tile 2, goal 3.

    Blocked (a wall or outside the square) wins over a tile, a tile over the goal, matching the
    order of the reference code's checks.
    """
    kind = torch.where(in_rects(points, (geometry.goal,)), GOAL, FREE)
    if geometry.tiles:
        kind = torch.where(in_rects(points, geometry.tiles), TILE, kind)
    blocked = outside_unit_square(points) | in_rects(points, geometry.walls)
    return torch.where(blocked, BLOCKED, kind)


def resolve_substeps(
    geometry: MazeGeometry, position: Tensor, deltas: Tensor, n_passes: int
) -> SubstepOutcome:
    """Move every scenario through its sub-step displacements, batched over all sub-steps.

    Per sub-step (reference semantics): a candidate inside a wall or outside the unit square is
    blocked, the agent stays and the remaining sub-steps are skipped; a candidate inside a
    teleport tile sends the agent to ``eval_start`` and sub-stepping continues from there; a
    candidate inside the goal is taken and sub-stepping stops.

    Args:
        geometry: The layout.
        position: ``[B, 2]`` positions before the step.
        deltas: ``[B, S, 2]`` displacement of each sub-step.
        n_passes: :meth:`MazeGeometry.n_passes` for this layout and ``S``.
    """
    batch, n_sub = deltas.shape[:2]
    zeros = torch.zeros(batch, 1, 2, dtype=deltas.dtype, device=deltas.device)
    cum = torch.cat([zeros, torch.cumsum(deltas, dim=1)], dim=1)  # cum[:, j]: first j deltas
    index = torch.arange(n_sub, device=deltas.device)
    anchor = position
    anchor_idx = torch.zeros(batch, dtype=torch.int64, device=deltas.device)
    active = torch.ones(batch, dtype=torch.bool, device=deltas.device)
    final = position
    goal = torch.zeros(batch, dtype=torch.bool, device=deltas.device)
    collided = torch.zeros_like(goal)
    teleports = torch.zeros(batch, dtype=torch.int64, device=deltas.device)
    for _ in range(n_passes):
        base = _take(cum, anchor_idx)
        kind = classify(geometry, anchor[:, None, :] + cum[:, 1:] - base[:, None, :])
        live = (index >= anchor_idx[:, None]) & active[:, None]
        first = torch.where((kind != FREE) & live, index, n_sub).min(dim=1).values
        # A FREE sentinel column makes "no event" (first == S) an ordinary lookup.
        event = F.pad(kind, (0, 1), value=FREE).gather(1, first[:, None]).squeeze(1)
        hit_goal, hit_tile = event == GOAL, event == TILE
        # Blocked or no event: the position after the sub-steps before `first`; goal: one more.
        end = anchor + _take(cum, first + hit_goal.long()) - base
        end = torch.where(hit_tile[:, None], geometry.eval_start, end)
        final = torch.where(active[:, None], end, final)
        goal = goal | (active & hit_goal)
        collided = collided | (active & (event == BLOCKED))
        teleports = teleports + (active & hit_tile).long()
        anchor = torch.where(hit_tile[:, None], geometry.eval_start, anchor)
        anchor_idx = torch.where(hit_tile, first + 1, anchor_idx)
        active = active & hit_tile
    return SubstepOutcome(final, goal, collided, teleports)


def _take(cum: Tensor, idx: Tensor) -> Tensor:
    """``cum[b, idx[b]]`` for every ``b``: ``[B, S+1, 2]``, ``[B]`` -> ``[B, 2]``."""
    return cum.gather(1, idx[:, None, None].expand(-1, 1, cum.shape[2])).squeeze(1)


def sample_free_positions(geometry: MazeGeometry, count: int, generator: torch.Generator) -> Tensor:
    """``[count, 2]`` positions uniform over the free area (outside walls, goal and tiles).

    Exact and rejection-free: a free cell is drawn with probability proportional to its area,
    then a uniform point inside it, kept a hair off the cell's edges (which may touch walls).
    """
    device = geometry.eval_start.device
    u = torch.rand(count, 3, generator=generator, device=device)
    total = geometry.free_cum_area[-1]
    cell = torch.searchsorted(geometry.free_cum_area, u[:, :1] * total).squeeze(1)
    rect = geometry.free_cells[cell.clamp(max=geometry.free_cells.shape[0] - 1)]
    margin = 1e-6
    low, high = rect[:, :2] + margin, rect[:, 2:] - margin
    return low + u[:, 1:] * (high - low)

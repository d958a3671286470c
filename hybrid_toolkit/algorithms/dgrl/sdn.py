"""SDN — Sampled Dynamic Neighbourhoods (DGRL paper §3.1, App. C).

Around a proto-action ``a`` (a point of the relaxed box), SDN builds per discrete dimension the
*options*: the choices ``x`` with ``|x - a_j| <= r`` inside the component's range (round down
and up, then extend one step at a time up to the radius). It draws every dimension of ``2k``
candidates independently, with probabilities falling with ``|x - a_j|``, removes duplicates,
keeps ``k`` and puts the nearest neighbour of ``a`` in front. By construction every candidate
lies in the Chebyshev ball of radius ``r`` around ``a``. The continuous part of a hybrid
proto-action gets a Gaussian neighbourhood drawn at the same time, so the critic scores joint
tuples. The cost is ``O(B k d r)``, independent of ``|A|``, and everything is one batch over
scenarios *and* candidates.

Discrete coordinates are measured in **index steps**: a component with irregular positions is
read through the piecewise-linear map position → fractional index, so ``r`` counts choices,
and rounding the fractional index is exactly `RelaxedCoordinates.project_indices` (the map
keeps midpoints).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.finite import require_finite_proto
from hybrid_toolkit.spaces import HybridAction, RelaxedCoordinates

DistanceScheme = Literal["linear", "softmax"]
SelectionScheme = Literal["rank", "softmax"]


def heuristic_radius(sizes: list[int]) -> int:
    """Default Chebyshev radius: 5 % of the widest component's index range, clamped to 1-10.

    The paper (App. D.3) keeps ``r`` in 1-10 and derives it from the action space; its formula
    was lost in the text extraction. A radius in index steps only means something relative to
    the grid: ``r = 1`` already covers a binary component, while a 101-level load needs a few
    steps to explore. A radius beyond the largest component adds nothing.
    """
    widest = max(sizes, default=1)
    radius = min(10, max(1, math.ceil(0.05 * (widest - 1))))
    return max(1, min(radius, widest - 1))


def heuristic_num_candidates(n_dims: int, radius: int) -> int:
    """Default number of sampled candidates: ``clamp(2 r d, 10, 100)``.

    ``2 r d`` is the size of the axial neighbourhood DNC scores (``±1..r`` steps along each of
    the ``d`` dimensions), so SDN spends the same critic budget on a volumetric sample of the
    Chebyshev ball; over ``k >= 2 r`` independent draws each option of each dimension is seen
    at least about once on average (the paper's "every dimension explored at least once per
    update"). The clamp is the paper's usual range 10-100.
    """
    return min(100, max(10, 2 * radius * max(n_dims, 1)))


@dataclass(frozen=True)
class Candidates:
    """A batch of candidate actions per scenario.

    Attributes:
        discrete: ``int64 [B, K, n_discrete]`` indices; slot 0 is the nearest neighbour of the
            proto-action; invalid slots repeat it.
        continuous: ``[B, K, n_continuous]`` parameter values inside the box.
        valid: ``bool [B, K]``: the slot holds a distinct candidate (slot 0 always does).
    """

    discrete: Tensor
    continuous: Tensor
    valid: Tensor

    def take(self, index: Tensor) -> HybridAction:
        """Candidate ``index[b]`` of every scenario ``b``, as a `HybridAction` batch."""
        rows = torch.arange(index.shape[0], device=index.device)
        return HybridAction(self.discrete[rows, index], self.continuous[rows, index])


class SampledDynamicNeighborhood:
    """DGRL's candidate sampler: per-space tables, draws from a caller's generator.

    Args:
        coords: Relaxed coordinates of the action space (their device is used throughout).
        radius: Chebyshev radius ``r >= 1`` in index steps.
        num_candidates: ``k >= 1`` sampled candidates kept (plus the nearest neighbour).
        scheme: Per-dimension option weights: ``"linear"``, ``w = r - |x - a_j| + temperature``
            (the paper's default), or ``"softmax"``, ``w = exp(-|x - a_j| / temperature)``.
        temperature: Temperature of the scheme (``> 0``; larger is flatter).
        continuous_std: Std of the Gaussian neighbourhood of the continuous part, in [-1, 1]
            units.
    """

    def __init__(
        self,
        coords: RelaxedCoordinates,
        radius: int,
        num_candidates: int,
        scheme: DistanceScheme = "linear",
        temperature: float = 1.0,
        continuous_std: float = 0.1,
    ) -> None:
        if isinstance(radius, bool) or not isinstance(radius, int) or radius < 1:
            raise ValueError(f"SDN radius must be an integer >= 1, got {radius!r}")
        if isinstance(num_candidates, bool) or not isinstance(num_candidates, int):
            raise ValueError(f"SDN num_candidates must be an integer >= 1, got {num_candidates!r}")
        if num_candidates < 1:
            raise ValueError(f"SDN num_candidates must be an integer >= 1, got {num_candidates!r}")
        if scheme not in ("linear", "softmax"):
            raise ValueError(f"SDN scheme must be 'linear' or 'softmax', got {scheme!r}")
        if not temperature > 0:
            raise ValueError(f"SDN temperature must be > 0, got {temperature!r}")
        if not continuous_std >= 0:
            raise ValueError(f"SDN continuous_std must be >= 0, got {continuous_std!r}")
        self.coords = coords
        self.radius = radius
        self.num_candidates = num_candidates
        self.scheme = scheme
        self.temperature = float(temperature)
        self.continuous_std = float(continuous_std)
        device = coords.device
        self._last = coords.sizes.to(device) - 1  # [n_d] largest index
        self._positions = coords.positions.to(device, torch.float64)  # [n_d, max_n], +inf pad
        self._uniform, self._start, self._step = _evenly_spaced(self._positions, coords.sizes)
        self._default_grid = bool((self._start == 0).all() and (self._step == 1).all())
        self._last_float = self._last.to(coords.dtype)
        # option = floor(a) + offset, offset in -r..r+1, covers every integer within r of a
        self._offsets = torch.arange(-radius, radius + 2, device=device)
        self._radix = 2 * radius + 3  # an offset from the nearest neighbour lies in -r-1..r+1
        self._exact_keys = coords.n_discrete * math.log2(self._radix) < 62
        gen = torch.Generator().manual_seed(0)
        self._hash = torch.randint(1, 2**40, (coords.n_discrete,), generator=gen).to(device)

    # ------------------------------------------------------------------ geometry
    def fractional_index(self, box: Tensor) -> Tensor:
        """Discrete coordinates of box points ``[..., D]`` in index units ``[..., n_discrete]``.

        Positions map linearly between neighbouring choices (``0 .. n - 1`` for the default
        positions), so rounding gives the nearest choice.
        """
        n_d = self.coords.n_discrete
        pos = box[..., :n_d]
        if self._uniform:
            frac = pos if self._default_grid else (pos - self._start) / self._step
            return torch.minimum(frac.clamp(min=0.0), self._last_float)
        lead = pos.shape[:-1]
        flat = pos.detach().to(torch.float64).reshape(-1, n_d).T.contiguous()
        upper = torch.searchsorted(self._positions, flat, side="right")  # first position > x
        lower = torch.minimum((upper - 1).clamp(min=0), (self._last - 1).clamp(min=0)[:, None])
        p_lo = self._positions.gather(1, lower)
        p_hi = self._positions.gather(1, torch.minimum(lower + 1, self._last[:, None]))
        gap = torch.where(p_hi > p_lo, p_hi - p_lo, torch.ones_like(p_lo))
        frac = lower + ((flat - p_lo) / gap).clamp(0.0, 1.0)
        frac = torch.minimum(frac, self._last[:, None].to(frac.dtype))
        return frac.T.reshape(*lead, n_d).to(box.dtype)

    def options(self, frac: Tensor) -> tuple[Tensor, Tensor]:
        """The options matrix: choices within the radius and their sampling weights.

        Args:
            frac: ``[B, n_discrete]`` proto-actions in index units.

        Returns:
            ``(options, weights)``, both ``[B, n_discrete, 2r + 2]``: ``options`` are indices
            (int64), ``weights`` are zero outside the radius or the component's range and
            positive inside it.
        """
        options = torch.floor(frac).long()[..., None] + self._offsets
        dist = (options.to(frac.dtype) - frac[..., None]).abs()
        inside = (dist <= self.radius + 1e-6) & (options >= 0) & (options <= self._last[:, None])
        if self.scheme == "linear":
            weights = self.radius - dist + self.temperature
        else:
            # shift by the smallest distance (< 1) so a tiny temperature cannot underflow to 0
            weights = torch.exp(-(dist - dist.amin(dim=-1, keepdim=True)) / self.temperature)
        return options, torch.where(inside, weights, torch.zeros_like(weights))

    # ------------------------------------------------------------------ sampling
    def sample(
        self,
        proto_unit: Tensor,
        generator: torch.Generator | None = None,
        shared_draws: bool = False,
    ) -> Candidates:
        """Candidates around proto-actions given in [-1, 1] units.

        Args:
            proto_unit: ``[B, D]`` proto-actions (the actor's tanh output, maybe perturbed).
            generator: Random stream on the coordinates' device.
            shared_draws: Use the same random draws for every row, so a row's candidates depend
                on its own proto-action only, not on its position in the batch (evaluation: the
                greedy action for an observation is the same alone or in any batch).

        Returns:
            `Candidates` with ``K = num_candidates + 1`` slots, slot 0 the nearest neighbour.
        """
        coords = self.coords
        proto_unit = require_finite_proto(proto_unit.detach())
        box = coords.from_unit(proto_unit)
        batch, n_d, k = box.shape[0], coords.n_discrete, self.num_candidates
        nearest = coords.project_indices(box)  # [B, n_d]
        hybrid = coords.n_continuous > 0
        # hybrid candidates also differ in their continuous parts: no de-duplication needed
        draws = k if hybrid else 2 * k
        if n_d:
            options, weights = self.options(self.fractional_index(box))
            cdf = weights.cumsum(dim=-1)
            cdf = cdf / cdf[..., -1:]  # last entry exactly 1, so u < 1 never runs past the end
            rows = 1 if shared_draws else batch
            u = torch.rand(rows, n_d, draws, generator=generator, device=box.device)
            # inverse-CDF draw: the number of CDF entries <= u, i.e. searchsorted(right=True) on
            # the non-decreasing cdf, as one broadcast comparison over the 2r + 2 options
            below = cdf[..., None] <= u.to(cdf.dtype)[:, :, None, :]  # [B, n_d, 2r + 2, draws]
            pick = torch.count_nonzero(below, dim=2).clamp(max=options.shape[-1] - 1)
            sampled = options.gather(-1, pick).transpose(1, 2)  # [B, draws, n_d]
        else:
            sampled = nearest.new_zeros(batch, draws, 0)
        if hybrid:
            kept, valid = sampled, torch.ones(batch, k, dtype=torch.bool, device=box.device)
        else:
            kept, valid = self._deduplicate(sampled, nearest, k)
            kept = torch.where(valid[..., None], kept, nearest[:, None, :])
        discrete = torch.cat([nearest[:, None, :], kept], dim=1)
        valid = torch.cat([valid.new_ones(batch, 1), valid], dim=1)
        continuous = self._continuous(proto_unit, k, generator, shared_draws)
        return Candidates(discrete, continuous, valid)

    def _keys(self, offsets: Tensor) -> Tensor:
        """One int64 key per candidate: exact mixed-radix code, or a 40-bit-weight hash."""
        digits = offsets + (self.radius + 1)  # in 0 .. 2r + 2
        if self._exact_keys:
            radix = self._radix ** torch.arange(digits.shape[-1], device=digits.device)
            return (digits * radix).sum(dim=-1)
        return (digits * self._hash).sum(dim=-1)  # collisions ~2^-40 only drop a candidate

    def _deduplicate(self, sampled: Tensor, nearest: Tensor, k: int) -> tuple[Tensor, Tensor]:
        """The first ``k`` distinct samples differing from the nearest neighbour, and validity.

        Stable sort of the keys: a sample is a duplicate when it equals its sorted predecessor
        (so the first draw of each value survives) or the nearest neighbour. ``O(S log S)``.
        """
        keys = self._keys(sampled - nearest[:, None, :])  # [B, S]
        nn_key = self._keys(torch.zeros_like(nearest))
        sorted_keys, order = torch.sort(keys, dim=1, stable=True)
        repeat = torch.zeros_like(sorted_keys, dtype=torch.bool)
        repeat[:, 1:] = sorted_keys[:, 1:] == sorted_keys[:, :-1]
        duplicate = torch.empty_like(repeat).scatter_(1, order, repeat)
        duplicate |= keys == nn_key[:, None]
        draws = sampled.shape[1]
        # distinct samples first, each group in draw order
        rank = duplicate.long() * draws + torch.arange(draws, device=keys.device)
        chosen = rank.argsort(dim=1)[:, :k]
        kept = sampled.gather(1, chosen[..., None].expand(-1, -1, sampled.shape[-1]))
        return kept, ~duplicate.gather(1, chosen)

    def _continuous(
        self, proto_unit: Tensor, k: int, generator: torch.Generator | None, shared_draws: bool
    ) -> Tensor:
        """``[B, k + 1, n_c]`` box values: the proto-action's, then Gaussian neighbours."""
        coords = self.coords
        batch, n_d, n_c = proto_unit.shape[0], coords.n_discrete, coords.n_continuous
        if n_c == 0:
            return proto_unit.new_zeros(batch, k + 1, 0)
        centre = proto_unit[:, None, n_d:].clamp(-1.0, 1.0)
        rows = 1 if shared_draws else batch
        noise = torch.randn(rows, k, n_c, generator=generator, device=proto_unit.device)
        noise = noise.expand(batch, -1, -1)
        around = (centre + self.continuous_std * noise).clamp(-1.0, 1.0)
        unit = torch.cat([centre, around], dim=1)
        # from_unit maps full D-vectors: pad the discrete part, keep the continuous one
        padded = torch.cat([unit.new_zeros(batch, k + 1, n_d), unit], dim=-1)
        return coords.clamp_continuous(coords.from_unit(padded))


def _evenly_spaced(positions: Tensor, sizes: Tensor) -> tuple[bool, Tensor, Tensor]:
    """Whether every component's positions are ``start + i * step``; float32 starts and steps.

    Then the fractional index is one affine map instead of a sorted-table search.
    """
    start = positions[:, 0]
    step = torch.where(sizes.to(positions.device) > 1, positions[:, 1:2].sum(1) - start, 1.0)
    if positions.shape[1] == 1:
        step = torch.ones_like(start)
    index = torch.arange(positions.shape[1], device=positions.device, dtype=positions.dtype)
    expected = start[:, None] + index * step[:, None]
    used = index < sizes.to(positions.device)[:, None]
    uniform = bool(((positions == expected) | ~used).all()) if positions.numel() else True
    return uniform, start.float(), step.float()


def select_candidates(
    q: Tensor,
    valid: Tensor,
    deterministic: bool,
    scheme: SelectionScheme = "rank",
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Index ``[B]`` of the executed candidate: argmax of Q, or a rank/softmax draw in training.

    Args:
        q: ``[B, K]`` critic values of the candidates.
        valid: ``bool [B, K]``: slots that may be chosen (at least one per row).
        deterministic: Take the argmax (evaluation).
        scheme: ``"rank"``: ``P(i) ∝ exp(-rank_i / temperature)``, rank 0 the best valid
            candidate (the paper's default); ``"softmax"``: ``P(i) ∝ exp(z_i / temperature)``
            with ``z`` the Q-values standardised over the valid candidates of the row.
        temperature: Selection temperature (``> 0``).
        generator: Random stream of the draw (Gumbel-max: no host sync).
    """
    masked = q.masked_fill(~valid, float("-inf"))
    if deterministic:
        return masked.argmax(dim=1)
    if scheme == "rank":
        order = masked.argsort(dim=1, descending=True, stable=True)
        positions = torch.arange(q.shape[1], device=q.device).expand_as(order)
        rank = torch.empty_like(order).scatter_(1, order, positions)
        logits = -rank.to(q.dtype) / temperature
    elif scheme == "softmax":
        logits = standardize(q, valid) / temperature
    else:
        raise ValueError(f"selection scheme must be 'rank' or 'softmax', got {scheme!r}")
    logits = logits.masked_fill(~valid, float("-inf"))
    u = torch.rand(q.shape, generator=generator, device=q.device, dtype=q.dtype)
    gumbel = -torch.log(-torch.log(u.clamp(min=1e-12, max=1.0 - 1e-7)))
    return (logits + gumbel).argmax(dim=1)


def standardize(q: Tensor, valid: Tensor | None = None) -> Tensor:
    """Q-values standardised per row over the valid entries (a constant row becomes zeros)."""
    if valid is None:
        valid = torch.ones_like(q, dtype=torch.bool)
    weight = valid.to(q.dtype)
    count = weight.sum(dim=1, keepdim=True).clamp(min=1.0)
    mean = (q * weight).sum(dim=1, keepdim=True) / count
    centred = torch.where(valid, q - mean, torch.zeros_like(q))
    std = ((centred**2).sum(dim=1, keepdim=True) / count).sqrt()
    return torch.where(valid, centred / (std + 1e-8), torch.zeros_like(q))

"""Poisson demand: a fast device-side sampler for fresh episodes, and seeded scenario sets.

``torch.poisson`` costs about 100 ns per draw on a CPU core, more than a whole simulated
period. Each item's mean is fixed by the instance, so :class:`PoissonSampler` inverts every
item's cumulative distribution function (CDF) with a precomputed table: 16 random bits pick
one of 65,536 equal-probability slices of ``[0, 1)``, and almost every slice lies inside one
demand value, whose table entry is that value. The few slices that straddle a jump of the CDF
(about one per possible value) are marked, and only their draws are finished exactly: a fresh
``float64`` uniform places ``u`` inside the slice and the CDF is searched. The result is the
inverse-CDF transform of a uniform with 16 + 53 bits — the Poisson law up to ``float64``
rounding of its CDF — at a quarter of a 64-bit random word, one addition and one table look-up
per value (about 6 ns on a CPU core).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

BUCKET_BITS = 16
"""Random bits that pick a slice of the CDF table: one ``int16`` of a 64-bit random word."""
_BUCKETS = 1 << BUCKET_BITS
_MIXED = -1
CHUNK = 1 << 17
"""Draws processed at once on a CPU (their intermediates fit a core's L2 cache)."""
"""Table entry of a slice that straddles a jump of the CDF."""


def _poisson_cdf(mean: float) -> np.ndarray:
    """CDF ``F(0..V)`` of Poisson(``mean``) truncated where the tail is invisible; ``F(V) = 1``."""
    # Truncating 12 standard deviations (+12) above the mean leaves a tail mass (< 1e-30) far
    # below the float64 resolution of the CDF, so the truncation never shows in the samples.
    support = math.ceil(mean + 12.0 * math.sqrt(mean) + 12.0)
    k = np.arange(support + 1, dtype=np.float64)
    log_pmf = k * math.log(mean) - mean - np.array([math.lgamma(x + 1.0) for x in k])
    cdf = np.cumsum(np.exp(log_pmf))
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


def _slice_table(cdf: np.ndarray) -> np.ndarray:
    """Value of ``F⁻¹(u)`` on each slice ``[j, j + 1) / 65536`` of ``u``, or ``_MIXED``.

    ``F⁻¹(u) = #{v : F(v) <= u}``; on slice ``j`` it ranges from its value at the left edge to
    the number of CDF values below the right edge, and is constant when those agree.
    """
    j = np.arange(_BUCKETS, dtype=np.float64)
    low = np.searchsorted(cdf, j / _BUCKETS, side="right")
    high = np.searchsorted(cdf, (j + 1.0) / _BUCKETS, side="left")
    return np.where(low == high, low, _MIXED)


class PoissonSampler:
    """Independent Poisson draws with fixed per-item means, sampled on ``device``.

    Draws come from the generator passed to :meth:`sample`: one 64-bit random word per four
    values, plus one ``float64`` uniform per value that falls on a straddling slice (about
    0.1 % of them at the toolkit's means). Finding those values is a ``nonzero``: free on a
    CPU, one device sync per call on an accelerator (once per episode reset in the env).

    Args:
        mean: Per-item means ``[n]`` (positive).
        device: Device of the tables and of the samples.
        dtype: Floating dtype of the samples (demand values are integers stored as floats).
    """

    def __init__(
        self, mean: Tensor, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
    ) -> None:
        means = [float(m) for m in mean.flatten().tolist()]
        if not means or not all(math.isfinite(m) and m > 0 for m in means):
            raise ValueError(f"PoissonSampler needs finite positive means, got {means}")
        cdfs = [_poisson_cdf(m) for m in means]
        width = max(len(c) for c in cdfs)
        padded = np.full((len(means), width), 2.0)  # above every u: never counted
        for i, cdf in enumerate(cdfs):
            padded[i, : len(cdf)] = cdf
        table = np.stack([_slice_table(c) for c in cdfs])
        self.n_items = len(means)
        self.device = torch.device(device)
        self.dtype = dtype
        # The narrowest entries that hold every value (int8 at the toolkit's means keeps all
        # items' tables in a core's L2 cache); the sign bit of an entry marks a mixed slice.
        entry = next(
            t for t in (torch.int8, torch.int16, torch.int32) if width <= torch.iinfo(t).max
        )
        bits = torch.iinfo(entry).bits
        self._lanes = 64 // bits
        self._signs = sum(1 << (lane * bits + bits - 1) for lane in range(self._lanes)) - (1 << 64)
        self._table = torch.as_tensor(table.flatten(), dtype=entry, device=self.device)
        self._cdf = torch.as_tensor(padded, dtype=torch.float64, device=self.device)
        # Random int16 values are in [-32768, 32767]: shift them to slices, then to item rows.
        offsets = np.arange(len(means)) * _BUCKETS + _BUCKETS // 2
        self._offsets = torch.as_tensor(offsets, dtype=torch.int32, device=self.device)
        # Scratch of the last draw, reused by the next (see _scratch).
        self._words = torch.empty(0, dtype=torch.int64, device=self.device)
        self._values = torch.empty(0, dtype=entry, device=self.device)
        self._index = torch.empty(0, dtype=torch.int32, device=self.device)

    def sample(
        self,
        *batch_shape: int,
        generator: torch.Generator | None = None,
        out: Tensor | None = None,
    ) -> Tensor:
        """Draw demands of shape ``[*batch_shape, n_items]``.

        Args:
            *batch_shape: Leading dimensions (e.g. ``periods, scenarios``).
            generator: A ``torch.Generator`` on the sampler's device.
            out: A contiguous tensor of the sampler's dtype and device with the draws' number
                of elements to write them into (a caller that draws the same shape again saves
                allocating, and on a CPU page-faulting, a new one each time).
        """
        shape = (*batch_shape, self.n_items)
        count = math.prod(shape)
        n, lanes = self.n_items, self._lanes
        words, values = self._scratch(count)
        bits = words.view(torch.int16)[:count]
        if out is None:
            out = torch.empty(count, dtype=self.dtype, device=self.device)
        elif out.numel() != count or out.dtype != self.dtype or not out.is_contiguous():
            raise ValueError(
                f"out must be a contiguous {self.dtype} tensor of {count} elements, got "
                f"{out.dtype} {tuple(out.shape)}"
            )
        out = out.view(-1)
        # On a CPU, every pass over a whole episode of draws (millions of values) streams
        # through memory: chunks of CHUNK values (whole words, whole rows of items) keep each
        # chunk's words, indices and values in the core's cache. A CPU generator fills the
        # chunks' words in order, so the draws are those of one pass over all of them. An
        # accelerator takes the whole draw in one chunk (fewer launches; its generator's
        # stream depends on the calls).
        step = count
        if self.device.type == "cpu":
            step = max(CHUNK // (4 * n * lanes), 1) * 4 * n * lanes
        if self._index.numel() < min(step, count):
            self._index = torch.empty(min(step, count), dtype=torch.int32, device=self.device)
        index = self._index
        for start in range(0, count, step):
            stop = min(start + step, count)
            words[start // 4 : -(-stop // 4)].random_(-(2**63), None, generator=generator)
            chunk = index[: stop - start]
            chunk.copy_(bits[start:stop])  # random int16 slices, shifted to item rows
            chunk.view(-1, n).add_(self._offsets)
            torch.index_select(self._table, 0, chunk, out=values[start:stop])
            out[start:stop].copy_(values[start:stop])
        marked = (values.view(torch.int64) & self._signs).nonzero().squeeze(1)
        row, lane = (values.view(-1, lanes)[marked] < 0).nonzero().unbind(1)
        mixed = marked[row] * lanes + lane
        mixed_index = bits[mixed].to(torch.int32).add_(self._offsets[mixed % n])
        out[mixed] = self._finish(mixed_index, generator)
        return out.view(shape)

    def _scratch(self, count: int) -> tuple[Tensor, Tensor]:
        """Random words for ``count`` draws and their table entries, padded to whole words
        (padding entries 0: a value, never mixed) so that the mixed entries are found by one
        AND over words, then only inside the marked words. Kept from call to call."""
        words, padded = -(-count // 4), -(-count // self._lanes) * self._lanes
        if self._words.numel() < words or self._values.numel() < padded:
            self._words = torch.empty(words, dtype=torch.int64, device=self.device)
            self._values = torch.empty(padded, dtype=self._table.dtype, device=self.device)
        values = self._values[:padded]
        values[count:].zero_()
        return self._words[:words], values

    def _finish(self, index: Tensor, generator: torch.Generator | None) -> Tensor:
        """Exact values of the draws whose slice (table ``index``) straddles a CDF jump."""
        item = torch.div(index, _BUCKETS, rounding_mode="floor")
        slice_ = (index - item * _BUCKETS).double()
        fraction = torch.rand(
            index.shape[0], dtype=torch.float64, generator=generator, device=self.device
        )
        u = (slice_ + fraction) / _BUCKETS
        value = torch.searchsorted(self._cdf[item], u[:, None], right=True)
        return value.squeeze(1).to(self.dtype)


def seeded_poisson_demands(mean: Tensor, num_scenarios: int, periods: int, seed: int) -> Tensor:
    """Reproducible demand scenarios ``[num_scenarios, periods, n]`` (``float64``, CPU).

    Drawn with numpy's legacy seeded stream (``RandomState(seed).poisson``), so a scenario set
    is identical on every machine and device.
    """
    lam = mean.detach().cpu().double().numpy()
    draws = np.random.RandomState(seed).poisson(lam, size=(num_scenarios, periods, len(lam)))
    return torch.as_tensor(draws, dtype=torch.float64)

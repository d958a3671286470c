"""Poisson demand: a fast device-side sampler for fresh episodes, and seeded scenario sets.

``torch.poisson`` costs about 100 ns per draw on a CPU core, more than a whole simulated
period. Each item's mean is fixed by the instance, so the sampler precomputes Walker's alias
table of every item's (truncated) Poisson law once and then draws with two uniforms, one
comparison and two table look-ups per value, on any device and from the env's generator.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def _poisson_pmf(mean: float) -> np.ndarray:
    # Truncating 12 standard deviations (+12) above the mean leaves a tail mass far below the
    # float32 resolution of the tables, so the truncation is invisible in the samples.
    support = math.ceil(mean + 12.0 * math.sqrt(mean) + 12.0)
    k = np.arange(support + 1, dtype=np.float64)
    log_pmf = k * math.log(mean) - mean - np.array([math.lgamma(x + 1.0) for x in k])
    pmf = np.exp(log_pmf)
    return pmf / pmf.sum()


def _alias_table(pmf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias method: ``(accept probability, alias)`` per bucket."""
    size = len(pmf)
    scaled = pmf * size
    accept = np.ones(size)
    alias = np.arange(size)
    small = [i for i in range(size) if scaled[i] < 1.0]
    large = [i for i in range(size) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s], alias[s] = scaled[s], g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


class PoissonSampler:
    """Independent Poisson draws with fixed per-item means, sampled on ``device``.

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
        tables = [_alias_table(_poisson_pmf(m)) for m in means]
        width = max(len(a) for a, _ in tables)
        accept = np.zeros((len(means), width))  # padding buckets are never drawn
        alias = np.zeros((len(means), width), dtype=np.int64)
        sizes = np.zeros(len(means))
        for i, (a, al) in enumerate(tables):
            accept[i, : len(a)], alias[i, : len(a)], sizes[i] = a, al, len(a)
        self.n_items = len(means)
        self.device = torch.device(device)
        self.dtype = dtype
        self._width = width
        self._accept = torch.as_tensor(accept, dtype=torch.float32, device=self.device).flatten()
        offsets = np.arange(len(means))[:, None] * width
        self._alias = torch.as_tensor(alias + offsets, device=self.device).flatten()
        self._sizes = torch.as_tensor(sizes, dtype=torch.float32, device=self.device)
        self._last_bucket = self._sizes.long() - 1
        self._offsets = torch.as_tensor(offsets[:, 0], device=self.device)

    def sample(self, *batch_shape: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw demands of shape ``[*batch_shape, n_items]``.

        Args:
            *batch_shape: Leading dimensions (e.g. ``periods, scenarios``).
            generator: A ``torch.Generator`` on the sampler's device.
        """
        u = torch.rand(*batch_shape, self.n_items, 2, generator=generator, device=self.device)
        bucket = (u[..., 0] * self._sizes).long()
        bucket = torch.minimum(bucket, self._last_bucket) + self._offsets
        keep = u[..., 1] < self._accept[bucket]
        flat = torch.where(keep, bucket, self._alias[bucket])
        return (flat - self._offsets).to(self.dtype)


def seeded_poisson_demands(mean: Tensor, num_scenarios: int, periods: int, seed: int) -> Tensor:
    """Reproducible demand scenarios ``[num_scenarios, periods, n]`` (``float64``, CPU).

    Drawn with numpy's legacy seeded stream (``RandomState(seed).poisson``), so a scenario set
    is identical on every machine and device.
    """
    lam = mean.detach().cpu().double().numpy()
    draws = np.random.RandomState(seed).poisson(lam, size=(num_scenarios, periods, len(lam)))
    return torch.as_tensor(draws, dtype=torch.float64)

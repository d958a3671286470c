"""The fresh-demand sampler draws exactly the Poisson law, reproducibly from a seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hybrid_toolkit.envs.families.inventory.demand import (
    _BUCKETS,
    PoissonSampler,
    _poisson_cdf,
    _slice_table,
)


def _poisson_pmf(mean: float, values: np.ndarray) -> np.ndarray:
    return np.exp(values * math.log(mean) - mean - np.array([math.lgamma(v + 1.0) for v in values]))


def _chi_square_bound(dof: int, z: float = 3.09) -> float:
    """Wilson–Hilferty approximation of the chi-square quantile at normal quantile ``z``
    (3.09: 99.9 %)."""
    c = 2.0 / (9.0 * dof)
    return dof * (1.0 - c + z * math.sqrt(c)) ** 3


def _chi_square(draws: np.ndarray, mean: float) -> tuple[float, int]:
    """Pearson's statistic of integer ``draws`` against Poisson(``mean``), cells with an
    expected count of at least 20 (the tails pooled into the end cells), and its dof."""
    size = len(draws)
    values = np.arange(int(mean + 12 * math.sqrt(mean) + 12) + 1)
    expected = size * _poisson_pmf(mean, values)
    kept = values[expected >= 20]
    low, high = int(kept[0]), int(kept[-1])
    counts = np.bincount(np.clip(draws, low, high).astype(np.int64) - low, minlength=high - low + 1)
    exp = size * _poisson_pmf(mean, np.arange(low, high + 1))
    exp[0] = size * _poisson_pmf(mean, np.arange(0, low + 1)).sum()
    exp[-1] = size - exp[:-1].sum()
    return float(((counts - exp) ** 2 / exp).sum()), len(exp) - 1


MEANS = [0.7, 6.0, 7.988, 9.6, 13.5, 40.0]


@pytest.mark.parametrize("seed", [0, 1])
def test_draws_pass_a_chi_square_test_against_the_poisson_law(seed: int) -> None:
    sampler = PoissonSampler(torch.tensor(MEANS, dtype=torch.float64))
    draws = sampler.sample(400_000, generator=torch.Generator().manual_seed(seed)).numpy()
    for i, mean in enumerate(MEANS):
        stat, dof = _chi_square(draws[:, i], mean)
        assert stat < _chi_square_bound(dof), (mean, stat, dof)
        assert draws[:, i].mean() == pytest.approx(mean, rel=0.01)
        assert draws[:, i].var() == pytest.approx(mean, rel=0.02)


def test_draws_are_non_negative_integers_of_the_requested_shape_and_dtype() -> None:
    sampler = PoissonSampler(torch.tensor([3.0, 9.0]), dtype=torch.float64)
    draws = sampler.sample(7, 3, generator=torch.Generator().manual_seed(0))
    assert draws.shape == (7, 3, 2) and draws.dtype == torch.float64
    assert torch.equal(draws, draws.round()) and bool((draws >= 0).all())


def test_the_same_seed_gives_the_same_draws() -> None:
    sampler = PoissonSampler(torch.tensor([5.0, 11.0, 2.5]))

    def draw(seed: int) -> torch.Tensor:
        return sampler.sample(116, 33, generator=torch.Generator().manual_seed(seed))

    assert torch.equal(draw(4), draw(4))
    assert not torch.equal(draw(4), draw(5))


def test_slices_are_the_inverse_cdf_and_mixed_ones_straddle_a_jump() -> None:
    cdf = _poisson_cdf(9.6)
    table = _slice_table(cdf)
    j = np.arange(_BUCKETS, dtype=np.float64)
    left = np.searchsorted(cdf, j / _BUCKETS, side="right")
    right = np.searchsorted(cdf, (j + 1.0 - 1e-9) / _BUCKETS, side="right")
    pure = table >= 0
    assert np.array_equal(table[pure], left[pure]) and np.array_equal(left[pure], right[pure])
    assert bool((left[~pure] < right[~pure]).all())
    # about one mixed slice per possible value: the exact finish is rarely needed
    assert (~pure).sum() <= len(cdf)


def test_mixed_slices_are_finished_inside_their_slice() -> None:
    # Every mixed slice finished 50 times: each value lies between the values at the slice's
    # edges, and both sides of the jump occur.
    mean = 14.0
    sampler = PoissonSampler(torch.tensor([mean]))
    cdf = _poisson_cdf(mean)
    mixed = np.flatnonzero(_slice_table(cdf) < 0)
    index = torch.as_tensor(np.repeat(mixed, 50), dtype=torch.int32)
    values = sampler._finish(index, torch.Generator().manual_seed(0)).numpy()
    slice_ = index.numpy().astype(np.float64)
    low = np.searchsorted(cdf, slice_ / _BUCKETS, side="right")
    high = np.searchsorted(cdf, (slice_ + 1.0) / _BUCKETS, side="left")
    assert bool(((values >= low) & (values <= high)).all())
    assert bool((values > low).any()) and bool((values < high).any())


def test_large_means_use_wider_table_entries() -> None:
    sampler = PoissonSampler(torch.tensor([300.0, 2.0]))
    assert sampler._table.dtype == torch.int16
    draws = sampler.sample(200_000, generator=torch.Generator().manual_seed(0)).double()
    assert draws.mean(0).tolist() == pytest.approx([300.0, 2.0], rel=0.01)
    assert draws.var(0).tolist() == pytest.approx([300.0, 2.0], rel=0.02)


def test_non_positive_means_are_rejected() -> None:
    with pytest.raises(ValueError, match="finite positive means"):
        PoissonSampler(torch.tensor([1.0, 0.0]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_draws_on_cuda_follow_the_same_law() -> None:
    sampler = PoissonSampler(torch.tensor(MEANS, dtype=torch.float64), device="cuda")
    generator = torch.Generator(device="cuda").manual_seed(0)
    draws = sampler.sample(400_000, generator=generator)
    assert draws.device.type == "cuda"
    for i, mean in enumerate(MEANS):
        stat, dof = _chi_square(draws[:, i].cpu().numpy(), mean)
        assert stat < _chi_square_bound(dof), (mean, stat, dof)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.99])
def test_mean_demand_path_of_counts_matches_the_closed_form(beta: float) -> None:
    from hybrid_toolkit.envs.families.inventory.observation import (
        mean_demand_path,
        mean_demand_path_of_counts,
    )

    sampler = PoissonSampler(torch.tensor([6.0, 9.6, 13.5, 0.7]))
    demand = sampler.sample(40, 257, generator=torch.Generator().manual_seed(0))  # [P, S, n]
    exact = mean_demand_path(demand, 8, beta)
    fast = mean_demand_path_of_counts(demand, 8, beta)
    assert fast.dtype == torch.float64 and fast.shape == (33, 257)
    torch.testing.assert_close(fast, exact, rtol=1e-13, atol=0.0)
    assert torch.equal(fast.float(), exact.float())  # what a float32 env observes
    with pytest.raises(ValueError, match="past_periods"):
        mean_demand_path_of_counts(demand, 0, beta)


def test_chunks_and_out_buffers_do_not_change_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    import hybrid_toolkit.envs.families.inventory.demand as demand

    mean = torch.tensor([6.0, 9.6, 13.5, 0.7, 40.0])

    def draw(**kwargs: torch.Tensor) -> torch.Tensor:
        sampler = PoissonSampler(mean)
        return sampler.sample(37, 29, generator=torch.Generator().manual_seed(7), **kwargs)

    whole = draw()  # 5,365 draws: one chunk
    monkeypatch.setattr(demand, "CHUNK", 200)  # many chunks, the stream read in order
    assert torch.equal(draw(), whole)
    buffer = torch.full((37, 29, 5), -3.0)
    assert torch.equal(draw(out=buffer), whole) and torch.equal(buffer, whole)
    sampler = PoissonSampler(mean)  # scratch reused across shapes, large then small
    sampler.sample(50, 50, generator=torch.Generator().manual_seed(0))
    again = sampler.sample(37, 29, generator=torch.Generator().manual_seed(7))
    assert torch.equal(again, whole)
    with pytest.raises(ValueError, match="out must be"):
        sampler.sample(37, 29, out=torch.empty(37, 29, 4))

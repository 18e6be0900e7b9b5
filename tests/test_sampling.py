"""PERT sampling and P10/P50/P90 summaries against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigafleet.uncertainty.sampling import percentile_of, pert_samples, quantiles


def test_pert_mean_and_bounds_match_closed_form() -> None:
    low, mid, high = 2.0, 3.0, 7.0
    x = pert_samples(low, mid, high, 200_000, np.random.default_rng(1))
    assert x.min() >= low and x.max() <= high
    assert x.mean() == pytest.approx((low + 4 * mid + high) / 6, rel=5e-3)
    # variance of PERT: (mean - low)(high - mean) / 7 for lambda = 4
    mean = (low + 4 * mid + high) / 6
    assert x.var() == pytest.approx((mean - low) * (high - mean) / 7, rel=2e-2)


def test_point_value_is_constant_and_seed_reproducible() -> None:
    assert np.all(pert_samples(5.0, 5.0, 5.0, 10, np.random.default_rng(0)) == 5.0)
    a = pert_samples(1.0, 2.0, 3.0, 100, np.random.default_rng(42))
    b = pert_samples(1.0, 2.0, 3.0, 100, np.random.default_rng(42))
    assert np.array_equal(a, b)


def test_pert_rejects_unordered() -> None:
    with pytest.raises(ValueError):
        pert_samples(3.0, 2.0, 1.0, 10, np.random.default_rng(0))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200))
def test_quantiles_are_ordered(values: list[float]) -> None:
    q = quantiles(np.array(values))
    assert q.p10 <= q.p50 <= q.p90


def test_percentile_of() -> None:
    samples = np.arange(1, 101, dtype=float)
    assert percentile_of(0.0, samples) == 0.0
    assert percentile_of(1000.0, samples) == 100.0
    assert percentile_of(50.0, samples) == pytest.approx(49.5)
    assert percentile_of(3.0, np.full(10, 3.0)) == 50.0


# ---- large draws: the inverse-CDF table and the window percentiles (issue 18) --------------------------

PERT_CASES = [
    (2.0, 3.0, 7.0),
    (0.0, 0.0, 4.0),  # mode at the low end: alpha = 1
    (1.0, 4.0, 4.0),  # mode at the high end: beta = 1
    (1.0, 2.5, 4.0),
    (9.3e6, 11.7e6, 15e6),
    (0.3, 0.31, 0.9),
]


def test_beta_cdf_series_matches_scipy() -> None:
    from scipy.special import betainc

    from gigafleet.uncertainty.sampling import _beta_cdf_lower

    x = np.concatenate([np.geomspace(1e-20, 0.01, 60), np.linspace(0.01, 0.5, 60)])
    for a, b in [(1.0, 5.0), (5.0, 1.0), (1.0, 1.0), (3.0, 3.0), (1.37, 4.63), (12.0, 1.0), (1.0, 12.0)]:
        assert np.allclose(_beta_cdf_lower(x, a, b), betainc(a, b, x), rtol=1e-12, atol=0), (a, b)


@pytest.mark.parametrize(("low", "mid", "high"), PERT_CASES)
def test_pert_table_cdf_is_within_1e5_of_the_exact_cdf(low: float, mid: float, high: float) -> None:
    """Sup over probabilities of |F(table(u)) - u| < 1e-5 (1e-13 .. 1 - 1e-13): ~1/30 of the Monte Carlo noise of
    10^7 samples at any probability; the table is also monotone (draws from shared uniforms are comonotonic)."""
    from scipy.special import betainc

    from gigafleet.uncertainty.sampling import PERT_SHAPE, _pert_beta, pert_table

    table = pert_table(low, mid, high)
    assert table is not None
    tail = np.geomspace(1e-13, 0.05, 20_000)
    u = np.concatenate([tail, np.linspace(0.05, 0.95, 200_001), 1 - tail[::-1]])
    values = table(u)
    assert np.all(np.diff(values) >= 0)
    assert values.min() >= low and values.max() <= high
    alpha, beta = _pert_beta(low, mid, high, PERT_SHAPE)
    error = np.abs(betainc(alpha, beta, (values - low) / (high - low)) - u)
    assert error.max() < 1e-5
    # float32 draws are the same values to single precision
    assert np.allclose(table(u, np.float32), values, rtol=3e-7, atol=0)


def test_large_pert_draws_have_the_pert_distribution() -> None:
    """From PERT_TABLE_MIN_SAMPLES draws on, samples come from the table: same mean, variance and CDF (KS)."""
    from scipy.stats import beta as beta_distribution
    from scipy.stats import kstest

    from gigafleet.uncertainty.sampling import PERT_TABLE_MIN_SAMPLES

    low, mid, high = 2.0, 3.0, 7.0
    n = 4 * PERT_TABLE_MIN_SAMPLES
    x = pert_samples(low, mid, high, n, np.random.default_rng(3))
    mean = (low + 4 * mid + high) / 6
    assert x.mean() == pytest.approx(mean, rel=2e-3)
    assert x.var() == pytest.approx((mean - low) * (high - mean) / 7, rel=1e-2)
    result = kstest((x - low) / (high - low), beta_distribution(1 + 4 * (mid - low) / 5, 1 + 4 * (high - mid) / 5).cdf)
    assert result.pvalue > 0.01


def test_small_pert_draws_keep_the_exact_beta_stream() -> None:
    """Below PERT_TABLE_MIN_SAMPLES the draws are Generator.beta's, so small runs keep their numbers."""
    from gigafleet.uncertainty.sampling import PERT_TABLE_MIN_SAMPLES

    n = PERT_TABLE_MIN_SAMPLES - 1
    x = pert_samples(2.0, 3.0, 7.0, n, np.random.default_rng(5))
    expected = np.random.default_rng(5).beta(1 + 4 * 1 / 5, 1 + 4 * 4 / 5, n) * 5 + 2
    assert np.array_equal(x, expected)


def _percentile_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    n = 200_000
    return [
        rng.standard_normal(n),
        np.sort(rng.random(n)),
        np.sort(rng.random(n))[::-1].copy(),
        np.round(rng.random(n) * 7),  # heavy ties
        np.full(n, 2.5),
        np.tile(np.arange(16_384.0), 13),  # period equal to the subsample stride: a biased subsample
        np.concatenate([rng.random(n), [np.inf, -np.inf]]),
        rng.lognormal(30, 3, 40_000),
        np.broadcast_to(np.float64(7.0), (n,)),
        np.concatenate([np.zeros(n // 2), np.ones(n // 2)]),
    ]


@pytest.mark.parametrize("index", range(10))
def test_quantiles_of_large_arrays_equal_numpy_percentile_bit_for_bit(index: int) -> None:
    x = _percentile_cases()[index]
    expected = np.percentile(x, (10, 50, 90))
    got = quantiles(x)
    assert (got.p10, got.p50, got.p90) == tuple(float(v) for v in expected)


def test_quantiles_with_a_nan_are_nan_as_numpy() -> None:
    x = np.random.default_rng(0).random(100_000)
    x[1234] = np.nan
    q = quantiles(x)
    assert np.isnan(q.p10) and np.isnan(q.p50) and np.isnan(q.p90)


@pytest.mark.parametrize("n", [1000, 40_000])
def test_quantiles_interpolate_as_numpy_from_the_upper_neighbour_past_half_way(n: int) -> None:
    """P10 of n = 1000 (40,000) lies 0.9 of the way from order statistic 99 (3,999) to the next: numpy takes
    b - (b - a)(1 - 0.9), which for these two values is not a + (b - a) 0.9 in floating point."""
    from gigafleet.uncertainty.sampling import quantiles_of

    rank = math.floor((n - 1) * 0.1)
    x = np.random.default_rng(2).permutation(np.array([0.001] * (rank + 1) + [0.002] * (n - rank - 1)))
    expected = tuple(float(v) for v in np.percentile(x, (10, 50, 90)))
    a, b, gamma = 0.001, 0.002, (n - 1) * 0.1 - rank
    assert expected[0] != a + (b - a) * gamma  # the case this test is for
    got = quantiles(x)
    assert (got.p10, got.p50, got.p90) == expected
    together = quantiles_of([x, x[:999], np.full(3, 1.5)])
    assert [(q.p10, q.p50, q.p90) for q in together] == [
        expected,
        *[tuple(float(v) for v in np.percentile(y, (10, 50, 90))) for y in (x[:999], np.full(3, 1.5))],
    ]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 999, 32_767, 32_768, 100_001])
def test_quantiles_of_many_arrays_equal_numpy_percentile_bit_for_bit(n: int) -> None:
    """Small sizes (one partition of one buffer), window sizes, NaN, infinities, signed zeros and constants."""
    from gigafleet.uncertainty.sampling import quantiles_of

    rng = np.random.default_rng(n)
    with_nan, with_inf = rng.random(n), rng.standard_normal(n)
    with_nan[n // 2] = np.nan
    with_inf[0] = np.inf
    arrays = [
        rng.standard_normal(n),
        rng.lognormal(30, 3, n),
        np.round(rng.random(n) * 7),
        with_nan,
        with_inf,
        np.full(n, -0.0),
        np.full(n, np.inf),
        np.broadcast_to(np.float64(-0.0), (n,)),
        np.broadcast_to(np.float64(3.3), (n,)),
        rng.random(n).astype(np.float32),
    ]
    with np.errstate(invalid="ignore"):
        expected = [np.percentile(x, (10, 50, 90)).astype(float).tolist() for x in arrays]
        got = [[q.p10, q.p50, q.p90] for q in quantiles_of(arrays)]
    # equal bit for bit: the same floats, NaN where numpy gives NaN, and the sign of zero
    assert [[(math.isnan(v), math.copysign(1.0, v), v if v == v else 0.0) for v in row] for row in got] == [
        [(math.isnan(v), math.copysign(1.0, v), v if v == v else 0.0) for v in row] for row in expected
    ]

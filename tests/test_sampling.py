"""PERT sampling and P10/P50/P90 summaries against closed forms."""

from __future__ import annotations

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

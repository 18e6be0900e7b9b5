"""The vectorised reliability engine's parts (issue 18): outcome draws, thinned next failures, sorted job events,
the job played with array arithmetic against the one-by-one loop."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gigafleet.reliability.job as job_module
from gigafleet.catalog import load_catalog
from gigafleet.reliability.cohort import (
    OUTCOMES_PER_CAUSE,
    _first_failures,
    _hazard_bound,
    _next_failure,
    _next_failures,
    _Outcomes,
    simulate_fleet_failures,
)
from gigafleet.reliability.job import simulate_job, simulate_job_sequential
from gigafleet.reliability.model import failure_model, without_domains

CATALOG = load_catalog()
MODEL = failure_model(CATALOG, "gb200")


def test_outcome_draws_have_the_modes_shares_and_the_misdiagnosis_rate() -> None:
    """One uniform per failure gives the cause (constant modes by rate), the repair class by the mode's shares and
    a misdiagnosed manual repair (a spare taken) with the catalogue's probability."""
    outcomes = _Outcomes.of(MODEL)
    n = 2_000_000
    category = outcomes.draw(np.zeros(n, dtype=np.int64), np.random.default_rng(1))
    cause, repair, spare = outcomes.cause[category], outcomes.repair[category], outcomes.spare[category]
    constant = np.flatnonzero(MODEL.shape == 1.0)
    expected_cause = MODEL.rate_per_hour[constant] / MODEL.rate_per_hour[constant].sum()
    observed = np.bincount(cause, minlength=len(MODEL.modes))[constant] / n
    assert np.allclose(observed, expected_cause, atol=5 * math.sqrt(0.25 / n))
    for mode in constant[:4]:
        mine = cause == mode
        shares = np.bincount(repair[mine], minlength=3) / mine.sum()
        assert np.allclose(shares, MODEL.repair_shares[mode], atol=5 * math.sqrt(0.25 / mine.sum()))
        manual = mine & (repair == 1)
        if manual.sum() > 1000:
            assert spare[manual].mean() == pytest.approx(MODEL.misdiagnosis_rate, abs=5 * math.sqrt(0.1 / manual.sum()))
    assert np.all(spare[repair == 2]) and not np.any(spare[repair == 0])
    # the age-dependent mode's block gives that mode only
    gpu = outcomes.draw(np.ones(1000, dtype=np.int64), np.random.default_rng(2))
    assert set(outcomes.cause[gpu]) == {int(np.flatnonzero(MODEL.shape != 1.0)[0])}
    assert OUTCOMES_PER_CAUSE == 4


def test_thinned_next_failures_match_the_direct_weibull_draws() -> None:
    """Lewis-Shedler thinning under the hazard bound gives the same next-failure distribution (time and cause
    group) as inverting each Weibull mode: means, quantiles and group shares agree within the noise."""
    outcomes = _Outcomes.of(MODEL)
    n, horizon = 400_000, 24.0 * 365 * 3
    rng = np.random.default_rng(3)
    age = MODEL.reference_age_hours + rng.random(n) * 8760.0
    clock = np.zeros(n)
    bound = _hazard_bound(MODEL, outcomes, float(age.min()), float(age.max()) + horizon)
    which, t_thin, age_thin, block_thin = _next_failures(MODEL, outcomes, age, clock, horizon, bound, rng)
    delta, block = _next_failure(MODEL, outcomes, age, np.random.default_rng(4))
    inside = delta < horizon
    assert which.size == pytest.approx(inside.sum(), rel=0.01)
    assert np.allclose(age_thin - age[which], t_thin)  # operating age moves with the clock while up
    assert np.quantile(t_thin, [0.1, 0.5, 0.9]) == pytest.approx(np.quantile(delta[inside], [0.1, 0.5, 0.9]), rel=0.02)
    assert (block_thin == 1).mean() == pytest.approx((block[inside] == 1).mean(), abs=0.005)


def test_first_failures_come_sorted_with_the_thinning_count() -> None:
    outcomes = _Outcomes.of(MODEL)
    size, horizon = 1_000_000, 8760.0
    count, times, block = _first_failures(
        MODEL, outcomes, size, MODEL.reference_age_hours, horizon, np.random.default_rng(5)
    )
    assert np.all(np.diff(times) >= 0) and times[-1] < horizon and times.size == count == block.size
    k, eta = MODEL.shape, MODEL.scale_hours()
    a0 = MODEL.reference_age_hours
    p = -math.expm1(-float((((a0 + horizon) / eta) ** k - (a0 / eta) ** k).sum()))
    assert count == pytest.approx(size * p, abs=5 * math.sqrt(size * p * (1 - p)))


def test_job_events_are_sorted_and_complete() -> None:
    n, track = 300_000, 200_000
    events = simulate_fleet_failures(MODEL, n, 60 * 24.0, seed=6, track_devices=track)
    assert np.all(np.diff(events.job_times) >= 0)
    assert events.job_devices.max() < track and events.job_devices.dtype == np.int64
    device = events.job_causes < len(MODEL.modes)
    assert np.array_equal(events.job_devices_needed[device], (events.job_classes[device] != 0).astype(np.int64))
    assert np.allclose(events.job_down[device], MODEL.down_hours[events.job_classes[device]])
    # every tracked device failure is a fleet failure too: the job's share of device failures is track / n
    share = device.sum() / events.failures_by_day[:, : len(MODEL.modes)].sum()
    assert share == pytest.approx(track / n, rel=0.03)


def test_fleet_counts_match_rates_with_repairs_and_spares() -> None:
    """Failures by cause at the catalogue rates; spares taken = swaps + misdiagnosed manual repairs."""
    model = without_domains(MODEL)
    n, horizon = 1_000_000, 90 * 24.0
    events = simulate_fleet_failures(model, n, horizon, seed=7)
    by_cause = events.failures_by_day.sum(axis=0)[: len(model.modes)]
    k, eta, a0 = model.shape, model.scale_hours(), model.reference_age_hours
    expected = n * (((a0 + horizon) / eta) ** k - (a0 / eta) ** k)  # cumulative hazard (minimal repair, ~always up)
    assert np.allclose(by_cause, expected, rtol=0.03, atol=5 * np.sqrt(expected))
    shares = model.repair_shares
    spare_share = (by_cause * (shares[:, 2] + shares[:, 1] * model.misdiagnosis_rate)).sum() / by_cause.sum()
    assert events.spare_consumed_by_hour.sum() / by_cause.sum() == pytest.approx(spare_share, rel=0.02)


def _random_job(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    m = int(rng.integers(0, 400))
    horizon = 500.0
    times = np.sort(rng.random(m) * horizon * 1.1)
    need = rng.integers(0, 3, m) * (rng.random(m) < 0.7)
    down = rng.choice([0.18, 19.0, 4.0, 48.0], m)
    options = {
        "horizon_hours": horizon,
        "interval_hours": float(rng.uniform(0.2, 3)),
        "write_hours": float(rng.uniform(0.01, 0.2)),
        "restart_hours": float(rng.uniform(0.02, 2)),
        "hot_spares": int(rng.integers(0, 400)),
    }
    return times, need, down, options


@pytest.mark.parametrize("block", [1 << 20, 7, 1])
def test_array_job_equals_the_one_by_one_loop(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_module, "BLOCK", block)
    rng = np.random.default_rng(8)
    fields = ("interruptions", "useful_hours", "recomputation_hours", "restart_hours", "waiting_hours")
    for _ in range(200):
        times, need, down, options = _random_job(rng)
        fast, slow = simulate_job(times, need, down, **options), simulate_job_sequential(times, need, down, **options)  # type: ignore[arg-type]
        for name in (*fields, "checkpoint_hours"):
            assert getattr(fast, name) == pytest.approx(getattr(slow, name), rel=1e-9, abs=1e-9), name


def test_array_job_is_used_when_spares_suffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ample hot spares (a fabric shock takes 8,192) no interruption waits, and the loop is not run at all."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the one-by-one loop ran")

    events = simulate_fleet_failures(MODEL, 50_000, 30 * 24.0, seed=9, track_devices=50_000)
    reference = simulate_job_sequential(
        events.job_times, events.job_devices_needed, events.job_down, horizon_hours=720.0, interval_hours=0.5,
        write_hours=0.02, restart_hours=0.1, hot_spares=10_000,
    )  # fmt: skip
    monkeypatch.setattr(job_module, "simulate_job_sequential", refuse)
    outcome = simulate_job(
        events.job_times, events.job_devices_needed, events.job_down, horizon_hours=720.0, interval_hours=0.5,
        write_hours=0.02, restart_hours=0.1, hot_spares=10_000,
    )  # fmt: skip
    assert outcome.interruptions == reference.interruptions > 100
    assert outcome.goodput == pytest.approx(reference.goodput, rel=1e-12)
    assert reference.waiting_hours == 0.0


@pytest.mark.benchmark
def test_a_year_of_10_8_gb200_fits_in_1_gib() -> None:
    """Scale run (``pytest -m benchmark``): 10^8 accelerators x 1 year with every device tracked (the default
    whole-fleet job), in a fresh process: peak memory under 1 GiB, the job's events sorted."""
    import json
    import subprocess
    import sys

    script = (
        "import json, resource, numpy as np\n"
        "from gigafleet.catalog import load_catalog\n"
        "from gigafleet.reliability.cohort import simulate_fleet_failures\n"
        "from gigafleet.reliability.model import failure_model\n"
        "e = simulate_fleet_failures(failure_model(load_catalog(), 'gb200'), 10**8, 8760.0, seed=1, "
        "track_devices=10**8)\n"
        "print(json.dumps({'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "
        "'job': int(e.job_times.size), 'sorted': bool(np.all(np.diff(e.job_times) >= 0))}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    run = json.loads(done.stdout)
    assert run["peak"] < 2**30 and run["job"] > 10**7 and run["sorted"]

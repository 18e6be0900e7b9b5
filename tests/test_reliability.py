"""Reliability: closed forms, Llama 3 reproduction, engine vs SimPy reference, engine vs Daly's exact goodput."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gigafleet.catalog import load_catalog
from gigafleet.errors import InputError
from gigafleet.reliability.analytic import daly_interval, expected_goodput, mtbi_hours, young_interval
from gigafleet.reliability.cohort import simulate_fleet_failures
from gigafleet.reliability.job import simulate_job
from gigafleet.reliability.model import exponential, failure_model, without_domains
from gigafleet.reliability.summary import ReliabilitySpec, job_rate_per_hour, simulate_reliability
from gigafleet.testing.simpy_reference import run_reference

CATALOG = load_catalog()


def test_closed_forms() -> None:
    assert mtbi_hours(16384, 419 / (16384 * 54 * 24)) == pytest.approx(54 * 24 / 419)
    assert young_interval(0.5, 100.0) == pytest.approx(10.0)
    assert daly_interval(5 / 60, 24.0) * 60 == pytest.approx(117, abs=0.5)  # Daly's worked example
    assert daly_interval(10.0, 2.0) == 2.0  # delta >= 2M: interval = M
    # small-rate limit of Daly's exact expression: 1 - delta/tau - (tau/2 + R)/M (first order)
    tau, delta, restart, m = 1.0, 0.01, 0.05, 1000.0
    first_order = 1 - delta / (tau + delta) - ((tau + delta) / 2 + restart) / m
    assert expected_goodput(tau, delta, restart, m) == pytest.approx(first_order, abs=2e-4)


def test_llama3_interruptions_and_goodput() -> None:
    """R1: 16,384 H100 for 54 days: unexpected interruptions in the Poisson 95% interval of 419; goodput > 0.9."""
    counts, goodputs = [], []
    for seed in range(6):
        result = simulate_reliability(
            CATALOG, ReliabilitySpec(chip="h100", accelerators=16384, days=54, job_size=16384, seed=seed)
        )
        counts.append(result["job_interruptions"])
        goodputs.append(result["goodput"])
    low, high = 419 - 1.96 * math.sqrt(419), 419 + 1.96 * math.sqrt(419)
    assert low <= np.mean(counts) <= high
    assert min(goodputs) > 0.9
    # GPU + HBM dominate, as in the paper (30.1% + 17.2%)
    assert result["job_interruptions_by_cause"]["gpu"] > result["job_interruptions_by_cause"]["software"]


def test_engine_matches_simpy_reference() -> None:
    """Means over seeds agree within 4 standard errors (two-sample z, ~1e-4 false-alarm rate)."""
    model = failure_model(CATALOG, "h100")
    n, horizon, tau, delta, restart = 10_000, 20 * 24.0, 0.3, 0.01, 0.05
    engine_i, engine_g, ref_i, ref_g = [], [], [], []
    for seed in range(8):
        events = simulate_fleet_failures(model, n, horizon, seed=seed, track_devices=n)
        outcome = simulate_job(
            events.job_times,
            events.job_devices_needed,
            events.job_down,
            horizon_hours=horizon,
            interval_hours=tau,
            write_hours=delta,
            restart_hours=restart,
            hot_spares=20,
        )
        engine_i.append(outcome.interruptions)
        engine_g.append(outcome.goodput)
        reference = run_reference(
            model,
            n,
            horizon,
            job_size=n,
            interval_hours=tau,
            write_hours=delta,
            restart_hours=restart,
            hot_spares=20,
            seed=1000 + seed,
        )
        ref_i.append(reference.job_interruptions)
        ref_g.append(reference.goodput)
    for a, b in ((engine_i, ref_i), (engine_g, ref_g)):
        se = math.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
        assert abs(np.mean(a) - np.mean(b)) <= 4 * se + 1e-9


def test_goodput_matches_daly_exact_expression() -> None:
    """Exponential failures, no domains, ample spares: simulated goodput within 2% of Daly's closed form."""
    model = without_domains(exponential(failure_model(CATALOG, "gb200")))
    job, horizon = 20_000, 120 * 24.0
    m = 1.0 / job_rate_per_hour(model, job)
    delta, restart = 2 / 60, 5 / 60
    tau = daly_interval(delta, m)
    simulated = []
    for seed in range(4):
        events = simulate_fleet_failures(model, job, horizon, seed=seed, track_devices=job)
        outcome = simulate_job(
            events.job_times,
            events.job_devices_needed,
            events.job_down,
            horizon_hours=horizon,
            interval_hours=tau,
            write_hours=delta,
            restart_hours=restart,
            hot_spares=10_000,
        )
        simulated.append(outcome.goodput)
    assert np.mean(simulated) == pytest.approx(expected_goodput(tau, delta, restart, m), rel=0.02)


def test_daly_interval_is_near_the_simulated_optimum() -> None:
    # Goodput averaged over four realisations: one realisation's curve is too noisy for the 0.005 bound (over 30
    # seeds a single one misses it 17-27% of the time, with the engine before and after issue 18 alike; the seed
    # this test pinned happened to pass on the old random stream). Four keep every block of 40 seeds under 0.004.
    model = without_domains(exponential(failure_model(CATALOG, "h100")))
    job, horizon = 16_384, 60 * 24.0
    m = 1.0 / job_rate_per_hour(model, job)
    delta, restart = 5 / 60, 5 / 60
    grid = np.linspace(0.3, 2.0, 18) * daly_interval(delta, m)
    curves = []
    for seed in (7, 8, 9, 10):
        events = simulate_fleet_failures(model, job, horizon, seed=seed, track_devices=job)
        curves.append(
            [
                simulate_job(
                    events.job_times,
                    events.job_devices_needed,
                    events.job_down,
                    horizon_hours=horizon,
                    interval_hours=float(t),
                    write_hours=delta,
                    restart_hours=restart,
                    hot_spares=10_000,
                ).goodput
                for t in grid
            ]
        )
    goodput = list(np.mean(curves, axis=0))
    best = grid[int(np.argmax(goodput))]
    assert best == pytest.approx(daly_interval(delta, m), rel=0.35)  # flat optimum: within the grid's resolution
    assert max(goodput) - goodput[int(np.argmin(np.abs(grid - daly_interval(delta, m))))] < 0.005


def test_spares_shortage_makes_the_job_wait() -> None:
    times = np.array([1.0, 2.0, 3.0])
    needed = np.array([1, 1, 1])
    down = np.array([10.0, 10.0, 10.0])
    plenty = simulate_job(
        times, needed, down, horizon_hours=20, interval_hours=0.5, write_hours=0.01, restart_hours=0.1, hot_spares=5
    )
    none = simulate_job(
        times, needed, down, horizon_hours=20, interval_hours=0.5, write_hours=0.01, restart_hours=0.1, hot_spares=0
    )
    assert plenty.waiting_hours == 0 and none.waiting_hours > 0
    assert none.goodput < plenty.goodput
    total = (
        none.useful_hours + none.recomputation_hours + none.restart_hours + none.waiting_hours + none.checkpoint_hours
    )
    assert total == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (ReliabilitySpec(chip="h100", accelerators=0, days=10, job_size=1), "--accelerators"),
        (ReliabilitySpec(chip="h100", accelerators=100, days=10, job_size=1000), "--job-size"),
        (ReliabilitySpec(chip="h100", accelerators=100, days=0, job_size=10), "--days"),
        (
            ReliabilitySpec(
                chip="h100",
                accelerators=100,
                days=10,
                job_size=10,
                checkpoint_interval_hours=0.001,
                checkpoint_write_minutes=1.0,
            ),
            "--checkpoint-interval",
        ),
        (
            ReliabilitySpec(chip="h100", accelerators=10**8, days=1, job_size=10**8, memory_limit_bytes=2**40),
            "cannot make progress",
        ),
        (ReliabilitySpec(chip="h100", accelerators=100, days=10, job_size=10, restart_minutes=-1), "--restart-minutes"),
        (ReliabilitySpec(chip="h1OO", accelerators=100, days=10, job_size=10), "--chip"),
        (
            ReliabilitySpec(chip="h100", accelerators=10**9, days=10, job_size=10, memory_limit_bytes=2**20),
            "--accelerators",
        ),
    ],
)
def test_bad_input(spec: ReliabilitySpec, field: str) -> None:
    with pytest.raises(InputError, match=field):
        simulate_reliability(CATALOG, spec)


def test_fleet_failure_counts_scale_with_size_and_rates() -> None:
    model = without_domains(exponential(failure_model(CATALOG, "h100")))
    events = simulate_fleet_failures(model, 200_000, 30 * 24.0, seed=2)
    expected = 200_000 * model.total_rate_per_hour * 30 * 24.0
    # repairs keep devices down briefly, so slightly fewer failures than the always-up expectation
    assert events.failures_by_day.sum() == pytest.approx(expected, rel=0.03)


def test_poisson_p99_is_within_one_unit_of_the_exact_quantile() -> None:
    from scipy import stats

    from gigafleet.reliability.summary import POISSON_NORMAL_FROM, poisson_p99

    for mean in (0.5, 7.0, 999.0, POISSON_NORMAL_FROM * 1.001, 4321.0, 5e4, 3e5, 2e6):
        exact = float(stats.poisson.ppf(0.99, mean))
        assert abs(poisson_p99(mean) - exact) <= 1.0, mean

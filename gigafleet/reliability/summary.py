"""Fleet reliability study: simulate a fleet and its largest training job, summarise in user units.

The JSON-ready result is the contract of ``gigafleet reliability --json``: ``failures_per_day`` (total and by
cause), ``job_mtbi_hours``, ``goodput``, ``gpu_hours_lost`` (by cause), ``spares_needed_p99`` and more.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError
from gigafleet.reliability.analytic import daly_interval, expected_goodput, young_interval
from gigafleet.reliability.cohort import MEMORY_LIMIT_BYTES, FleetEvents, memory_estimate_bytes, simulate_fleet_failures
from gigafleet.reliability.job import JobOutcome, simulate_job
from gigafleet.reliability.model import FailureModel, failure_model
from gigafleet.reliability.regimes import (
    REGIMES,
    RecoveryRegime,
    analytic_goodput,
    applicable,
    available_regimes,
    interruption_rate_per_hour,
    recovery_regime,
    simulate_elastic_job,
    stop_rate_per_hour,
)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ReliabilitySpec:
    """A reliability study (see ``gigafleet reliability --help``)."""

    chip: str
    accelerators: int
    days: float
    job_size: int | None  # None: auto (see resolve_job_size)
    checkpoint_interval_hours: float | None = None  # None: Daly's optimum
    checkpoint_write_minutes: float | None = None  # None: catalogue default
    restart_minutes: float | None = None  # None: catalogue default
    hot_spares: int | None = None  # None: spares_pct of the job
    spares_pct: float = 2.0
    seed: int = 0
    start_age_days: float | None = None
    memory_limit_bytes: int = MEMORY_LIMIT_BYTES
    regime: str = "storage-restart"  # or in-memory, elastic, auto (best available in ``year``)
    year: int | None = None  # for regime auto [default: this year]
    replications: int | None = 1  # runs behind the P10/P50/P90; None: auto_replications (the CLI's default)
    vary_rates: bool = True  # replications >= 1 draw a failure-rate multiplier (False: seeds only)

    @property
    def job(self) -> int:
        """The job size once resolved [accelerators] (:func:`resolve_job_size`; an error while it is auto)."""
        if self.job_size is None:
            raise ValueError("job size is auto: resolve it first (resolve_job_size)")
        return self.job_size


def job_rate_per_hour(model: FailureModel, job_size: int) -> float:
    """Interruption rate of a job of ``job_size`` devices at the reference age [1/h], domains included."""
    return interruption_rate_per_hour(model, job_size)


MAX_DAYS = 3650
"""Longest simulated period [days]."""
MAX_MINUTES = 1440
"""Longest checkpoint write or restart [min]."""


def resolve_regime(catalog: Catalog, model: FailureModel, name: str, job_size: int, year: int | None) -> RecoveryRegime:
    """The regime to simulate: ``name``, or for ``auto`` the available one (in ``year``, default this year) with
    the highest expected goodput at this job size."""
    if name != "auto":
        regime = recovery_regime(catalog, name, model)
        if not applicable(regime, job_size):
            raise InputError(
                "--regime",
                name,
                f"storage-restart or in-memory for a job of {job_size:,} (elastic "
                f"needs at least two replicas of {regime.replica_accelerators:,})",
            )
        return regime
    options = [
        recovery_regime(catalog, n, model)
        for n in available_regimes(catalog, year if year is not None else _dt.date.today().year)
    ]
    options = [r for r in options if applicable(r, job_size)]
    return max(options, key=lambda r: analytic_goodput(model, r, job_size))


def _goodput_range(
    catalog: Catalog, chip: str, regime: RecoveryRegime, spec: ReliabilitySpec, simulated: float
) -> dict[str, float]:
    """P10/P50/P90 of goodput: the simulated value scaled by the closed form's spread over sampled failure rates
    (generation factor and the Llama 3 rate's Poisson interval); 2,000 samples, the study's seed."""
    from gigafleet.reliability.regimes import goodput_samples, rate_multipliers

    rng = np.random.default_rng(spec.seed)
    multipliers = rate_multipliers(catalog, chip, 2000, rng)
    if not applicable(regime, spec.job):
        return {"p10": simulated, "p50": simulated, "p90": simulated}
    samples = goodput_samples(catalog, chip, regime.name, spec.job, multipliers)
    centre = float(goodput_samples(catalog, chip, regime.name, spec.job, np.ones(1))[0])
    scaled = np.clip(samples * (simulated / centre if centre > 0 else 1.0), 0.0, 1.0)
    p10, p50, p90 = np.percentile(scaled, [10, 50, 90])
    return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}


JOB_SIZE_AUTO_RULE = (
    "auto: the whole fleet, unless a job that large delivers less than a smaller one (J x goodput(J), the "
    "regime's closed form, peaks below the fleet size); then the peak size, and the fleet holds several such jobs"
)
"""``--job-size auto`` in words (help text and JSON)."""


def resolve_job_size(catalog: Catalog, spec: ReliabilitySpec) -> tuple[ReliabilitySpec, dict[str, Any]]:
    """The study with its job size set, and the ``job_sizing`` block of the JSON.

    ``spec.job_size`` None (``--job-size auto``, the default) is the whole fleet up to the size at which a bigger
    synchronous job delivers less compute: the peak of J x goodput(J) over the regimes ``spec.regime`` allows (all
    available in ``spec.year`` for ``auto``), found by :func:`gigafleet.reliability.sizing.best_run`, the same
    search ``gigafleet capability`` sizes its largest run with. Below the peak the job is the fleet, so a bigger
    fleet never simulates a job with less delivered compute; above it (10^7 GB200 and more), one job of 10^8
    would spend almost all its time restarting, so the job is the peak size and the fleet holds
    ``fleet // job`` of them.

    Examples
    --------
    >>> from gigafleet.catalog import load_catalog
    >>> spec, sizing = resolve_job_size(
    ...     load_catalog(), ReliabilitySpec(chip="gb200", accelerators=10**8, days=30, job_size=None, regime="elastic")
    ... )
    >>> sizing["rule"], 10**6 < spec.job_size < 10**7, sizing["jobs_in_fleet"] > 10
    ('auto', True, True)
    """
    from gigafleet.reliability.sizing import best_run

    if spec.job_size is not None:
        sizing = {"rule": "given", "job_size": spec.job_size, "peak_job_size": None}
    else:
        year = spec.year if spec.year is not None else _dt.date.today().year
        allowed = available_regimes(catalog, year) if spec.regime == "auto" else [spec.regime]
        rows = best_run(catalog, spec.chip, spec.accelerators, allowed)  # none: resolve_regime says why
        top = rows[0] if rows else {"job_size": spec.accelerators, "job_size_max": spec.accelerators}
        peaked = top["job_size"] < top["job_size_max"]  # the peak lies below the fleet (in whole replicas)
        job = int(top["job_size"]) if peaked else spec.accelerators
        spec = dataclasses.replace(spec, job_size=job)
        sizing = {"rule": "auto", "job_size": job, "peak_job_size": int(top["job_size"]) if peaked else None}
    jobs = spec.accelerators // spec.job  # validate() held a given size to 1 .. the fleet
    if sizing["peak_job_size"] is not None:
        note = (
            f"Job size auto: {spec.job:,} accelerators, the size at which a bigger synchronous job delivers "
            f"less (J x goodput peaks there); the fleet of {spec.accelerators:,} holds {jobs:,} such jobs. "
            "Give --job-size to simulate another."
        )
    elif sizing["rule"] == "auto":
        note = f"Job size auto: the whole fleet ({spec.job:,} accelerators), below the peak of J x goodput."
    else:
        note = f"Job size {spec.job:,} accelerators (given)."
    return spec, {**sizing, "jobs_in_fleet": jobs, "description": JOB_SIZE_AUTO_RULE, "note": note}


def validate(spec: ReliabilitySpec) -> None:
    """Reject impossible studies with one-line errors (a job size of None, auto, is checked once resolved)."""
    if not 1 <= spec.accelerators <= 1e9:
        raise InputError("--accelerators", spec.accelerators, "a whole number of accelerators from 1 to 1e9")
    if not 1 / 24 <= spec.days <= MAX_DAYS:
        raise InputError("--days", spec.days, f"a number of days from 1/24 (one hour) to {MAX_DAYS:,} (10 years)")
    if spec.job_size is not None and spec.job_size < 1:
        raise InputError("--job-size", spec.job_size, "a positive number of accelerators")
    if spec.job_size is not None and spec.job_size > spec.accelerators:
        raise InputError("--job-size", spec.job_size, f"at most the fleet size ({spec.accelerators:,})")
    if not 0 <= spec.spares_pct <= 100:
        raise InputError("--spares-pct", spec.spares_pct, "a percentage from 0 to 100")
    for name, value in (
        ("--checkpoint-write-minutes", spec.checkpoint_write_minutes),
        ("--restart-minutes", spec.restart_minutes),
    ):
        if value is not None and not 0 <= value <= MAX_MINUTES:
            raise InputError(name, value, f"minutes from 0 to {MAX_MINUTES:,} (one day)")
    if spec.hot_spares is not None and not 0 <= spec.hot_spares <= spec.accelerators:
        raise InputError("--hot-spares", spec.hot_spares, f"0 to the fleet size ({spec.accelerators:,})")
    if spec.checkpoint_interval_hours is not None and not 0 < spec.checkpoint_interval_hours <= spec.days * 24:
        raise InputError(
            "--checkpoint-interval",
            spec.checkpoint_interval_hours * 60,
            f"minutes above 0 and at most the run ({spec.days * 24 * 60:,.0f} min)",
        )


MAX_REPLICATIONS = 1000
"""Most replications one study may ask for."""
AUTO_REPLICATIONS = 8
"""Replications of ``--replications auto`` for studies up to :data:`AUTO_DEVICE_DAYS`."""
AUTO_DEVICE_DAYS = 4e8
"""Size of study [accelerators x max(days, AUTO_MIN_DAYS)] up to which ``auto`` runs :data:`AUTO_REPLICATIONS`;
above it the count falls as AUTO_REPLICATIONS x AUTO_DEVICE_DAYS / size (at least 1). Measured (one replication,
2 shared CPUs): 10^6 H100 x 365 days 0.11 s elastic, 0.38 s in-memory, 1.2 s storage-restart; 10^7 x 100 days
0.5 s elastic, 1.9 s in-memory; 10^5 x 365 days 0.01 s. So the extra replications stay within ~3 s (~8 s for a
storage-restart job at the threshold), 10^7 x 365 days and 10^8 accelerators run once."""
AUTO_MIN_DAYS = 30.0
"""Days counted at least per accelerator in the ``auto`` rule, so that 10^8 accelerators always run once."""
AUTO_RULE = (
    f"auto: {AUTO_REPLICATIONS} replications up to {AUTO_DEVICE_DAYS / 1e8:g}x10^8 accelerator-days "
    f"(accelerators x max(days, {AUTO_MIN_DAYS:g})), then {AUTO_REPLICATIONS} x {AUTO_DEVICE_DAYS / 1e8:g}x10^8 / "
    "accelerator-days, at least 1 (one at 10^8 accelerators)"
)
"""The ``auto`` rule in words (help text and JSON)."""
REPLICATION_METRICS = (
    "goodput",
    "failures_per_day",
    "job_interruptions",
    "availability_mean",
    "gpu_hours_lost_total",
    "spares_needed_p99",
)
"""Headline metrics summarised over replications (``failures_per_day`` is the fleet total)."""


def auto_replications(spec: ReliabilitySpec) -> int:
    """Replications of ``--replications auto``: see :data:`AUTO_RULE`.

    Examples
    --------
    >>> auto_replications(ReliabilitySpec(chip="h100", accelerators=100_000, days=365, job_size=100_000))
    8
    >>> auto_replications(ReliabilitySpec(chip="h100", accelerators=10**8, days=1, job_size=10**5))
    1
    """
    size = spec.accelerators * max(spec.days, AUTO_MIN_DAYS)
    if size <= AUTO_DEVICE_DAYS:
        return AUTO_REPLICATIONS
    return max(1, min(AUTO_REPLICATIONS, int(AUTO_REPLICATIONS * AUTO_DEVICE_DAYS / size)))


def replication_multiplier(catalog: Catalog, spec: ReliabilitySpec, replication: int) -> float:
    """Failure-rate multiplier of one replication [1]: 1 for replication 0 (the catalogue mid rates), else a draw
    of :func:`~gigafleet.reliability.regimes.rate_multipliers` from its own stream (seed, replication), so that
    replication r is the same whatever the count."""
    from gigafleet.reliability.regimes import rate_multipliers

    if replication == 0 or not spec.vary_rates:
        return 1.0
    rng = np.random.default_rng((spec.seed, replication))
    return float(rate_multipliers(catalog, spec.chip, 1, rng)[0])


def _failures_per_day(events: FleetEvents, horizon: float) -> np.ndarray:
    return np.asarray(events.failures_by_day.sum(axis=0) / (horizon / 24.0))


def _availability_by_day(events: FleetEvents, spec: ReliabilitySpec) -> np.ndarray:
    """Mean share of the fleet up, by day [fraction] (one value for runs under a day)."""
    down_share_hourly = events.down_by_hour / spec.accelerators
    hours_in_days = int(spec.days * 24.0 // 24) * 24
    return np.asarray(
        1.0 - down_share_hourly[:hours_in_days].reshape(-1, 24).mean(axis=1)
        if hours_in_days
        else np.array([1.0 - down_share_hourly.mean()])
    )


def _spares_p99(events: FleetEvents, model: FailureModel, horizon: float) -> float:
    """99th percentile of spare demand over one vendor-return lead time (Poisson at the simulated rate)."""
    consumption_rate = float(events.spare_consumed_by_hour.sum()) / horizon
    lead_demand = consumption_rate * model.vendor_return_hours
    return poisson_p99(lead_demand)


POISSON_NORMAL_FROM = 1000.0
"""Mean above which :func:`poisson_p99` uses the Cornish-Fisher expansion instead of SciPy's exact quantile
(``scipy.stats.poisson.ppf`` takes seconds at a mean of 3·10^5; the expansion is within one unit there)."""
Z99 = 2.3263478740408408
"""Standard normal 99th percentile."""


def poisson_p99(mean: float) -> float:
    """99th percentile of a Poisson count of ``mean`` [count]: exact below :data:`POISSON_NORMAL_FROM`, else
    ``ceil(λ + z√λ + (z² − 1)/6)`` (Cornish-Fisher to the first skewness term), within one unit of the exact.

    Examples
    --------
    >>> poisson_p99(0.0), poisson_p99(4.0)
    (0.0, 9.0)
    >>> poisson_p99(1e6)
    1002328.0
    """
    if mean <= 0:
        return 0.0
    if mean > POISSON_NORMAL_FROM:
        return float(math.ceil(mean + Z99 * math.sqrt(mean) + (Z99**2 - 1.0) / 6.0))
    from scipy import stats

    return float(stats.poisson.ppf(0.99, mean))


def _gpu_hours_lost(outcome: JobOutcome, job_size: int) -> dict[str, float]:
    return {
        k: v * job_size
        for k, v in (
            ("recomputation", outcome.recomputation_hours),
            ("restart", outcome.restart_hours),
            ("waiting_for_spares", outcome.waiting_hours),
            ("checkpointing", outcome.checkpoint_hours),
        )
    }


def _replicate(catalog: Catalog, spec: ReliabilitySpec, regime_name: str, replication: int) -> dict[str, float]:
    """Headline metrics of replication ``replication`` >= 1: seed + replication and a sampled failure-rate
    multiplier; the fleet's failures and the job under ``regime_name`` only (no job-size curve, no regime table).
    The checkpoint interval is the one asked, or Daly's optimum at this replication's rates."""
    multiplier = replication_multiplier(catalog, spec, replication)
    model = failure_model(catalog, spec.chip, rate_factor=multiplier)
    regime = recovery_regime(catalog, regime_name, model)
    write_h = spec.checkpoint_write_minutes / 60.0 if spec.checkpoint_write_minutes is not None else regime.write_hours
    restart_h = spec.restart_minutes / 60.0 if spec.restart_minutes is not None else regime.restart_hours
    regime = dataclasses.replace(regime, write_hours=write_h, restart_hours=restart_h)
    horizon = spec.days * 24.0
    events = simulate_fleet_failures(
        model,
        spec.accelerators,
        horizon,
        seed=spec.seed + replication,
        track_devices=spec.job,
        start_age_hours=spec.start_age_days * 24.0 if spec.start_age_days is not None else None,
        memory_limit_bytes=spec.memory_limit_bytes,
    )
    outcome = _play(model, events, spec, spec.job, regime, spec.checkpoint_interval_hours)[0]
    return {
        "goodput": outcome.goodput,
        "failures_per_day": float(_failures_per_day(events, horizon).sum()),
        "job_interruptions": float(outcome.interruptions),
        "availability_mean": float(_availability_by_day(events, spec).mean()),
        "gpu_hours_lost_total": float(sum(_gpu_hours_lost(outcome, spec.job).values())),
        "spares_needed_p99": _spares_p99(events, model, horizon),
    }


def _replications_summary(
    catalog: Catalog, spec: ReliabilitySpec, runs: list[dict[str, float]], *, auto: bool
) -> dict[str, Any]:
    """The ``replications`` block: count, seeds, multipliers, and P10/P50/P90 of each headline metric."""
    count = len(runs)
    metrics = {}
    for name in REPLICATION_METRICS:
        values = np.array([run[name] for run in runs], dtype=float)
        p10, p50, p90 = np.percentile(values, [10, 50, 90]) if count > 1 else (values[0],) * 3
        metrics[name] = {"p10": float(p10), "p50": float(p50), "p90": float(p90)}
    if count == 1:
        note = (
            "One replication (the seeded run): each metric's P10/P50/P90 is that single value; "
            "ask for more with --replications N."
        )
    else:
        note = (
            f"P10/P50/P90 over {count} replications: replication 0 is the seeded run at the catalogue's mid "
            "failure rates; replication r >= 1 uses seed + r and a failure-rate multiplier drawn from the "
            "chip's generation-factor range x the Llama 3 rate's Poisson interval (the job-size curve and "
            "regime table are replication 0's)."
            + ("" if spec.vary_rates else " Rate multipliers held at 1 (seeds only).")
        )
    return {
        "count": count,
        "auto": auto,
        "rule": AUTO_RULE,
        "seeds": [spec.seed + r for r in range(count)],
        "rate_multipliers": [replication_multiplier(catalog, spec, r) for r in range(count)],
        "metrics": metrics,
        "note": note,
    }


def _job_events(events: FleetEvents, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    keep = events.job_devices < size
    if keep.all():  # the whole tracked set: no copies (nine of ~400 MB each at 10^8 devices)
        return events.job_times, events.job_causes, events.job_devices_needed, events.job_down
    return (events.job_times[keep], events.job_causes[keep], events.job_devices_needed[keep], events.job_down[keep])


def _play(
    model: FailureModel,
    events: FleetEvents,
    spec: ReliabilitySpec,
    size: int,
    regime: RecoveryRegime,
    tau: float | None = None,
) -> tuple[JobOutcome, float, float]:
    """Simulated outcome, MTBI of job stops [h] and checkpoint interval [h] of a job of ``size`` under ``regime``
    (``tau`` None: Daly's optimum at the job's MTBI)."""
    horizon = spec.days * 24.0
    t_s, c_s, n_s, d_s = _job_events(events, size)
    hot_s = math.ceil(size * spec.spares_pct / 100) if spec.hot_spares is None else spec.hot_spares
    m_s = 1.0 / max(stop_rate_per_hour(model, regime, size), 1e-12)
    tau_s = tau if tau is not None else daly_interval(regime.write_hours, m_s)
    if not regime.stops_on_device_failure and applicable(regime, size):
        return (
            simulate_elastic_job(
                t_s,
                c_s,
                n_s,
                d_s,
                n_modes=len(model.modes),
                job_size=size,
                regime=regime,
                horizon_hours=horizon,
                interval_hours=max(tau_s, regime.write_hours * 1.01),
            ),
            m_s,
            tau_s,
        )
    tau_s = max(tau_s, regime.write_hours * 1.01)
    return (
        simulate_job(
            t_s,
            n_s,
            d_s,
            horizon_hours=horizon,
            interval_hours=tau_s,
            write_hours=regime.write_hours,
            restart_hours=regime.restart_hours,
            hot_spares=hot_s,
        ),
        m_s,
        tau_s,
    )


def simulate_reliability(
    catalog: Catalog, spec: ReliabilitySpec, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Run the study and return the JSON-ready summary (``progress`` is told when each replication starts)."""
    validate(spec)
    spec, sizing = resolve_job_size(catalog, spec)
    replications = spec.replications if spec.replications is not None else auto_replications(spec)
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise InputError("--replications", replications, f"auto or a whole number from 1 to {MAX_REPLICATIONS}")
    memory = memory_estimate_bytes(spec.accelerators)
    if memory > spec.memory_limit_bytes:
        raise InputError(
            "--accelerators",
            spec.accelerators,
            f"a fleet whose simulation fits in {spec.memory_limit_bytes / 2**30:.3g} GiB (this one needs "
            f"~{memory / 2**30:.2f} GiB; raise --max-memory-gb if the machine has it)",
        )
    model = failure_model(catalog, spec.chip)
    regime = resolve_regime(catalog, model, spec.regime, spec.job, spec.year)
    write_h = spec.checkpoint_write_minutes / 60.0 if spec.checkpoint_write_minutes is not None else regime.write_hours
    restart_h = spec.restart_minutes / 60.0 if spec.restart_minutes is not None else regime.restart_hours
    regime = dataclasses.replace(regime, write_hours=write_h, restart_hours=restart_h)
    horizon = spec.days * 24.0
    mtbi = 1.0 / max(stop_rate_per_hour(model, regime, spec.job), 1e-12)  # elastic: fabric outages only
    young, daly = young_interval(write_h, mtbi), daly_interval(write_h, mtbi)
    interval = spec.checkpoint_interval_hours if spec.checkpoint_interval_hours is not None else daly
    if spec.checkpoint_interval_hours is None and write_h <= 0:
        raise InputError(
            "--checkpoint-write-minutes",
            0,
            "a positive write time with --checkpoint-interval auto "
            "(a free checkpoint makes Daly's optimal interval zero); or give --checkpoint-interval",
        )
    if interval <= write_h:
        if spec.checkpoint_interval_hours is None:
            raise InputError(
                "--job-size",
                spec.job,
                f"a job whose mean time between interruptions ({mtbi * 60:.3g} min) is well above the "
                f"checkpoint write time ({write_h * 60:.2f} min); this one cannot make progress",
            )
        raise InputError(
            "--checkpoint-interval",
            interval * 60,
            f"an interval in minutes longer than the checkpoint write time ({write_h * 60:.2f} min)",
        )
    hot = spec.hot_spares if spec.hot_spares is not None else math.ceil(spec.job * spec.spares_pct / 100)
    started = time.perf_counter()
    events = simulate_fleet_failures(
        model,
        spec.accelerators,
        horizon,
        seed=spec.seed,
        track_devices=spec.job,
        start_age_hours=spec.start_age_days * 24.0 if spec.start_age_days is not None else None,
        memory_limit_bytes=spec.memory_limit_bytes,
    )
    seconds = time.perf_counter() - started
    times, causes, needed, down = _job_events(events, spec.job)

    def play(size: int, regime_s: RecoveryRegime, tau: float | None = None) -> tuple[JobOutcome, float, float]:
        """Simulated outcome, MTBI of job stops and interval for a job of ``size`` under ``regime_s``."""
        return _play(model, events, spec, size, regime_s, tau)

    if regime.stops_on_device_failure:
        outcome = simulate_job(
            times,
            needed,
            down,
            horizon_hours=horizon,
            interval_hours=interval,
            write_hours=write_h,
            restart_hours=restart_h,
            hot_spares=hot,
        )
    else:
        outcome = play(spec.job, regime, interval)[0]
    regimes = []
    for name in REGIMES:
        option = regime if name == regime.name else recovery_regime(catalog, name, model)
        if not applicable(option, spec.job):
            continue
        played = outcome if name == regime.name else play(spec.job, option)[0]
        regimes.append(
            {
                "regime": name,
                "available_from_year": option.available_from_year,
                "goodput": played.goodput,
                "goodput_analytic": analytic_goodput(model, option, spec.job),
                "job_interruptions": played.interruptions,
            }
        )
    causes_all = events.causes
    per_day = _failures_per_day(events, horizon)
    job_by_cause = np.bincount(causes[times < horizon], minlength=len(causes_all))
    curve = []
    size = 1000
    sizes = []
    while size < spec.job:
        sizes.append(size)
        size *= 10
    sizes.append(spec.job)
    small = dataclasses.replace(
        recovery_regime(catalog, "in-memory", model), write_hours=write_h, restart_hours=restart_h
    )  # an elastic regime below two replicas recovers in memory
    for s in sizes:
        regime_s = regime if applicable(regime, s) else small
        o_s, m_s, tau_s = play(s, regime_s, None if spec.checkpoint_interval_hours is None else interval)
        curve.append(
            {
                "job_size": s,
                "goodput": o_s.goodput,
                "mtbi_hours": m_s,
                "interval_hours": tau_s,
                "regime": regime_s.name,
                "goodput_analytic": analytic_goodput(model, regime_s, s),
            }
        )
    hours_in_days = int(horizon // 24) * 24
    availability = _availability_by_day(events, spec)
    pool0 = spec.spares_pct / 100.0 * spec.accelerators
    in_flight = np.cumsum(events.spare_consumed_by_hour) - np.cumsum(events.spare_returned_by_hour)
    pool = pool0 - in_flight
    pool_by_day = pool[:hours_in_days].reshape(-1, 24).min(axis=1) if hours_in_days else pool[:1]
    spares_p99 = _spares_p99(events, model, horizon)
    technicians = model.technicians_per_10k * spec.accelerators / 1e4
    capacity = technicians * 8.0
    backlog, worst = 0.0, 0.0
    for load in events.tech_hours_by_day:
        backlog = max(0.0, backlog + load - capacity)
        worst = max(worst, backlog)
    lost = _gpu_hours_lost(outcome, spec.job)
    headline = {
        "goodput": outcome.goodput,
        "failures_per_day": float(per_day.sum()),
        "job_interruptions": float(outcome.interruptions),
        "availability_mean": float(availability.mean()),
        "gpu_hours_lost_total": float(sum(lost.values())),
        "spares_needed_p99": spares_p99,
    }
    runs = [headline]
    for r in range(1, replications):
        if progress is not None:
            progress(f"replication {r + 1} of {replications}: seed {spec.seed + r}, sampled failure rates")
        runs.append(_replicate(catalog, spec, regime.name, r))
    return {
        "schema_version": SCHEMA_VERSION,
        "inputs": {
            "accelerators": spec.accelerators,
            "chip": model.chip,
            "days": spec.days,
            "job_size": spec.job,
            "checkpoint_interval_hours": spec.checkpoint_interval_hours or "auto",
            "checkpoint_write_minutes": write_h * 60,
            "restart_minutes": restart_h * 60,
            "hot_spares": hot,
            "spares_pct": spec.spares_pct,
            "technicians": technicians,
            "seed": spec.seed,
        },
        "failures_per_day": {
            "total": headline["failures_per_day"],
            "by_cause": {c: float(v) for c, v in zip(causes_all, per_day, strict=True)},
        },
        "failures_by_day": {
            "day": list(range(events.failures_by_day.shape[0])),
            "by_cause": {c: events.failures_by_day[:, i].astype(float).tolist() for i, c in enumerate(causes_all)},
        },
        "job_interruptions": outcome.interruptions,
        "job_interruptions_by_cause": {c: int(v) for c, v in zip(causes_all, job_by_cause, strict=True) if v},
        "job_mtbi_hours": mtbi,
        "job_mtbi_hours_simulated": horizon / outcome.interruptions if outcome.interruptions else None,
        "checkpoint_interval_hours": interval,
        "young_interval_hours": young,
        "daly_interval_hours": daly,
        "goodput": outcome.goodput,
        "goodput_range": _goodput_range(catalog, model.chip, regime, spec, outcome.goodput),
        "goodput_analytic": (
            expected_goodput(interval, write_h, restart_h, mtbi)
            if regime.stops_on_device_failure
            else analytic_goodput(model, regime, spec.job)
        ),
        "regime": regime.name,
        "regimes": regimes,
        "gpu_hours_lost": lost,
        "gpu_hours_lost_total": headline["gpu_hours_lost_total"],
        "goodput_vs_job_size": curve,
        "availability_by_day": availability.tolist(),
        "availability_mean": headline["availability_mean"],
        "spares": {
            "pool_initial": pool0,
            "pool_by_day": pool_by_day.tolist(),
            "min_pool": float(pool.min()),
            "stockout_days": int((pool_by_day < 0).sum()),
            "spares_needed_p99": spares_p99,
            "max_in_flight": float(in_flight.max()) if in_flight.size else 0.0,
        },
        "spares_needed_p99": spares_p99,
        "technicians": {
            "count": technicians,
            "hours_per_day_mean": float(events.tech_hours_by_day.mean()),
            "capacity_hours_per_day": capacity,
            "max_backlog_hours": worst,
        },
        "engine": {
            "name": "cohort",
            "events": events.events,
            "seconds": seconds,
            "events_per_second": events.events / seconds if seconds > 0 else None,
        },
        "notes": [
            sizing["note"],
            "Rates are the Llama 3 H100 interruption table per GPU-day, scaled by the chip's generation factor; "
            "hazards apply to each device's operating age (repairs do not reset it).",
            "The job's interruptions are its devices' failures plus shocks to its racks, PDUs, cooling loops and "
            "fabric partitions; automatic resets need no spare.",
            "spares_needed_p99 is the 99th percentile of spare demand over one vendor-return lead time "
            "(Poisson, at the simulated consumption rate).",
        ],
        "replications": _replications_summary(catalog, spec, runs, auto=spec.replications is None),
        "job_sizing": sizing,
    }


__all__ = ["JobOutcome", "ReliabilitySpec", "simulate_reliability"]

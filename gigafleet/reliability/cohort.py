"""Vectorised cohort simulation of device failures and repairs for fleets up to 10^8 accelerators.

Exact per-device semantics (the same as the SimPy reference in :mod:`gigafleet.testing.simpy_reference`):
each device alternates up and down; while up its operating age grows and every failure mode's Weibull hazard
applies to that age (repairs do not reset it); at a failure the cause is the first mode to fire, the repair class
is drawn with the mode's shares, and the device stays down for that class's repair time. The first round thins the
whole chunk at once (all devices start at the same age, so the number that fail before the horizon is binomial and
only those are drawn); later rounds advance the failed devices one failure–repair cycle at a time with numpy,
dropping those whose next failure falls beyond the horizon.

Fleet-level outputs are aggregated on the fly (failures per day by cause, devices down per hour, spare-pool
movements, technician hours): no per-event array of the whole fleet is kept. Events of the first ``track_devices``
devices (the job's) are returned for the job simulation. Correlated domains fail as Poisson common shocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gigafleet.errors import InputError
from gigafleet.reliability.model import DOMAINS, REPAIR_CLASSES, FailureModel

BYTES_PER_DEVICE = 64
"""Peak working memory per device in a chunk [B] (about eight float64/int arrays)."""
DEFAULT_CHUNK = 4_000_000
MEMORY_LIMIT_BYTES = 4 * 1024**3


@dataclass
class FleetEvents:
    """Aggregated results of a fleet simulation."""

    n_devices: int
    horizon_hours: float
    modes: tuple[str, ...]
    failures_by_day: np.ndarray  # (days, modes + domains) counts
    down_by_hour: np.ndarray  # (hours,) devices down
    spare_consumed_by_hour: np.ndarray  # (hours,) spares taken from the pool
    spare_returned_by_hour: np.ndarray  # (hours,) spares returned (vendor turnaround)
    tech_hours_by_day: np.ndarray  # (days,) technician hours needed
    events: int
    job_times: np.ndarray = field(default_factory=lambda: np.zeros(0))  # failures of tracked devices [h]
    job_causes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    job_classes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    job_down: np.ndarray = field(default_factory=lambda: np.zeros(0))
    job_devices_needed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    job_devices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # device (or domain start)

    @property
    def causes(self) -> tuple[str, ...]:
        """Cause names of the columns of ``failures_by_day``."""
        return (*self.modes, *DOMAINS)


def memory_estimate_bytes(n_devices: int, chunk: int = DEFAULT_CHUNK) -> int:
    """Peak memory the engine needs [B]: one chunk of device state plus hourly and daily aggregates."""
    return min(n_devices, chunk) * BYTES_PER_DEVICE + 8 * 10**7


def _next_failure(
    model: FailureModel, age: npt.NDArray[np.float64], rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int16]]:
    """Operating time to the next failure and its cause, for devices of the given ages (competing Weibull modes)."""
    n = age.size
    k, eta = model.shape, model.scale_hours()
    constant = np.flatnonzero(k == 1.0)
    best = np.full(n, np.inf)
    cause = np.zeros(n, dtype=np.int16)
    if constant.size:
        total = float(model.rate_per_hour[constant].sum())
        best = rng.exponential(1.0 / total, n)
        probabilities = model.rate_per_hour[constant] / total
        cause = constant[
            np.searchsorted(np.cumsum(probabilities), rng.random(n) * probabilities.sum(), side="right").clip(
                max=constant.size - 1
            )
        ].astype(np.int16)
    for mode in np.flatnonzero(k != 1.0):
        shape, scale = float(k[mode]), float(eta[mode])
        draw = rng.exponential(1.0, n)
        delta = scale * ((age / scale) ** shape + draw) ** (1.0 / shape) - age
        wins = delta < best
        best = np.where(wins, delta, best)
        cause = np.where(wins, np.int16(mode), cause)
    return best, cause


def _first_failures(
    model: FailureModel, size: int, age0: float, horizon_hours: float, rng: np.random.Generator, grid_points: int = 4097
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int16]]:
    """First failures of ``size`` devices that all start at age ``age0`` at time 0, without drawing for the rest.

    Exact thinning: every device's first failure falls before the horizon with the same probability
    p = 1 − exp(−ΔC), ΔC the cumulative hazard over the horizon; K ~ Binomial(size, p) devices are picked at
    random, their cumulative hazard at failure is Exp(1) truncated to [0, ΔC) and inverted on a fine grid of the
    (monotone) cumulative hazard, and the cause is drawn in proportion to each mode's hazard at that age.
    """
    k, eta = model.shape, model.scale_hours()
    t_grid = np.linspace(0.0, horizon_hours, grid_points)
    cumulative = (((age0 + t_grid[:, None]) / eta) ** k - (age0 / eta) ** k).sum(axis=1)
    total = float(cumulative[-1])
    count = int(rng.binomial(size, -np.expm1(-total)))
    if count == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int16)
    which = np.sort(rng.choice(size, count, replace=False)).astype(np.int64)
    target = -np.log1p(rng.random(count) * np.expm1(-total))  # Exp(1) truncated to [0, total)
    delta = np.interp(target, cumulative, t_grid)
    constant = np.flatnonzero(k == 1.0)
    varying = np.flatnonzero(k != 1.0)
    constant_rate = float(model.rate_per_hour[constant].sum())
    # hazards at the failure age: constant modes as one group, age-dependent modes one by one
    hazards = [np.full(count, constant_rate)] + [
        (k[m] / eta[m]) * ((age0 + delta) / eta[m]) ** (k[m] - 1) for m in varying
    ]
    cum = np.cumsum(np.stack(hazards, axis=1), axis=1)
    group = (rng.random(count)[:, None] * cum[:, -1:] > cum).sum(axis=1).clip(max=len(hazards) - 1)
    cause = np.zeros(count, dtype=np.int16)
    in_constant = group == 0
    if constant.size and in_constant.any():
        probabilities = np.cumsum(model.rate_per_hour[constant]) / constant_rate
        pick = np.searchsorted(probabilities, rng.random(int(in_constant.sum())), side="right")
        cause[in_constant] = constant[pick.clip(max=constant.size - 1)]
    for position, m in enumerate(varying, start=1):
        cause[group == position] = m
    return which, delta, cause


def simulate_fleet_failures(
    model: FailureModel,
    n_devices: int,
    horizon_hours: float,
    *,
    seed: int = 0,
    start_age_hours: float | None = None,
    track_devices: int = 0,
    chunk: int = DEFAULT_CHUNK,
    memory_limit_bytes: int = MEMORY_LIMIT_BYTES,
) -> FleetEvents:
    """Simulate failures and repairs of ``n_devices`` for ``horizon_hours``.

    Parameters
    ----------
    model
        Failure and repair model.
    n_devices
        Fleet size [devices].
    horizon_hours
        Simulated time [h].
    seed
        Random seed (same seed, same events).
    start_age_hours
        Operating age of every device at the start [h]; default the model's reference age.
    track_devices
        Keep the events of devices 0 .. track_devices − 1 (a job's devices).
    chunk
        Devices simulated at once (memory ∝ chunk).
    memory_limit_bytes
        Refuse, before allocating, when the estimate exceeds this.
    """
    if n_devices < 1:
        raise InputError("--accelerators", n_devices, "a positive number of accelerators")
    if horizon_hours <= 0:
        raise InputError("--days", horizon_hours / 24, "a positive number of days")
    estimate = memory_estimate_bytes(n_devices, chunk)
    if estimate > memory_limit_bytes:
        raise InputError(
            "--accelerators",
            n_devices,
            f"a fleet whose simulation fits in {memory_limit_bytes / 2**30:.1f} GiB (needs "
            f"~{estimate / 2**30:.1f} GiB)",
        )
    rng = np.random.default_rng(seed)
    n_modes = len(model.modes)
    n_causes = n_modes + len(DOMAINS)
    days = int(np.ceil(horizon_hours / 24.0))
    hours = int(np.ceil(horizon_hours)) + 1
    failures = np.zeros(days * n_causes, dtype=np.int64)
    down_delta = np.zeros(hours + 1, dtype=np.float64)
    consumed = np.zeros(hours + 1, dtype=np.float64)
    returned_at = np.zeros(hours + int(model.vendor_return_hours) + 2, dtype=np.float64)
    tech = np.zeros(days, dtype=np.float64)
    events = 0
    age0 = model.reference_age_hours if start_age_hours is None else start_age_hours
    job_parts: list[tuple[np.ndarray, ...]] = []  # (time, cause, class, down, devices needed, device id)
    for start in range(0, n_devices, chunk):
        size = min(chunk, n_devices - start)
        first, delta, cause = _first_failures(model, size, float(age0), horizon_hours, rng)
        ids = first + start
        age = np.full(ids.size, float(age0))
        clock = np.zeros(ids.size)
        while ids.size:
            t_fail = clock + delta
            alive = t_fail < horizon_hours
            ids, age, t_fail, cause, delta = ids[alive], age[alive], t_fail[alive], cause[alive], delta[alive]
            if not ids.size:
                break
            cumulative = np.cumsum(model.repair_shares[cause], axis=1)
            repair = (rng.random(ids.size)[:, None] > cumulative).sum(axis=1).clip(max=2).astype(np.int8)
            down = model.down_hours[repair]
            events += ids.size
            day = (t_fail // 24.0).astype(np.int64)
            failures += np.bincount(day * n_causes + cause, minlength=days * n_causes)[: days * n_causes]
            begin = t_fail.astype(np.int64)
            end = np.minimum(t_fail + down, horizon_hours).astype(np.int64)
            down_delta += np.bincount(begin, minlength=hours + 1)[: hours + 1]
            down_delta -= np.bincount(end, minlength=hours + 1)[: hours + 1]
            swap = repair == 2
            misdiagnosed = (repair == 1) & (rng.random(ids.size) < model.misdiagnosis_rate)
            spare = swap | misdiagnosed
            if spare.any():
                consumed += np.bincount(begin[spare], minlength=hours + 1)[: hours + 1]
                back = (t_fail[spare] + model.vendor_return_hours).astype(np.int64)
                returned_at += np.bincount(back, minlength=returned_at.size)[: returned_at.size]
            manual_or_swap = repair >= 1
            tech += np.bincount(day[manual_or_swap], minlength=days)[:days] * model.tech_hours_per_repair
            if track_devices and start < track_devices:
                tracked = ids < track_devices
                if tracked.any():
                    job_parts.append(
                        (
                            t_fail[tracked],
                            cause[tracked],
                            repair[tracked],
                            down[tracked],
                            np.where(repair[tracked] == 0, 0, 1).astype(np.int64),
                            ids[tracked],
                        )
                    )
            age = age + delta
            clock = t_fail + down
            keep = clock < horizon_hours
            ids, age, clock = ids[keep], age[keep], clock[keep]
            if ids.size:
                delta, cause = _next_failure(model, age, rng)
    # correlated domains: Poisson common shocks taking a whole domain down
    job_domain_parts: list[tuple[np.ndarray, ...]] = []
    for offset, domain in enumerate(DOMAINS):
        rate = model.domain_rate_per_hour[domain]
        size = model.domain_size[domain]
        n_domains = int(np.ceil(n_devices / size))
        count = rng.poisson(rate * n_domains * horizon_hours) if rate > 0 else 0
        if not count:
            continue
        times = rng.random(count) * horizon_hours
        which = rng.integers(0, n_domains, count)
        outage = model.domain_outage_hours[domain]
        members = np.minimum(size, n_devices - which * size)
        events += count
        day = (times // 24.0).astype(np.int64)
        failures += np.bincount(day * n_causes + n_modes + offset, minlength=days * n_causes)[: days * n_causes]
        begin = times.astype(np.int64)
        end = np.minimum(times + outage, horizon_hours).astype(np.int64)
        down_delta += np.bincount(begin, weights=members, minlength=hours + 1)[: hours + 1]
        down_delta -= np.bincount(end, weights=members, minlength=hours + 1)[: hours + 1]
        if track_devices:
            job_domains = int(np.ceil(track_devices / size))
            hit = which < job_domains
            if hit.any():
                job_domain_parts.append(
                    (
                        times[hit],
                        np.full(int(hit.sum()), n_modes + offset, dtype=np.int16),
                        np.full(int(hit.sum()), 1, dtype=np.int8),
                        np.full(int(hit.sum()), outage),
                        np.minimum(size, track_devices - which[hit] * size).astype(np.int64),
                        (which[hit] * size).astype(np.int64),
                    )
                )
    result = FleetEvents(
        n_devices=n_devices,
        horizon_hours=horizon_hours,
        modes=model.modes,
        failures_by_day=failures.reshape(days, n_causes),
        down_by_hour=np.cumsum(down_delta)[:hours],
        spare_consumed_by_hour=consumed[:hours],
        spare_returned_by_hour=returned_at[:hours],
        tech_hours_by_day=tech,
        events=events,
    )
    parts = job_parts + job_domain_parts
    if parts:
        times = np.concatenate([p[0] for p in parts])
        order = np.argsort(times, kind="stable")
        result.job_times = times[order]
        result.job_causes = np.concatenate([p[1] for p in parts])[order]
        result.job_classes = np.concatenate([p[2] for p in parts])[order]
        result.job_down = np.concatenate([p[3] for p in parts])[order]
        result.job_devices_needed = np.concatenate([p[4] for p in parts])[order]
        result.job_devices = np.concatenate([p[5] for p in parts])[order]
    return result


def repair_class_names() -> tuple[str, ...]:
    """Names of the repair classes (index order)."""
    return REPAIR_CLASSES

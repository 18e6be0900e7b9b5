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

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from gigafleet.errors import InputError
from gigafleet.reliability.model import DOMAINS, REPAIR_CLASSES, FailureModel

BYTES_PER_DEVICE = 64
"""Peak working memory per device in a chunk [B] (about eight float64/int arrays)."""
DEFAULT_CHUNK = 1 << 20
"""Devices simulated at once: ~170,000 first failures a year for GB200, so each event array (~1.4 MB) stays
in cache through the ~50 vectorised steps of a round (4M-device chunks went to memory at every step)."""
MEMORY_LIMIT_BYTES = 4 * 1024**3
INVERSE_CELLS = 4096
"""Cells of the inverse cumulative-hazard table of the first failures (uniform in cumulative hazard)."""


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


OUTCOMES_PER_CAUSE = 4
"""What a failure leads to: auto reset; manual repair misdiagnosed (a spare is swapped in anyway); manual repair;
spare swap. One uniform picks it with the mode's shares (a misdiagnosis is an independent Bernoulli of the manual
repairs, so it is a sub-interval of the manual share)."""
GUIDE_CELLS = 1024
"""Cells per block of the guide table that replaces a binary search in the outcome draw."""
_OUTCOME_CLASS = np.array([0, 1, 1, 2], dtype=np.int8)
_OUTCOME_SPARE = np.array([False, True, False, True])


@dataclass(frozen=True)
class _Outcomes:
    """Cause and repair outcome of a failure as one categorical draw per event (vectorised over events).

    Blocks: the constant-hazard modes together (cause in proportion to their rates, times the outcome), then
    one block per age-dependent mode (its outcome only). An event in block b draws ``b + U`` against the
    concatenated cumulative probabilities (``edges``, block b spanning (b, b + 1]) with one ``searchsorted``.
    """

    constant: np.ndarray  # constant-hazard modes
    varying: np.ndarray  # age-dependent modes, in block order 1, 2, ...
    constant_rate: float  # sum of the constant modes' hazards [1/h]
    edges: np.ndarray  # cumulative probabilities, block b in (b, b + 1]
    last: np.ndarray  # last category of each block
    cause: np.ndarray  # (categories,) cause index
    repair: np.ndarray  # (categories,) repair class
    spare: np.ndarray  # (categories,) takes a spare from the pool
    down: np.ndarray  # (categories,) hours down
    cause_outcome: np.ndarray  # (categories,) cause * OUTCOMES_PER_CAUSE + outcome (daily histogram key)

    @staticmethod
    def of(model: FailureModel) -> _Outcomes:
        k = model.shape
        constant, varying = np.flatnonzero(k == 1.0), np.flatnonzero(k != 1.0)
        constant_rate = float(model.rate_per_hour[constant].sum())
        shares = model.repair_shares
        mis = model.misdiagnosis_rate

        def outcome_probabilities(mode: int) -> np.ndarray:
            auto, manual, swap = (float(v) for v in shares[mode])
            return np.array([auto, manual * mis, manual * (1.0 - mis), swap])

        blocks: list[tuple[np.ndarray, np.ndarray]] = []  # (probabilities, causes) per block
        if constant.size:
            weights = model.rate_per_hour[constant] / constant_rate
            blocks.append(
                (
                    np.concatenate([w * outcome_probabilities(int(m)) for w, m in zip(weights, constant, strict=True)]),
                    np.repeat(constant, OUTCOMES_PER_CAUSE),
                )
            )
        else:
            blocks.append((np.ones(1), np.zeros(1, dtype=np.int64)))  # unused block 0
        for m in varying:
            blocks.append((outcome_probabilities(int(m)), np.full(OUTCOMES_PER_CAUSE, m)))
        edges, causes, outcomes, last = [], [], [], []
        for b, (probabilities, cause) in enumerate(blocks):
            outcome = np.arange(cause.size) % OUTCOMES_PER_CAUSE if b or constant.size else np.zeros(1, int)
            possible = probabilities > 0  # impossible outcomes would only add edges to step past
            probabilities, cause, outcome = probabilities[possible], cause[possible], outcome[possible]
            cumulative = b + np.cumsum(probabilities) / probabilities.sum()
            cumulative[-1] = b + 1.0
            edges.append(cumulative)
            causes.append(cause)
            outcomes.append(outcome)
            last.append(sum(e.size for e in edges) - 1)
        cause = np.concatenate(causes).astype(np.int16)
        outcome = np.concatenate(outcomes).astype(np.int64)
        repair = _OUTCOME_CLASS[outcome]
        all_edges = np.concatenate(edges)
        starts = np.arange(len(blocks) * GUIDE_CELLS + 1) / GUIDE_CELLS
        guide = np.minimum(np.searchsorted(all_edges, starts, side="right"), all_edges.size - 1)
        return _Outcomes(
            constant=constant,
            varying=varying,
            constant_rate=constant_rate,
            edges=all_edges,
            guide=guide,
            passes=int(np.diff(guide).max(initial=0)) + 1,
            last=np.array(last, dtype=np.int64),
            cause=cause,
            repair=repair,
            spare=_OUTCOME_SPARE[outcome],
            down=model.down_hours[repair],
            cause_outcome=cause.astype(np.int64) * OUTCOMES_PER_CAUSE + outcome,
        )

    guide: np.ndarray  # (blocks * GUIDE_CELLS + 1,) first category whose edge lies above each cell's start
    passes: int  # most edges inside one guide cell

    def draw(self, block: npt.NDArray[np.int64], rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """One category per event of the given blocks: the guide table, then a step past each edge below."""
        position = rng.random(block.size)
        position += block
        category = self.guide.take((position * GUIDE_CELLS).astype(np.intp), mode="clip")
        for _ in range(self.passes):
            category += position >= self.edges.take(category, mode="clip")
        result: npt.NDArray[np.int64] = np.minimum(category, self.last.take(block), out=category)
        return result  # (the minimum: b + U rounding up to b + 1)


def _next_failure(
    model: FailureModel, outcomes: _Outcomes, age: npt.NDArray[np.float64], rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Operating time to the next failure and its block (0: the constant modes; 1 + i: age-dependent mode i),
    for devices of the given ages (competing Weibull modes)."""
    n = age.size
    eta = model.scale_hours()
    if outcomes.constant.size:
        best = rng.exponential(1.0 / outcomes.constant_rate, n)
    else:
        best = np.full(n, np.inf)
    block = np.zeros(n, dtype=np.int64)
    for position, mode in enumerate(outcomes.varying, start=1):
        shape, scale = float(model.shape[mode]), float(eta[mode])
        delta = np.power(age / scale, shape)
        delta += rng.exponential(1.0, n)
        np.power(delta, 1.0 / shape, out=delta)
        delta *= scale
        delta -= age
        wins = delta < best
        np.minimum(best, delta, out=best)
        block[wins] = position
    return best, block


def _first_failures(
    model: FailureModel,
    outcomes: _Outcomes,
    size: int,
    age0: float,
    horizon_hours: float,
    rng: np.random.Generator,
    grid_points: int = 4097,
) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """First failures of ``size`` devices that all start at age ``age0`` at time 0, without drawing for the rest.

    Exact thinning: every device's first failure falls before the horizon with the same probability
    p = 1 − exp(−ΔC), ΔC the cumulative hazard over the horizon; K ~ Binomial(size, p) devices fail, their
    cumulative hazard at failure is Exp(1) truncated to [0, ΔC) and inverted on a table of the (monotone)
    cumulative hazard uniform in its value (index arithmetic, no search), and the block of the cause is drawn in
    proportion to each group's hazard at that age. Returns K, the failure times [h], in increasing order (from
    ordered uniforms), and the blocks; which K of the devices fail is left to the caller (all are alike).
    """
    k, eta = model.shape, model.scale_hours()
    t_grid = np.linspace(0.0, horizon_hours, grid_points)
    cumulative = (((age0 + t_grid[:, None]) / eta) ** k - (age0 / eta) ** k).sum(axis=1)
    total = float(cumulative[-1])
    count = int(rng.binomial(size, -np.expm1(-total)))
    if count == 0:
        return 0, np.zeros(0), np.zeros(0, dtype=np.int64)
    # t at cumulative hazard j * total / INVERSE_CELLS, then linear within each cell
    knots = np.interp(np.linspace(0.0, total, INVERSE_CELLS + 1), cumulative, t_grid)
    slopes = np.diff(knots)
    # the uniforms in increasing order (cumulated exponential spacings), so the failure times come sorted
    target = np.cumsum(rng.standard_exponential(count + 1))
    target = target[:-1] / target[-1]
    target *= np.expm1(-total)
    np.log1p(target, out=target)
    target *= -INVERSE_CELLS / total  # Exp(1) truncated to [0, total), in cells
    cell = target.astype(np.intp)
    target -= cell
    delta = slopes.take(cell, mode="clip")
    delta *= target
    delta += knots.take(cell, mode="clip")
    block = np.zeros(count, dtype=np.int64)
    if outcomes.varying.size:
        # hazards at the failure age: constant modes as one group (block 0), age-dependent modes one by one
        hazards = [_hazard(model, int(m), delta + age0) for m in outcomes.varying]
        pick = rng.random(count)
        pick *= sum(hazards, np.full(count, outcomes.constant_rate))
        running = np.full(count, outcomes.constant_rate)
        for hazard in hazards:
            block += pick >= running
            running += hazard
    return count, delta, block


def _hazard(model: FailureModel, mode: int, age: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weibull hazard of one mode at operating ages ``age`` [1/h]: (k/η)(age/η)^(k−1)."""
    shape, scale = float(model.shape[mode]), float(model.scale_hours()[mode])
    hazard = np.power(age / scale, shape - 1.0)
    hazard *= shape / scale
    return hazard


def _hazard_bound(model: FailureModel, outcomes: _Outcomes, youngest: float, oldest: float) -> float:
    """Upper bound of the total hazard over operating ages [youngest, oldest] [1/h] (a Weibull hazard is
    monotone, so its largest value is at one end); infinite for a decreasing hazard at age 0."""
    bound = outcomes.constant_rate
    for m in outcomes.varying:
        if youngest <= 0 and model.shape[m] < 1:
            return math.inf
        bound += float(_hazard(model, int(m), np.array([youngest, oldest])).max())
    return bound


def _next_failures(
    model: FailureModel,
    outcomes: _Outcomes,
    age: npt.NDArray[np.float64],
    clock: npt.NDArray[np.float64],
    horizon_hours: float,
    bound: float,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Next failure before the horizon of devices back up at ``clock`` with operating ages ``age``, by thinning.

    Candidate failures come at the constant rate ``bound`` (an upper bound of the total hazard); a candidate at
    operating age a is a failure of the constant group with probability c / bound, of age-dependent mode m with
    h_m(a) / bound, else rejected and the next candidate drawn (Lewis & Shedler 1979: exact for any hazard under
    the bound). Most repaired devices see no candidate before the horizon and cost one exponential draw.

    Returns
    -------
    tuple
        Indices (into ``age``) of the devices that fail, their failure times [h], operating ages at failure [h]
        and blocks (0: constant modes; 1 + i: age-dependent mode i).
    """
    index = np.arange(age.size)
    time, now = clock.copy(), age.copy()
    failed: list[tuple[np.ndarray, ...]] = []
    while index.size:
        step = rng.exponential(1.0 / bound, index.size)
        time += step
        now += step
        inside = np.flatnonzero(time < horizon_hours)
        index, time, now = index[inside], time[inside], now[inside]
        if not index.size:
            break
        pick = rng.random(index.size)
        pick *= bound
        block = np.full(index.size, -1, dtype=np.int64)
        block[pick < outcomes.constant_rate] = 0
        running: float | npt.NDArray[np.float64] = outcomes.constant_rate
        pending = np.flatnonzero(block < 0)
        for position, mode in enumerate(outcomes.varying, start=1):
            hazard = _hazard(model, int(mode), now[pending])
            hazard += running
            hit = pick[pending] < hazard
            block[pending[hit]] = position
            pending, running = pending[~hit], hazard[~hit]
        accepted = block >= 0
        failed.append((index[accepted], time[accepted], now[accepted], block[accepted]))
        rejected = np.flatnonzero(~accepted)
        index, time, now = index[rejected], time[rejected], now[rejected]
    if not failed:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
    parts = [np.concatenate(column) for column in zip(*failed, strict=True)]
    return parts[0], parts[1], parts[2], parts[3]


class _JobLog:
    """The job's device events as (time, outcome category, device id), appended into big blocks.

    Each block is one allocation of ``BLOCK`` events (~59 MB: its own memory map), so the log goes back to the
    system once read; hundreds of small per-round arrays would fragment the heap and keep ~0.2 GiB resident at
    10^8 tracked devices."""

    BLOCK = 1 << 22

    def __init__(self, id_type: type[np.signedinteger[Any]]) -> None:
        self.id_type = id_type
        self.times: list[np.ndarray] = []
        self.categories: list[np.ndarray] = []
        self.ids: list[np.ndarray] = []
        self.free = 0  # room left in the last block

    def _new_block(self) -> None:
        n, id_bytes = self.BLOCK, np.dtype(self.id_type).itemsize
        memory = np.empty(n * (8 + 2 + id_bytes), dtype=np.uint8)
        self.times.append(memory[: 8 * n].view(np.float64))
        self.ids.append(memory[8 * n : (8 + id_bytes) * n].view(self.id_type))
        self.categories.append(memory[(8 + id_bytes) * n :].view(np.int16))
        self.free = n

    def add(self, times: np.ndarray, categories: np.ndarray, ids: np.ndarray) -> None:
        """Append events (in their order)."""
        done = 0
        while done < times.size:
            if not self.free:
                self._new_block()
            start = self.BLOCK - self.free
            take = min(self.free, times.size - done)
            self.times[-1][start : start + take] = times[done : done + take]
            self.categories[-1][start : start + take] = categories[done : done + take]
            self.ids[-1][start : start + take] = ids[done : done + take]
            self.free -= take
            done += take

    def fields(self) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """The filled parts of the blocks, by field (the log hands them over and forgets them)."""
        if self.times and self.free:
            used = self.BLOCK - self.free
            self.times[-1] = self.times[-1][:used]
            self.categories[-1] = self.categories[-1][:used]
            self.ids[-1] = self.ids[-1][:used]
        fields = (self.times, self.categories, self.ids)
        self.times, self.categories, self.ids, self.free = [], [], [], 0
        return fields


def _device_ranges(n_devices: int, track_devices: int, chunk: int) -> list[tuple[int, int, bool]]:
    """(start, end, tracked) ranges of at most ``chunk`` devices; tracked ranges are the job's devices."""
    tracked = min(max(track_devices, 0), n_devices)
    ranges = [(a, min(a + chunk, tracked), True) for a in range(0, tracked, chunk)]
    return ranges + [(a, min(a + chunk, n_devices), False) for a in range(tracked, n_devices, chunk)]


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
    outcomes = _Outcomes.of(model)
    keys = days * n_modes * OUTCOMES_PER_CAUSE
    by_day = np.zeros(keys, dtype=np.int64)  # (day, mode, outcome) counts
    began = np.zeros(hours + 1, dtype=np.int64)  # devices going down in each hour
    ended = np.zeros(hours + 1, dtype=np.int64)  # devices coming back (or the horizon) in each hour
    consumed = np.zeros(hours + 1, dtype=np.int64)
    returned_at = np.zeros(hours + int(model.vendor_return_hours) + 2, dtype=np.int64)
    vendor_hours = float(model.vendor_return_hours)
    events = 0
    age0 = float(model.reference_age_hours if start_age_hours is None else start_age_hours)
    id_type = np.int32 if n_devices < 2**31 else np.int64  # the job's device ids, until the end
    job_log = _JobLog(id_type)  # (time, outcome category, device id), each chunk's first failures in time order

    def record(t_fail: np.ndarray, category: np.ndarray, down: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        """Add failures at ``t_fail`` to the aggregates; return when each device is back (t_fail + down)."""
        day = np.divide(t_fail, 24.0).astype(np.int64)
        day *= n_modes * OUTCOMES_PER_CAUSE
        day += outcomes.cause_outcome.take(category)
        by_day[:] += np.bincount(day, minlength=keys)[:keys]
        begin = t_fail.astype(np.int64)
        back: np.ndarray = t_fail + down
        began[:] += np.bincount(begin, minlength=hours + 1)[: hours + 1]
        ended[:] += np.bincount(np.minimum(back, horizon_hours).astype(np.int64), minlength=hours + 1)[: hours + 1]
        spare = outcomes.spare.take(category)
        if spare.any():
            consumed[:] += np.bincount(begin[spare], minlength=hours + 1)[: hours + 1]
            vendor = (t_fail[spare] + vendor_hours).astype(np.int64)
            returned_at[:] += np.bincount(vendor, minlength=returned_at.size)[: returned_at.size]
        if ids is not None:  # the job's devices: time, outcome category and device (expanded at the end)
            job_log.add(t_fail, category, ids)
        return back

    bound = _hazard_bound(model, outcomes, age0, age0 + horizon_hours)  # operating ages stay in this range
    for first, stop, tracked in _device_ranges(n_devices, track_devices, chunk):
        failing, t_fail, block = _first_failures(model, outcomes, stop - first, age0, horizon_hours, rng)
        # devices are alike: which ones fail matters only for the job's (tracked) devices
        ids = None
        if tracked and failing:
            ids = (first + rng.choice(stop - first, failing, replace=False)).astype(id_type)
        age = t_fail + age0  # operating age at the failure
        while t_fail.size:  # one failure-repair cycle of every device still in the horizon per round
            alive = np.flatnonzero(t_fail < horizon_hours)
            if alive.size < t_fail.size:
                t_fail, age, block = t_fail[alive], age[alive], block[alive]
                ids = ids[alive] if ids is not None else None
            if not t_fail.size:
                break
            category = outcomes.draw(block, rng)
            down = outcomes.down.take(category)
            events += t_fail.size
            clock = record(t_fail, category, down, ids)
            keep = np.flatnonzero(clock < horizon_hours)
            if keep.size < clock.size:
                clock, age = clock[keep], age[keep]
                ids = ids[keep] if ids is not None else None
            if not clock.size:
                break
            if math.isfinite(bound):
                which, t_fail, age, block = _next_failures(model, outcomes, age, clock, horizon_hours, bound, rng)
                ids = ids[which] if ids is not None else None
            else:
                delta, block = _next_failure(model, outcomes, age, rng)
                t_fail = clock + delta
                age += delta
    counts = by_day.reshape(days, n_modes, OUTCOMES_PER_CAUSE)
    failures = np.zeros((days, n_causes), dtype=np.int64)
    failures[:, :n_modes] = counts.sum(axis=2)
    tech = counts[:, :, 1:].sum(axis=(1, 2)) * model.tech_hours_per_repair
    down_delta = (began - ended).astype(np.float64)
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
        failures[:, n_modes + offset] += np.bincount(day, minlength=days)[:days]
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
        failures_by_day=failures,
        down_by_hour=np.cumsum(down_delta)[:hours],
        spare_consumed_by_hour=consumed[:hours].astype(np.float64),
        spare_returned_by_hour=returned_at[:hours].astype(np.float64),
        tech_hours_by_day=tech.astype(np.float64),
        events=events,
    )
    if job_log.times or job_domain_parts:
        _sorted_job_events(result, outcomes, model, job_log, job_domain_parts)
    return result


def _sorted_job_events(
    result: FleetEvents,
    outcomes: _Outcomes,
    model: FailureModel,
    job_log: _JobLog,
    domain_parts: list[tuple[np.ndarray, ...]],
) -> None:
    """Fill the job fields of ``result`` in time order, one field at a time (10^8 tracked devices: ~16M events).

    Device events come from the log as (time, outcome category, device), the first failures of each chunk already
    in time order (a stable sort merges those runs in few passes); cause, class, repair time and devices needed
    are looked up from the category. Domain shocks are full (time, cause, class, down, needed, first device)
    parts. Each field's parts are dropped once read, so the log's blocks go back before the last fields are made.
    """
    n_modes = len(model.modes)
    device_times, device_categories, device_ids = job_log.fields()
    n_device = sum(p.size for p in device_times)
    # lookup tables over device categories, then one pseudo-category per domain
    cause = np.concatenate([outcomes.cause, np.arange(n_modes, n_modes + len(DOMAINS), dtype=np.int16)])
    repair = np.concatenate([outcomes.repair, np.ones(len(DOMAINS), dtype=np.int8)])
    down = np.concatenate([outcomes.down, [model.domain_outage_hours[d] for d in DOMAINS]])
    categories = outcomes.cause.size
    times = np.concatenate(device_times + [p[0] for p in domain_parts])
    device_times.clear()
    order = np.argsort(times, kind="stable")
    result.job_times = times[order]
    del times
    ids = np.concatenate(device_ids + [p[5].astype(job_log.id_type) for p in domain_parts])
    device_ids.clear()
    devices = np.empty(ids.size, dtype=np.int64)
    for first in range(0, ids.size, DEFAULT_CHUNK):  # gathered in blocks: no full-size temporary
        devices[first : first + DEFAULT_CHUNK] = ids[order[first : first + DEFAULT_CHUNK]]
    del ids
    result.job_devices = devices
    domain_categories = [(categories + p[1] - n_modes).astype(np.int16) for p in domain_parts]
    category = np.concatenate(device_categories + domain_categories)
    device_categories.clear()  # the log's last views: its blocks are freed here
    category = category[order]
    result.job_causes = cause.take(category)
    result.job_classes = repair.take(category)
    shocks = np.flatnonzero(order >= n_device)  # domain shocks need as many devices as the domain has in the job
    shock_needs = np.concatenate([p[4] for p in domain_parts])[order[shocks] - n_device] if shocks.size else None
    del order
    result.job_down = down.take(category)
    needed = (repair != 0).astype(np.int64).take(category)
    if shock_needs is not None:
        needed[shocks] = shock_needs
    result.job_devices_needed = needed


def repair_class_names() -> tuple[str, ...]:
    """Names of the repair classes (index order)."""
    return REPAIR_CLASSES

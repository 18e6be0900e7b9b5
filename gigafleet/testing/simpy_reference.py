"""SimPy reference model: one process per device, the same semantics as the cohort engine and job timeline.

Written independently of :mod:`gigafleet.reliability.cohort` (each mode's Weibull clock is drawn separately with
Python's ``random``; the job is a SimPy process interrupted by its devices' failures) so that tests can compare
the two implementations statistically. Meant for ≤ 10^5 devices.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gigafleet.reliability.model import DOMAINS, FailureModel
from gigafleet.reliability.regimes import STOPPING_DOMAIN, RecoveryRegime


@dataclass
class ReferenceResult:
    """Outcome of a reference run."""

    failures: int
    job_interruptions: int
    useful_hours: float
    horizon_hours: float
    seconds: float

    @property
    def goodput(self) -> float:
        """Useful compute / wall time [fraction]."""
        return self.useful_hours / self.horizon_hours

    @property
    def events_per_second(self) -> float:
        """Device failure events processed per second of wall time."""
        return self.failures / self.seconds if self.seconds > 0 else float("inf")


def _scales(model: FailureModel) -> list[float]:
    """Weibull scale of each mode [h] (the hazard equals the catalogue rate at the reference age)."""
    return [
        (k * model.reference_age_hours ** (k - 1) / r) ** (1 / k)
        for k, r in zip(model.shape.tolist(), model.rate_per_hour.tolist(), strict=True)
    ]


def _next_failure(model: FailureModel, scales: list[float], age: float, rng: random.Random) -> tuple[float, int, float]:
    """Time to a device's next failure from ``age`` [h], its repair class and its down time [h].

    Each mode's Weibull clock is drawn by inverting its cumulative hazard from the current age (minimal repair);
    the earliest wins; the repair class is drawn with that mode's shares.
    """
    best, cause = math.inf, 0
    for mode, (k, eta) in enumerate(zip(model.shape.tolist(), scales, strict=True)):
        delta = eta * ((age / eta) ** k + rng.expovariate(1.0)) ** (1 / k) - age
        if delta < best:
            best, cause = delta, mode
    shares = model.repair_shares[cause]
    u, repair = rng.random(), 0
    while repair < 2 and u > sum(shares[: repair + 1]):
        repair += 1
    return best, repair, float(model.down_hours[repair])


def _fleet_processes(
    env: Any,
    model: FailureModel,
    n_devices: int,
    rng: random.Random,
    age0: float,
    state: dict[str, Any],
    on_device: Callable[[int, int, float], None],
    on_domain: Callable[[str, int, int], None],
) -> None:
    """Start one SimPy process per device (Weibull failures, repairs) and one per correlated domain (Poisson
    shocks), counting every failure in ``state["failures"]``; ``on_device(index, repair class, down hours)`` and
    ``on_domain(domain, which, size)`` tell the job model what happened."""
    scales = _scales(model)

    def device(index: int) -> Any:
        age = age0
        while True:
            best, repair, down = _next_failure(model, scales, age, rng)
            yield env.timeout(best)
            age += best
            state["failures"] += 1
            on_device(index, repair, down)
            yield env.timeout(down)

    def domain_shocks(domain: str) -> Any:
        size = model.domain_size[domain]
        n_domains = math.ceil(n_devices / size)
        rate = model.domain_rate_per_hour[domain] * n_domains
        if rate <= 0:
            return
        while True:
            yield env.timeout(rng.expovariate(rate))
            which = rng.randrange(n_domains)
            state["failures"] += 1
            on_domain(domain, which, size)

    for index in range(n_devices):
        env.process(device(index))
    for domain in DOMAINS:
        env.process(domain_shocks(domain))


def _run_fleet(
    env: Any,
    model: FailureModel,
    n_devices: int,
    rng: random.Random,
    age0: float,
    state: dict[str, Any],
    on_device: Callable[[int, int, float], None],
    on_domain: Callable[[str, int, int], None],
    horizon_hours: float,
) -> float:
    """Start the fleet's processes (:func:`_fleet_processes`) and run to the horizon; returns wall seconds."""
    _fleet_processes(env, model, n_devices, rng, age0, state, on_device, on_domain)
    started = time.perf_counter()
    env.run(until=horizon_hours)
    return time.perf_counter() - started


def run_reference(
    model: FailureModel,
    n_devices: int,
    horizon_hours: float,
    *,
    job_size: int,
    interval_hours: float,
    write_hours: float,
    restart_hours: float,
    hot_spares: int,
    seed: int = 0,
    start_age_hours: float | None = None,
    regime: RecoveryRegime | None = None,
) -> ReferenceResult:
    """Simulate ``n_devices`` and a job on the first ``job_size`` of them with SimPy.

    With an elastic ``regime`` the job is ⌊J/r⌋ replicas: a failure stalls the whole job for ``pause`` (stalls
    queue up), removes the replicas it touches until min(down, rejoin) has passed (a replica out twice stays out
    until the later return), and progress runs at the share of replicas present; only fabric-partition outages
    stop the job (lost work since the last checkpoint, restart R). Checkpoint writes also stop progress.
    """
    import simpy

    if regime is not None and not regime.stops_on_device_failure:
        return _run_elastic(
            model,
            n_devices,
            horizon_hours,
            job_size=job_size,
            interval_hours=interval_hours,
            regime=regime,
            seed=seed,
            start_age_hours=start_age_hours,
        )

    rng = random.Random(seed)
    env = simpy.Environment()
    age0 = model.reference_age_hours if start_age_hours is None else start_age_hours
    state = {"failures": 0, "interruptions": 0, "useful": 0.0, "free": hot_spares, "pending": 0}
    spare_returned: list[simpy.Event] = [env.event()]

    def give_back(delay: float) -> simpy.events.ProcessGenerator:
        yield env.timeout(delay)
        state["free"] += 1
        event, spare_returned[0] = spare_returned[0], env.event()
        event.succeed()

    def interrupt_job(need: int, down: float) -> None:
        state["interruptions"] += 1
        state["pending"] += need
        for _ in range(need):
            env.process(give_back(down))
        if job.is_alive:
            job.interrupt()

    def on_device(index: int, repair: int, down: float) -> None:
        if index < job_size:
            interrupt_job(0 if repair == 0 else 1, down)

    def on_domain(domain: str, which: int, size: int) -> None:
        if which * size < job_size:
            interrupt_job(min(size, job_size - which * size), model.domain_outage_hours[domain])

    def training() -> simpy.events.ProcessGenerator:
        recovering = False
        while True:
            try:
                if recovering:
                    while state["pending"] > 0:
                        if state["free"] > 0:
                            state["free"] -= 1
                            state["pending"] -= 1
                        else:
                            yield spare_returned[0]
                    yield env.timeout(restart_hours)
                    recovering = False
                yield env.timeout(interval_hours)
                yield env.timeout(write_hours)
                state["useful"] += interval_hours
            except simpy.Interrupt:
                recovering = True

    job = env.process(training())
    seconds = _run_fleet(env, model, n_devices, rng, age0, state, on_device, on_domain, horizon_hours)
    return ReferenceResult(int(state["failures"]), int(state["interruptions"]), state["useful"], horizon_hours, seconds)


def _run_elastic(
    model: FailureModel,
    n_devices: int,
    horizon_hours: float,
    *,
    job_size: int,
    interval_hours: float,
    regime: RecoveryRegime,
    seed: int,
    start_age_hours: float | None,
) -> ReferenceResult:
    """The elastic job of :func:`run_reference`: an integrator of progress driven by SimPy processes."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    replicas = job_size // regime.replica_accelerators
    age0 = model.reference_age_hours if start_age_hours is None else start_age_hours
    state: dict[str, float] = {
        "failures": 0,
        "events": 0,
        "work": 0.0,
        "committed": 0.0,
        "last": 0.0,
        "stall_end": 0.0,
        "blocked": 0,
    }
    out_until: dict[int, float] = {}

    def rate(now: float) -> float:
        if state["blocked"] > 0 or now < state["stall_end"]:
            return 0.0
        present = replicas - sum(1 for end in out_until.values() if end > now)
        return max(present, 0) / replicas

    def advance() -> None:
        """Integrate progress from the last change to now (rate is constant in between, by construction)."""
        now = env.now
        state["work"] += rate(state["last"]) * (now - state["last"]) if now > state["last"] else 0.0
        state["last"] = now

    def wake(at: float) -> simpy.events.ProcessGenerator:
        yield env.timeout(max(at - env.now, 0.0))
        advance()

    def degrade(first_replica: int, count: int, out_hours: float) -> None:
        advance()
        state["events"] += 1
        start = max(state["stall_end"], env.now)
        state["stall_end"] = start + regime.pause_hours
        env.process(wake(state["stall_end"]))
        for replica in range(first_replica, min(first_replica + count, replicas)):
            end = max(out_until.get(replica, 0.0), env.now + out_hours)
            out_until[replica] = end
            env.process(wake(end))

    def on_device(index: int, _repair: int, down: float) -> None:
        if index < job_size:
            degrade(min(index // regime.replica_accelerators, replicas - 1), 1, min(down, regime.rejoin_hours))

    def on_domain(domain: str, which: int, size: int) -> None:
        if which * size >= job_size:
            return
        if domain == STOPPING_DOMAIN:
            state["events"] += 1
            if job.is_alive:
                job.interrupt()
            return
        members = min(size, job_size - which * size)
        count = min(replicas, math.ceil(members / regime.replica_accelerators))
        degrade(
            min(which * size // regime.replica_accelerators, replicas - 1),
            count,
            min(model.domain_outage_hours[domain], regime.rejoin_hours),
        )

    def training() -> simpy.events.ProcessGenerator:
        recovering = False
        while True:
            try:
                if recovering:
                    advance()
                    state["blocked"] += 1
                    try:
                        yield env.timeout(regime.restart_hours)
                    finally:
                        advance()
                        state["blocked"] -= 1
                    recovering = False
                yield env.timeout(interval_hours)
                advance()
                state["blocked"] += 1
                try:
                    yield env.timeout(regime.write_hours)
                finally:
                    advance()
                    state["blocked"] -= 1
                state["committed"] = state["work"]
            except simpy.Interrupt:
                advance()
                state["work"] = state["committed"]  # work since the last checkpoint is lost
                recovering = True

    job = env.process(training())
    seconds = _run_fleet(env, model, n_devices, rng, age0, state, on_device, on_domain, horizon_hours)
    return ReferenceResult(int(state["failures"]), int(state["events"]), state["committed"], horizon_hours, seconds)

"""SimPy reference model: one process per device, the same semantics as the cohort engine and job timeline.

Written independently of :mod:`gigafleet.reliability.cohort` (each mode's Weibull clock is drawn separately with
Python's ``random``; the job is a SimPy process interrupted by its devices' failures) so that tests can compare
the two implementations statistically. Meant for ≤ 10^5 devices.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from gigafleet.reliability.model import DOMAINS, FailureModel


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


def run_reference(model: FailureModel, n_devices: int, horizon_hours: float, *, job_size: int,
                  interval_hours: float, write_hours: float, restart_hours: float, hot_spares: int,
                  seed: int = 0, start_age_hours: float | None = None) -> ReferenceResult:
    """Simulate ``n_devices`` and a job on the first ``job_size`` of them with SimPy."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    scales = [(k * model.reference_age_hours ** (k - 1) / r) ** (1 / k)
              for k, r in zip(model.shape.tolist(), model.rate_per_hour.tolist(), strict=True)]
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

    def device(index: int) -> simpy.events.ProcessGenerator:
        age = age0
        while True:
            best, cause = math.inf, 0
            for mode, (k, eta) in enumerate(zip(model.shape.tolist(), scales, strict=True)):
                delta = eta * ((age / eta) ** k + rng.expovariate(1.0)) ** (1 / k) - age
                if delta < best:
                    best, cause = delta, mode
            yield env.timeout(best)
            age += best
            shares = model.repair_shares[cause]
            u, repair = rng.random(), 0
            while repair < 2 and u > sum(shares[: repair + 1]):
                repair += 1
            down = float(model.down_hours[repair])
            state["failures"] += 1
            if index < job_size:
                interrupt_job(0 if repair == 0 else 1, down)
            yield env.timeout(down)

    def domain_shocks(domain: str) -> simpy.events.ProcessGenerator:
        size = model.domain_size[domain]
        n_domains = math.ceil(n_devices / size)
        rate = model.domain_rate_per_hour[domain] * n_domains
        if rate <= 0:
            return
        while True:
            yield env.timeout(rng.expovariate(rate))
            which = rng.randrange(n_domains)
            state["failures"] += 1
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
    for index in range(n_devices):
        env.process(device(index))
    for domain in DOMAINS:
        env.process(domain_shocks(domain))
    started = time.perf_counter()
    env.run(until=horizon_hours)
    return ReferenceResult(int(state["failures"]), int(state["interruptions"]), state["useful"], horizon_hours,
                           time.perf_counter() - started)

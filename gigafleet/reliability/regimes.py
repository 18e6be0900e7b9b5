"""Recovery regimes of a large synchronous training job, from the catalogue (``failure_modes.csv``, ``regime-*``).

* ``storage-restart``: every failure of a job device (auto-resets and software faults included) or of one of its
  domains stops the whole job, which restarts from its last persistent checkpoint (write δ and restart R from the
  ``job`` row; Llama 3's regime).
* ``in-memory``: the same stop-and-restart semantics, but checkpoints are redundant copies in peers' memory taken
  every step (δ of a second or so) and recovery swaps in a warm spare and reloads from memory (R ≈ a minute)
  (Gemini 2023; ByteRobust 2025).
* ``elastic``: the job is ⌊J / r⌋ data-parallel replicas of r accelerators. A device failure (or a rack, PDU or
  cooling-loop outage) stalls the whole job for ``pause`` (detect, drop the replica, re-shard, redo the step)
  and removes the replicas it touches until they rejoin (``rejoin_hours`` with a warm spare, or sooner if the
  device is back); the rest continues at reduced throughput (a replica's absence costs nothing extra while the
  whole job stalls). Only a fabric-partition outage, larger than the
  redundancy, stops the job, which then recovers as ``in-memory`` does. A job of fewer than two replicas cannot
  be elastic.

Closed forms (used by capability to pick the run size; the engine in :func:`simulate_elastic_job` and the SimPy
reference implement the same semantics event by event):

* stop-and-restart regimes: Daly's expected goodput at the Daly-optimal interval for the job's MTBI;
* elastic: g = g_stop · (1 − Σ_e rate_e · (pause + replicas_e · (out_e − pause)⁺ / n_replicas)), with g_stop the
  in-memory goodput against fabric outages alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError
from gigafleet.reliability.analytic import daly_interval, expected_goodput
from gigafleet.reliability.job import JobOutcome, simulate_job
from gigafleet.reliability.model import DOMAINS, FailureModel

REGIMES: tuple[str, ...] = ("storage-restart", "in-memory", "elastic")
STOPPING_DOMAIN = "domain-fabric"
"""The only correlated domain whose outage stops an elastic job."""


@dataclass(frozen=True)
class RecoveryRegime:
    """How a job recovers from failures (catalogue mid values; see module docstring).

    Attributes
    ----------
    write_hours, restart_hours
        Blocking checkpoint write δ and recovery time R of a job-wide stop [h].
    pause_hours
        Job-wide stall per failure that only removes replicas (elastic) [h].
    rejoin_hours
        Time until a removed replica rejoins with a warm spare (elastic) [h].
    replica_accelerators
        Accelerators per data-parallel replica (elastic) [count].
    """

    name: str
    available_from_year: int
    write_hours: float
    restart_hours: float
    stops_on_device_failure: bool
    pause_hours: float = 0.0
    rejoin_hours: float = 0.0
    replica_accelerators: int = 0


def recovery_regime(catalog: Catalog, name: str, model: FailureModel, *, field: str = "--regime") -> RecoveryRegime:
    """The regime ``name`` for a failure model (storage-restart takes the model's write and restart times)."""
    if name not in REGIMES:
        raise InputError(field, name, REGIMES)
    item = catalog.item("failure_modes", f"regime-{name}")
    year = int(item["available_from_year"].mid)
    if name == "storage-restart":
        return RecoveryRegime(name, year, model.checkpoint_write_hours, model.restart_hours, True)
    memory = catalog.item("failure_modes", "regime-in-memory")
    write = memory["checkpoint_write_minutes"].mid / 60.0
    restart = memory["restart_minutes"].mid / 60.0
    if name == "in-memory":
        return RecoveryRegime(name, year, write, restart, True)
    return RecoveryRegime(
        name,
        year,
        write,
        restart,
        False,
        pause_hours=item["pause_minutes"].mid / 60.0,
        rejoin_hours=item["rejoin_hours"].mid,
        replica_accelerators=max(1, int(item["replica_accelerators"].mid)),
    )


def available_regimes(catalog: Catalog, year: int) -> list[str]:
    """Regimes available in ``year`` (their ``available_from_year`` mid value has come)."""
    return [n for n in REGIMES if int(catalog.item("failure_modes", f"regime-{n}")["available_from_year"].mid) <= year]


def applicable(regime: RecoveryRegime, job_size: float) -> bool:
    """Whether a job of ``job_size`` can run under the regime (elastic needs two replicas or more)."""
    return regime.stops_on_device_failure or job_size >= 2 * regime.replica_accelerators


def _domain_count(job_size: float, size: int) -> int:
    return math.ceil(job_size / max(size, 1))


def _domain_rates(model: FailureModel, job_size: float) -> dict[str, float]:
    """Shock rate of the domains a job of ``job_size`` spans, by domain [1/h]."""
    return {d: model.domain_rate_per_hour[d] * _domain_count(job_size, model.domain_size[d]) for d in DOMAINS}


def interruption_rate_per_hour(model: FailureModel, job_size: float) -> float:
    """Failures of a job's devices plus shocks to its domains, at the reference age [1/h]."""
    return job_size * model.total_rate_per_hour + sum(_domain_rates(model, job_size).values())


def stop_rate_per_hour(model: FailureModel, regime: RecoveryRegime, job_size: float) -> float:
    """Rate of job-wide stops [1/h]: every device failure and domain shock under a stop-and-restart regime (or an
    elastic one below two replicas); only fabric-partition outages under elastic recovery."""
    if regime.stops_on_device_failure or not applicable(regime, job_size):
        return interruption_rate_per_hour(model, job_size)
    return _domain_rates(model, job_size)[STOPPING_DOMAIN]


def _stop_goodput(write: float, restart: float, rate_per_hour: float) -> float:
    if rate_per_hour <= 0:
        return 1.0
    mtbi = 1.0 / rate_per_hour
    if write <= 0:
        return math.exp(-restart / mtbi)  # free checkpoints: only the restarts cost (τ → 0)
    if write >= mtbi:
        return 0.0
    return max(0.0, expected_goodput(daly_interval(write, mtbi), write, restart, mtbi))


def mean_out_hours(model: FailureModel, rejoin_hours: float) -> float:
    """Mean time a device failure keeps its replica out under elastic recovery [h] (rate-weighted over modes)."""
    out_by_mode = (model.repair_shares * np.minimum(model.down_hours, rejoin_hours)[None, :]).sum(axis=1)
    return float((model.rate_per_hour * out_by_mode).sum() / model.rate_per_hour.sum())


def analytic_goodput(model: FailureModel, regime: RecoveryRegime, job_size: int) -> float:
    """Expected goodput of a job of ``job_size`` accelerators under ``regime`` [fraction] (closed forms above).

    Examples
    --------
    A job whose devices never fail has goodput 1 under every regime (no checkpoint is then needed).
    """
    if job_size < 1:
        return 1.0
    stops = stop_rate_per_hour(model, regime, job_size)
    if regime.stops_on_device_failure or not applicable(regime, job_size):
        return _stop_goodput(regime.write_hours, regime.restart_hours, stops)
    device_rate = job_size * model.total_rate_per_hour
    domain_rates = _domain_rates(model, job_size)
    replicas = job_size // regime.replica_accelerators
    out = mean_out_hours(model, regime.rejoin_hours)
    loss = device_rate * (regime.pause_hours + max(out - regime.pause_hours, 0.0) / replicas)
    for domain in DOMAINS:
        if domain == STOPPING_DOMAIN:
            continue
        hit = min(replicas, math.ceil(model.domain_size[domain] / regime.replica_accelerators))
        outage = min(model.domain_outage_hours[domain], regime.rejoin_hours)
        loss += domain_rates[domain] * (regime.pause_hours + hit * max(outage - regime.pause_hours, 0.0) / replicas)
    stop = _stop_goodput(regime.write_hours, regime.restart_hours, stops)
    return max(0.0, stop * (1.0 - min(loss, 1.0)))


def simulate_elastic_job(
    times: npt.NDArray[np.float64],
    causes: npt.NDArray[np.int16],
    devices_needed: npt.NDArray[np.int64],
    down_hours: npt.NDArray[np.float64],
    *,
    n_modes: int,
    job_size: int,
    regime: RecoveryRegime,
    horizon_hours: float,
    interval_hours: float,
) -> JobOutcome:
    """Play an elastic job's timeline against its sorted failure events (see module docstring).

    Fabric-partition outages stop the job (played by :func:`~gigafleet.reliability.job.simulate_job` with the
    in-memory write and restart times); every other event stalls the job for ``pause`` and removes the replicas
    it touches for min(down, rejoin) hours. Throughput lost to removed replicas is their share of the job over
    the time they are out (clipped at the horizon); the two losses combine multiplicatively.

    Returns
    -------
    JobOutcome
        ``interruptions`` counts every event (stalls and stops); ``restart_hours`` holds stalls and restarts,
        ``waiting_hours`` the replica-hours out expressed as job-hours.
    """
    replicas = job_size // regime.replica_accelerators
    if replicas < 2:
        raise ValueError("an elastic job needs at least two replicas")
    fabric = n_modes + DOMAINS.index(STOPPING_DOMAIN)
    inside = times < horizon_hours
    stop_mask = inside & (causes == fabric)
    stop = simulate_job(
        times[stop_mask],
        np.zeros(int(stop_mask.sum()), dtype=np.int64),
        down_hours[stop_mask],
        horizon_hours=horizon_hours,
        interval_hours=interval_hours,
        write_hours=regime.write_hours,
        restart_hours=regime.restart_hours,
        hot_spares=0,
    )
    degrade = inside & (causes != fabric)
    t, need, down = times[degrade], devices_needed[degrade], down_hours[degrade]
    hit = np.where(
        causes[degrade] < n_modes, 1, np.minimum(replicas, np.ceil(np.maximum(need, 1) / regime.replica_accelerators))
    )
    left = np.maximum(horizon_hours - t, 0.0)
    pauses = np.minimum(regime.pause_hours, left)
    # a removed replica costs nothing extra while the whole job stalls: its loss starts after the pause
    out = np.clip(np.minimum(down, regime.rejoin_hours) - regime.pause_hours, 0.0, np.maximum(left - pauses, 0.0))
    lost_out = float((hit * out).sum()) / replicas
    lost = float(pauses.sum()) + lost_out
    scale = max(0.0, 1.0 - lost / horizon_hours)
    return JobOutcome(
        horizon_hours,
        int(inside.sum()),
        stop.useful_hours * scale,
        stop.recomputation_hours,
        stop.restart_hours + float(pauses.sum()),
        lost_out,
        stop.checkpoint_hours,
    )


LLAMA3_RATE_RANGE = (379 / 419, 1.0, 461 / 419)
"""Relative uncertainty of the reference (Llama 3) interruption rate: the Poisson 95% interval of its 419
interruptions, as a multiplier [1]."""


def rate_multipliers(catalog: Catalog, chip: str, size: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Samples of the failure-rate multiplier of ``chip`` relative to its catalogue mid value [1].

    The product of the chip's generation factor (PERT on its low/mid/high, over its mid) and the Poisson
    uncertainty of the Llama 3 reference rate (PERT on its 95% interval).
    """
    from gigafleet.uncertainty.sampling import pert_samples

    accelerator = catalog.item("accelerators", chip, field_name="--chip")
    factor = catalog.item("failure_modes", "generation")[f"factor_{accelerator.id.replace('-', '_')}"]
    generation = pert_samples(factor.low, factor.mid, factor.high, size, rng) / factor.mid
    return np.asarray(generation * pert_samples(*LLAMA3_RATE_RANGE, size, rng), dtype=float)


def goodput_samples(
    catalog: Catalog, chip: str, regime_name: str, job_size: int, multipliers: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Goodput of a job under ``regime_name`` for each sampled rate multiplier [fraction].

    Closed forms evaluated on 17 quantiles of the multipliers and interpolated (monotone in the rate), so
    thousands of samples cost 17 evaluations.
    """

    def goodput(model: FailureModel) -> float:
        return analytic_goodput(model, recovery_regime(catalog, regime_name, model), job_size)

    return on_rate_quantiles(catalog, chip, multipliers, goodput)


def on_rate_quantiles(
    catalog: Catalog, chip: str, multipliers: npt.NDArray[np.float64], value: Callable[[FailureModel], float]
) -> npt.NDArray[np.float64]:
    """``value`` of the chip's failure model for each sampled rate multiplier, evaluated on 17 quantiles of the
    multipliers and interpolated between them (``value`` must be monotone in the rate)."""
    from gigafleet.reliability.model import failure_model

    grid = np.unique(np.quantile(multipliers, np.linspace(0.0, 1.0, 17)))
    values = [value(failure_model(catalog, chip, rate_factor=float(m))) for m in grid]
    if grid.size == 1:
        return np.full(multipliers.shape, values[0])
    return np.asarray(np.interp(multipliers, grid, values), dtype=float)

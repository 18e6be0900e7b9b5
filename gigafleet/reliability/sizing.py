"""Job sizing: the job size that delivers the most compute (J x goodput(J)) under a recovery regime.

Past some size a bigger synchronous job delivers less: failures (and, under elastic recovery, fabric-partition
stops) cost more than the added accelerators give. :func:`best_run` finds that peak per regime;
``gigafleet capability`` sizes the largest run with it and ``gigafleet reliability --job-size auto`` caps the
simulated job at it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gigafleet.catalog import Catalog

JOB_SIZE_GRID = np.geomspace(1.0, 1e10, 241)
"""Job sizes searched for the largest run [accelerators]: 24 per decade from 1 to 10^10."""


def best_run(catalog: Catalog, chip: str, job_max: int, regimes: list[str]) -> list[dict[str, Any]]:
    """For each regime, the job size up to ``job_max`` that delivers the most compute (J x goodput(J)).

    A bigger job is not always a bigger run: past some size, failures cost more than the added accelerators give
    (under storage-restart at ~10^5-10^6 accelerators). Sizes are searched on a log grid (:data:`JOB_SIZE_GRID`,
    24 per decade) refined by a bounded scalar search, with ``job_max`` always a candidate (:func:`best_size`), so
    a larger fleet never finds a smaller run; goodput is the regime's closed form
    (:func:`gigafleet.reliability.regimes.analytic_goodput`, which the engine reproduces within a few tenths of a
    percent). Returns one row per regime: ``regime``,
    ``job_size``, ``goodput``, ``effective_accelerators`` (J x goodput), ``job_size_max`` (the largest job the
    regime can run within ``job_max``: whole replicas under elastic recovery), best first.
    """
    from gigafleet.reliability.model import failure_model
    from gigafleet.reliability.regimes import recovery_regime

    model = failure_model(catalog, chip)
    rows = []
    for name in regimes:
        regime = recovery_regime(catalog, name, model)
        found = best_size(model, regime, job_max)
        if found is None:
            continue
        size, effective = found
        rows.append(
            {
                "regime": name,
                "job_size": size,
                "goodput": effective / size,
                "effective_accelerators": effective,
                "available_from_year": regime.available_from_year,
                "job_size_max": max(job_max // job_unit(regime), 1) * job_unit(regime),
            }
        )
    return sorted(rows, key=lambda r: -r["effective_accelerators"])


def job_unit(regime: Any) -> int:
    """Accelerators per unit a job grows by: one, or one data-parallel replica under elastic recovery."""
    return 1 if regime.stops_on_device_failure else max(1, int(regime.replica_accelerators))


def best_size(model: Any, regime: Any, job_max: int) -> tuple[int, float] | None:
    """(J, J x goodput(J)) maximising delivered accelerators over 1 <= J <= job_max, or None if none applies.

    The unconstrained peak (searched up to the grid's 10^10) is used whenever it fits within ``job_max``, so every
    fleet larger than the peak gets exactly the same run (a search bracketed by ``job_max`` could land one unit
    off the integer peak and differ in the eighth digit); below it, the bounded search of :func:`_bounded_size`.
    """
    free = _bounded_size(model, regime, int(JOB_SIZE_GRID[-1]))
    if free is not None and free[0] <= job_max:
        return free
    return _bounded_size(model, regime, job_max)


def _bounded_size(model: Any, regime: Any, job_max: int) -> tuple[int, float] | None:
    """(J, J x goodput(J)) maximising delivered accelerators over 1 <= J <= job_max, or None if none applies.

    Sizes are whole units: one accelerator, or one data-parallel replica under elastic recovery (an elastic job
    runs ⌊J / r⌋ replicas, so accelerators beyond whole replicas deliver nothing). The fixed grid finds the peak's
    neighbourhood; a bounded scalar search over units between the neighbouring grid points refines it (J x goodput
    is smooth and single-peaked in units there) and the units either side of its result are compared, so the
    integer peak itself is found; ``job_max`` (in whole units) is always a candidate, so the maximum is the
    continuous one: a larger ``job_max`` can never give a smaller value.
    """
    from scipy.optimize import minimize_scalar

    from gigafleet.reliability.regimes import analytic_goodput, applicable

    unit = job_unit(regime)
    top = max(job_max // unit, 1)  # largest whole number of units
    counts = sorted({max(1, round(s / unit)) for s in JOB_SIZE_GRID if s <= job_max} | {top})
    counts = [k for k in counts if k <= top and applicable(regime, k * unit)]
    if not counts:
        return None

    def effective(count: float) -> float:
        size = max(1, round(count)) * unit
        return size * analytic_goodput(model, regime, size)

    values = [effective(k) for k in counts]
    best = int(np.argmax(values))
    candidates = [(values[best], counts[best]), (values[-1], counts[-1])]
    low, high = counts[max(best - 1, 0)], counts[min(best + 1, len(counts) - 1)]
    if high - low > 2:
        result = minimize_scalar(lambda x: -effective(x), bounds=(low, high), method="bounded", options={"xatol": 0.5})
        found = min(max(round(float(result.x)), low), high)
        candidates.extend(
            (effective(k), k)
            for k in (found - 1, found, found + 1)
            if low <= k <= high and applicable(regime, k * unit)
        )
    value, count = max(candidates)
    return int(count * unit), float(value)


__all__ = ["JOB_SIZE_GRID", "best_run", "job_unit"]

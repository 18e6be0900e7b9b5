"""Closed forms for checkpointed training on failing hardware.

References
----------
.. [1] J. W. Young, "A first order approximation to the optimum checkpoint interval", CACM 17(9), 1974.
.. [2] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps", Future
   Generation Computer Systems 22(3):303-312, 2006.
"""

from __future__ import annotations

import math


def mtbi_hours(devices: float, rate_per_device_hour: float) -> float:
    """Mean time between interruptions of a synchronous job [h]: M = 1 / (N · λ).

    Examples
    --------
    Llama 3: 419 interruptions over 16,384 GPUs × 54 days gives λ ≈ 1.97e-5 per GPU-hour and M ≈ 3.1 h.

    >>> round(mtbi_hours(16384, 419 / (16384 * 54 * 24)), 2)
    3.09
    """
    if devices <= 0 or rate_per_device_hour <= 0:
        raise ValueError("devices and rate must be positive")
    return 1.0 / (devices * rate_per_device_hour)


def young_interval(write_hours: float, mtbi: float) -> float:
    """Young's optimum compute time between checkpoints [h]: τ = √(2δM)."""
    return math.sqrt(2.0 * write_hours * mtbi)


def daly_interval(write_hours: float, mtbi: float) -> float:
    """Daly's higher-order optimum [h]: √(2δM)·[1 + ⅓√(δ/2M) + (1/9)(δ/2M)] − δ for δ < 2M, else M.

    Examples
    --------
    Daly's worked example: M = 24 h, δ = 5 min gives τ ≈ 117 min.

    >>> round(daly_interval(5 / 60, 24.0) * 60)
    117
    """
    if write_hours >= 2.0 * mtbi:
        return mtbi
    ratio = write_hours / (2.0 * mtbi)
    return math.sqrt(2.0 * write_hours * mtbi) * (1 + math.sqrt(ratio) / 3.0 + ratio / 9.0) - write_hours


def expected_goodput(interval_hours: float, write_hours: float, restart_hours: float, mtbi: float) -> float:
    """Expected share of wall time spent on useful (checkpointed) compute, exponential failures [fraction].

    Daly's exact expected wall time per unit of work, for failures arriving as a Poisson process with mean
    time M (also during restarts and checkpoint writes), restart time R, compute segment τ and write time δ:
    T_wall / T_work = M · e^(R/M) · (e^((τ+δ)/M) − 1) / τ. Goodput is its inverse.

    Examples
    --------
    >>> round(expected_goodput(1.0, 0.05, 0.1, 1000.0), 4)
    0.9518
    """
    if min(interval_hours, mtbi) <= 0 or write_hours < 0 or restart_hours < 0:
        raise ValueError("interval and MTBI must be positive; write and restart non-negative")
    return interval_hours / (mtbi * math.exp(restart_hours / mtbi) * math.expm1((interval_hours + write_hours) / mtbi))


def expected_waste_per_failure_hours(interval_hours: float, write_hours: float, restart_hours: float) -> float:
    """First-order expected time lost per failure [h]: half a checkpoint period of recomputation plus restart."""
    return (interval_hours + write_hours) / 2.0 + restart_hours

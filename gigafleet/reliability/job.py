"""A synchronous training job on failing hardware: checkpoints, rollbacks, restarts, hot spares.

Semantics (shared with the SimPy reference): the job runs on J devices. After every (re)start it computes for τ
hours, then writes a checkpoint for δ hours, and repeats. Any failure of one of its devices (or a shock to one of
its domains) interrupts it: the work since the last completed checkpoint is lost; failed devices that need
replacing (manual repair, swap, domain outage) are replaced from H hot spares, which return to the pool when their
repair ends; if too few spares are free, the job waits for the earliest returns; it then restarts, which takes R
hours. A failure during a restart or a wait starts the recovery again.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class JobOutcome:
    """What a job achieved over the horizon; hours are wall-clock hours of the whole job."""

    horizon_hours: float
    interruptions: int
    useful_hours: float
    recomputation_hours: float
    restart_hours: float
    waiting_hours: float
    checkpoint_hours: float

    @property
    def goodput(self) -> float:
        """Useful (checkpointed) compute time / wall time [fraction]."""
        return self.useful_hours / self.horizon_hours


def simulate_job(
    times: npt.NDArray[np.float64],
    devices_needed: npt.NDArray[np.int64],
    down_hours: npt.NDArray[np.float64],
    *,
    horizon_hours: float,
    interval_hours: float,
    write_hours: float,
    restart_hours: float,
    hot_spares: int,
) -> JobOutcome:
    """Play a job's timeline against its sorted interruption times.

    Parameters
    ----------
    times
        Interruption times, sorted [h].
    devices_needed
        Devices to replace at each interruption [count] (0 for an automatic reset).
    down_hours
        Repair time of the failed devices (when they return to the spare pool) [h].
    horizon_hours
        Wall-clock horizon [h].
    interval_hours, write_hours, restart_hours
        τ, δ and R [h].
    hot_spares
        Spare devices reserved for the job [count].
    """
    period = interval_hours + write_hours
    useful = recompute = restart = waiting = checkpoint = 0.0
    run_start = 0.0  # when computing (re)started
    recovery: tuple[float, float, float] | None = None  # (begin, wait_end, run_start) of the current recovery
    free = int(hot_spares)
    returns: list[float] = []
    count = 0

    def credit(segment: float) -> None:
        nonlocal useful, recompute, checkpoint
        cycles = math.floor(segment / period)
        useful += cycles * interval_hours
        checkpoint += cycles * write_hours
        recompute += segment - cycles * period

    for t, need, down in zip(times.tolist(), devices_needed.tolist(), down_hours.tolist(), strict=True):
        if t >= horizon_hours:
            break
        count += 1
        if t >= run_start:
            credit(t - run_start)
        elif recovery is not None:  # interrupted while recovering: count only the elapsed part
            begin, wait_end, _ = recovery
            waiting -= max(0.0, wait_end - max(t, begin))
            restart -= run_start - max(t, wait_end)
        while returns and returns[0] <= t:
            heapq.heappop(returns)
            free += 1
        ready = t
        if recovery is not None and t < recovery[1]:  # still waiting for spares from the previous interruption
            ready = recovery[1]
        for _ in range(int(need)):  # the failed devices go to repair and come back as spares
            heapq.heappush(returns, t + float(down))
        for _ in range(int(need)):  # their replacements: free spares first, else the earliest returns
            if free > 0:
                free -= 1
            else:
                ready = max(ready, heapq.heappop(returns))
        waiting += ready - t
        restart += restart_hours
        run_start = ready + restart_hours
        recovery = (t, ready, run_start)
    if run_start < horizon_hours:
        credit(horizon_hours - run_start)
    elif recovery is not None:
        begin, wait_end, _ = recovery
        waiting -= max(0.0, wait_end - max(horizon_hours, begin))
        restart -= run_start - max(horizon_hours, wait_end)
    return JobOutcome(horizon_hours, count, useful, recompute, restart, waiting, checkpoint)

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

    Notes
    -----
    When the spare pool can never run dry (the replacements taken within any window of the longest repair time
    fit in ``hot_spares``), no interruption waits: each restarts at once and the timeline is a function of the
    gaps between interruptions, so it is played with array arithmetic (10^7 interruptions in well under a
    second). Otherwise the interruptions are played one by one with the spare pool as a heap
    (:func:`simulate_job_sequential`). Both give the same outcome (``tests/test_reliability.py``).
    """
    t = np.asarray(times, dtype=float)
    m = int(np.searchsorted(t, horizon_hours, side="left"))  # interruptions inside the horizon
    t = t[:m]
    need = np.asarray(devices_needed[:m])
    down = np.asarray(down_hours[:m], dtype=float)
    if not _spares_never_run_out(t, need, down, hot_spares):
        return simulate_job_sequential(
            times,
            devices_needed,
            down_hours,
            horizon_hours=horizon_hours,
            interval_hours=interval_hours,
            write_hours=write_hours,
            restart_hours=restart_hours,
            hot_spares=hot_spares,
        )
    period = interval_hours + write_hours
    restart = useful_cycles = recompute = 0.0
    previous = 0.0  # running segments: 0 .. t_0, then from each restart's end to the next interruption
    for first in range(0, m + 1, BLOCK):  # blocks of interruptions: memory and cache stay small at 10^7+
        block = t[first : first + BLOCK]
        ends = [[horizon_hours]] if first + BLOCK > m else []
        gaps = np.diff(np.concatenate([[previous], block, *ends]))
        if first:  # the gap into this block follows an interruption
            restart += float(np.minimum(gaps, restart_hours).sum())
            gaps -= restart_hours
        else:  # the first gap is the start of the run; the others follow interruptions
            restart += float(np.minimum(gaps[1:], restart_hours).sum())
            gaps[1:] -= restart_hours
        np.maximum(gaps, 0.0, out=gaps)
        cycles = np.floor(gaps / period)
        useful_cycles += float(cycles.sum())
        cycles *= period
        recompute += float((gaps - cycles).sum())
        if block.size:
            previous = float(block[-1])
    return JobOutcome(
        horizon_hours, m, useful_cycles * interval_hours, recompute, restart, 0.0, useful_cycles * write_hours
    )


BLOCK = 1 << 20
"""Interruptions played per array step of :func:`simulate_job`."""


def _spares_never_run_out(
    times: npt.NDArray[np.float64], need: npt.NDArray[np.int64], down: npt.NDArray[np.float64], hot_spares: int
) -> bool:
    """Whether the hot spares always suffice: the devices taken within any window of the longest repair time
    (an upper bound of those out at once) never exceed the pool. First on whole hours (one pass), then, if that
    bound is too loose, exactly on the sorted times."""
    if times.size == 0 or not np.any(need):
        return True
    longest = float(down.max())
    hours = int(times[-1]) + 2
    taken_by_hour = np.zeros(hours, dtype=np.int64)
    for first in range(0, times.size, BLOCK):
        taken_by_hour += np.bincount(
            times[first : first + BLOCK].astype(np.int64), weights=need[first : first + BLOCK], minlength=hours
        ).astype(np.int64)[:hours]
    span = int(np.ceil(longest)) + 1  # whole hours that cover any window of the longest repair time
    cumulative = np.concatenate([[0], np.cumsum(taken_by_hour)])
    windows = cumulative[span:] - cumulative[:-span] if cumulative.size > span else cumulative[-1:]
    if int(windows.max()) <= hot_spares:
        return True
    taken = np.cumsum(need)
    window_start = np.searchsorted(times, times - longest, side="right")  # first j with t_j > t_i - D
    out = taken - np.where(window_start > 0, taken[np.maximum(window_start - 1, 0)], 0)
    return bool(out.max() <= hot_spares)


def simulate_job_sequential(
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
    """:func:`simulate_job` one interruption at a time, with the spare pool as a heap (any spare shortage)."""
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

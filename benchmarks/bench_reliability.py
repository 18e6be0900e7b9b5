"""Benchmark: reliability engine events per second against in-process baselines, and a year of 10^8 accelerators.

Goals: issue 5, the engine >= 1000x the SimPy reference's events per second on the same model; issue 18,
``gigafleet reliability --accelerators 100M --chip gb200 --days 365`` in < 5 s end to end and < 1 GiB on 2 cores.
Printed:

* the engine (competing Weibull modes, repair classes, spares, hourly and daily aggregates, job tracking) on
  10^6 devices x 1 year against a naive vectorised numpy model of the same fleet in this process (one total
  exponential rate, one fixed repair time, every device one failure-repair cycle per round, events counted and
  nothing else), both in CPU seconds (steadier than wall time on a shared machine), best of ``--repeat``;
* the same model against the SimPy reference (a process per device) at ``--reference-devices``;
* ``gigafleet reliability ... --json`` in a fresh process at 10^6 and (unless ``--quick``) 10^8 accelerators:
  wall time, the engine's own seconds and peak memory, against ``python -c "import numpy"``.

Run: ``.venv/bin/python benchmarks/bench_reliability.py [--quick] [--chip gb200]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from gigafleet.catalog import load_catalog
from gigafleet.reliability.cohort import simulate_fleet_failures
from gigafleet.reliability.model import FailureModel, failure_model
from gigafleet.testing.simpy_reference import run_reference

HOURS_PER_YEAR = 365 * 24.0
ENGINE_SCRIPT = """
import json, resource, sys, time
from gigafleet.catalog import load_catalog
from gigafleet.reliability.cohort import simulate_fleet_failures
from gigafleet.reliability.model import failure_model
model = failure_model(load_catalog(), sys.argv[1])
started = time.perf_counter()
events = simulate_fleet_failures(model, int(float(sys.argv[2])), 365 * 24.0, seed=1, track_devices=100_000)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "events": events.events, "peak_bytes": peak}))
"""


def naive_events_per_second(model: FailureModel, n: int, horizon: float, seed: int = 0) -> float:
    """Events per second of the simplest vectorised failure-repair model of ``n`` devices (the baseline)."""
    rng = np.random.default_rng(seed)
    rate, repair = model.total_rate_per_hour, float(model.down_hours.mean())
    started = time.process_time()
    clock = rng.exponential(1.0 / rate, n)
    events = 0
    while clock.size:
        clock = clock[clock < horizon]
        events += clock.size
        clock += repair + rng.exponential(1.0 / rate, clock.size)
    return events / (time.process_time() - started)


def engine_events_per_second(model: FailureModel, n: int, horizon: float, seed: int = 0) -> float:
    started = time.process_time()
    events = simulate_fleet_failures(model, n, horizon, seed=seed, track_devices=min(n, 100_000))
    return events.events / (time.process_time() - started)


def fresh(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chip", default="gb200")
    parser.add_argument("--devices", type=float, default=1e6, help="in-process comparison size")
    parser.add_argument("--reference-devices", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the 10^8 run")
    args = parser.parse_args()
    model = failure_model(load_catalog(), args.chip)
    n = int(args.devices)
    simulate_fleet_failures(model, 1000, 24.0)  # warm-up
    engine = max(engine_events_per_second(model, n, HOURS_PER_YEAR, seed) for seed in range(args.repeat))
    naive = max(naive_events_per_second(model, n, HOURS_PER_YEAR, seed) for seed in range(args.repeat))
    print(
        f"{n:.0e} {args.chip} x 1 year: engine {engine / 1e6:.1f}M events/s; naive numpy model {naive / 1e6:.1f}M "
        f"events/s; engine / naive {engine / naive:.2f}"
    )
    m = args.reference_devices
    engine_small = max(engine_events_per_second(model, m, HOURS_PER_YEAR, seed) for seed in range(3, 3 + args.repeat))
    reference = run_reference(
        model, m, HOURS_PER_YEAR, job_size=1, interval_hours=1.0, write_hours=0.01, restart_hours=0.05,
        hot_spares=0, seed=3,
    )  # fmt: skip
    print(
        f"{m:,} devices x 1 year: engine {engine_small:,.0f} events/s; SimPy reference "
        f"{reference.events_per_second:,.0f} events/s; ratio {engine_small / reference.events_per_second:,.0f}x "
        f"(goal >= 1000x)"
    )
    floor, _ = fresh([sys.executable, "-c", "import numpy"])
    exe = str(Path(sys.executable).with_name("gigafleet"))
    sizes = ["1M"] if args.quick else ["1M", "100M"]
    print(f"\n{'fresh process':<42} {'wall [s]':>9} {'engine [s]':>11} {'M events/s':>11} {'peak GiB':>9}")
    for size in sizes:
        _, out = fresh([sys.executable, "-c", ENGINE_SCRIPT, args.chip, str(float(size.replace("M", "e6")))])
        engine_run = json.loads(out)
        rate = engine_run["events"] / engine_run["seconds"] / 1e6
        print(
            f"{'engine only -n ' + size:<42} {'':>9} {engine_run['seconds']:>11.2f} {rate:>11.1f} "
            f"{engine_run['peak_bytes'] / 2**30:>9.2f}"
        )
        command = [exe, "reliability", "--accelerators", size, "--chip", args.chip, "--days", "365", "--json"]
        for label, extra in (("job size auto", []), ("whole fleet one job", ["--job-size", size])):
            wall, peak, result = measured(command + extra)
            goal = ""
            if size == "100M" and not extra:
                goal = "  goals < 5 s, < 1 GiB: " + ("met" if wall < 5 and peak < 1 else "NOT met")
            job = result["inputs"]["job_size"]
            print(
                f"{'reliability -n ' + size + ', ' + label:<42} {wall:>9.2f} {result['engine']['seconds']:>11.2f} "
                f"{result['engine']['events'] / result['engine']['seconds'] / 1e6:>11.1f} {peak:>9.2f}"
                f"  job {job:,}, goodput {result['goodput']:.3f}{goal}"
            )
    print(f"{'python -c import numpy':<42} {floor:>9.2f}")


MEASURE_SCRIPT = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stderr[-2000:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(f"{wall} {peak}")
print(done.stdout)
"""


def measured(command: list[str]) -> tuple[float, float, dict[str, Any]]:
    """Wall time [s], peak memory [GiB] and JSON of one fresh run of ``command`` (its own peak, not the
    benchmark's other children's)."""
    done = subprocess.run([sys.executable, "-c", MEASURE_SCRIPT, *command], capture_output=True, text=True, check=True)
    first, _, rest = done.stdout.partition("\n")
    wall, peak = (float(v) for v in first.split())
    return wall, peak / 2**30, json.loads(rest)


if __name__ == "__main__":
    main()

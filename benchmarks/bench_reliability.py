"""Benchmark: reliability engine events per second vs the SimPy reference, and one year of 10^8 accelerators.

Goals (issue 5): one simulated year of 10^8 accelerators in <= 10 s and <= 4 GiB on 2 cores; the engine
>= 1000x the reference's events per second on the same model. The year of 10^8 runs in a subprocess so that its
peak resident memory is measured on its own.

Run: ``.venv/bin/python benchmarks/bench_reliability.py [--devices 1e8] [--chip gb200]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from gigafleet.catalog import load_catalog
from gigafleet.reliability.cohort import simulate_fleet_failures
from gigafleet.reliability.model import failure_model
from gigafleet.testing.simpy_reference import run_reference

YEAR_SCRIPT = """
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=float, default=1e8)
    parser.add_argument("--chip", default="gb200")
    parser.add_argument("--reference-devices", type=int, default=20_000)
    args = parser.parse_args()
    model = failure_model(load_catalog(), args.chip)
    n, horizon = args.reference_devices, 365 * 24.0
    simulate_fleet_failures(model, 1000, 24.0)  # warm-up
    started = time.perf_counter()
    events = simulate_fleet_failures(model, n, horizon, seed=3)
    engine_rate = events.events / (time.perf_counter() - started)
    reference = run_reference(
        model, n, horizon, job_size=1, interval_hours=1.0, write_hours=0.01, restart_hours=0.05, hot_spares=0, seed=3
    )
    print(
        f"same model, {n:,} devices x 1 year: engine {engine_rate:,.0f} events/s; SimPy reference "
        f"{reference.events_per_second:,.0f} events/s; ratio {engine_rate / reference.events_per_second:,.0f}x "
        f"(goal >= 1000x)"
    )
    done = subprocess.run(
        [sys.executable, "-c", YEAR_SCRIPT, args.chip, str(args.devices)], capture_output=True, text=True, check=True
    )
    year = json.loads(done.stdout)
    print(
        f"{args.devices:.0e} {args.chip} x 1 year: {year['seconds']:.1f} s, {year['events']:,} events "
        f"({year['events'] / year['seconds']:,.0f}/s), peak memory {year['peak_bytes'] / 2**30:.2f} GiB "
        f"(goals <= 10 s, <= 4 GiB)"
    )


if __name__ == "__main__":
    main()

"""Benchmark: cost of 10^6 Monte Carlo samples against 10^3 samples of the same estimate, in one process.

Goal (issue 2): ratio under 3, i.e. fixed overhead dominates and the arithmetic is vectorised.
Two measurements are printed, both against a baseline run in this same process:

* ``api``: ``gigafleet.estimate.estimate`` on an already-loaded catalogue (engine + summary only);
* ``api+load``: the same with the catalogue read and validated from disk on each call, as a fresh CLI run does;
* ``cli``: the whole ``gigafleet estimate --json`` command in a subprocess (interpreter start, imports, load,
  sampling, summary, JSON), each size timed from this process.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_samples.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from gigafleet.catalog import _load_cached, load_catalog
from gigafleet.estimate import estimate
from gigafleet.fleet import FleetSpec, Sizing

SPEC = FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1e8), "liquid", "us", 2026)


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog()
    estimate(SPEC, samples=1000, catalog=catalog)  # warm-up (imports, caches)

    def api(n: int) -> Callable[[], object]:
        return lambda: estimate(SPEC, samples=n, catalog=catalog)

    def api_load(n: int) -> Callable[[], object]:
        def run() -> object:
            _load_cached.cache_clear()
            return estimate(SPEC, samples=n, catalog=load_catalog())

        return run

    print(f"{'measure':<10} {'1e3 [s]':>10} {'1e6 [s]':>10} {'ratio':>8}  goal < 3")
    for name, make in (("api", api), ("api+load", api_load)):
        small = best_of(args.repeat, make(1_000))
        large = best_of(args.repeat, make(1_000_000))
        print(
            f"{name:<10} {small:>10.4f} {large:>10.4f} {large / small:>8.1f}  "
            f"{'met' if large / small < 3 else 'NOT met'}"
        )
    exe = str(Path(sys.executable).with_name("gigafleet"))

    def cli(n: int) -> Callable[[], object]:
        command = [exe, "estimate", "-n", "100M", "--chip", "gb200", "--samples", str(n), "--json"]
        return lambda: subprocess.run(command, check=True, capture_output=True)

    small = best_of(args.repeat, cli(1_000))
    large = best_of(args.repeat, cli(1_000_000))
    print(
        f"{'cli':<10} {small:>10.4f} {large:>10.4f} {large / small:>8.1f}  {'met' if large / small < 3 else 'NOT met'}"
    )
    per_sample = statistics.mean([best_of(1, api(1_000_000)) for _ in range(2)]) / 1e6
    print(f"marginal cost: {per_sample * 1e9:.0f} ns per sample (all outputs, P10/P50/P90, comparisons)")


if __name__ == "__main__":
    main()

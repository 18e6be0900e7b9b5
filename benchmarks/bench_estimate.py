"""Benchmark: ``estimate`` at 10^3 and 10^6 samples, against the exact-draw engine in the same process.

Goals (issue 18): ``gigafleet estimate --accelerators 100M --chip gb200 --samples N --json`` end to end in
< 0.4 s at N = 10^3 and < 1.5 s at N = 10^6, on 2 cores. Printed:

* ``engine``: :func:`gigafleet.estimate.estimate` on a loaded catalogue (sampling, model, summary), best of
  ``--repeat``, with the large-run paths (inverse-CDF table draws, shared uniforms for linked pairs, float32
  inputs, window percentiles) against the same call with them switched off (``Generator.beta`` draws, rank
  reordering, ``np.percentile``): the in-process baseline, so the ratio holds on a busy machine;
* ``cli``: the whole command in a fresh process (interpreter, imports, catalogue, engine, JSON) with its peak
  memory, against ``python -c "import numpy"`` in the same way (the floor of any fresh process);
* ``float32``: the worst relative change of any P10/P50/P90 at 10^6 samples from float32 inputs, against the
  same uniforms in float64 (goal < 1e-4, well below the Monte Carlo noise of ~1e-3).

Run: ``.venv/bin/python benchmarks/bench_estimate.py [--repeat 3] [--large 1000000]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import gigafleet.estimate as estimate_module
import gigafleet.fleet as fleet
import gigafleet.uncertainty.sampling as sampling
from gigafleet.catalog import load_catalog
from gigafleet.fleet import FleetSpec, Sizing

SPEC = FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1e8), "liquid", "us", 2026)


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


@contextlib.contextmanager
def exact_paths() -> Iterator[None]:
    """Switch the large-run paths off: Generator.beta draws, rank-reordered pairs, np.percentile."""
    saved = (sampling.PERT_TABLE_MIN_SAMPLES, sampling.FAST_QUANTILES_MIN_SAMPLES)
    sampling.PERT_TABLE_MIN_SAMPLES = sampling.FAST_QUANTILES_MIN_SAMPLES = 10**15
    try:
        yield
    finally:
        sampling.PERT_TABLE_MIN_SAMPLES, sampling.FAST_QUANTILES_MIN_SAMPLES = saved


def fresh_process(command: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time [s] and peak resident memory [MiB] of a command in a fresh process."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far


def flat(result: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in result.items():
        if isinstance(value, dict) and set(value) == {"p10", "p50", "p90"}:
            out.update({f"{prefix}{key}.{p}": float(v) for p, v in value.items()})
        elif isinstance(value, dict) and key != "inputs":
            out.update(flat(value, f"{prefix}{key}."))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    catalog = load_catalog()
    estimate_module.estimate(SPEC, samples=1000, catalog=catalog)  # warm-up (imports, caches)

    def run(n: int) -> Callable[[], object]:
        return lambda: estimate_module.estimate(SPEC, samples=n, catalog=catalog)

    print(f"{'engine':<24} {'now [s]':>9} {'exact [s]':>10} {'speed-up':>9}")
    for n in (1_000, args.large):
        now = best_of(args.repeat, run(n))
        with exact_paths():
            exact = best_of(args.repeat, run(n))
        print(f"{f'estimate() n={n:.0e}':<24} {now:>9.3f} {exact:>10.3f} {exact / now:>8.1f}x")

    exe = str(Path(sys.executable).with_name("gigafleet"))
    floor, _ = fresh_process([sys.executable, "-c", "import numpy"], args.repeat)
    print(f"\n{'cli (fresh process)':<24} {'wall [s]':>9} {'goal [s]':>10} {'/ numpy':>9} {'peak MiB':>9}")
    for n, goal in ((1_000, 0.4), (args.large, 1.5)):
        command = [exe, "estimate", "--accelerators", "100M", "--chip", "gb200", "--samples", str(n), "--json"]
        wall, peak = fresh_process(command, args.repeat)
        met = "met" if wall < goal else "NOT met"
        print(f"{f'estimate n={n:.0e}':<24} {wall:>9.3f} {goal:>10.1f} {wall / floor:>8.1f}x {peak:>9.0f}  {met}")
    print(f"{'python -c import numpy':<24} {floor:>9.3f}")

    single = flat(estimate_module.estimate(SPEC, samples=args.large, seed=1, catalog=catalog))
    saved = fleet.LARGE_SAMPLE_DTYPE
    fleet.LARGE_SAMPLE_DTYPE = np.float64
    try:
        double = flat(estimate_module.estimate(SPEC, samples=args.large, seed=1, catalog=catalog))
    finally:
        fleet.LARGE_SAMPLE_DTYPE = saved
    worst_key = max(double, key=lambda k: abs(single[k] - double[k]) / abs(double[k]) if double[k] else 0.0)
    worst = abs(single[worst_key] - double[worst_key]) / abs(double[worst_key])
    print(
        f"\nfloat32 inputs at n={args.large:.0e}: worst relative change of {len(double)} percentiles "
        f"{worst:.1e} ({worst_key}); goal < 1e-4 {'met' if worst < 1e-4 else 'NOT met'}"
    )
    print(json.dumps({"worst_float32_change": worst, "worst_key": worst_key}))


if __name__ == "__main__":
    main()

"""Benchmark: ``estimate`` at 10^3 and 10^6 samples, against the exact-draw engine in the same process.

Goals (issue 18): ``gigafleet estimate --accelerators 100M --chip gb200 --samples N --json`` end to end in
< 0.4 s at N = 10^3 and < 1.5 s at N = 10^6, on 2 cores. Printed:

* ``engine``: :func:`gigafleet.estimate.estimate` on a loaded catalogue (sampling, model, summary), best of
  ``--repeat``, with the large-run paths (inverse-CDF table draws, shared uniforms for linked pairs, float32
  inputs, window percentiles) against the same call with them switched off (``Generator.beta`` draws, rank
  reordering, batch partitions): the in-process baseline, so the ratio holds on a busy machine; and the
  10^6 run held to one and to two threads (:mod:`gigafleet.uncertainty.parallel`);
* ``cli``: the whole command in a fresh process (interpreter, imports, catalogue, engine, JSON) with its CPU
  time and peak memory, best and median of ``--repeat``, with its default threads and held to one and to two
  (``GIGAFLEET_THREADS``), against ``python -c "import numpy"`` in the same way (the floor of
  any fresh process). Byte code is cached (``PYTHONPYCACHEPREFIX``, one warm-up run each), as in an
  installed package, even where ``PYTHONDONTWRITEBYTECODE`` is set. With ``--before DIR`` (a checkout of older
  gigafleet, e.g. ``git worktree add /tmp/before <commit>``) the same command of that code runs in turn with
  this one, and its JSON must equal this one's to 1e-9 (relative);
* ``float32``: the worst relative change of any P10/P50/P90 at 10^6 samples from float32 inputs, against the
  same uniforms in float64 (goal < 1e-4, well below the Monte Carlo noise of ~1e-3).

The load average is printed: other work on the machine slows every line (the ratios less).

Run: ``.venv/bin/python benchmarks/bench_estimate.py [--repeat 5] [--large 1000000] [--before DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
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
from gigafleet.uncertainty import parallel

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
    """Switch the large-run paths off: Generator.beta draws, rank-reordered pairs, batch partitions."""
    saved = (sampling.PERT_TABLE_MIN_SAMPLES, sampling.FAST_QUANTILES_MIN_SAMPLES)
    sampling.PERT_TABLE_MIN_SAMPLES = sampling.FAST_QUANTILES_MIN_SAMPLES = 10**15
    try:
        yield
    finally:
        sampling.PERT_TABLE_MIN_SAMPLES, sampling.FAST_QUANTILES_MIN_SAMPLES = saved


@contextlib.contextmanager
def threads(count: int) -> Iterator[None]:
    """Hold :mod:`gigafleet.uncertainty.parallel` to ``count`` workers."""
    saved = os.environ.get(parallel.THREADS_ENV)
    os.environ[parallel.THREADS_ENV] = str(count)
    parallel.workers.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            del os.environ[parallel.THREADS_ENV]
        else:
            os.environ[parallel.THREADS_ENV] = saved
        parallel.workers.cache_clear()


def fresh_env(cache: str, before: Path | None = None) -> dict[str, str]:
    """Environment of a fresh process: byte code cached under ``cache``; ``before`` first on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    if before is not None:
        env["PYTHONPATH"] = str(before)
    return env


LAUNCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(json.dumps([done.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024]))
sys.stdout.write(done.stdout.decode())
"""
"""Runs the command and reports its exit status, wall time, CPU time and peak memory: a small parent, so the
peak is the command's (a child forked from this benchmark would count this process's memory as its own)."""


def fresh_process(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall time [s], CPU time [s] (user + system, all threads), peak resident memory [MiB] and output of a
    command in a fresh process (run in an empty folder: the working folder is never on its path)."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, env=env, cwd=folder
        )
    status, wall, cpu, peak = json.loads(done.stderr.strip().splitlines()[-1])
    if status:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return wall, cpu, peak, done.stdout


def same_json(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Whether two JSON values are equal, numbers to ``rel`` (relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b))
    return bool(a == b)


def cli_table(repeat: int, large: int, before: Path | None) -> None:
    """The whole command in fresh processes (after, and before when given, in turn), against the numpy floor.

    Wall times are best and median of ``repeat``; CPU time (user + system, all threads) is the least, which other
    work on the machine changes far less than the wall time."""
    exe = str(Path(sys.executable).with_name("gigafleet"))
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as old_cache:
        env, old_env = fresh_env(cache), fresh_env(old_cache, before)
        floor_command = [sys.executable, "-c", "import numpy"]
        fresh_process(floor_command, env)
        floor = min(fresh_process(floor_command, env)[0] for _ in range(repeat))
        head = f"{'cli (fresh process)':<22} {'best [s]':>8} {'median':>7} {'CPU [s]':>7} {'goal':>5} {'/numpy':>7}"
        head += f" {'MiB':>5}" + (f" {'before':>7} {'median':>7} {'CPU':>6} {'ratio':>6}" if before else "")
        print(f"\n{head}")
        for n, goal, label, run_env in (
            (1_000, 0.4, f"estimate n={1_000:.0e}", env),
            (large, 1.5, f"estimate n={large:.0e}", env),
            (large, 1.5, f"  {parallel.THREADS_ENV}=1", {**env, parallel.THREADS_ENV: "1"}),
            (large, 1.5, f"  {parallel.THREADS_ENV}=2", {**env, parallel.THREADS_ENV: "2"}),
        ):
            command = [exe, "estimate", "--accelerators", "100M", "--chip", "gb200", "--samples", str(n), "--json"]
            fresh_process(command, run_env)  # byte code cached
            if before is not None:
                fresh_process(command, old_env)
            runs, old_runs = [], []
            for _ in range(repeat):
                runs.append(fresh_process(command, run_env))
                if before is not None:
                    old_runs.append(fresh_process(command, old_env))
                    if not same_json(json.loads(runs[-1][3]), json.loads(old_runs[-1][3])):
                        raise SystemExit(f"n={n}: the JSON differs from the one of {before}")
            walls = [run[0] for run in runs]
            best, median, cpu = min(walls), statistics.median(walls), min(run[1] for run in runs)
            met = "met" if best < goal else "NOT met"
            line = f"{label:<22} {best:>8.3f} {median:>7.3f} {cpu:>7.3f} {goal:>5.1f}"
            line += f" {best / floor:>6.1f}x {max(run[2] for run in runs):>5.0f}"
            if before is not None:
                old_walls = [run[0] for run in old_runs]
                old_best, old_cpu = min(old_walls), min(run[1] for run in old_runs)
                line += (
                    f" {old_best:>7.3f} {statistics.median(old_walls):>7.3f} {old_cpu:>6.3f} {best / old_best:>5.2f}x"
                )
            print(f"{line}  {met}")
        print(f"{'python -c import numpy':<22} {floor:>8.3f}")
        print(f"(threads by default: 1 + the idle cores at the start of each run; {parallel.workers()} now)")
        if before is not None:
            print(f"(before: {before}; its JSON equal to this one's to 1e-9 at both sizes)")


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--before", type=Path, default=None, help="checkout of older gigafleet to compare with")
    args = parser.parse_args()
    if args.before is not None and not (args.before / "gigafleet" / "__init__.py").is_file():
        parser.error(f"--before {args.before}: no gigafleet package there (the runs would be of this checkout)")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
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
    print(f"{'':<24} ({parallel.workers()} thread(s): 1 + the idle cores)")
    for count in (1, 2):
        with threads(count):
            held = best_of(args.repeat, run(args.large))
        print(f"{f'  the same, {count} thread(s)':<24} {held:>9.3f}")

    cli_table(args.repeat, args.large, args.before)

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

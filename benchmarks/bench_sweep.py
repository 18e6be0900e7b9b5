"""Benchmark: plan-sweep throughput with 1 and 2 local Dask workers, and the engine's per-run overhead.

Goals (issue 7): >= 1.7x throughput with 2 workers on 2 cores; per-run overhead of the sweep engine (scheduling,
transfer, storing) under 10% of a demo plan's solve time. Overhead per run = (wall time x workers - time spent
inside runs) / runs, compared with the mean time inside a run.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--runs 16]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from gigafleet.uncertainty.experiment import Experiment
from gigafleet.uncertainty.sweep import load_results, run_sweep


def experiment(runs: int) -> Experiment:
    return Experiment.model_validate(
        {
            "name": f"bench-{runs}",
            "kind": "plan",
            "base": "demo",
            "sample": {
                "method": "random",
                "n": runs,
                "seed": 0,
                "parameters": {"catalog.accelerators.rubin.unit_price_usd": {}},
            },
            "outputs": ["cost_usd"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    args = parser.parse_args()
    rates = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            store = Path(folder) / "s.duckdb"
            started = time.perf_counter()
            outcome = run_sweep(experiment(args.runs), "", store=store, workers=workers)
            wall = time.perf_counter() - started
            _, runs = load_results(store, outcome["sweep_id"])
            inside = sum(r["outputs"]["seconds"] for r in runs)
            rates[workers] = len(runs) / wall
            overhead = (wall * workers - inside) / len(runs)
            print(
                f"{workers} worker(s): {len(runs)} plan runs in {wall:.1f} s = {rates[workers]:.2f} runs/s; "
                f"mean run {inside / len(runs):.2f} s; engine overhead {overhead:.2f} s/run "
                f"({overhead / (inside / len(runs)):.0%} of a run, includes cluster start-up)"
            )
    print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x (goal >= 1.7x)")


if __name__ == "__main__":
    main()

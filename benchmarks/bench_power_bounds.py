"""Benchmark: the carbon-capped full year by cutting planes (``power --optimality-gap``) against the exact solve.

``gigafleet power --hours full --carbon-cap-g-per-kwh C`` solves the 8,760-hour programme exactly (HiGHS IPX on the
dual, then crossover): ~55-110 s on a 2-core machine. ``--optimality-gap G`` solves it by cutting planes on the
capacities (:mod:`gigafleet.power.decomposition`) to a certified gap. Per campus, in this process:

* ``exact``: the baseline (``--exact``; about a minute or two each).
* ``averaged N h``: the year averaged over blocks of ``--step`` hours, a relaxation (its cost is a lower bound).
* ``cuts G``: the cutting planes at each gap of ``--gaps``: seconds, plans solved, both bounds and, with
  ``--exact``, each bound's error against the exact optimum (the upper bound is the plan returned).

Run: ``.venv/bin/python benchmarks/bench_power_bounds.py [--exact] [--cases abilene,a02,lulea,abu] [--gaps 0.005]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from gigafleet.catalog import load_catalog
from gigafleet.power.campus import (
    INTERIOR_POINT_OPTIONS,
    USD_SCALE,
    CampusSpec,
    build_campus_inputs,
    build_campus_model,
    solve_campus,
    time_averaged_inputs,
)

CASES = {
    "abilene": CampusSpec(site="abilene-tx", it_load_gw=1.2, carbon_cap_g_per_kwh=100.0),
    "a02": CampusSpec(
        site="abilene-tx",
        it_load_gw=0.2,
        sources=("grid", "recip", "solar", "wind", "battery"),
        carbon_cap_g_per_kwh=100.0,
    ),
    "lulea": CampusSpec(site="lulea-se", it_load_gw=1.0, carbon_cap_g_per_kwh=50.0),
    "abu": CampusSpec(site="abu-dhabi", it_load_gw=1.0, carbon_cap_g_per_kwh=200.0),
}
"""The four capped years of docs/power.md's HiPO and cutting-plane tables (sources: the CLI's defaults unless
given)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="abilene,a02,lulea,abu", help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--gaps", default="0.005", help="comma-separated relative gaps, e.g. 0.005,0.001")
    parser.add_argument("--step", type=int, default=3, help="hours per step of the averaged year")
    parser.add_argument("--exact", action="store_true", help="also the exact year (the baseline)")
    args = parser.parse_args()
    catalog = load_catalog()
    print(
        f"{'case':<8} {'method':<22} {'seconds':>8} {'x exact':>8} {'plans':>6} {'lower [bn]':>11} "
        f"{'upper [bn]':>11} {'lower err':>10} {'upper err':>10}"
    )
    for name in args.cases.split(","):
        spec = CASES[name]
        inputs = build_campus_inputs(catalog, spec)
        rows: list[tuple[str, float, int | None, float | None, float | None]] = []
        exact_cost = exact_seconds = None
        if args.exact:
            started = time.perf_counter()
            exact = solve_campus(catalog, spec, inputs=inputs)
            exact_seconds = time.perf_counter() - started
            assert exact.model.objective.value is not None
            exact_cost = exact.model.objective.value * USD_SCALE
            rows.append(("exact (IPX, dual)", exact_seconds, None, exact_cost, exact_cost))
        started = time.perf_counter()
        relaxed = build_campus_model(time_averaged_inputs(inputs, args.step), compact=True)
        relaxed.solve(INTERIOR_POINT_OPTIONS)
        assert relaxed.objective.value is not None
        rows.append(
            (f"averaged {args.step} h", time.perf_counter() - started, None, relaxed.objective.value * USD_SCALE, None)
        )
        for gap in (float(g) for g in args.gaps.split(",")):
            started = time.perf_counter()
            solved = solve_campus(catalog, dataclasses.replace(spec, optimality_gap=gap), inputs=inputs)
            seconds = time.perf_counter() - started
            bounds = solved.model.notes["bounds"]
            label = f"cuts {gap:.2%}" + ("" if bounds["method"] == "cutting planes" else " (exact)")
            rows.append((label, seconds, bounds["iterations"], bounds["lower_bound_usd"], bounds["upper_bound_usd"]))
        for method, seconds, plans, low, high in rows:
            ratio = f"{seconds / exact_seconds:8.2f}" if exact_seconds else f"{'':>8}"
            cells = [f"{b / 1e9:11.5f}" if b is not None else f"{'-':>11}" for b in (low, high)]
            errors = [
                f"{100 * (b / exact_cost - 1):+9.3f}%" if b is not None and exact_cost else f"{'':>10}"
                for b in (low, high)
            ]
            shown = f"{plans:>6}" if plans is not None else f"{'':>6}"
            print(
                f"{name:<8} {method:<22} {seconds:8.1f} {ratio} {shown} {cells[0]} {cells[1]} {errors[0]} {errors[1]}"
            )


if __name__ == "__main__":
    main()

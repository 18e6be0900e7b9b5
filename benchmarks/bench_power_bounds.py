"""Benchmark: two inexact routes to the carbon-capped full year (issue 18's "< 30 s, within 0.5 %"), measured only.

``gigafleet power --hours full --carbon-cap-g-per-kwh C`` solves the 8,760-hour programme exactly (HiGHS IPX on the
dual, then crossover): ~55-75 s on a 2-core machine. Neither route below is wired into the CLI; this script measures
them so that whoever owns the goal can choose (docs/power.md, "Fourth round: bounds instead of the exact year").

* ``averaged``: the year averaged over consecutive blocks of ``--step`` hours (load and capacity factors are block
  means, each step weighs ``--step`` hours, the battery moves ``--step`` hours of charge per step). Every feasible
  hourly plan averages to a feasible block plan of the same cost, so its optimum is a **lower bound** on the year's;
  its capacities alone are not a feasible hourly plan (the carbon cap is missed by ~1 % of the year's CO2).
* ``benders``: the capacities (on-site sources, grid subscription, battery power: 7 numbers) as the only decisions
  of a small master programme; the year's hourly dispatch with those capacities fixed as the subproblem (HiGHS dual
  simplex, cold, ~1.3 s: without free capacity columns the year is easy); each subproblem adds the cut
  ``cost >= V(x_k) + g_k (x - x_k)`` (``g_k``: the capacity columns' reduced costs), and a box around the best point
  so far, grown after an improvement and shrunk otherwise, keeps steps short. Started from the representative-days
  capacities. The master without its box is a **lower bound**; every subproblem that meets the cap unaided is a
  feasible hourly plan, an **upper bound**. It stops at ``--gap`` (relative) or ``--iterations``.
  The carbon cap of the subproblem has a penalised slack (10,000 USD/t) so that every capacity vector has a value.

With ``--exact`` the exact programme is solved too (the baseline: ratios of time and bound errors against it).

Run: ``.venv/bin/python benchmarks/bench_power_bounds.py [--site abilene-tx --it-load-gw 1.2 --cap 100] [--exact]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

import numpy as np

from gigafleet.catalog import load_catalog
from gigafleet.power.campus import (
    INTERIOR_POINT_OPTIONS,
    USD_SCALE,
    CampusInputs,
    CampusSpec,
    build_campus_inputs,
    build_campus_model,
    solve_campus,
    time_averaged_inputs,
)
from gigafleet.power.lp import LinearProgram

CAPACITIES = ("capacity_mw", "grid_subscribed_mw", "battery_mw")
SLACK_USD_PER_T = 1e4


def capacity_columns(model: LinearProgram) -> np.ndarray:
    """Column numbers of the capacity decisions, in :data:`CAPACITIES` order."""
    parts = [np.atleast_1d(model.variables[n].index).ravel() for n in CAPACITIES if n in model.variables]
    return np.concatenate(parts).astype(np.int32)


def capacity_values(model: LinearProgram) -> np.ndarray:
    parts = [np.atleast_1d(model.variables[n].solution.to_numpy()) for n in CAPACITIES if n in model.variables]
    return np.maximum(np.concatenate(parts).astype(float), 0.0)


def master_rows(highs: Any, columns: np.ndarray) -> list[tuple[float, float, np.ndarray, np.ndarray]]:
    """Rows of the full programme that involve capacity columns only (firm capacity, training buffer), as
    (lower, upper, master columns, values)."""
    lp = highs.getLp()
    start, index, value = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    position = {int(c): i for i, c in enumerate(columns)}
    rows: dict[int, list[tuple[int, float]]] = {}
    for c in columns:
        for k in range(start[c], start[c + 1]):
            rows.setdefault(int(index[k]), []).append((position[int(c)], float(value[k])))
    counts = np.zeros(lp.num_row_, dtype=np.int64)
    np.add.at(counts, index, 1)
    out = []
    for r, terms in rows.items():
        if counts[r] == len(terms):
            cols = np.array([t[0] for t in terms], dtype=np.int32)
            out.append((float(lp.row_lower_[r]), float(lp.row_upper_[r]), cols, np.array([t[1] for t in terms])))
    return out


def benders(
    inputs: CampusInputs, start: np.ndarray, gap: float, iterations: int, started: float
) -> tuple[float, float, int, float, float]:
    """Trust-region cutting planes on the capacities; returns (lower, upper bound [USD/yr], iterations, seconds to
    the gap or the end, seconds per subproblem)."""
    import highspy

    full = build_campus_model(inputs, compact=True, carbon_slack=True)
    slack = int(full.variables["carbon_slack_t"].index)
    columns = capacity_columns(full)
    n = len(columns)
    sub = full.highs({"solver": "simplex"})
    sub.changeColCost(slack, SLACK_USD_PER_T / USD_SCALE)
    lp = sub.getLp()
    lower = np.asarray(lp.col_lower_)[columns]
    peak = float(inputs.hourly["load"].max())
    upper = np.minimum(np.asarray(lp.col_upper_)[columns], 20 * peak)  # bounded master (first cuts are flat)
    master = highspy.Highs()  # type: ignore[no-untyped-call]
    master.setOptionValue("output_flag", False)
    empty = np.zeros(0, np.int32)
    master.addCols(n + 1, np.r_[np.zeros(n), 1.0], np.r_[lower, -1e15], np.r_[upper, 1e15], 0, empty, empty, [])
    for lo, up, cols, vals in master_rows(sub, columns):
        master.addRow(lo, up, len(cols), cols, vals)
    everything = np.arange(n + 1, dtype=np.int32)
    mine = np.arange(n, dtype=np.int32)
    x, best, best_value, radius = start.copy(), start.copy(), np.inf, 0.1 * peak
    low, high, solve_seconds, k = -np.inf, np.inf, 0.0, 0
    for k in range(1, iterations + 1):
        t = time.perf_counter()
        sub.clearSolver()
        sub.changeColsBounds(n, columns, x, x)
        sub.run()
        solve_seconds += time.perf_counter() - t
        value = float(sub.getInfo().objective_function_value)
        solution = sub.getSolution()
        reduced = np.asarray(solution.col_dual)[columns]
        if solution.col_value[slack] <= 1e-3:
            high = min(high, value)
        master.addRow(-np.inf, float(reduced @ x - value), n + 1, everything, np.r_[reduced, -1.0])
        master.changeColsBounds(n, mine, lower, upper)
        master.run()
        low = max(low, float(master.getInfo().objective_function_value))
        if value < best_value:
            best, best_value, radius = x.copy(), value, radius * 1.5
        else:
            radius *= 0.5
        print(
            f"  {k:>3}  V {value * USD_SCALE / 1e9:9.5f} bn  lower {low * USD_SCALE / 1e9:9.5f}  upper "
            f"{high * USD_SCALE / 1e9:9.5f}  gap {100 * (high / low - 1) if low > 0 else float('nan'):7.3f} %  "
            f"{time.perf_counter() - started:6.1f} s",
            flush=True,
        )
        if low > 0 and high / low - 1 <= gap:
            break
        master.changeColsBounds(n, mine, np.maximum(lower, best - radius), np.minimum(upper, best + radius))
        master.run()
        x = np.asarray(master.getSolution().col_value)[:n]
    return low * USD_SCALE, high * USD_SCALE, k, time.perf_counter() - started, solve_seconds / max(k, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default="abilene-tx")
    parser.add_argument("--it-load-gw", type=float, default=1.2)
    parser.add_argument("--cap", type=float, default=100.0, help="carbon cap [g/kWh]")
    parser.add_argument("--step", type=int, default=3, help="hours per step of the averaged year")
    parser.add_argument("--gap", type=float, default=0.005, help="relative gap at which the cutting planes stop")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--exact", action="store_true", help="also the exact year (the baseline; ~1 min)")
    args = parser.parse_args()
    catalog = load_catalog()
    spec = CampusSpec(site=args.site, it_load_gw=args.it_load_gw, carbon_cap_g_per_kwh=args.cap, hours="full")
    started = time.perf_counter()
    inputs = build_campus_inputs(catalog, spec)
    print(f"{args.site} {args.it_load_gw} GW, cap {args.cap:g} g/kWh: inputs {time.perf_counter() - started:.1f} s")
    rows: list[tuple[str, float, float | None, float | None]] = []  # method, seconds, lower, upper [USD/yr]

    started = time.perf_counter()
    model = build_campus_model(time_averaged_inputs(inputs, args.step), compact=True)
    model.solve(INTERIOR_POINT_OPTIONS)
    assert model.objective.value is not None
    rows.append((f"averaged {args.step} h", time.perf_counter() - started, model.objective.value * USD_SCALE, None))

    started = time.perf_counter()
    repdays = solve_campus(catalog, dataclasses.replace(spec, hours="repdays"))
    print("cutting planes from the representative-days capacities:")
    low, high, k, seconds, per_solve = benders(
        inputs, capacity_values(repdays.model), args.gap, args.iterations, started
    )
    rows.append((f"cutting planes ({k} it, {per_solve:.1f} s each)", seconds, low, high))

    exact_cost, exact_seconds = None, None
    if args.exact:
        started = time.perf_counter()
        exact = solve_campus(catalog, spec, inputs=inputs)
        exact_seconds = time.perf_counter() - started
        assert exact.model.objective.value is not None
        exact_cost = exact.model.objective.value * USD_SCALE
        rows.insert(0, ("exact (IPX on the dual)", exact_seconds, exact_cost, exact_cost))

    print(f"\n{'method':<36} {'seconds':>8} {'x exact':>8} {'lower [bn]':>11} {'upper [bn]':>11} {'vs exact':>16}")
    for name, secs, lo, up in rows:
        ratio = f"{secs / exact_seconds:8.2f}" if exact_seconds else f"{'':>8}"
        vs = ""
        if exact_cost:
            parts = [f"{100 * (b / exact_cost - 1):+.2f}%" for b in (lo, up) if b is not None and np.isfinite(b)]
            vs = " / ".join(parts)
        show = [f"{b / 1e9:11.5f}" if b is not None and np.isfinite(b) else f"{'-':>11}" for b in (lo, up)]
        print(f"{name:<36} {secs:8.1f} {ratio} {show[0]} {show[1]} {vs:>16}")


if __name__ == "__main__":
    main()

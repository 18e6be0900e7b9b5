"""Benchmark: campus power design, full year (8,760 h) against representative days, on every shipped site.

Prints, per site, the full-year design time, the representative-days time (both including weather, PUE and,
for repdays, clustering), and the annual-cost error of representative days against the full year.
Goals (issue 4): full year < 30 s, representative days < 3 s and within 3% of the full-year cost, on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_power.py [--days 12] [--it-load-gw 1.2]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from gigafleet.catalog import load_catalog
from gigafleet.power.campus import CampusSpec, design_campus

SOURCES = ("grid", "ccgt", "ocgt", "recip", "solar", "wind", "battery")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--it-load-gw", type=float, default=1.2)
    parser.add_argument("--carbon-cap", type=float, default=None, help="g/kWh (a cap makes storage matter)")
    args = parser.parse_args()
    catalog = load_catalog()
    print(f"{'site':<22} {'full [s]':>9} {'repdays [s]':>12} {'full LCOE':>10} {'rep LCOE':>9} {'cost error':>11}")
    errors = []
    for site in catalog.ids("sites"):
        spec = CampusSpec(
            site=site, it_load_gw=args.it_load_gw, sources=SOURCES, year=2031, carbon_cap_g_per_kwh=args.carbon_cap
        )
        started = time.perf_counter()
        full = design_campus(catalog, spec)
        full_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rep = design_campus(catalog, dataclasses.replace(spec, hours="repdays", n_days=args.days))
        rep_seconds = time.perf_counter() - started
        if full["status"] != "optimal" or rep["status"] != "optimal":
            print(f"{site:<22} {full['status']} / {rep['status']}")
            continue
        error = rep["annual_cost_usd"] / full["annual_cost_usd"] - 1
        errors.append(abs(error))
        print(
            f"{site:<22} {full_seconds:>9.2f} {rep_seconds:>12.2f} {full['lcoe_usd_per_mwh']:>10.2f} "
            f"{rep['lcoe_usd_per_mwh']:>9.2f} {error:>+10.2%}"
        )
    if errors:
        print(f"largest |cost error| {max(errors):.2%} (goal < 3%); mean {sum(errors) / len(errors):.2%}")


if __name__ == "__main__":
    main()

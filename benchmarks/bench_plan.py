"""Benchmark ladder for the build-out planner: model build and solve time as the problem grows.

Sizes go up to 10 sites x 11 years x 10+ chips x 8+ on-site power sources, then the shipped openai-100x scenario.
Goal (issue 3): openai-100x in under 60 s on 2 cores, with model building a small share of it.
Each row prints build and solve seconds and their ratio to the smallest rung, run in this same process.

Run: ``.venv/bin/python benchmarks/bench_plan.py``.
"""

from __future__ import annotations

import time
from typing import Any

from gigafleet.buildout.scenario import PlanScenario, load_plan_scenario
from gigafleet.buildout.solve import plan
from gigafleet.catalog import load_catalog

CHIPS = [
    "h100",
    "h200",
    "b200",
    "gb200",
    "b300",
    "gb300",
    "mi300x",
    "mi325x",
    "mi355x",
    "rubin",
    "rubin-ultra",
    "tpu-v7",
    "trainium2",
    "trainium3",
]
SOURCES = [
    "ccgt",
    "ocgt",
    "recip",
    "nuclear-large",
    "nuclear-smr",
    "nuclear-restart",
    "solar-pv",
    "wind-onshore",
    "battery-4h",
]
REGIONS = ["us-tx", "us-va", "us-ga", "us-la", "us-ok", "us-nm", "us-wa", "us-tn", "us", "us-tx"]


def synthetic(sites: int, years: int, chips: int, sources: int) -> PlanScenario:
    start = 2025
    data: dict[str, Any] = {
        "name": f"ladder-{sites}x{years}x{chips}x{sources}",
        "years": {"start": start, "end": start + years - 1},
        "targets": {"metric": "h100e", "values": {start + i: 1e6 * 1.6**i for i in range(years)}},
        "chips": CHIPS[:chips],
        "sites": [
            {
                "id": f"site-{i}",
                "region": REGIONS[i % len(REGIONS)],
                "cooling": "liquid",
                "grid_gw": {start: 1.0 + i, start + 4: 3.0 + 2 * i},
                "onsite": SOURCES[:sources],
                "max_facility_gw": 20.0,
            }
            for i in range(sites)
        ],
        "supply": {"buyer_share": 0.3},
        "budget_usd_per_year": {start: 300e9},
    }
    return PlanScenario.model_validate(data)


def main() -> None:
    catalog = load_catalog()
    plan(catalog, synthetic(1, 2, 1, 1))  # warm-up: imports, solver start
    rungs = [(1, 5, 3, 2), (3, 11, 6, 4), (6, 11, 10, 8), (10, 11, 10, 8), (10, 11, 14, 9)]
    print(
        f"{'size (sites x years x chips x sources)':<40} {'vars':>7} {'build [s]':>10} {'solve [s]':>10} "
        f"{'x build':>8} {'x solve':>8}  status"
    )
    base: tuple[float, float] | None = None
    for rung in rungs:
        result = plan(catalog, synthetic(*rung))
        solver = result["solver"]
        build, solve = solver["build_seconds"], solver["seconds"]
        base = base or (build, solve)
        print(
            f"{' x '.join(map(str, rung)):<40} {solver['variables']:>7,} {build:>10.2f} {solve:>10.2f} "
            f"{build / base[0]:>8.1f} {solve / base[1]:>8.1f}  {result['status']}"
        )
    started = time.perf_counter()
    result = plan(catalog, load_plan_scenario("openai-100x"))
    total = time.perf_counter() - started
    solver = result["solver"]
    print(
        f"openai-100x: {solver['variables']:,} variables, build {solver['build_seconds']:.2f} s, solve "
        f"{solver['seconds']:.2f} s, total {total:.2f} s (goal < 60 s: {'met' if total < 60 else 'NOT met'}); "
        f"status {result['status']}"
    )


if __name__ == "__main__":
    main()

"""``gigafleet power``: one campus's least-cost power supply, hour by hour."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gigafleet.cli.app import app, check_outputs, check_solver, emit, user_errors
from gigafleet.cli.options import JsonOpt, SeedOpt
from gigafleet.cli.tables import print_power
from gigafleet.inputs import SEED_MAX
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def power(
    site: Annotated[str, typer.Option("--site", help="Site id (gigafleet catalog list sites).")],
    it_load_gw: Annotated[str, typer.Option("--it-load-gw", help="Average IT load [GW].")],
    year: Annotated[str | None, typer.Option("--year", help="Year of operation: sources not in service by mid-year "
                                                            "(lead time in months from the start of 2026) are "
                                                            "excluded [default: 2030].")] = None,
    carbon_cap: Annotated[str | None, typer.Option("--carbon-cap-g-per-kwh", help="CO2 cap on supply [g/kWh].")] = None,
    availability: Annotated[str, typer.Option("--availability", help="Share of annual load served, 0-1.")] = "0.999",
    sources: Annotated[str, typer.Option("--sources", help="Comma list: grid, ccgt, ocgt, recip, nuclear-large, "
                                                           "nuclear-smr, nuclear-restart, solar, wind, battery, "
                                                           "bridge (rented turbines).")]
    = "grid,ccgt,ocgt,recip,solar,wind,battery,bridge",
    hours: Annotated[str, typer.Option("--hours", help="full (8,760 h) or repdays (tsam typical days).")] = "full",
    days: Annotated[str, typer.Option("--days", help="Typical days for --hours repdays.")] = "12",
    cooling: Annotated[str, typer.Option("--cooling", help="air, liquid or immersion (hourly PUE model).")] = "liquid",
    reserve_margin: Annotated[str, typer.Option("--reserve-margin", help="Firm capacity above peak, 0-1.")] = "0.15",
    training_swing: Annotated[str, typer.Option(
        "--training-swing", help="Battery buffer for training power swings, share of IT load.")] = "0",
    grid_gw: Annotated[str | None, typer.Option("--grid-gw", help="Grid import cap [GW] (default: site value).")]
    = None,
    seed: SeedOpt = "0",
    solver: Annotated[str, typer.Option("--solver", help="Any linopy solver name.")] = "highs",
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
) -> None:
    """Hourly least-cost power supply for an AI campus: capacities, dispatch, LCOE, CO2, water, land."""
    check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.power.campus import CampusSpec, design_campus
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    catalog = load_catalog()
    availability_value = parse_amount(availability, "--availability")
    spec = CampusSpec(
        site=site.strip().lower(), it_load_gw=parse_positive(it_load_gw, "--it-load-gw"),
        year=_int_flag(year, "--year", low=2015, high=2100) or 2030,
        sources=tuple(s for s in sources.split(",") if s.strip()),
        carbon_cap_g_per_kwh=parse_amount(carbon_cap, "--carbon-cap-g-per-kwh") if carbon_cap is not None else None,
        availability=availability_value, hours=hours.strip().lower(),
        n_days=_int_flag(days, "--days", low=2, high=60) or 12, cooling=cooling.strip().lower(),
        reserve_margin=parse_fraction(reserve_margin, "--reserve-margin", allow_zero=True),
        training_swing=parse_amount(training_swing, "--training-swing"),
        grid_gw=parse_amount(grid_gw, "--grid-gw") if grid_gw is not None else None,
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
    )
    from rich.console import Console

    check_solver(solver)
    with Console(stderr=True).status(f"designing supply for {spec.site}"):
        result = design_campus(catalog, spec, solver)
    emit(result, as_json=as_json, show=print_power, report=report, kind="power")

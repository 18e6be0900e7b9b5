"""``gigafleet power``: one campus's least-cost power supply, hour by hour."""

from __future__ import annotations

from gigafleet.cli.app import Tables, app, check_outputs, check_solver, emit, stages, user_errors
from gigafleet.cli.options import (
    AvailabilityOpt,
    CarbonCapOpt,
    CsvOpt,
    GridGwOpt,
    HoursOpt,
    ItLoadGwOpt,
    JsonOpt,
    ParquetDirOpt,
    PowerCoolingOpt,
    PowerDaysOpt,
    PowerYearOpt,
    ReportOpt,
    ReserveMarginOpt,
    SeedOpt,
    SiteOpt,
    SolverOpt,
    SourcesOpt,
    TrainingSwingOpt,
    XlsxOpt,
)
from gigafleet.cli.tables import print_power
from gigafleet.inputs import SEED_MAX
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def power(
    site: SiteOpt,
    it_load_gw: ItLoadGwOpt,
    year: PowerYearOpt = None,
    carbon_cap: CarbonCapOpt = None,
    availability: AvailabilityOpt = "0.999",
    sources: SourcesOpt = "grid,ccgt,ocgt,recip,solar,wind,battery,bridge",
    hours: HoursOpt = "full",
    days: PowerDaysOpt = "12",
    cooling: PowerCoolingOpt = "liquid",
    reserve_margin: ReserveMarginOpt = "0.15",
    training_swing: TrainingSwingOpt = "0",
    grid_gw: GridGwOpt = None,
    seed: SeedOpt = "0",
    solver: SolverOpt = "highs",
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """Hourly least-cost power supply for an AI campus: capacities, dispatch, LCOE, CO2, water, land."""
    tables = Tables(csv_dir, parquet_dir, xlsx)
    check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.power.campus import CampusSpec, design_campus
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    catalog = load_catalog()
    availability_value = parse_amount(availability, "--availability")
    spec = CampusSpec(
        site=site.strip().lower(),
        it_load_gw=parse_positive(it_load_gw, "--it-load-gw"),
        year=_int_flag(year, "--year", low=2015, high=2100) or 2030,
        sources=tuple(s for s in sources.split(",") if s.strip()),
        carbon_cap_g_per_kwh=parse_amount(carbon_cap, "--carbon-cap-g-per-kwh") if carbon_cap is not None else None,
        availability=availability_value,
        hours=hours.strip().lower(),
        n_days=_int_flag(days, "--days", low=2, high=60) or 12,
        cooling=cooling.strip().lower(),
        reserve_margin=parse_fraction(reserve_margin, "--reserve-margin", allow_zero=True),
        training_swing=parse_amount(training_swing, "--training-swing"),
        grid_gw=parse_amount(grid_gw, "--grid-gw") if grid_gw is not None else None,
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
    )

    check_solver(solver)
    with stages(f"power for {spec.site}") as stage:
        result = design_campus(catalog, spec, solver, progress=stage)
    emit(result, as_json=as_json, show=print_power, report=report, kind="power", tables=tables)

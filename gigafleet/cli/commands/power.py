"""``gigafleet power``: one campus's least-cost power supply, hour by hour."""

from gigafleet.cli.app import Tables, app, check_outputs, check_solver, emit, stages, user_errors
from gigafleet.cli.options import (
    AvailabilityOpt,
    CarbonCapOpt,
    CsvOpt,
    GridGwOpt,
    HoursOpt,
    ItLoadGwOpt,
    JsonOpt,
    OptimalityGapOpt,
    ParquetDirOpt,
    PowerCoolingOpt,
    PowerDaysOpt,
    PowerReplicationsOpt,
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
from gigafleet.inputs import POWER_DEFAULTS as D


@app.command()
@user_errors
def power(
    site: SiteOpt,
    it_load_gw: ItLoadGwOpt,
    year: PowerYearOpt = D.year,
    carbon_cap: CarbonCapOpt = D.carbon_cap,
    availability: AvailabilityOpt = D.availability,
    sources: SourcesOpt = D.sources,
    hours: HoursOpt = D.hours,
    days: PowerDaysOpt = D.days,
    cooling: PowerCoolingOpt = D.cooling,
    reserve_margin: ReserveMarginOpt = D.reserve_margin,
    training_swing: TrainingSwingOpt = D.training_swing,
    grid_gw: GridGwOpt = D.grid_gw,
    seed: SeedOpt = D.seed,
    solver: SolverOpt = D.solver,
    replications: PowerReplicationsOpt = D.replications,
    optimality_gap: OptimalityGapOpt = D.optimality_gap,
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
    from gigafleet.inputs import campus_spec
    from gigafleet.power.campus import design_campus

    catalog = load_catalog()
    spec = campus_spec(
        site=site,
        it_load_gw=it_load_gw,
        year=year,
        carbon_cap=carbon_cap,
        availability=availability,
        sources=sources,
        hours=hours,
        days=days,
        cooling=cooling,
        reserve_margin=reserve_margin,
        training_swing=training_swing,
        grid_gw=grid_gw,
        seed=seed,
        replications=replications,
        optimality_gap=optimality_gap,
    )
    check_solver(solver)
    with stages(f"power for {spec.site}") as stage:
        result = design_campus(catalog, spec, solver, progress=stage)
    emit(result, as_json=as_json, show="print_power", report=report, kind="power", tables=tables)

"""``gigafleet capability``: FLOP/s, the largest training run and inference capacity of a fleet or a plan."""

from gigafleet.cli.app import Tables, app, check_outputs, emit, stages, user_errors
from gigafleet.cli.options import (
    AcceleratorsOpt,
    CampusShareOpt,
    CapabilityChipOpt,
    CsvOpt,
    DaysOpt,
    FleetOpt,
    GoodputOpt,
    JsonOpt,
    LinkedCampusesOpt,
    MfuOpt,
    ParquetDirOpt,
    PlanRunOpt,
    PrecisionOpt,
    RegimeOpt,
    ReportOpt,
    SamplesOpt,
    SeedOpt,
    ServeParamsOpt,
    StoreOpt,
    TrainingShareOpt,
    XlsxOpt,
)
from gigafleet.inputs import CAPABILITY_DEFAULTS as D


@app.command()
@user_errors
def capability(
    accelerators: AcceleratorsOpt = D.accelerators,
    chip: CapabilityChipOpt = D.chip,
    fleet: FleetOpt = D.fleet,
    plan_run: PlanRunOpt = None,
    store: StoreOpt = None,
    days: DaysOpt = D.days,
    precision: PrecisionOpt = D.precision,
    mfu: MfuOpt = D.mfu,
    goodput: GoodputOpt = D.goodput,
    training_share: TrainingShareOpt = D.training_share,
    campus_share: CampusShareOpt = D.campus_share,
    linked_campuses: LinkedCampusesOpt = D.linked_campuses,
    serve_params: ServeParamsOpt = D.serve_params,
    regime: RegimeOpt = D.regime,
    samples: SamplesOpt = D.samples,
    seed: SeedOpt = D.seed,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """Largest training run, compute-optimal model, binding limit and inference capacity of a fleet or plan."""
    tables = Tables(csv_dir, parquet_dir, xlsx)
    check_outputs(("--report", report))
    from gigafleet.capability import capability as run_capability
    from gigafleet.catalog import load_catalog
    from gigafleet.inputs import capability_inputs

    catalog = load_catalog()
    fleets, spec, inputs = capability_inputs(
        catalog,
        accelerators=accelerators,
        chip=chip,
        fleet=fleet,
        plan_run=plan_run,
        store=store,
        days=days,
        precision=precision,
        mfu=mfu,
        goodput=goodput,
        training_share=training_share,
        campus_share=campus_share,
        linked_campuses=linked_campuses,
        serve_params=serve_params,
        regime=regime,
        samples=samples,
        seed=seed,
    )
    with stages("capability") as stage:
        stage("fleet, reliability regimes and limits")
        result = run_capability(catalog, fleets, spec, inputs)
    emit(result, as_json=as_json, show="print_capability", report=report, kind="capability", tables=tables)

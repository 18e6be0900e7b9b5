"""``gigafleet reliability``: failures, repairs, spares and goodput of a fleet and its job."""

from gigafleet.cli.app import Tables, app, check_outputs, emit, stages, user_errors
from gigafleet.cli.options import (
    AcceleratorsOpt,
    CheckpointIntervalOpt,
    CheckpointWriteMinutesOpt,
    CsvOpt,
    HotSparesOpt,
    JobSizeOpt,
    JsonOpt,
    MaxMemoryGbOpt,
    ParquetDirOpt,
    ReliabilityChipOpt,
    ReliabilityDaysOpt,
    ReliabilityRegimeOpt,
    ReliabilityReplicationsOpt,
    ReliabilityYearOpt,
    ReportOpt,
    RestartMinutesOpt,
    SeedOpt,
    SparesPctOpt,
    XlsxOpt,
)
from gigafleet.inputs import RELIABILITY_DEFAULTS as D


@app.command()
@user_errors
def reliability(
    accelerators: AcceleratorsOpt = D.accelerators,
    chip: ReliabilityChipOpt = D.chip,
    days: ReliabilityDaysOpt = D.days,
    job_size: JobSizeOpt = D.job_size,
    checkpoint_interval: CheckpointIntervalOpt = D.checkpoint_interval,
    checkpoint_write_minutes: CheckpointWriteMinutesOpt = D.checkpoint_write_minutes,
    restart_minutes: RestartMinutesOpt = D.restart_minutes,
    hot_spares: HotSparesOpt = D.hot_spares,
    spares_pct: SparesPctOpt = D.spares_pct,
    seed: SeedOpt = D.seed,
    max_memory_gb: MaxMemoryGbOpt = D.max_memory_gb,
    regime: ReliabilityRegimeOpt = D.regime,
    year: ReliabilityYearOpt = D.year,
    replications: ReliabilityReplicationsOpt = D.replications,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """Failures, repairs, spares and training goodput of a fleet (vectorised engine up to 10^8 accelerators)."""
    tables = Tables(csv_dir, parquet_dir, xlsx)
    check_outputs(("--report", report))
    from gigafleet.catalog import load_catalog
    from gigafleet.inputs import reliability_spec
    from gigafleet.reliability.summary import simulate_reliability

    spec = reliability_spec(
        accelerators=accelerators,
        chip=chip,
        days=days,
        job_size=job_size,
        checkpoint_interval=checkpoint_interval,
        checkpoint_write_minutes=checkpoint_write_minutes,
        restart_minutes=restart_minutes,
        hot_spares=hot_spares,
        spares_pct=spares_pct,
        seed=seed,
        max_memory_gb=max_memory_gb,
        regime=regime,
        year=year,
        replications=replications,
    )
    with stages(f"reliability of {spec.accelerators:,} accelerators") as stage:
        stage(f"simulating {spec.days:g} days of failures and repairs")
        result = simulate_reliability(load_catalog(), spec, progress=stage)
    emit(result, as_json=as_json, show="print_reliability", report=report, kind="reliability", tables=tables)

"""``gigafleet reliability``: failures, repairs, spares and goodput of a fleet and its job."""

from __future__ import annotations

from gigafleet.cli.app import Tables, app, check_outputs, emit, memory_gb, regime_flag, stages, user_errors
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
    ReliabilityYearOpt,
    ReportOpt,
    RestartMinutesOpt,
    SeedOpt,
    SparesPctOpt,
    XlsxOpt,
)
from gigafleet.cli.tables import print_reliability
from gigafleet.inputs import SEED_MAX
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def reliability(
    accelerators: AcceleratorsOpt = "100k",
    chip: ReliabilityChipOpt = "h100",
    days: ReliabilityDaysOpt = "365",
    job_size: JobSizeOpt = None,
    checkpoint_interval: CheckpointIntervalOpt = "auto",
    checkpoint_write_minutes: CheckpointWriteMinutesOpt = None,
    restart_minutes: RestartMinutesOpt = None,
    hot_spares: HotSparesOpt = None,
    spares_pct: SparesPctOpt = "2",
    seed: SeedOpt = "0",
    max_memory_gb: MaxMemoryGbOpt = "4",
    regime: ReliabilityRegimeOpt = "auto",
    year: ReliabilityYearOpt = None,
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
    from gigafleet.errors import InputError
    from gigafleet.quantities import parse_accelerators, parse_amount, parse_positive
    from gigafleet.reliability.summary import ReliabilitySpec, simulate_reliability

    count = parse_accelerators(accelerators if accelerators is not None else "100k", "--accelerators")
    job = parse_accelerators(job_size, "--job-size") if job_size is not None else count
    if checkpoint_interval.strip().lower() == "auto":
        interval = None
    else:
        interval = parse_positive(checkpoint_interval, "--checkpoint-interval") / 60.0
    spec = ReliabilitySpec(
        chip=chip.strip().lower(),
        accelerators=round(count),
        days=parse_positive(days, "--days"),
        job_size=round(job),
        checkpoint_interval_hours=interval,
        checkpoint_write_minutes=(
            parse_amount(checkpoint_write_minutes, "--checkpoint-write-minutes")
            if checkpoint_write_minutes is not None
            else None
        ),
        restart_minutes=parse_amount(restart_minutes, "--restart-minutes") if restart_minutes is not None else None,
        hot_spares=_int_flag(hot_spares, "--hot-spares", low=0, high=10**9),
        spares_pct=parse_amount(spares_pct, "--spares-pct"),
        seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        memory_limit_bytes=int(memory_gb(max_memory_gb) * 2**30),
        regime=regime_flag(regime),
        year=_int_flag(year, "--year", low=2015, high=2100),
    )
    if spec.accelerators != count or spec.job_size != job:
        raise InputError("--accelerators", accelerators, "a whole number of accelerators")

    with stages(f"reliability of {spec.accelerators:,} accelerators") as stage:
        stage(f"simulating {spec.days:g} days of failures and repairs")
        result = simulate_reliability(load_catalog(), spec)
    emit(result, as_json=as_json, show=print_reliability, report=report, kind="reliability", tables=tables)

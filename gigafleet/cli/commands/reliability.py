"""``gigafleet reliability``: failures, repairs, spares and goodput of a fleet and its job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gigafleet.cli.app import app, check_outputs, emit, memory_gb, regime_flag, user_errors
from gigafleet.cli.options import AcceleratorsOpt, JsonOpt, SeedOpt
from gigafleet.cli.tables import print_reliability
from gigafleet.inputs import SEED_MAX
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def reliability(
    accelerators: AcceleratorsOpt = "100k",
    chip: Annotated[str, typer.Option("--chip", help="Accelerator id.")] = "h100",
    days: Annotated[str, typer.Option("--days", help="Simulated days.")] = "365",
    job_size: Annotated[str | None, typer.Option("--job-size", help="Largest synchronous job [accelerators] "
                                                                    "[default: the whole fleet].")] = None,
    checkpoint_interval: Annotated[str, typer.Option(
        "--checkpoint-interval", help="Compute between checkpoints: 'auto' (Daly's optimum) or minutes.")] = "auto",
    checkpoint_write_minutes: Annotated[str | None, typer.Option(
        "--checkpoint-write-minutes", help="Blocking checkpoint write [min] [default: catalogue].")] = None,
    restart_minutes: Annotated[str | None, typer.Option(
        "--restart-minutes", help="Detection + restart [min] [default: catalogue].")] = None,
    hot_spares: Annotated[str | None, typer.Option("--hot-spares", help="Hot spares reserved for the job "
                                                                        "[default: spares-pct of the job].")] = None,
    spares_pct: Annotated[str, typer.Option("--spares-pct", help="Spare pool, % of the fleet.")] = "2",
    seed: SeedOpt = "0",
    max_memory_gb: Annotated[str, typer.Option("--max-memory-gb", help="Refuse runs estimated above this.")] = "4",
    regime: Annotated[str, typer.Option("--regime", help="Recovery regime: auto (the best available in --year), "
                                                         "storage-restart, in-memory or elastic.")] = "auto",
    year: Annotated[str | None, typer.Option("--year", help="Year of operation, for --regime auto "
                                                            "[default: this year].")] = None,
    as_json: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
) -> None:
    """Failures, repairs, spares and training goodput of a fleet (vectorised engine up to 10^8 accelerators)."""
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
        chip=chip.strip().lower(), accelerators=round(count), days=parse_positive(days, "--days"),
        job_size=round(job), checkpoint_interval_hours=interval,
        checkpoint_write_minutes=(parse_amount(checkpoint_write_minutes, "--checkpoint-write-minutes")
                                  if checkpoint_write_minutes is not None else None),
        restart_minutes=parse_amount(restart_minutes, "--restart-minutes") if restart_minutes is not None else None,
        hot_spares=_int_flag(hot_spares, "--hot-spares", low=0, high=10**9),
        spares_pct=parse_amount(spares_pct, "--spares-pct"), seed=_int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        memory_limit_bytes=int(memory_gb(max_memory_gb) * 2**30),
        regime=regime_flag(regime), year=_int_flag(year, "--year", low=2015, high=2100),
    )
    if spec.accelerators != count or spec.job_size != job:
        raise InputError("--accelerators", accelerators, "a whole number of accelerators")
    from rich.console import Console

    with Console(stderr=True).status(f"simulating {spec.accelerators:,} accelerators for {spec.days:g} days"):
        result = simulate_reliability(load_catalog(), spec)
    emit(result, as_json=as_json, show=print_reliability, report=report, kind="reliability")

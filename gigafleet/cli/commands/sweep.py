"""``gigafleet sweep`` and ``report``: uncertainty sweeps and their reports."""

import re
from pathlib import Path

import typer

from gigafleet.cli.app import app, check_outputs, dump, user_errors
from gigafleet.cli.options import (
    ExperimentOpt,
    HtmlOpt,
    JsonOpt,
    OutputOpt,
    ParquetOpt,
    ResumeOpt,
    SchedulerOpt,
    SweepIdOpt,
    SweepStoreOpt,
    WorkersOpt,
)
from gigafleet.inputs import int_flag as _int_flag


@app.command()
@user_errors
def sweep(
    experiment: ExperimentOpt,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    resume: ResumeOpt = False,
    store: SweepStoreOpt = Path("out/gigafleet.duckdb"),
    parquet: ParquetOpt = None,
) -> None:
    """Run an experiment (axes x samples x replications) on Dask; resumable; results in DuckDB and Parquet."""
    check_outputs(("--store", store), ("--parquet", parquet))
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from gigafleet.errors import InputError
    from gigafleet.uncertainty.experiment import load_experiment
    from gigafleet.uncertainty.sweep import export_parquet, run_sweep, validate_experiment

    loaded, text = load_experiment(experiment)
    n_workers = _int_flag(workers, "--workers", low=1, high=1024)
    if scheduler is not None and not re.fullmatch(
        r"(tcp|tls|inproc|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]{1,200}", scheduler.strip()
    ):
        raise InputError("--scheduler", scheduler, "a Dask scheduler address such as tcp://host:8786")
    validate_experiment(loaded)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(loaded.name, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = run_sweep(
            loaded, text, store=store, scheduler=scheduler, workers=n_workers, resume=resume, progress=advance
        )
    target = parquet or store.parent / "sweeps" / f"{outcome['sweep_id']}.parquet"
    export_parquet(store, outcome["sweep_id"], target)
    typer.echo(
        f"sweep {outcome['sweep_id']}: {outcome['completed']}/{outcome['runs']} runs stored in {store} "
        f"({outcome['skipped_as_done']} already done); Parquet: {target}"
    )


@app.command("report")
@user_errors
def sweep_report_command(
    sweep_id: SweepIdOpt,
    store: SweepStoreOpt = Path("out/gigafleet.duckdb"),
    output: OutputOpt = None,
    html: HtmlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Summarise a sweep: P10/P50/P90 of outputs, fan charts by year, results by each swept axis, Sobol/Morris
    sensitivity (tornado)."""
    check_outputs(("--html", html))
    from gigafleet.reports.sweep import write_sweep_report
    from gigafleet.uncertainty.sensitivity import summarise_sweep
    from gigafleet.uncertainty.sweep import load_results

    meta, runs = load_results(store, sweep_id)
    if output is not None and not output.strip():
        from gigafleet.errors import InputError

        raise InputError("--output", output, "the name of an output of the sweep, e.g. cost_usd")
    summary = summarise_sweep(meta, runs, output)
    target = html or store.parent / f"{sweep_id}.html"
    write_sweep_report(summary, target)
    if as_json:
        dump(summary)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Sweep {sweep_id}: {summary['completed']}/{summary['runs']} runs")
    for column in ("Output", "P10", "P50", "P90"):
        table.add_column(column, justify="right" if column != "Output" else "left")
    for name, q in summary["outputs"].items():
        table.add_row(name, *(f"{q[p]:.4g}" for p in ("p10", "p50", "p90")))
    console.print(table)
    sens = summary["sensitivity"]
    if sens["method"]:
        console.print(f"Sensitivity of {sens['output']} ({sens['method']}):")
        key = "ST" if sens["method"] == "sobol" else "mu_star"
        for row in sorted(sens["parameters"], key=lambda r: -float(r[key])):
            console.print(f"  {row['name']}: {key} = {float(row[key]):.3g}")
    typer.echo(f"report written to {target}", err=True)

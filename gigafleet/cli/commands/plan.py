"""``gigafleet plan``: the least-cost build-out plan."""

import typer

from gigafleet.cli.app import Tables, app, check_solver, emit, stages, user_errors
from gigafleet.cli.options import (
    CsvOpt,
    JsonOpt,
    NoStoreOpt,
    ParquetDirOpt,
    PlanReportOpt,
    PlanScenarioOpt,
    PlanStepOpt,
    PlanStoreOpt,
    SolverOpt,
    XlsxOpt,
)


@app.command()
@user_errors
def plan(
    scenario: PlanScenarioOpt = "openai-100x",
    step: PlanStepOpt = None,
    solver: SolverOpt = "highs",
    as_json: JsonOpt = False,
    report: PlanReportOpt = None,
    store: PlanStoreOpt = None,
    no_store: NoStoreOpt = False,
    csv_dir: CsvOpt = None,
    parquet_dir: ParquetDirOpt = None,
    xlsx: XlsxOpt = None,
) -> None:
    """Least-cost year-by-year build-out plan (linopy + HiGHS): what to build, what binds, what relaxing is worth."""
    tables = Tables(csv_dir, parquet_dir, xlsx)

    from gigafleet.buildout.scenario import load_plan_scenario, resolve_scenario_path
    from gigafleet.buildout.solve import plan as run_plan
    from gigafleet.catalog import load_catalog
    from gigafleet.errors import InputError
    from gigafleet.safeio import check_output_path, read_text_file

    if no_store and store is not None:
        raise InputError("--no-store", "--store given too", "either --no-store or --store PATH, not both")
    path = resolve_scenario_path(scenario)
    loaded = load_plan_scenario(path)
    text = read_text_file(path, "scenario file")
    if step is not None and step.strip().lower() != loaded.step:
        chosen = step.strip().lower()
        if chosen not in ("year", "quarter"):
            raise InputError("--step", step, ["year", "quarter"])
        import re

        # the stored text says what was run: its step line replaced, or one added
        line = f"step: {chosen}  # gigafleet plan --step {chosen}"
        text, found = re.subn(r"(?m)^step:.*$", line, text)
        text = text if found else f"{text.rstrip()}\n{line}\n"
        loaded = loaded.model_copy(update={"step": chosen})  # the scenario's own checks run in the plan
    if report is not None:
        check_output_path(report, "--report")
    check_solver(solver)
    if not no_store:
        from gigafleet.store import check_store

        if store is not None:
            check_output_path(store, "--store")
        check_store(store)  # a busy, corrupt or unwritable store fails now, not after the solve
    catalog = load_catalog()
    with stages(loaded.name) as stage:
        result = run_plan(catalog, loaded, solver=solver, source=str(path), progress=stage)
    store_failure = None
    if not no_store:
        from gigafleet.store import save_run_safely, store_path

        run_id, fallback, reason = save_run_safely("plan", result, text, store)
        if run_id is not None:
            result["run_id"] = run_id
            typer.echo(f"stored run {run_id} in {store_path(store)}", err=True)
        else:
            where = f"the result was written to {fallback}" if fallback else "the result is printed below only"
            store_failure = f"{reason}; {where}"
    emit(result, as_json=as_json, show="print_plan", report=report, kind="plan", tables=tables)
    if store_failure is not None:
        typer.echo(f"error: {store_failure}", err=True)
        raise typer.Exit(2)

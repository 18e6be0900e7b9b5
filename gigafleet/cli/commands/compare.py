"""``gigafleet compare``: stored plans side by side, every metric with its delta to the first."""

from gigafleet.cli.app import app, check_outputs, emit, user_errors
from gigafleet.cli.options import CompareCsvOpt, CompareReportOpt, CompareRunsArg, JsonOpt, PlanStoreOpt


@app.command()
@user_errors
def compare(
    run_ids: CompareRunsArg,
    store: PlanStoreOpt = None,
    as_json: JsonOpt = False,
    report: CompareReportOpt = None,
    csv_dir: CompareCsvOpt = None,
) -> None:
    """Compare stored plans: totals and every metric by year, with absolute and relative deltas to the first.

    Run ids are those `gigafleet plan` prints (and the web runs page lists). Example:
    gigafleet compare 767253de5111 7ecc1af38eb9 --report out/compare.html --csv out/compare
    """
    check_outputs(("--report", report), folder=("--csv", csv_dir))
    from gigafleet.compare import compare_runs, comparison_tables
    from gigafleet.store import load_run

    result = compare_runs([load_run(run_id.strip(), store, field="RUN_ID") for run_id in run_ids])
    if csv_dir is not None:
        from gigafleet.safeio import write_atomic

        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, frame in comparison_tables(result).items():
            write_atomic(csv_dir / f"{name}.csv", frame.to_csv(index=False))
    emit(result, as_json=as_json, show="print_compare", report=report, kind="compare")

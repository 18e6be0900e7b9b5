"""``gigafleet catalog list|show|check|audit``: the cited catalogue."""

from pathlib import Path

import typer

from gigafleet.cli.app import catalog_app, dump, user_errors
from gigafleet.cli.options import ItemIdOpt, JsonOpt, KindOpt, MaxPlanRowsOpt, PathTextOpt, PlanNameOpt, TopOpt
from gigafleet.inputs import int_flag as _int_flag


@catalog_app.command("list")
@user_errors
def catalog_list(kind: KindOpt = None, as_json: JsonOpt = False) -> None:
    """List catalogue items (all kinds, or one)."""
    from rich.table import Table

    from gigafleet.catalog import KINDS, load_catalog
    from gigafleet.cli.tables import console

    catalog = load_catalog()
    kinds = [catalog._kind(kind)] if kind is not None else list(KINDS)
    if as_json:
        dump(
            {
                k: [
                    {"id": i, "label": catalog.item(k, i).label, "parameters": len(catalog.item(k, i).parameters)}
                    for i in catalog.ids(k)
                ]
                for k in kinds
            }
        )
        return
    table = Table(title="gigafleet catalogue")
    for column in ("Kind", "Id", "Label", "Parameters", "Grades"):
        table.add_column(column)
    for k in kinds:
        for item_id in catalog.ids(k):
            item = catalog.item(k, item_id)
            grades = "".join(sorted({p.grade for p in item.parameters.values()}))
            table.add_row(k, item_id, item.label, str(len(item.parameters)), grades)
    console().print(table)


@catalog_app.command("show")
@user_errors
def catalog_show(item_id: ItemIdOpt, as_json: JsonOpt = False) -> None:
    """Show every parameter of one item with its range, grade, source and as-of date."""
    from rich.table import Table

    from gigafleet.catalog import load_catalog
    from gigafleet.cli.tables import console
    from gigafleet.formatting import format_parameter

    catalog = load_catalog()
    item = catalog.find(item_id.strip().lower())
    if as_json:
        dump(
            {
                "kind": item.kind,
                "id": item.id,
                "label": item.label,
                "parameters": [p.record() for p in item.parameters.values()],
            }
        )
        return
    table = Table(title=f"{item.kind} / {item.id}: {item.label}")
    for column in ("Parameter", "Unit", "Low", "Mid", "High", "Grade", "Source", "As of"):
        table.add_column(column, overflow="fold", justify="right" if column in ("Low", "Mid", "High") else "left")

    for p in item.parameters.values():
        table.add_row(
            p.parameter,
            p.unit,
            format_parameter(p.low, p.unit),
            format_parameter(p.mid, p.unit),
            format_parameter(p.high, p.unit),
            p.grade,
            ";".join(p.sources),
            p.as_of,
        )
    out = console()
    out.print(table)
    for p in item.parameters.values():
        if p.note:
            out.print(f"[bold]{p.parameter}[/bold]: {p.note}")
    cited = sorted({t for p in item.parameters.values() for t in p.sources})
    for tag in cited:
        source = catalog.sources[tag]
        out.print(f"[dim]{tag}: {source.title} — {source.publisher}, {source.date}. {source.url}[/dim]")


@catalog_app.command("check")
@user_errors
def catalog_check(path_text: PathTextOpt = None) -> None:
    """Validate every row (unit, low <= mid <= high, grade, sources, as-of) and cross-row rules; exit 1 on defects."""
    from gigafleet.catalog import read_catalog
    from gigafleet.errors import InputError

    path = Path(path_text) if path_text is not None and path_text.strip() else None
    if path_text is not None and (path is None or not path.is_dir()):
        raise InputError("--path", path_text, "a catalogue folder holding sources.csv and <kind>.csv files")
    catalog = read_catalog(path)
    defects = catalog.check()
    rows = sum(1 for _ in catalog.parameters())
    if defects:
        for defect in defects:
            typer.echo(f"DEFECT {defect}", err=True)
        typer.echo(f"catalogue {catalog.root}: {len(defects)} defect(s) in {rows} rows", err=True)
        raise typer.Exit(1)
    typer.echo(f"catalogue {catalog.root}: {rows} rows, {len(catalog.sources)} sources, no defects")
    from gigafleet.catalog import KINDS

    money = ("capex", "_om_", "lcoe", "heat_rate", "lifetime", "capacity_factor")
    for kind in KINDS:
        grades = [p.grade for p in catalog.parameters(kind)]
        if not grades:
            continue
        counts = ", ".join(f"{g} {grades.count(g)}" for g in ("P", "S", "W", "D", "U") if grades.count(g))
        extra = ""
        if kind == "power_sources":
            unsourced = sum(
                1 for p in catalog.parameters(kind) if p.grade == "U" and any(m in p.parameter for m in money)
            )
            extra = f"; U among cost, heat rate, lifetime and capacity factor: {unsourced}"
        typer.echo(f"  {kind}: {len(grades)} rows, grades {counts}{extra}")
    if catalog.shipments:
        ends = sorted(r.end for r in catalog.shipments)
        typer.echo(
            f"  installed base: {len(catalog.installed_chips)} chip types, {len(catalog.shipments)} quarterly "
            f"shipment rows, {min(r.start for r in catalog.shipments)} to {ends[-1]}"
        )


@catalog_app.command("audit")
@user_errors
def catalog_audit(
    plan_name: PlanNameOpt = None, max_plan_rows: MaxPlanRowsOpt = None, top: TopOpt = "40", as_json: JsonOpt = False
) -> None:
    """Rank catalogue rows by how much their low-to-high range moves headline outputs; grades and sources."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from gigafleet.audit import audit, top_unsourced
    from gigafleet.catalog import load_catalog
    from gigafleet.cli.tables import console
    from gigafleet.formatting import sig

    n_top = _int_flag(top, "--top", low=1, high=100_000)
    limit = _int_flag(max_plan_rows, "--max-plan-rows", low=1, high=100_000) if max_plan_rows is not None else None
    catalog = load_catalog()
    if plan_name is not None and not as_json:
        with Progress(
            TextColumn("[bold]catalog audit"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
        ) as bar:
            task = bar.add_task("audit", total=None)
            rows = audit(
                catalog,
                plan_name,
                max_plan_rows=limit,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        rows = audit(catalog, plan_name, max_plan_rows=limit)
    flagged = top_unsourced(rows)
    if as_json:
        dump({"rows": rows, "unsourced_in_top_40": flagged, "plan": plan_name})
        return
    table = Table(title=f"Catalogue rows by influence (top {n_top} of {len(rows)} with a range)", box=None)
    for column, justify in (
        ("#", "right"),
        ("Row", "left"),
        ("Grade", "left"),
        ("Swing", "right"),
        ("Moves most", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows[:n_top]:
        table.add_row(
            str(row["rank"]),
            f"{row['id']}.{row['parameter']}",
            row["grade"],
            f"{100 * row['swing']:.1f}%" if row["swing"] > 0 else "-",
            row["output"],
        )
    console().print(table)
    import textwrap

    lines = [
        f"Grade U among the 40 most influential: {len(flagged)}"
        + (" (" + ", ".join(f"{r['id']}.{r['parameter']}" for r in flagged) + ")." if flagged else "."),
        "Swing = |output at the row's high - at its low| / output at mid values, the largest over capex, "
        "opex, facility power and energy of 100M H100 and 1 GW of GB200"
        + (f" and the cost and final H100e of plan {plan_name}" if plan_name else "")
        + f"; {sig(len(rows))} "
        "rows with a range.",
    ]
    for line in lines:
        typer.echo(textwrap.fill(line, width=80, break_on_hyphens=False))

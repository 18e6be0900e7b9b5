"""Rich tables and text each command prints when ``--json`` is not given (stdout, 80 columns or wider)."""

from __future__ import annotations

import re
from typing import Any

_NUMBER = re.compile(r"^\s*[-+$~<>≈]*\s*[\d.,]")
"""A cell that starts like a number (a price, a count, a range such as 2.2-2.7x)."""

_BLANK = frozenset({"", "-", "—", "–", "n/a"})
"""Cells that stand for no value in a column of numbers."""

_NUMBER_HEAD = re.compile(r"^\s*[-+$~<>≈]*\s*[\d.,]+\S*(\s+[^\s\d(]\S*)?")
"""The part of a number cell that must stay on one line: the number and the word after it (``$4.45 K``,
``2.5 million``, ``12.3 MW``)."""


def plain_text(cell: Any) -> str:
    """The text a cell shows (Rich markup removed)."""
    from rich.markup import render
    from rich.text import Text

    if isinstance(cell, Text):
        return cell.plain
    return render(str(cell)).plain if isinstance(cell, str) else str(cell)


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def fit(table: Any, width: int = 80) -> Any:
    """A Rich table that never cuts a number or a word at ``width`` columns [characters].

    Columns of numbers keep the width of their longest value, text columns are at least as wide as their longest
    word (a name such as ``launch_year`` is one word) and share the rest, so text wraps between words instead of
    ending in "…", running past the edge or splitting a name. A table whose numbers and longest words do not fit
    side by side is printed as key/value rows instead (one block per row: each header beside its value).

    Examples
    --------
    >>> from rich.table import Table
    >>> t = Table("Name", "Value"); t.add_row("a very long name of a baseline", "30,856 TWh/yr")
    >>> [(c.min_width, c.max_width) for c in fit(t).columns]
    [(None, None), (None, None)]
    >>> t = Table("Name", "Value"); t.add_row("a very long name of a baseline " * 3, "30,856 TWh/yr")
    >>> [(c.min_width, c.max_width) for c in fit(t).columns]
    [(60, 60), (13, 13)]
    """
    columns = table.columns
    if not columns:
        return table
    texts = [[plain_text(cell) for cell in column.cells] for column in columns]
    headers = [plain_text(column.header) for column in columns]
    numeric = [
        any(_NUMBER.match(cell) for cell in t) and all(_NUMBER.match(cell) or cell.strip() in _BLANK for cell in t)
        for t in texts
    ]
    natural = [
        max([len(line) for cell in t for line in cell.splitlines() or [""]] + [len(h)])
        for t, h in zip(texts, headers, strict=True)
    ]
    need = [
        max([len(m.group(0)) for cell in t if (m := _NUMBER_HEAD.match(cell))] + [_longest_word([h])])
        if is_number
        else _longest_word([*t, h])
        for t, h, is_number in zip(texts, headers, numeric, strict=True)
    ]
    room = width - _frame(table)
    if sum(need) > room:  # numbers may wrap between the number and its scale ("1.58" / "million") before ...
        need = [
            _longest_word([*t, h]) if is_number else n
            for t, h, is_number, n in zip(texts, headers, numeric, need, strict=True)
        ]
    if sum(need) > room:  # ... the table turns into key/value rows
        return key_value(table, width)
    for column in columns:
        column.overflow = "fold"
        column.no_wrap = False  # wrap between words (each column is at least as wide as its longest word)
    if sum(natural) <= room:
        return table
    widths = list(need)
    spare = room - sum(widths)
    for i in sorted((i for i, is_number in enumerate(numeric) if is_number), key=lambda i: natural[i] - need[i]):
        grow = min(natural[i] - widths[i], spare)  # numbers first: whole on one line where there is room
        widths[i] += grow
        spare -= grow
    text = [i for i, is_number in enumerate(numeric) if not is_number]
    slack = {i: natural[i] - widths[i] for i in text}
    total = sum(slack.values()) or 1
    for i in text:
        widths[i] += min(spare * slack[i] // total, slack[i])
    for column, column_width in zip(columns, widths, strict=True):
        column.min_width = column.max_width = column_width
    return table


def _frame(table: Any) -> int:
    """Characters [1] of a table's line that are not cell text: its borders and its cells' padding."""
    count = len(table.columns)
    borders = 0 if table.box is None else count - 1 + (2 if table.show_edge else 0)
    _, right, _, left = table.padding
    padding = (left + right) * count - (0 if table.pad_edge else left + right)
    return int(borders + padding)


def key_value(table: Any, width: int = 80) -> Any:
    """``table`` as key/value rows: one block per row, each column's header beside its value (wraps at words)."""
    from rich.table import Table

    headers = [plain_text(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    label = max(len(h) for h in headers)
    blocks = Table(title=table.title, show_header=False, box=table.box, show_lines=False)
    blocks.add_column(no_wrap=True, style="bold", min_width=label, max_width=label)
    blocks.add_column(overflow="fold", max_width=max(width - label - 7, 10))
    rows = len(cells[0]) if cells else 0
    for r in range(rows):
        for c, header in enumerate(headers):
            blocks.add_row(header, cells[c][r], end_section=c == len(headers) - 1 and r < rows - 1)
    return blocks


def console() -> Any:
    """A Rich console on stdout whose tables go through ``fit`` (readable at 80 columns, in a pipe or a log)."""
    from rich.console import Console
    from rich.table import Table

    class FitConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(fit(o, self.width) if isinstance(o, Table) else o for o in objects), **kwargs)

    return FitConsole()


def print_estimate(result: dict[str, Any], title: str) -> None:
    from rich.table import Table

    from gigafleet.formatting import flops, money, quantity_rows, sig

    out = console()
    inputs = result["inputs"]
    mix = ", ".join(f"{c} {s:.0%}" if len(inputs["mix"]) > 1 else c for c, s in inputs["mix"].items())
    out.print(
        f"[bold]{title}[/bold]: {mix}; sized by {inputs['sized_by']} = {inputs['size']:,.4g}; "
        f"cooling {inputs['cooling']}; region {inputs['region']}; year {inputs['year']}; "
        f"{inputs['samples']:,} samples, seed {inputs['seed']}"
    )
    table = Table(title="Fleet estimate (P10 / P50 / P90)")
    table.add_column("Quantity")
    for column in ("P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for row in quantity_rows(result):
        table.add_row(row["label"], row["p10"], row["p50"], row["p90"])
    out.print(table)
    compute = Table(title="Compute (peak P50; effective = peak x utilisation x MFU)")
    for column in ("Precision", "Peak", "Effective P10", "Effective P50", "Effective P90"):
        compute.add_column(column, justify="right")
    for precision, q in result["effective_flops"].items():
        compute.add_row(
            precision.upper(),
            flops(result["peak_flops"][precision]["p50"]),
            *(flops(q[p]) for p in ("p10", "p50", "p90")),
        )
    out.print(compute)
    stack = Table(title="Capex stack (P50)")
    stack.add_column("Part")
    stack.add_column("P50", justify="right")
    stack.add_column("Share", justify="right")
    total = result["capex_usd"]["p50"]
    for part, q in result["capex_breakdown_usd"].items():
        stack.add_row(part.replace("_", " "), money(q["p50"]), f"{q['p50'] / total:.0%}")
    out.print(stack)
    comparisons = Table(title="Compared with baselines (definitions below)")
    for column in ("Baseline", "Baseline value", "Fleet measure", "Fleet / baseline P50", "P10-P90"):
        comparisons.add_column(column, justify="left" if column == "Baseline" else "right")
    for row in result["comparisons"]:
        measure = "energy/yr" if row["metric"] == "energy_twh_per_year" else "peak facility power"
        comparisons.add_row(
            row["name"],
            f"{sig(row['value'])} {row['unit']}",
            measure,
            f"{row['ratio']:.3g}x",
            f"{row['ratio_p10']:.3g}-{row['ratio_p90']:.3g}x",
        )
    out.print(comparisons)
    for row in result["comparisons"]:
        out.print(f"[dim]{row['name']}: {row['definition']} [{row['source']}][/dim]")
    for note in result["notes"]:
        out.print(f"[dim]- {note}[/dim]")


def print_claims(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from gigafleet.formatting import money, sig

    def fmt(value: float, unit: str) -> str:
        if unit == "USD":
            return money(value)
        return sig(value) if unit == "fraction" else f"{sig(value)} {unit}"

    out = console()
    table = Table(title="Claim check")
    for column in ("Claim", "Claimed", "Percentile in model", "Model P50", "Model P10-P90", "Model / claim"):
        table.add_column(column, justify="left" if column == "Claim" else "right")
    for row in rows:
        name = row["claim"] if row["claim"] != "share_of" else f"share of {row['baseline']}"
        unit = row["unit"]
        q = row["corrected"]
        table.add_row(
            name,
            fmt(row["claimed"], unit),
            f"{row['percentile']:.1f}",
            fmt(q["p50"], unit),
            f"{fmt(q['p10'], unit)} to {fmt(q['p90'], unit)}",
            f"{row['factor']:.2f}x",
        )
    out.print(table)
    for row in rows:
        out.print(f"- {row['verdict']}")


def print_plan(result: dict[str, Any]) -> None:
    from rich.table import Table

    from gigafleet.formatting import money, scaled, sig

    out = console()
    status = result["status"]
    colour = {"optimal": "green", "shortfall": "yellow", "infeasible": "red"}.get(status, "white")
    cost = result.get("cost_usd")
    out.print(
        f"[bold]{result['scenario']['name']}[/bold]: status [{colour}]{status}[/{colour}]"
        + (f"; discounted cost {money(cost)}" if cost is not None else "")
        + f"; solved in {result['solver']['seconds']:.2f} s "
        f"(build {result['solver']['build_seconds']:.2f} s)"
    )
    reach = result.get("reach") or {}
    if reach.get("short_years"):
        short = reach["short_years"]
        span = f"{short[0]}-{short[-1]}" if len(short) > 1 else str(short[0])
        out.print(
            f"[yellow]Reaches {scaled(reach['delivered'])} {reach['target_metric']} "
            f"({scaled(reach['h100e'])} H100e) by {reach['year']} of a {scaled(reach['target'])} target; "
            f"short in {span}.[/yellow] The limits that block the rest are under 'What blocks the target'."
        )
    if result.get("penalty_usd"):
        out.print(
            f"[dim]The solver's objective adds {money(result['penalty_usd'])} of shortfall penalty: a modelling "
            "device that makes the plan build all the limits allow, not a cost.[/dim]"
        )
    if not result["years"]:
        return
    metric = result["years"][0]["target_metric"]
    table = Table(title=f"Plan by year (target and shortfall in {metric})")
    for column in ("Year", "Target", "Short", "Fleet", "H100e", "GW", "TWh", "Capex", "Opex"):
        table.add_column(column, justify="right", no_wrap=True)
    for y in result["years"]:
        table.add_row(
            str(y["year"]),
            scaled(y["target"]) if y["target"] is not None else "-",
            scaled(y["shortfall"]) if y["shortfall"] > 0.5 else "-",
            scaled(y["accelerators"]),
            scaled(y["h100e"]),
            sig(y["facility_power_gw"]),
            sig(y["energy_twh"]),
            money(y["capex_usd"]),
            money(y["opex_usd"]),
        )
    out.print(table)
    for kind, title in (
        ("cost", "What binds the cost (years that meet their target: saving from relaxing one step; all in --json)"),
        ("toward_target", "What blocks the target (short years: target units one more step buys)"),
    ):
        rows = [r for r in result["binding"] if r.get("price_kind", "cost") == kind]
        if rows:
            metric = str((result.get("reach") or {}).get("target_metric") or "units")
            out.print(_binding_table(rows, title, toward_target=kind == "toward_target", metric=metric))
    for note in result.get("notes", []):
        out.print(f"[dim]- {note}[/dim]")


def _binding_table(rows: list[dict[str, Any]], title: str, *, toward_target: bool, metric: str = "units") -> Any:
    """Binding limits grouped by limit, the largest price first: in short years what one more step buys toward the
    target, in other years the shadow price in money."""
    from rich.table import Table

    from gigafleet.formatting import format_price, scaled

    table = Table(title=title)
    value = "Toward the target, per step" if toward_target else "Max shadow price"
    for column in ("Limit", "Years", "Places", value, "At"):
        table.add_column(column)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["limit"], []).append(row)

    def size(row: dict[str, Any]) -> float:
        return abs(float(row.get("shortfall_relief", 0.0) if toward_target else row["shadow_price"]))

    for limit, items in sorted(groups.items(), key=lambda kv: -max(size(r) for r in kv[1])):
        years = sorted({r["year"] for r in items})
        top = max(items, key=size)
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
        if toward_target and "shortfall_relief" in top:
            text = f"~{scaled(top['shortfall_relief'])} {metric} per {top['unit'].removeprefix('USD per ')}"
        else:
            text = format_price(top["shadow_price"], top["unit"])
        table.add_row(limit, span, str(len({r["where"] for r in items})), text, f"{top['where']} {top['year']}")
    return table


def print_power(result: dict[str, Any]) -> None:
    from rich.table import Table

    from gigafleet.formatting import format_price, money, sig

    out = console()
    site = result["site"]
    colour = "green" if result["status"] == "optimal" else "red"
    out.print(
        f"[bold]{site['label']}[/bold] ({site['id']}; {site.get('campus') or 'no announced campus'}): "
        f"status [{colour}]{result['status']}[/{colour}]; solved in {result['solver']['seconds']:.2f} s "
        f"(build {result['solver']['build_seconds']:.2f} s, {result['inputs']['hours']})"
    )
    bounds = result["solver"].get("bounds")
    if bounds and bounds.get("gap") is not None and bounds["method"] == "cutting planes":
        out.print(
            f"cutting planes ({bounds['iterations']} hourly plans): this plan is within {bounds['gap']:.2%} of the "
            f"least cost (certified; asked {bounds['requested_gap']:.2%}); shadow prices are the dispatch's at these "
            "capacities"
        )
    elif bounds:
        out.print(f"{bounds['method']}: {bounds.get('note', '')}")
    if result["status"] != "optimal":
        for note in result.get("notes", []):
            out.print(f"- {note}")
        return
    key = Table(title="Campus supply design")
    key.add_column("Quantity")
    key.add_column("Value", justify="right")
    r = result
    water = f"{sig(r['water_m3'] / 1e6)} / {sig(r['facility_water_m3'] / 1e6)} M m³/yr"
    rows = [
        ("LCOE of supplied energy", f"${r['lcoe_usd_per_mwh']:,.1f}/MWh"),
        ("Annual cost", money(r["annual_cost_usd"]) + "/yr"),
        ("Capex (generation)", money(r["capex_usd"])),
        ("Energy", f"{sig(r['energy_twh'])} TWh/yr"),
        ("Peak / mean load", f"{sig(r['peak_load_gw'])} / {sig(r['mean_load_gw'])} GW"),
        ("Mean PUE", f"{r['mean_pue']:.3f}"),
        ("CO2", f"{sig(r['co2_mt'])} Mt/yr ({r['co2_g_per_kwh']:.0f} g/kWh)"),
        ("Water (generation / facility)", water),
        ("Land (generation)", f"{sig(r['land_km2'])} km²"),
        ("Curtailment", f"{sig(r['curtailment_twh'])} TWh/yr"),
        ("Unserved", f"{sig(r['unserved_mwh'])} MWh/yr"),
    ]
    for label, value in rows:
        key.add_row(label, value)
    out.print(key)
    mix = Table(title="Capacity mix")
    for column in ("Source", "GW", "TWh/yr", "Energy share", "Hours served", "CF", "Capex", "Cost/yr"):
        mix.add_column(column, justify="right" if column != "Source" else "left")
    for row in result["capacity"]:
        mix.add_row(
            row["source"],
            sig(row["capacity_gw"]),
            sig(row["energy_twh"]),
            f"{row['share_of_energy']:.0%}",
            f"{row['share_of_hours_served']:.0%}",
            f"{row['capacity_factor']:.0%}",
            money(row["capex_usd"]),
            money(row["annual_cost_usd"]),
        )
    out.print(mix)
    for row in result["binding"]:
        out.print(f"binding: {row['limit']} = {format_price(row['shadow_price'], row['unit'])} ({row['meaning']})")
    cost, reps = result.get("cost_range"), result.get("replications")
    if cost:
        repriced = _triples_table(f"This design re-priced under {cost['samples']:,} cost draws")
        _triple_row(repriced, "LCOE", cost["lcoe_usd_per_mwh"], _per_mwh)
        _triple_row(repriced, "Annual cost", cost["annual_cost_usd"], lambda v: money(v) + "/yr")
        out.print(repriced)
        out.print(f"[dim]- {cost['note']}[/dim]")
    if reps:
        m = reps["metrics"]
        designs = _triples_table(f"P10 / P50 / P90 over {reps['count']} design{'s' if reps['count'] != 1 else ''}")
        _triple_row(designs, "LCOE", m["lcoe_usd_per_mwh"], _per_mwh)
        _triple_row(designs, "Annual cost", m["annual_cost_usd"], lambda v: money(v) + "/yr")
        _triple_row(designs, "Capex (generation)", m["capex_usd"], lambda v: money(v if abs(v) >= 1 else 0.0))
        _triple_row(designs, "CO2", m["co2_g_per_kwh"], lambda v: f"{v:,.0f} g/kWh")
        _triple_row(designs, "Energy", m["energy_twh"], lambda v: f"{sig(v)} TWh/yr")
        for source, triple in reps["capacity_gw"].items():
            if (triple["p90"] or 0.0) >= CAPACITY_NOISE_GW:
                _triple_row(
                    designs, f"{source} capacity", triple, lambda v: f"{sig(v if v >= CAPACITY_NOISE_GW else 0.0)} GW"
                )
        out.print(designs)
        out.print(f"[dim]- {reps['note']}[/dim]")
    for note in result.get("notes", []):
        out.print(f"[dim]- {note}[/dim]")


CAPACITY_NOISE_GW = 1e-6
"""Capacities below this are solver noise (1 kW) and shown as 0 [GW]."""


def _per_mwh(value: float) -> str:
    return f"${value:,.1f}/MWh"


def _triples_table(title: str) -> Any:
    """A table of P10 / P50 / P90 rows (``Quantity``, ``P10``, ``P50``, ``P90``)."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("Quantity", "P10", "P50", "P90"):
        table.add_column(column, justify="right" if column != "Quantity" else "left")
    return table


def _triple_row(table: Any, label: str, triple: dict[str, float | None], show: Any) -> None:
    table.add_row(label, *(show(triple[p]) if triple.get(p) is not None else "-" for p in ("p10", "p50", "p90")))


def print_reliability(result: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from gigafleet.formatting import scaled, sig

    out = console()
    i = result["inputs"]
    out.print(
        f"[bold]Reliability[/bold]: {i['accelerators']:,} x {i['chip']} for {sig(i['days'])} days; job "
        f"{i['job_size']:,} accelerators, {i['hot_spares']:,} hot spares; regime {result['regime']}; engine "
        f"{result['engine']['seconds']:.2f} s for {result['engine']['events']:,} events"
    )
    sizing = result.get("job_sizing") or {}
    if sizing.get("peak_job_size") is not None:
        out.print(f"[dim]- {escape(sizing['note'])}[/dim]")
    table = Table(title="Fleet and largest job")
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    lost = result["gpu_hours_lost"]
    rows = [
        ("Fleet failures per day", sig(result["failures_per_day"]["total"])),
        ("Fleet availability (mean)", f"{result['availability_mean']:.4%}"),
        ("Job interruptions", f"{result['job_interruptions']:,}"),
        (
            "Job MTBI (analytic / simulated)",
            f"{sig(result['job_mtbi_hours'])} h / {sig(result['job_mtbi_hours_simulated'] or float('nan'))} h",
        ),
        (
            "Checkpoint interval used (Young / Daly)",
            f"{sig(result['checkpoint_interval_hours'] * 60)} min "
            f"({sig(result['young_interval_hours'] * 60)} / "
            f"{sig(result['daly_interval_hours'] * 60)} min)",
        ),
        ("Goodput simulated / analytic", f"{result['goodput']:.3f} / {result['goodput_analytic']:.3f}"),
        (
            "Goodput P10-P90 (sampled failure rates)",
            f"{result['goodput_range']['p10']:.3f}-{result['goodput_range']['p90']:.3f}",
        ),
        (
            "GPU-hours lost: recomputation / restart / waiting / checkpoints",
            " / ".join(scaled(lost[k]) for k in ("recomputation", "restart", "waiting_for_spares", "checkpointing")),
        ),
        ("Spares needed (P99 over a vendor return)", f"{sig(result['spares_needed_p99'])}"),
        (
            "Spare pool: start / min / stockout days",
            f"{sig(result['spares']['pool_initial'])} / "
            f"{sig(result['spares']['min_pool'])} / "
            f"{result['spares']['stockout_days']}",
        ),
        (
            "Technicians / max repair backlog",
            f"{sig(result['technicians']['count'])} / {sig(result['technicians']['max_backlog_hours'])} h",
        ),
    ]
    for label, value in rows:
        table.add_row(label, value)
    out.print(table)
    reps = result.get("replications")
    if reps:
        m = reps["metrics"]
        spread = _triples_table(f"P10 / P50 / P90 over {reps['count']} replication{'s' if reps['count'] != 1 else ''}")
        for label, key, show in (
            ("Goodput", "goodput", lambda v: f"{v:.3f}"),
            ("Fleet failures per day", "failures_per_day", sig),
            ("Job interruptions", "job_interruptions", lambda v: f"{v:,.0f}"),
            ("Fleet availability (mean)", "availability_mean", lambda v: f"{v:.4%}"),
            ("GPU-hours lost", "gpu_hours_lost_total", scaled),
            ("Spares needed (P99)", "spares_needed_p99", sig),
        ):
            _triple_row(spread, label, m[key], show)
        out.print(spread)
        out.print(f"[dim]- {reps['note']}[/dim]")
    causes = Table(title="Failures by cause")
    for column in ("Cause", "Fleet per day", "Job interruptions"):
        causes.add_column(column, justify="right" if column != "Cause" else "left")
    for cause, per_day in result["failures_per_day"]["by_cause"].items():
        causes.add_row(cause, sig(per_day) if per_day else "0", str(result["job_interruptions_by_cause"].get(cause, 0)))
    out.print(causes)
    regimes = Table(title="Goodput of this job by recovery regime")
    for column in ("Regime", "From", "Goodput", "Analytic", "Interruptions"):
        regimes.add_column(column, justify="right" if column != "Regime" else "left")
    for row in result["regimes"]:
        regimes.add_row(
            row["regime"] + (" (used)" if row["regime"] == result["regime"] else ""),
            str(row["available_from_year"]),
            f"{row['goodput']:.3f}",
            f"{row['goodput_analytic']:.3f}",
            f"{row['job_interruptions']:,}",
        )
    out.print(regimes)
    curve = Table(title="Goodput vs job size")
    for column in ("Job size", "MTBI [h]", "Interval [min]", "Goodput", "Analytic"):
        curve.add_column(column, justify="right")
    for row in result["goodput_vs_job_size"]:
        curve.add_row(
            f"{row['job_size']:,}",
            sig(row["mtbi_hours"]),
            sig(row["interval_hours"] * 60),
            f"{row['goodput']:.3f}",
            f"{row['goodput_analytic']:.3f}",
        )
    out.print(curve)


def print_capability(result: dict[str, Any]) -> None:
    from rich.table import Table

    from gigafleet.formatting import scaled

    out = console()

    def q(value: dict[str, float], fmt: str = "{:.2e}") -> str:
        return f"{fmt.format(value['p50'])} ({fmt.format(value['p10'])}-{fmt.format(value['p90'])})"

    share = result["inputs"]["training_share"]
    table = Table(title=f"Capability by year (P50; training share {share:.0%})")
    for column in ("Year", "Fleet", "Run", "Regime", "Goodput", "Run GW", "Run FLOP", "Binding"):
        table.add_column(column, justify="right", no_wrap=True)
    model = Table(title="Compute-optimal model of the largest run, and inference (P50)")
    for column in ("Year", "Params", "Tokens", "Inference tokens/day"):
        model.add_column(column, justify="right", no_wrap=True)
    for row in result["years"]:
        table.add_row(
            str(row["year"] or "-"),
            scaled(row["accelerators"]),
            scaled(row["job_size"]),
            row["regime"],
            f"{row['goodput']:.2f}",
            f"{row['run_power_gw']:.3g}",
            f"{row['largest_run_flop']['p50']:.2e}",
            row["binding_limit"],
        )
        model.add_row(
            str(row["year"] or "-"),
            scaled(row["compute_optimal_params"]["p50"]),
            scaled(row["compute_optimal_tokens"]["p50"]),
            f"{row['inference_tokens_per_day']['p50']:.2e}",
        )
    out.print(table)
    out.print(model)
    last = result["years"][-1]
    out.print(f"largest run {q(last['largest_run_flop'])} FLOP (P50, P10-P90)")
    others = Table(title=f"{last['year'] or 'Fleet'}: the largest run under each recovery regime")
    for column in ("Regime", "From", "Run size", "Goodput", "Largest run FLOP (P50)"):
        others.add_column(column, justify="right" if column != "Regime" else "left")
    for row in last["regimes"]:
        others.add_row(
            row["regime"] + ("" if row["allowed"] else " (not yet)"),
            str(row["available_from_year"]),
            scaled(row["job_size"]),
            f"{row['goodput']:.2f}",
            f"{row['largest_run_flop_p50']:.2e}",
        )
    out.print(others)
    out.print("limits (P50): " + ", ".join(f"{k} {v['p50']:.2e} FLOP" for k, v in last["limits_flop"].items()))
    for note in result["notes"]:
        out.print(f"[dim]- {note}[/dim]")


def print_installed(result: dict[str, Any]) -> None:
    from rich.table import Table

    from gigafleet.formatting import quantity

    out = console()
    life = result["lifetime_years"]
    out.print(
        f"[bold]Installed base[/bold] through {result['through']} (data end {result['data_end']}"
        f"{'' if result['complete'] else '; later shipments are not in the data'}"
        f"{f'; retired after {life:g} years' if life else ''})"
    )
    rows = (
        ("accelerators", "Accelerators", "count"),
        ("h100e", "H100-equivalents", "count"),
        ("chip_power_gw", "Chip power (TDP)", "GW"),
        ("spend_usd", "Spend on accelerators", "USD"),
    )
    table = Table(title="Installed base (P10 / P50 / P90)")
    table.add_column("Quantity")
    for column in ("P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for key, label, kind in rows:
        table.add_row(label, *(quantity(result[key][p], kind) for p in ("p10", "p50", "p90")))
    out.print(table)
    vendors = Table(title="By vendor (P50)")
    for column in ("Vendor", "Accelerators", "H100e", "Chip GW", "Spend", "Quarters"):
        vendors.add_column(column, justify="left" if column in ("Vendor", "Quarters") else "right")
    for vendor, entry in result["by_vendor"].items():
        span = f"{entry['first_quarter'][:7]}..{entry['last_quarter'][:7]}" if entry["first_quarter"] else "none"
        vendors.add_row(
            vendor,
            quantity(entry["accelerators"]["p50"], "count"),
            quantity(entry["h100e"]["p50"], "count"),
            quantity(entry["chip_power_gw"]["p50"], "GW"),
            quantity(entry["spend_usd"]["p50"], "USD"),
            span,
        )
    out.print(vendors)
    out.print(
        f"[dim]Source: {result['source']}. Chip power is TDP only; servers, network and cooling come on "
        "top (gigafleet estimate). Spend grades by vendor: "
        + ", ".join(f"{v} {g}" for v, g in result["spend_grades"].items())
        + ".[/dim]"
    )


def print_compare(result: dict[str, Any]) -> None:
    """Tables of ``gigafleet compare``: the totals with deltas to the baseline, then H100e and power by year."""
    from rich.table import Table

    from gigafleet.formatting import format_relative, format_value

    out = console()
    runs = result["runs"]
    for i, run in enumerate(runs):
        role = "baseline" if i == 0 else f"run {i + 1}"
        out.print(
            f"[bold]{run['run_id']}[/bold] ({role}): {run['name']}, {run['status']}, "
            + "-".join(str(y) for y in run["years"])
        )
    totals = Table(title=f"Totals (Δ = relative to {runs[0]['run_id']})")
    totals.add_column("Metric")
    for i, run in enumerate(runs):
        totals.add_column(run["run_id"], justify="right")
        if i:
            totals.add_column("Δ", justify="right")
    for metric in result["metrics"]:
        cells = [format_value(metric["values"][0], metric["kind"])]
        for value, share in zip(metric["values"][1:], metric["relative"][1:], strict=True):
            cells += [format_value(value, metric["kind"]), format_relative(share)]
        totals.add_row(metric["label"], *cells)
    out.print(totals)
    for key, title, kind in (
        ("h100e", "H100e in service", "count"),
        ("facility_power_gw", "Facility power", "power_gw"),
    ):
        table = Table(title=f"{title} by year")
        table.add_column("Year", justify="right")
        for run in runs:
            table.add_column(run["run_id"], justify="right")
        values = {(row["year"], row["run_id"]): row["value"] for row in result["years"] if row["metric"] == key}
        for year in sorted({year for year, _ in values}):
            table.add_row(str(year), *(format_value(values.get((year, run["run_id"])), kind) for run in runs))
        out.print(table)

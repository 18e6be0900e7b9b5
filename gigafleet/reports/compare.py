"""Self-contained HTML report comparing stored plans (``gigafleet compare --report``).

Layout, in order: the title with the runs compared and the baseline; the totals table (each run's value, with the
delta to the baseline and its share); one chart per metric by year, the runs overlaid (H100e in service, facility
power, capex, opex, shortfall); the per-year table; the notes. Reads the dictionary of
:func:`gigafleet.compare.compare_runs` (``gigafleet compare --json``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping
from typing import Any

from gigafleet.formatting import axis_scale, format_delta, format_relative, format_value
from gigafleet.reports.document import Page, chart_section, escape, html_table, table_section
from gigafleet.reports.figures import PALETTE, figure_html, style
from gigafleet.reports.styles import CSS
from gigafleet.reports.values import as_mapping, as_number, as_sequence

CHARTS: tuple[tuple[str, str, str], ...] = (
    ("h100e", "H100-equivalents in service", "count"),
    ("facility_power_gw", "Facility power (peak)", "power_gw"),
    ("capex_usd", "Capex booked", "usd"),
    ("opex_usd", "Opex", "usd_per_year"),
    ("shortfall_h100e", "Shortfall to the target [H100e]", "count"),
)
"""Charts of the report: (metric of ``years``, title, formatting kind); a chart id is ``chart-<metric>``."""

_PAGE = Page(CSS, "a comparison of plans", "Charts need JavaScript; every value is also in the tables on this page.")


def _runs(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [as_mapping(r) for r in as_sequence(result.get("runs"))]


def totals_rows(result: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The totals as table text: headers (``Metric`` and the run ids) and one row per metric, each run after the
    first as ``value (delta, relative delta)`` (raw text)."""
    runs = _runs(result)
    headers = ["Metric", *(str(r.get("run_id")) for r in runs)]
    rows = []
    for raw in as_sequence(result.get("metrics")):
        metric = as_mapping(raw)
        kind = str(metric.get("kind", "number"))
        values, deltas, shares = (list(as_sequence(metric.get(k))) for k in ("values", "delta", "relative"))

        def at(items: list[Any], i: int) -> float | None:
            return as_number(items[i]) if i < len(items) else None

        cells = [format_value(at(values, 0), kind)]
        for i in range(1, len(runs)):
            delta, share = at(deltas, i), at(shares, i)
            cells.append(f"{format_value(at(values, i), kind)} ({format_delta(delta, kind)}, {format_relative(share)})")
        rows.append((str(metric.get("label", metric.get("metric", ""))), *cells))
    return headers, rows


def totals_table(result: Mapping[str, Any]) -> str:
    """The totals as a static HTML table (the web page's and the report's)."""
    headers, rows = totals_rows(result)
    return html_table(headers, rows, numeric=range(1, len(headers)), css="totals")


def _totals_section(result: Mapping[str, Any]) -> str:
    headers, rows = totals_rows(result)
    caption = "Each run after the first: its value (delta to the baseline, relative delta)."
    return table_section(
        "totals",
        "Totals",
        headers,
        rows,
        numeric=range(1, len(headers)),
        css="totals",
        empty="No metrics in this comparison.",
        caption=caption,
    )


def _series(result: Mapping[str, Any], metric: str) -> dict[str, list[tuple[int, float]]]:
    series: dict[str, list[tuple[int, float]]] = {str(r.get("run_id")): [] for r in _runs(result)}
    for raw in as_sequence(result.get("years")):
        row = as_mapping(raw)
        value, year = as_number(row.get("value")), as_number(row.get("year"))
        if row.get("metric") == metric and value is not None and year is not None:
            series.setdefault(str(row.get("run_id")), []).append((int(year), value))
    return {run: sorted(points) for run, points in series.items() if points}


def _chart(result: Mapping[str, Any], metric: str, title: str, kind: str) -> str | None:
    series = _series(result, metric)
    if not series:
        return None
    import plotly.graph_objects as go

    names = {str(r.get("run_id")): str(r.get("name", "")) for r in _runs(result)}
    divisor, axis_title = axis_scale((v for points in series.values() for _, v in points), kind)
    fig = go.Figure()
    for index, (run, points) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(
                x=[year for year, _ in points],
                y=[value / divisor for _, value in points],
                mode="lines+markers",
                name=f"{run} ({names.get(run, '')})",
                line={"color": PALETTE[index % len(PALETTE)], "width": 2.5},
                customdata=[[escape(format_value(value, kind))] for _, value in points],
                hovertemplate=f"<b>{escape(run)}</b>, %{{x}}<br>%{{customdata[0]}}<extra></extra>",
            )
        )
    style(
        fig,
        height=380,
        margin={"l": 70, "r": 20, "t": 40, "b": 50},
        xaxis={"title": "Year", "dtick": 1},
        yaxis={"title": f"{title} ({axis_title})" if axis_title else title, "rangemode": "tozero"},
        hovermode="x unified",
    )
    return figure_html(fig, f"chart-{metric.replace('_', '-')}")


def _years_section(result: Mapping[str, Any]) -> str:
    from gigafleet.compare import YEAR_METRICS

    labels = {key: (label, kind) for key, label, kind in YEAR_METRICS}
    rows = []
    for raw in as_sequence(result.get("years")):
        row = as_mapping(raw)
        label, kind = labels.get(str(row.get("metric")), (str(row.get("metric")), "number"))
        rows.append(
            (
                str(row.get("year")),
                label,
                str(row.get("run_id")),
                format_value(as_number(row.get("value")), kind),
                format_delta(as_number(row.get("delta")), kind),
                format_relative(as_number(row.get("relative"))),
            )
        )
    headers = ("Year", "Metric", "Run", "Value", "Delta", "Relative")
    body = html_table(headers, rows, numeric=(0, 3, 4, 5), css="years") if rows else ""
    return (
        f'<section id="years"><h2>By year</h2><details><summary>Every metric by year ({len(rows)} rows)</summary>'
        f"{body}</details></section>"
    )


def render_compare_html(result: dict[str, Any]) -> str:
    """Render a comparison of plans (``gigafleet compare --json``) as a self-contained HTML page."""
    runs = _runs(result)
    title = "Compare plans: " + " vs ".join(str(r.get("name", r.get("run_id"))) for r in runs)
    items = "".join(
        f"<li><b>{escape(r.get('run_id'))}</b>: {escape(r.get('name'))} ({escape(r.get('status'))})"
        f"{' — baseline' if i == 0 else ''}</li>"
        for i, r in enumerate(runs)
    )
    head = f'<header id="title"><h1>{escape(title)}</h1><ul class="subtitle">{items}</ul></header>'
    charts = [chart_section(f"section-{m.replace('_', '-')}", t, _chart(result, m, t, k)) for m, t, k in CHARTS]
    return _PAGE.render(title, head, (_totals_section(result), *charts, _years_section(result)), result)


def write_compare_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet compare --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_compare_html, result, path)


__all__ = ["CHARTS", "render_compare_html", "totals_rows", "totals_table", "write_compare_report"]

"""Self-contained HTML report for a fleet estimate.

The report renders the dictionary printed by ``gigafleet estimate --json`` as a
single HTML document that works offline: plotly.js is embedded inline exactly
once, and there are no references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the fleet (e.g. ``100,000,000 × h100``) and a summary of the inputs;
2. key-figures table (P10/P50/P90 of the headline quantities, human formatted);
3. chart "Cost stack" (capex and opex breakdowns);
4. chart "Power layers, chip → grid";
5. chart "Comparisons" (fleet ÷ baseline ratios), then the comparisons table;
6. the notes.

Every table is plain HTML, so the page stays readable without JavaScript.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.formatting import DASH, Triple, axis_scale, format_sig, format_triple, format_value
from gigafleet.reports.document import Page, chart_section, escape, html_table, table_section
from gigafleet.reports.figures import PALETTE, error_arrays, figure_html
from gigafleet.reports.styles import CSS
from gigafleet.reports.values import as_mapping, as_number, as_sequence, as_triple, entry_text, input_value_text

__all__ = ["render_estimate_html", "write_estimate_report"]

_PAGE = Page(CSS, "an estimate", "Charts need JavaScript; every figure is also in the tables on this page.")


# Div ids of the three charts (stable, so the output is deterministic).
_CHART_IDS = ("chart-cost-stack", "chart-power-layers", "chart-comparisons")


# --------------------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _label(key: str) -> str:
    """Turn a snake_case key into a readable label (``"site_and_fitout"`` → ``"Site and fitout"``)."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "?"


_COMPONENT_LABELS = {
    "accelerators": "Accelerators",
    "servers": "Servers",
    "networking": "Networking",
    "storage": "Storage",
    "power_and_cooling": "Power & cooling",
    "shell": "Building shell",
    "site_and_fitout": "Site & fit-out",
    "land": "Land",
    "grid_connection": "Grid connection",
    "energy": "Energy",
    "it_maintenance": "IT maintenance",
    "facility_maintenance": "Facility maintenance",
    "staff": "Staff",
    "water": "Water",
    "it_capital": "IT capital (annualised)",
    "facility_capital": "Facility capital (annualised)",
    "opex": "Operating cost",
}

# (key, label, kind): headline quantities, in table order.
_HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("accelerators", "Accelerators", "count"),
    ("h100e", "H100-equivalents", "count"),
    ("chip_power_gw", "Chip power", "power_gw"),
    ("server_power_gw", "Server power", "power_gw"),
    ("it_power_gw", "IT power", "power_gw"),
    ("facility_power_gw", "Facility power (peak)", "power_gw"),
    ("average_facility_power_gw", "Facility power (average)", "power_gw"),
    ("grid_connection_gw", "Grid connection", "power_gw"),
    ("energy_twh_per_year", "Energy use", "energy_twh"),
    ("capex_usd", "Capital cost (capex)", "usd"),
    ("opex_usd_per_year", "Operating cost (opex)", "usd_per_year"),
    ("tco_usd_per_year", "Total cost of ownership", "usd_per_year"),
    ("required_revenue_usd_per_year", "Required revenue", "usd_per_year"),
    ("usd_per_accelerator_hour", "Cost per accelerator-hour", "usd_per_hour"),
    ("water_m3_per_year", "Water use", "water_m3"),
    ("co2_mt_per_year", "CO2 emissions", "co2_mt"),
)

_METRIC_LABELS = {key: label for key, label, _ in _HEADLINES}

# (key, label): power layers, chip → grid.
_POWER_LAYERS = (
    ("chip_power_gw", "Chips"),
    ("server_power_gw", "Servers"),
    ("it_power_gw", "IT load"),
    ("facility_power_gw", "Facility (peak)"),
    ("grid_connection_gw", "Grid connection"),
)

_PRECISION_ORDER = ("fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4", "int8")


def _flops_rows(result: Mapping[str, Any]) -> list[tuple[str, Triple, str]]:
    """Rows for peak and effective compute, per precision.

    Returns
    -------
    list of (label, Triple, kind)
        Compute throughput percentiles [FLOP/s].
    """
    rows: list[tuple[str, Triple, str]] = []
    for key, title in (("peak_flops", "Peak compute"), ("effective_flops", "Effective compute")):
        by_precision = as_mapping(result.get(key))
        order = {name: i for i, name in enumerate(_PRECISION_ORDER)}
        for precision in sorted(by_precision, key=lambda p: (order.get(str(p), len(order)), str(p))):
            triple = as_triple(by_precision[precision])
            if triple is not None:
                rows.append((f"{title} ({str(precision).upper()})", triple, "flops"))
    return rows


def _key_figure_rows(result: Mapping[str, Any]) -> list[tuple[str, Triple, str]]:
    """Headline quantities present in ``result``, in table order.

    Returns
    -------
    list of (label, Triple, kind)
        One row per quantity [units per kind].
    """
    rows: list[tuple[str, Triple, str]] = []
    for key, label, kind in _HEADLINES:
        triple = as_triple(result.get(key))
        if triple is not None:
            rows.append((label, triple, kind))
    return rows + _flops_rows(result)


def _breakdown(value: object) -> list[tuple[str, str, Triple]]:
    """Read a breakdown mapping ``{component: Q}``.

    Returns
    -------
    list of (key, label, Triple)
        Components with a known quantity, in the mapping's order [unit of the breakdown].
    """
    items: list[tuple[str, str, Triple]] = []
    for key, raw in as_mapping(value).items():
        triple = as_triple(raw)
        if triple is not None:
            items.append((str(key), _COMPONENT_LABELS.get(str(key), _label(str(key))), triple))
    return items


def _fleet_text(fleet: object) -> str:
    """Describe the fleet, e.g. ``"100,000,000 × h100"`` or ``"50,000 × h100 + 20,000 × b200"``."""
    parts: list[str] = []
    for model, count in as_mapping(fleet).items():
        number = as_number(count)
        if number is None:
            amount = str(count)
        elif number.is_integer():
            amount = f"{int(number):,}"
        else:
            amount = format_sig(number, 4)
        parts.append(f"{amount} × {model}")
    return " + ".join(parts) if parts else "fleet"


def _inputs_items(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Inputs as ``(label, text)`` pairs: well-known keys first, then any others."""
    items: list[tuple[str, str]] = []
    known = ("sized_by", "cooling", "region", "year", "utilisation", "samples", "seed")
    labels = {
        "sized_by": "Sized by",
        "cooling": "Cooling",
        "region": "Region",
        "year": "Year",
        "utilisation": "Utilisation",
        "samples": "Monte Carlo samples",
        "seed": "Seed",
    }
    for key in known:
        if key not in inputs:
            continue
        value = inputs[key]
        number = as_number(value)
        if key == "utilisation" and number is not None and 0.0 <= number <= 1.0:
            text = f"{format_sig(number * 100.0, 3)}%"
        elif key in ("year", "seed") and isinstance(value, int):
            text = str(value)
        else:
            text = input_value_text(value)
        items.append((labels[key], text))
    for key, value in inputs.items():
        if key in known or key == "fleet":
            continue
        items.append((_label(str(key)), input_value_text(value)))
    return items


# --------------------------------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------------------------------


def _hover_lines(label: str, texts: tuple[str, str, str]) -> list[str]:
    """Escaped hover fields: label, P50, P10–P90 range."""
    return [escape(label), escape(texts[1]), escape(f"{texts[0]} – {texts[2]}")]


_RANGE_HOVER = "<b>%{customdata[0]}</b><br>P50: %{customdata[1]}<br>P10–P90: %{customdata[2]}<extra></extra>"


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _cost_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 1, "Cost stack": capex by component (P50 bars with P10–P90 error bars), a stacked P50
    capex bar, and opex by component.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when neither breakdown is present.
    """
    capex = [item for item in _breakdown(result.get("capex_breakdown_usd")) if item[2][1] is not None]
    opex = [item for item in _breakdown(result.get("opex_breakdown_usd_per_year")) if item[2][1] is not None]
    if not capex and not opex:
        return None

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels: list[str] = []
    widths: list[float] = []
    if capex:
        panels += ["Capex by component (P50, P10–P90)", "Capex stack (P50)"]
        widths += [0.5, 0.14]
    if opex:
        panels.append("Opex by component, per year (P50, P10–P90)")
        widths.append(0.36)
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels, column_widths=widths, horizontal_spacing=0.08)

    colours = {key: PALETTE[i % len(PALETTE)] for i, (key, _, _) in enumerate(capex)}
    column = 1
    if capex:
        divisor, axis_title = axis_scale((v for _, _, t in capex for v in t if v is not None), "usd")
        triples = [t for _, _, t in capex]
        plus, minus = error_arrays(triples, divisor)
        fig.add_trace(
            go.Bar(
                x=[escape(label) for _, label, _ in capex],
                y=[(t[1] or 0.0) / divisor for t in triples],
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                marker_color=[colours[key] for key, _, _ in capex],
                customdata=[_hover_lines(label, format_triple(t, "usd")) for _, label, t in capex],
                hovertemplate=_RANGE_HOVER,
                showlegend=False,
                name="Capex",
            ),
            row=1,
            col=column,
        )
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=column)
        column += 1
        for key, label, triple in capex:
            fig.add_trace(
                go.Bar(
                    x=["Capex"],
                    y=[(triple[1] or 0.0) / divisor],
                    name=escape(label),
                    legendgroup=key,
                    marker_color=colours[key],
                    customdata=[_hover_lines(label, format_triple(triple, "usd"))],
                    hovertemplate=_RANGE_HOVER,
                ),
                row=1,
                col=column,
            )
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=column)
        column += 1
    if opex:
        divisor, axis_title = axis_scale((v for _, _, t in opex for v in t if v is not None), "usd_per_year")
        triples = [t for _, _, t in opex]
        plus, minus = error_arrays(triples, divisor)
        fig.add_trace(
            go.Bar(
                x=[escape(label) for _, label, _ in opex],
                y=[(t[1] or 0.0) / divisor for t in triples],
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                marker_color=PALETTE[0],
                customdata=[_hover_lines(label, format_triple(t, "usd_per_year")) for _, label, t in opex],
                hovertemplate=_RANGE_HOVER,
                showlegend=False,
                name="Opex",
            ),
            row=1,
            col=column,
        )
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=column)

    fig.update_layout(
        template="plotly_white",
        barmode="stack",
        height=480,
        margin={"l": 60, "r": 20, "t": 60, "b": 110},
        legend={"title": {"text": "Capex component"}, "traceorder": "reversed"},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"},
    )
    fig.update_xaxes(tickangle=-35)
    return figure_html(fig, _CHART_IDS[0])


def _power_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 2, "Power layers, chip → grid": P50 bars with P10–P90 error bars, in layer order.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no power layer is present.
    """
    layers: list[tuple[str, Triple]] = []
    for key, label in _POWER_LAYERS:
        triple = as_triple(result.get(key))
        if triple is not None and triple[1] is not None:
            layers.append((label, triple))
    if not layers:
        return None

    import plotly.graph_objects as go

    average = as_triple(result.get("average_facility_power_gw"))
    values = [v for _, t in layers for v in t if v is not None]
    if average is not None and average[1] is not None:
        values.append(average[1])
    divisor, axis_title = axis_scale(values, "power_gw")
    triples = [t for _, t in layers]
    plus, minus = error_arrays(triples, divisor)
    fig = go.Figure(
        go.Bar(
            x=[label for label, _ in layers],
            y=[(t[1] or 0.0) / divisor for t in triples],
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(layers))],
            text=[format_value(t[1], "power_gw") for t in triples],
            textposition="inside",
            insidetextanchor="start",
            customdata=[_hover_lines(label, format_triple(t, "power_gw")) for label, t in layers],
            hovertemplate=_RANGE_HOVER,
            name="Power",
            showlegend=False,
        )
    )
    if average is not None and average[1] is not None:
        fig.add_hline(
            y=average[1] / divisor,
            line_dash="dot",
            line_color="#555555",
            annotation_text=f"Average facility draw (P50) {format_value(average[1], 'power_gw')}",
            annotation_position="top left",
        )
    fig.update_layout(
        template="plotly_white",
        height=440,
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        yaxis={"title": {"text": axis_title}, "rangemode": "tozero"},
        xaxis={"title": {"text": "Layer (each includes the overheads of the ones before it)"}},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"},
    )
    return figure_html(fig, _CHART_IDS[1])


@dataclass(frozen=True)
class _Comparison:
    """One comparison baseline, read tolerantly from the result.

    Attributes
    ----------
    name, definition, metric, unit, source : str
        Descriptive fields (raw, unescaped text).
    value : float or None
        Baseline value [``unit``].
    ratio : Triple
        Fleet ÷ baseline (P10, P50, P90) [1].
    """

    name: str
    definition: str
    metric: str
    unit: str
    source: str
    value: float | None
    ratio: Triple


def _comparisons(result: Mapping[str, Any]) -> list[_Comparison]:
    """Read ``result["comparisons"]``, skipping entries that are not mappings."""
    items: list[_Comparison] = []
    for raw in as_sequence(result.get("comparisons")):
        if not isinstance(raw, Mapping):
            continue

        items.append(
            _Comparison(
                name=entry_text(raw, "name") or "baseline",
                definition=entry_text(raw, "definition"),
                metric=entry_text(raw, "metric"),
                unit=entry_text(raw, "unit"),
                source=entry_text(raw, "source"),
                value=as_number(raw.get("value")),
                ratio=(as_number(raw.get("ratio_p10")), as_number(raw.get("ratio")), as_number(raw.get("ratio_p90"))),
            )
        )
    return items


def _baseline_text(item: _Comparison) -> str:
    """Baseline value and unit, e.g. ``"310 TWh/yr"``."""
    if item.value is None:
        return item.unit or DASH
    number = format_value(item.value, "count", 4) if abs(item.value) >= 1e6 else format_sig(item.value, 4)
    return f"{number} {item.unit}".strip()


def _ratio_text(ratio: Triple) -> str:
    """Ratio with its range, e.g. ``"2.1× (1.9–2.4)"``."""
    middle = format_value(ratio[1], "ratio")
    if ratio[0] is None and ratio[2] is None:
        return middle
    low = format_value(ratio[0], "ratio").rstrip("×")
    high = format_value(ratio[2], "ratio").rstrip("×")
    return f"{middle} ({low}–{high})"


def _uses_log_axis(ratios: Iterable[Triple]) -> bool:
    """Whether the ratios span more than two decades (and are all positive)."""
    values = [v for t in ratios for v in t if v is not None]
    positive = [v for v in values if v > 0]
    if not positive or len(positive) != len(values):
        return False
    return max(positive) / min(positive) > 100.0


def _comparison_chart(items: Sequence[_Comparison]) -> str | None:
    """Chart 3, "Comparisons": fleet ÷ baseline with P10–P90 error bars; hover shows the definition.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no comparison has a P50 ratio.
    """
    plotted = [item for item in items if item.ratio[1] is not None]
    if not plotted:
        return None

    import plotly.graph_objects as go

    log_x = _uses_log_axis(item.ratio for item in plotted)
    labels: list[str] = []
    seen: dict[str, int] = {}
    for item in plotted:
        count = seen.get(item.name, 0) + 1
        seen[item.name] = count
        labels.append(escape(item.name if count == 1 else f"{item.name} ({count})"))
    plus, minus = error_arrays([item.ratio for item in plotted], 1.0)
    fig = go.Figure(
        go.Scatter(
            x=[item.ratio[1] for item in plotted],
            y=labels,
            mode="markers",
            marker={"size": 11, "color": PALETTE[0]},
            error_x={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
            customdata=[
                [
                    escape(item.definition or item.name),
                    escape(_baseline_text(item)),
                    escape(_ratio_text(item.ratio)),
                    escape(_METRIC_LABELS.get(item.metric, _label(item.metric) if item.metric else DASH)),
                ]
                for item in plotted
            ],
            hovertemplate=(
                "<b>%{y}</b><br>%{customdata[0]}<br>Compared on: %{customdata[3]}"
                "<br>Baseline: %{customdata[1]}<br>Fleet ÷ baseline: %{customdata[2]}<extra></extra>"
            ),
            name="Fleet ÷ baseline",
            showlegend=False,
        )
    )
    fig.add_vline(x=1.0, line_dash="dot", line_color="#888888")
    fig.update_layout(
        template="plotly_white",
        height=max(260, 140 + 44 * len(plotted)),
        margin={"l": 160, "r": 30, "t": 30, "b": 60},
        xaxis={"type": "log" if log_x else "linear", "title": {"text": "Fleet ÷ baseline [×] (dotted line: parity)"}},
        yaxis={"autorange": "reversed", "automargin": True},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"},
    )
    return figure_html(fig, _CHART_IDS[2])


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _title_section(result: Mapping[str, Any]) -> str:
    """Title with the fleet and an inputs summary."""
    inputs = as_mapping(result.get("inputs"))
    fleet = _fleet_text(inputs.get("fleet"))
    items = _inputs_items(inputs)
    summary = " · ".join(f"{label}: {text}" for label, text in items)
    parts = [
        '<header id="title">',
        f"<h1>Fleet estimate: {escape(fleet)}</h1>",
        f'<p class="subtitle">{escape(summary)}</p>' if summary else "",
    ]
    if items:
        rows = "".join(f'<tr><th scope="row">{escape(label)}</th><td>{escape(text)}</td></tr>' for label, text in items)
        parts.append(
            f'<details><summary>Inputs</summary><table class="inputs"><tbody>'
            f'<tr><th scope="row">Fleet</th><td>{escape(fleet)}</td></tr>{rows}</tbody></table></details>'
        )
    parts.append("</header>")
    return "".join(parts)


def _key_figures_section(result: Mapping[str, Any]) -> str:
    """Key-figures table: P10/P50/P90 of the headline quantities."""
    rows = [(label, *format_triple(triple, kind)) for label, triple, kind in _key_figure_rows(result)]
    inputs = as_mapping(result.get("inputs"))
    samples = as_number(inputs.get("samples"))
    caption = "P10, P50 and P90 are the 10th, 50th (median) and 90th percentiles of the estimate"
    if samples is not None:
        caption += f" over {format_sig(samples, 6)} Monte Carlo samples"
    caption += "."
    return table_section(
        "key-figures",
        "Key figures",
        ("Quantity", "P10", "P50", "P90"),
        rows,
        numeric=(1, 2, 3),
        css="key-figures",
        empty="No headline quantities in this result.",
        caption=caption,
    )


def _breakdown_tables(result: Mapping[str, Any]) -> str:
    """Static (no-JavaScript) tables behind the cost chart."""
    blocks: list[str] = []
    for key, title, kind in (
        ("capex_breakdown_usd", "Capex by component", "usd"),
        ("opex_breakdown_usd_per_year", "Opex by component, per year", "usd_per_year"),
        ("tco_breakdown_usd_per_year", "Total cost of ownership, per year", "usd_per_year"),
    ):
        items = _breakdown(result.get(key))
        if not items:
            continue
        rows = [(label, *format_triple(triple, kind)) for _, label, triple in items]
        blocks.append(
            f"<h3>{escape(title)}</h3>" + html_table(("Component", "P10", "P50", "P90"), rows, (1, 2, 3), "breakdown")
        )
    if not blocks:
        return ""
    return "<details><summary>Cost tables</summary>" + "".join(blocks) + "</details>"


def _comparisons_table(items: Sequence[_Comparison]) -> str:
    """Comparisons as a static table."""
    if not items:
        return '<p class="muted">No comparisons in this result.</p>'
    rows = [
        (
            item.name,
            item.definition or DASH,
            _METRIC_LABELS.get(item.metric, _label(item.metric) if item.metric else DASH),
            _baseline_text(item),
            _ratio_text(item.ratio),
            item.source or DASH,
        )
        for item in items
    ]
    headers = ("Name", "Definition", "Compared on", "Baseline", "Fleet ÷ baseline (P50, P10–P90)", "Source")
    return html_table(headers, rows, numeric=(3, 4), css="comparisons")


def _claims_section(result: Mapping[str, Any]) -> str:
    """Claim check (present when the run checked published figures): table plus one verdict per claim."""
    claims = [c for c in as_sequence(result.get("claims")) if isinstance(c, Mapping)]
    if not claims:
        return ""
    rows = []
    for claim in claims:
        name = str(claim.get("claim", ""))
        if name == "share_of":
            name = f"share of {claim.get('baseline', '')}"
        unit = str(claim.get("unit", ""))
        kind = {"USD": "usd", "GW": "power_gw", "TWh/yr": "energy_twh"}.get(unit, "number")
        claimed = as_number(claim.get("claimed"))
        corrected = as_triple(claim.get("corrected"))
        percentile = as_number(claim.get("percentile"))
        factor = as_number(claim.get("factor"))
        p10, p50, p90 = format_triple(corrected, kind) if corrected else ("—", "—", "—")
        rows.append(
            (
                name,
                format_value(claimed, kind),
                f"{percentile:.1f}" if percentile is not None else "—",
                p50,
                f"{p10} – {p90}",
                f"{factor:.2f}×" if factor is not None else "—",
            )
        )
    headers = ("Claim", "Claimed", "Percentile in model", "Model P50", "Model P10–P90", "Model ÷ claim")
    verdicts = "".join(f"<li>{escape(c.get('verdict', ''))}</li>" for c in claims if c.get("verdict"))
    return (
        '<section id="claims"><h2>Claim check</h2>'
        + html_table(headers, rows, numeric=(1, 2, 3, 4, 5), css="claims")
        + (f"<ul>{verdicts}</ul>" if verdicts else "")
        + "</section>"
    )


def render_estimate_html(result: dict[str, Any]) -> str:
    """Render an estimate as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet estimate --json``. Quantities are
        ``{"p10": float, "p50": float, "p90": float}`` in the units named by their
        keys (e.g. ``facility_power_gw`` [GW], ``energy_twh_per_year`` [TWh/yr],
        ``capex_usd`` [USD], ``co2_mt_per_year`` [Mt CO2/yr], ``peak_flops`` [FLOP/s]).
        Every key is optional; missing or malformed entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    inputs = as_mapping(data.get("inputs"))
    fleet = _fleet_text(inputs.get("fleet"))
    comparisons = _comparisons(data)

    cost = chart_section("cost-stack", "Cost stack", _cost_chart(data), _breakdown_tables(data))
    power = chart_section("power-layers", "Power layers, chip → grid", _power_chart(data))
    compare = chart_section(
        "comparisons",
        "Comparisons",
        _comparison_chart(comparisons),
        '<h3 id="comparisons-table">Comparison baselines</h3>' + _comparisons_table(comparisons),
    )
    return _PAGE.render(
        f"gigafleet estimate: {fleet}",
        _title_section(data),
        (_key_figures_section(data), _claims_section(data), cost, power, compare),
        data,
    )


def write_estimate_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet estimate --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_estimate_html, result, path)

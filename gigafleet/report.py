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

plotly is imported lazily inside the rendering functions, so importing this
module stays cheap (``gigafleet --help`` must remain fast).
"""

from __future__ import annotations

import html
import json
import math
import os
import pathlib
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["render_estimate_html", "write_estimate_report"]

#: A quantity as ``(p10, p50, p90)``; any member may be unknown (``None``).
Triple = tuple[float | None, float | None, float | None]

_PERCENTILES = ("p10", "p50", "p90")
_DASH = "—"

# Div ids of the three charts (stable, so the output is deterministic).
_CHART_IDS = ("chart-cost-stack", "chart-power-layers", "chart-comparisons")

# Tableau-10: distinguishable, reasonably colour-blind friendly.
_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

# --------------------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """How to print one kind of quantity.

    Attributes
    ----------
    factor : float
        Multiplier from the unit the value is given in to the base unit of ``steps``.
    steps : tuple of (float, str)
        ``(scale, template)`` pairs, largest scale first. The first step whose scale
        does not exceed the (rounded) magnitude is used, else the last step. The
        template holds ``{}`` for the number and may carry a leading ``$``.
    zero : str
        Text printed for an exact zero.
    """

    factor: float
    steps: tuple[tuple[float, str], ...]
    zero: str


_MONEY_STEPS = ((1e12, "${} T"), (1e9, "${} B"), (1e6, "${} M"), (1e3, "${} K"), (1.0, "${}"))

_KINDS: dict[str, _Kind] = {
    # Plain counts [1], e.g. accelerators, H100-equivalents.
    "count": _Kind(1.0, ((1e12, "{} trillion"), (1e9, "{} billion"), (1e6, "{} million"), (1.0, "{}")), "0"),
    # Power given in [GW].
    "power_gw": _Kind(1e9, ((1e9, "{} GW"), (1e6, "{} MW"), (1e3, "{} kW"), (1.0, "{} W")), "0 GW"),
    # Annual energy given in [TWh/yr].
    "energy_twh": _Kind(
        1e12,
        ((1e12, "{} TWh/yr"), (1e9, "{} GWh/yr"), (1e6, "{} MWh/yr"), (1.0, "{} Wh/yr")),
        "0 TWh/yr",
    ),
    # Money given in [USD].
    "usd": _Kind(1.0, _MONEY_STEPS, "$0"),
    # Money per year given in [USD/yr].
    "usd_per_year": _Kind(1.0, tuple((s, t + "/yr") for s, t in _MONEY_STEPS), "$0/yr"),
    # Hourly price given in [USD/h]: no scaling.
    "usd_per_hour": _Kind(1.0, ((1.0, "${}/h"),), "$0/h"),
    # Water given in [m³/yr].
    "water_m3": _Kind(
        1.0,
        ((1e9, "{} billion m³/yr"), (1e6, "{} million m³/yr"), (1.0, "{} m³/yr")),
        "0 m³/yr",
    ),
    # Emissions given in [Mt CO2/yr].
    "co2_mt": _Kind(1e6, ((1e6, "{} Mt CO2/yr"), (1e3, "{} kt CO2/yr"), (1.0, "{} t CO2/yr")), "0 Mt CO2/yr"),
    # Compute throughput given in [FLOP/s].
    "flops": _Kind(
        1.0,
        (
            (1e30, "{} QFLOP/s"),
            (1e27, "{} RFLOP/s"),
            (1e24, "{} YFLOP/s"),
            (1e21, "{} ZFLOP/s"),
            (1e18, "{} EFLOP/s"),
            (1e15, "{} PFLOP/s"),
            (1e12, "{} TFLOP/s"),
            (1e9, "{} GFLOP/s"),
            (1.0, "{} FLOP/s"),
        ),
        "0 FLOP/s",
    ),
    # Dimensionless ratio [1].
    "ratio": _Kind(1.0, ((1e6, "{} million×"), (1.0, "{}×")), "0×"),
    # Plain number [1] with thousands separators.
    "number": _Kind(1.0, ((1.0, "{}"),), "0"),
}


def _round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant figures.

    Parameters
    ----------
    value : float
        Number to round [any unit].
    digits : int
        Significant figures to keep [1].

    Returns
    -------
    float
        The rounded number [same unit as ``value``].
    """
    if value == 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - exponent)


def _format_sig(value: float, digits: int = 3) -> str:
    """Print a number with ``digits`` significant figures, thousands separators and no exponent.

    Trailing zeros after the decimal point are dropped (``3.10`` prints as ``3.1``).

    Parameters
    ----------
    value : float
        Number to print [any unit].
    digits : int
        Significant figures [1].

    Returns
    -------
    str
        E.g. ``"1,540"``, ``"6.42"``, ``"0.0123"``.
    """
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    rounded = _round_sig(value, digits)
    if rounded == 0:
        return "0"
    exponent = math.floor(math.log10(abs(rounded)))
    decimals = max(digits - 1 - exponent, 0)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _format_value(value: float | None, kind: str, digits: int = 3) -> str:
    """Print a value with human-friendly units.

    Parameters
    ----------
    value : float or None
        The value, in the unit the kind expects (e.g. [GW] for ``"power_gw"``,
        [USD] for ``"usd"``, [Mt CO2/yr] for ``"co2_mt"``). ``None`` prints as a dash.
    kind : str
        One of the keys of ``_KINDS``; an unknown kind prints as a plain number.
    digits : int
        Significant figures [1].

    Returns
    -------
    str
        E.g. ``"$6.42 T"``, ``"192 GW"``, ``"1,540 TWh/yr"``, ``"3.1 Mt CO2/yr"``.
    """
    if value is None:
        return _DASH
    spec = _KINDS.get(kind, _KINDS["number"])
    if not math.isfinite(value):
        return _format_sig(value)
    base = _round_sig(value * spec.factor, digits)
    if base == 0:
        return spec.zero
    magnitude = abs(base)
    scale, template = spec.steps[-1]
    for step_scale, step_template in spec.steps:
        if magnitude >= step_scale:
            scale, template = step_scale, step_template
            break
    number = _format_sig(magnitude / scale, digits)
    text = template.format(number)
    return "-" + text if base < 0 else text


def _format_triple(triple: Triple, kind: str) -> tuple[str, str, str]:
    """Print a ``(p10, p50, p90)`` triple.

    Parameters
    ----------
    triple : Triple
        Percentiles [unit of ``kind``].
    kind : str
        Formatting kind, see ``_format_value``.

    Returns
    -------
    tuple of str
        The three printed percentiles.
    """
    return (
        _format_value(triple[0], kind),
        _format_value(triple[1], kind),
        _format_value(triple[2], kind),
    )


def _axis_scale(values: Iterable[float], kind: str) -> tuple[float, str]:
    """Pick a single axis unit for a chart.

    Parameters
    ----------
    values : iterable of float
        Values plotted on the axis [unit expected by ``kind``].
    kind : str
        ``"usd"``, ``"usd_per_year"`` or ``"power_gw"``.

    Returns
    -------
    tuple of (float, str)
        Divisor to apply to the values [unit of ``kind`` per axis unit] and the axis title.
    """
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if kind == "power_gw":
        for divisor, label in ((1.0, "GW"), (1e-3, "MW"), (1e-6, "kW")):
            if largest >= divisor:
                return divisor, f"Power [{label}]"
        return 1e-9, "Power [W]"
    suffix = " per year" if kind == "usd_per_year" else ""
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if largest >= divisor:
            return divisor, f"US$ {word}{suffix}"
    return 1.0, f"US${suffix}"


# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    """Return ``value`` as a float, or ``None`` when it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _triple(value: object) -> Triple | None:
    """Read a quantity ``{"p10": …, "p50": …, "p90": …}``.

    Parameters
    ----------
    value : object
        A mapping with any of ``p10``/``p50``/``p90``, or a bare number (taken as the P50).

    Returns
    -------
    Triple or None
        The percentiles [unit of the quantity], or ``None`` when nothing usable is there.
    """
    if isinstance(value, Mapping):
        p10, p50, p90 = (_number(value.get(key)) for key in _PERCENTILES)
        if p10 is None and p50 is None and p90 is None:
            return None
        return (p10, p50, p90)
    single = _number(value)
    return None if single is None else (None, single, None)


def _mapping(value: object) -> Mapping[str, Any]:
    """Return ``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def _sequence(value: object) -> Sequence[Any]:
    """Return ``value`` if it is a list or tuple, else an empty one."""
    return value if isinstance(value, list | tuple) else ()


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
        by_precision = _mapping(result.get(key))
        order = {name: i for i, name in enumerate(_PRECISION_ORDER)}
        for precision in sorted(by_precision, key=lambda p: (order.get(str(p), len(order)), str(p))):
            triple = _triple(by_precision[precision])
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
        triple = _triple(result.get(key))
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
    for key, raw in _mapping(value).items():
        triple = _triple(raw)
        if triple is not None:
            items.append((str(key), _COMPONENT_LABELS.get(str(key), _label(str(key))), triple))
    return items


def _fleet_text(fleet: object) -> str:
    """Describe the fleet, e.g. ``"100,000,000 × h100"`` or ``"50,000 × h100 + 20,000 × b200"``."""
    parts: list[str] = []
    for model, count in _mapping(fleet).items():
        number = _number(count)
        if number is None:
            amount = str(count)
        elif number.is_integer():
            amount = f"{int(number):,}"
        else:
            amount = _format_sig(number, 4)
        parts.append(f"{amount} × {model}")
    return " + ".join(parts) if parts else "fleet"


def _input_value_text(value: object) -> str:
    """Print an arbitrary input value compactly."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return _format_sig(value, 4)
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


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
        number = _number(value)
        if key == "utilisation" and number is not None and 0.0 <= number <= 1.0:
            text = f"{_format_sig(number * 100.0, 3)}%"
        elif key in ("year", "seed") and isinstance(value, int):
            text = str(value)
        else:
            text = _input_value_text(value)
        items.append((labels[key], text))
    for key, value in inputs.items():
        if key in known or key == "fleet":
            continue
        items.append((_label(str(key)), _input_value_text(value)))
    return items


# --------------------------------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------------------------------


def _e(text: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape(str(text), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Container[int], css: str) -> str:
    """Build an HTML table; every cell is escaped here.

    Parameters
    ----------
    headers : sequence of str
        Column headings (raw text).
    rows : iterable of sequence of str
        Cell texts (raw text).
    numeric : container of int
        Indices of the right-aligned (numeric) columns.
    css : str
        Class of the table.

    Returns
    -------
    str
        The ``<table>`` element.
    """
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body_rows = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{_e(cell)}</th>')
            else:
                cells.append(f"<td{num if i in numeric else ''}>{_e(cell)}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{_e(css)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody></table>'
    )


def _error_arrays(triples: Sequence[Triple], divisor: float) -> tuple[list[float], list[float]]:
    """Asymmetric error-bar lengths (P90 − P50, P50 − P10), clipped at zero, divided by ``divisor``."""
    plus: list[float] = []
    minus: list[float] = []
    for p10, p50, p90 in triples:
        centre = p50 if p50 is not None else 0.0
        plus.append(max((p90 - centre) / divisor, 0.0) if p90 is not None else 0.0)
        minus.append(max((centre - p10) / divisor, 0.0) if p10 is not None else 0.0)
    return plus, minus


def _figure_html(fig: Any, div_id: str) -> str:
    """Serialise one plotly figure as a ``<div>`` + ``<script>`` snippet, without plotly.js."""
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
    snippet = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=config,
    )
    return str(snippet)


def _hover_lines(label: str, texts: tuple[str, str, str]) -> list[str]:
    """Escaped hover fields: label, P50, P10–P90 range."""
    return [_e(label), _e(texts[1]), _e(f"{texts[0]} – {texts[2]}")]


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
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=panels, column_widths=widths, horizontal_spacing=0.08
    )

    colours = {key: _PALETTE[i % len(_PALETTE)] for i, (key, _, _) in enumerate(capex)}
    column = 1
    if capex:
        divisor, axis_title = _axis_scale((v for _, _, t in capex for v in t if v is not None), "usd")
        triples = [t for _, _, t in capex]
        plus, minus = _error_arrays(triples, divisor)
        fig.add_trace(
            go.Bar(
                x=[_e(label) for _, label, _ in capex],
                y=[(t[1] or 0.0) / divisor for t in triples],
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                marker_color=[colours[key] for key, _, _ in capex],
                customdata=[_hover_lines(label, _format_triple(t, "usd")) for _, label, t in capex],
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
                    name=_e(label),
                    legendgroup=key,
                    marker_color=colours[key],
                    customdata=[_hover_lines(label, _format_triple(triple, "usd"))],
                    hovertemplate=_RANGE_HOVER,
                ),
                row=1,
                col=column,
            )
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=column)
        column += 1
    if opex:
        divisor, axis_title = _axis_scale((v for _, _, t in opex for v in t if v is not None), "usd_per_year")
        triples = [t for _, _, t in opex]
        plus, minus = _error_arrays(triples, divisor)
        fig.add_trace(
            go.Bar(
                x=[_e(label) for _, label, _ in opex],
                y=[(t[1] or 0.0) / divisor for t in triples],
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
                marker_color=_PALETTE[0],
                customdata=[_hover_lines(label, _format_triple(t, "usd_per_year")) for _, label, t in opex],
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
    return _figure_html(fig, _CHART_IDS[0])


def _power_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 2, "Power layers, chip → grid": P50 bars with P10–P90 error bars, in layer order.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no power layer is present.
    """
    layers: list[tuple[str, Triple]] = []
    for key, label in _POWER_LAYERS:
        triple = _triple(result.get(key))
        if triple is not None and triple[1] is not None:
            layers.append((label, triple))
    if not layers:
        return None

    import plotly.graph_objects as go

    average = _triple(result.get("average_facility_power_gw"))
    values = [v for _, t in layers for v in t if v is not None]
    if average is not None and average[1] is not None:
        values.append(average[1])
    divisor, axis_title = _axis_scale(values, "power_gw")
    triples = [t for _, t in layers]
    plus, minus = _error_arrays(triples, divisor)
    fig = go.Figure(
        go.Bar(
            x=[label for label, _ in layers],
            y=[(t[1] or 0.0) / divisor for t in triples],
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
            marker_color=[_PALETTE[i % len(_PALETTE)] for i in range(len(layers))],
            text=[_format_value(t[1], "power_gw") for t in triples],
            textposition="inside",
            insidetextanchor="start",
            customdata=[_hover_lines(label, _format_triple(t, "power_gw")) for label, t in layers],
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
            annotation_text=f"Average facility draw (P50) {_format_value(average[1], 'power_gw')}",
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
    return _figure_html(fig, _CHART_IDS[1])


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


def _text(entry: Mapping[str, Any], key: str) -> str:
    """``entry[key]`` as text; empty when missing or ``None``."""
    value = entry.get(key)
    return "" if value is None else str(value)


def _comparisons(result: Mapping[str, Any]) -> list[_Comparison]:
    """Read ``result["comparisons"]``, skipping entries that are not mappings."""
    items: list[_Comparison] = []
    for raw in _sequence(result.get("comparisons")):
        if not isinstance(raw, Mapping):
            continue

        items.append(
            _Comparison(
                name=_text(raw, "name") or "baseline",
                definition=_text(raw, "definition"),
                metric=_text(raw, "metric"),
                unit=_text(raw, "unit"),
                source=_text(raw, "source"),
                value=_number(raw.get("value")),
                ratio=(
                    _number(raw.get("ratio_p10")),
                    _number(raw.get("ratio")),
                    _number(raw.get("ratio_p90")),
                ),
            )
        )
    return items


def _baseline_text(item: _Comparison) -> str:
    """Baseline value and unit, e.g. ``"310 TWh/yr"``."""
    if item.value is None:
        return item.unit or _DASH
    number = _format_value(item.value, "count", 4) if abs(item.value) >= 1e6 else _format_sig(item.value, 4)
    return f"{number} {item.unit}".strip()


def _ratio_text(ratio: Triple) -> str:
    """Ratio with its range, e.g. ``"2.1× (1.9–2.4)"``."""
    middle = _format_value(ratio[1], "ratio")
    if ratio[0] is None and ratio[2] is None:
        return middle
    low = _format_value(ratio[0], "ratio").rstrip("×")
    high = _format_value(ratio[2], "ratio").rstrip("×")
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
        labels.append(_e(item.name if count == 1 else f"{item.name} ({count})"))
    plus, minus = _error_arrays([item.ratio for item in plotted], 1.0)
    fig = go.Figure(
        go.Scatter(
            x=[item.ratio[1] for item in plotted],
            y=labels,
            mode="markers",
            marker={"size": 11, "color": _PALETTE[0]},
            error_x={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
            customdata=[
                [
                    _e(item.definition or item.name),
                    _e(_baseline_text(item)),
                    _e(_ratio_text(item.ratio)),
                    _e(_METRIC_LABELS.get(item.metric, _label(item.metric) if item.metric else _DASH)),
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
        xaxis={
            "type": "log" if log_x else "linear",
            "title": {"text": "Fleet ÷ baseline [×] (dotted line: parity)"},
        },
        yaxis={"autorange": "reversed", "automargin": True},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"},
    )
    return _figure_html(fig, _CHART_IDS[2])


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 1.5rem 1.25rem 3rem; color: #1d2430;
       line-height: 1.45; background: #ffffff; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #d8dee8; padding-bottom: .25rem; }
.subtitle { color: #4a5568; margin: 0 0 .8rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .94rem; }
th, td { padding: .32rem .7rem; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
thead th { background: #f4f6fa; border-bottom: 2px solid #cbd5e1; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { font-weight: 600; }
.inputs th { font-weight: 600; color: #4a5568; }
.caption, .muted { color: #5a6475; font-size: .88rem; }
.chart { margin: .5rem 0 1rem; }
details { margin: .3rem 0 1rem; }
summary { cursor: pointer; color: #2b4c7e; }
.noscript { background: #fff7e0; border: 1px solid #f0d890; padding: .5rem .8rem; }
footer { margin-top: 2.5rem; color: #5a6475; font-size: .85rem; }
"""


def _title_section(result: Mapping[str, Any]) -> str:
    """Title with the fleet and an inputs summary."""
    inputs = _mapping(result.get("inputs"))
    fleet = _fleet_text(inputs.get("fleet"))
    items = _inputs_items(inputs)
    summary = " · ".join(f"{label}: {text}" for label, text in items)
    parts = [
        '<header id="title">',
        f"<h1>Fleet estimate: {_e(fleet)}</h1>",
        f'<p class="subtitle">{_e(summary)}</p>' if summary else "",
    ]
    if items:
        rows = "".join(
            f'<tr><th scope="row">{_e(label)}</th><td>{_e(text)}</td></tr>' for label, text in items
        )
        parts.append(
            f'<details><summary>Inputs</summary><table class="inputs"><tbody>'
            f'<tr><th scope="row">Fleet</th><td>{_e(fleet)}</td></tr>{rows}</tbody></table></details>'
        )
    parts.append("</header>")
    return "".join(parts)


def _key_figures_section(result: Mapping[str, Any]) -> str:
    """Key-figures table: P10/P50/P90 of the headline quantities."""
    rows = [(label, *_format_triple(triple, kind)) for label, triple, kind in _key_figure_rows(result)]
    inputs = _mapping(result.get("inputs"))
    samples = _number(inputs.get("samples"))
    caption = "P10, P50 and P90 are the 10th, 50th (median) and 90th percentiles of the estimate"
    if samples is not None:
        caption += f" over {_format_sig(samples, 6)} Monte Carlo samples"
    caption += "."
    body = (
        _table(("Quantity", "P10", "P50", "P90"), rows, numeric=(1, 2, 3), css="key-figures")
        if rows
        else '<p class="muted">No headline quantities in this result.</p>'
    )
    return (
        f'<section id="key-figures"><h2>Key figures</h2>{body}<p class="caption">{_e(caption)}</p></section>'
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
        rows = [(label, *_format_triple(triple, kind)) for _, label, triple in items]
        blocks.append(
            f"<h3>{_e(title)}</h3>" + _table(("Component", "P10", "P50", "P90"), rows, (1, 2, 3), "breakdown")
        )
    if not blocks:
        return ""
    return "<details><summary>Cost tables</summary>" + "".join(blocks) + "</details>"


def _chart_section(section_id: str, title: str, chart: str | None, extra: str = "") -> str:
    """A section holding one chart (or a note that there is nothing to draw)."""
    body = f'<div class="chart">{chart}</div>' if chart else '<p class="muted">No data for this chart.</p>'
    return f'<section id="{_e(section_id)}"><h2>{_e(title)}</h2>{body}{extra}</section>'


def _comparisons_table(items: Sequence[_Comparison]) -> str:
    """Comparisons as a static table."""
    if not items:
        return '<p class="muted">No comparisons in this result.</p>'
    rows = [
        (
            item.name,
            item.definition or _DASH,
            _METRIC_LABELS.get(item.metric, _label(item.metric) if item.metric else _DASH),
            _baseline_text(item),
            _ratio_text(item.ratio),
            item.source or _DASH,
        )
        for item in items
    ]
    headers = ("Name", "Definition", "Compared on", "Baseline", "Fleet ÷ baseline (P50, P10–P90)", "Source")
    return _table(headers, rows, numeric=(3, 4), css="comparisons")


def _claims_section(result: Mapping[str, Any]) -> str:
    """Claim check (present when the run checked published figures): table plus one verdict per claim."""
    claims = [c for c in _sequence(result.get("claims")) if isinstance(c, Mapping)]
    if not claims:
        return ""
    rows = []
    for claim in claims:
        name = str(claim.get("claim", ""))
        if name == "share_of":
            name = f"share of {claim.get('baseline', '')}"
        unit = str(claim.get("unit", ""))
        kind = {"USD": "usd", "GW": "power_gw", "TWh/yr": "energy_twh"}.get(unit, "number")
        claimed = _number(claim.get("claimed"))
        corrected = _triple(claim.get("corrected"))
        percentile = _number(claim.get("percentile"))
        factor = _number(claim.get("factor"))
        p10, p50, p90 = _format_triple(corrected, kind) if corrected else ("—", "—", "—")
        rows.append((
            name,
            _format_value(claimed, kind),
            f"{percentile:.1f}" if percentile is not None else "—",
            p50,
            f"{p10} – {p90}",
            f"{factor:.2f}×" if factor is not None else "—",
        ))
    headers = ("Claim", "Claimed", "Percentile in model", "Model P50", "Model P10–P90", "Model ÷ claim")
    verdicts = "".join(f"<li>{_e(c.get('verdict', ''))}</li>" for c in claims if c.get("verdict"))
    return (
        '<section id="claims"><h2>Claim check</h2>'
        + _table(headers, rows, numeric=(1, 2, 3, 4, 5), css="claims")
        + (f"<ul>{verdicts}</ul>" if verdicts else "")
        + "</section>"
    )


def _notes_section(result: Mapping[str, Any]) -> str:
    """Notes as a list."""
    notes = [str(note) for note in _sequence(result.get("notes")) if note is not None and str(note).strip()]
    if not notes:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in notes)
    return f'<section id="notes"><h2>Notes</h2><ul>{items}</ul></section>'


def render_estimate_html(result: dict[str, Any]) -> str:
    """Render an estimate as a complete, self-contained HTML document.

    plotly.js is embedded inline exactly once; the page references no external
    script, stylesheet or font, so it works offline. All text taken from
    ``result`` is HTML-escaped. Tables are plain HTML and readable without
    JavaScript.

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet estimate --json``. Quantities are
        ``{"p10": float, "p50": float, "p90": float}`` in the units named by their
        keys (e.g. ``facility_power_gw`` [GW], ``energy_twh_per_year`` [TWh/yr],
        ``capex_usd`` [USD], ``co2_mt_per_year`` [Mt CO2/yr], ``peak_flops`` [FLOP/s]).
        Every key is optional; missing or malformed entries are skipped.

    Returns
    -------
    str
        The HTML document [UTF-8 text], a few MB (mostly plotly.js).
    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    inputs = _mapping(data.get("inputs"))
    fleet = _fleet_text(inputs.get("fleet"))
    comparisons = _comparisons(data)

    cost = _chart_section("cost-stack", "Cost stack", _cost_chart(data), _breakdown_tables(data))
    power = _chart_section("power-layers", "Power layers, chip → grid", _power_chart(data))
    compare = _chart_section(
        "comparisons",
        "Comparisons",
        _comparison_chart(comparisons),
        '<h3 id="comparisons-table">Comparison baselines</h3>' + _comparisons_table(comparisons),
    )
    return _html_document(
        title=f"gigafleet estimate: {fleet}",
        css=_CSS,
        head_section=_title_section(data),
        noscript=('Charts need JavaScript; every figure is also in the '
            "tables on this page."),
        sections=(
        _key_figures_section(data),
        _claims_section(data),
        cost,
        power,
        compare,
        _notes_section(data),
        ),
        source="an estimate",
        schema=data.get("schema_version"),
    )


def _html_document(*, title: str, css: str, head_section: str, noscript: str, sections: Sequence[str],
                   source: str, schema: object) -> str:
    """The self-contained page every report shares: head with inline plotly.js, body, footer.

    Parameters
    ----------
    title : str
        Text of ``<title>`` (escaped here).
    css : str
        Style sheet of the report.
    head_section : str
        The title section (first in the body).
    noscript : str
        What the ``<noscript>`` note says is also available without JavaScript.
    sections : sequence of str
        The rest of the body, in order.
    source : str
        What the page was generated from, e.g. ``"an estimate"`` (for the footer).
    schema : object
        The result's schema version, or ``None``.
    """
    from plotly.offline import get_plotlyjs

    footer = (
        "<footer>Generated by gigafleet"
        + (f" from {source} with schema version {_e(schema)}" if schema is not None else "")
        + ". Self-contained page: no network access needed.</footer>"
    )
    return "\n".join(
        (
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="gigafleet">',
            f"<title>{_e(title)}</title>",
            f"<style>{css}</style>",
            "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>",
            f'<script type="text/javascript">{get_plotlyjs()!s}</script>',
            "</head>",
            "<body>",
            head_section,
            f'<noscript><p class="noscript">{noscript}</p></noscript>',
            *sections,
            footer,
            "</body>",
            "</html>",
            "",
        )
    )


def write_estimate_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Render an estimate and write it atomically to ``path``.

    The document is written to a temporary file in the destination folder, flushed
    to disk, then moved over ``path`` with ``os.replace``; readers never see a partial
    file and no temporary file is left behind, even on error. Missing parent folders
    are created.

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet estimate --json`` (see ``render_estimate_html``).
    path : str or os.PathLike of str
        Destination of the HTML file.

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.
    """
    target = pathlib.Path(path)
    _write_atomically(render_estimate_html(result), target)
    return target


def _write_atomically(document: str, target: pathlib.Path) -> None:
    """Write ``document`` to ``target`` through a temporary file in the same folder and ``os.replace``.

    Parameters
    ----------
    document : str
        Text to write [UTF-8].
    target : pathlib.Path
        Destination; missing parent folders are created. An existing file keeps its permissions.
    """
    from gigafleet.safeio import write_atomic

    write_atomic(target, document)

"""Self-contained HTML report for a parameter sweep (Monte Carlo, Sobol or Morris design).

The report renders the dictionary printed by ``gigafleet report SWEEP_ID --json`` as a single
HTML document that works offline: plotly.js is embedded inline exactly once, and there are no
references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the sweep (``Sweep NAME (ID): completed/runs runs``);
2. outputs table (P10/P50/P90 of every scalar output, human formatted);
3. chart "Sensitivity (tornado)": horizontal bars sorted by importance, titled with the
   analysed output: Sobol total-order index ST with the first-order index S1 overlaid, or
   Morris μ*, each with its confidence interval as error bars;
4. section "By axis": chart "chart-by-axis", one small-multiple panel per swept parameter (x: the grid
   value, or the midpoint of an equal-count bin of a sampled parameter; y: P50 of the analysed output
   with P10–P90 error bars, one y axis shared by the panels, log when the values span more than two
   decades), and a table of the same rows (bin, runs, runs not ok, runs without a value, P10/P50/P90);
5. chart "Fan chart by year": one panel per by-year series, P50 line with a P10–P90 band
   (log y axis when the values span more than two decades);
6. sensitivity table and the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so the page
stays readable without JavaScript.
The page, chart and number helpers are shared by every report (``gigafleet.reports``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.formatting import DASH, Triple, axis_scale, format_sig, format_value
from gigafleet.reports.document import Page, chart_section, escape, html_table
from gigafleet.reports.figures import FONT, PALETTE, count_scale, error_arrays, figure_html, rgba
from gigafleet.reports.styles import CSS
from gigafleet.reports.values import as_mapping, as_number, as_sequence, as_triple

__all__ = ["render_sweep_html", "write_sweep_report"]

# Div ids of the charts (stable, so the output is deterministic).
_CHART_IDS = ("chart-sensitivity", "chart-fan", "chart-by-axis")


#: Most parameters drawn in the tornado chart (the table lists them all).
_MAX_TORNADO = 30

# (key, label, kind): well-known scalar outputs, in table order; other outputs follow.
_OUTPUTS: tuple[tuple[str, str, str], ...] = (
    ("cost_usd", "Cost", "usd"),
    ("capex_total_usd", "Capex, total", "usd"),
    ("h100e_final", "H100-equivalents, final year", "count"),
    ("effective_h100e_final", "Effective H100-equivalents, final year", "count"),
    ("facility_power_gw_final", "Facility power, final year", "power_gw"),
    ("shortfall_final", "Shortfall, final year", "count"),
    ("year_final_target_met", "Year the final target is met", "year"),
    ("turbine_supply_usd_per_gw_max", "Turbine supply shadow price, largest [USD per GW]", "usd"),
    ("engine_supply_usd_per_gw_max", "Engine supply shadow price, largest [USD per GW]", "usd"),
    ("onsite_gas_gw_final", "On-site gas capacity, final year", "power_gw"),
    ("idle_capital_usd", "Idle capital of hardware waiting for power", "usd"),
    ("status_ok", "Share of runs solved", "number"),
)

# (key, label, kind, axis title): well-known by-year series, in display order; others follow.
_SERIES: tuple[tuple[str, str, str, str], ...] = (
    ("h100e_by_year", "H100-equivalents", "count", "H100e"),
    ("effective_h100e_by_year", "Effective H100-equivalents", "count", "Effective H100e"),
    ("facility_power_gw_by_year", "Facility power", "power_gw", "Facility power [GW]"),
)

_SWEEP_CSS = (
    CSS
    + """
.sensitivity td, .outputs td, .by-axis td { white-space: nowrap; }
code { font-size: .9em; }
"""
)

_PAGE = Page(
    _SWEEP_CSS,
    "a sweep summary",
    "Charts need JavaScript; the outputs and the sensitivity indices are also in the tables on this page.",
)


# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _label(key: str) -> str:
    """Turn a snake_case key into a readable label (``"cost_usd"`` → ``"Cost usd"``)."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "?"


def _kind_of(key: str) -> str:
    """Formatting kind (see ``gigafleet.reports.format.format_value``) of an output or series, guessed from its key."""
    for name, _, kind in _OUTPUTS:
        if name == key:
            return kind
    for name, _, kind, _ in _SERIES:
        if name == key:
            return kind
    if "_usd" in key:
        return "usd"
    if "_gw" in key:
        return "power_gw"
    if "twh" in key:
        return "energy_twh"
    if key.startswith("year") or key.endswith("_year"):
        return "year"
    if "h100e" in key or "accelerators" in key:
        return "count"
    return "number"


def _output_label(key: str) -> str:
    """Display name of a scalar output (raw text)."""
    for name, label, _ in _OUTPUTS:
        if name == key:
            return label
    return _label(key)


def _value_text(value: float | None, kind: str) -> str:
    """Print one value of a given kind; years print without separators (``2031``), a dash when unknown.

    Parameters
    ----------
    value : float or None
        The value [unit of ``kind``: USD, GW, H100e, calendar year, …].
    kind : str
        Formatting kind, or ``"year"``.
    """
    if value is None:
        return DASH
    if kind == "year":
        return str(round(value)) if abs(value - round(value)) < 1e-9 else format_sig(value, 5).replace(",", "")
    return format_value(value, kind)


def _outputs(result: Mapping[str, Any]) -> list[tuple[str, str, Triple, str]]:
    """Scalar outputs: ``(key, label, triple, kind)``, well-known ones first, then the others in given order."""
    given = as_mapping(result.get("outputs"))
    known = [name for name, _, _ in _OUTPUTS]
    order = [name for name in known if name in given] + [str(k) for k in given if str(k) not in known]
    rows: list[tuple[str, str, Triple, str]] = []
    for key in order:
        triple = as_triple(given.get(key))
        rows.append((key, _output_label(key), triple or (None, None, None), _kind_of(key)))
    return rows


@dataclass(frozen=True)
class _Series:
    """One by-year series of the sweep.

    Attributes
    ----------
    key, label, axis_title : str
        Key in ``result["series"]``, display name and y-axis title (raw text).
    kind : str
        Formatting kind of the values.
    years : list of int
        Calendar years [yr].
    p10, p50, p90 : list of (float or None)
        Percentiles over the runs in each year [unit of ``kind``].
    """

    key: str
    label: str
    axis_title: str
    kind: str
    years: list[int]
    p10: list[float | None]
    p50: list[float | None]
    p90: list[float | None]


def _read_series(key: str, value: object) -> _Series | None:
    """Read one entry of ``result["series"]``; ``None`` when no year has a P50."""
    data = as_mapping(value)
    years_raw = as_sequence(data.get("years"))
    columns = {p: as_sequence(data.get(p)) for p in ("p10", "p50", "p90")}
    points: list[tuple[int, float | None, float | None, float | None]] = []
    for i, raw_year in enumerate(years_raw):
        year = as_number(raw_year)
        if year is None:
            continue
        p10, p50, p90 = (as_number(columns[p][i]) if i < len(columns[p]) else None for p in ("p10", "p50", "p90"))
        points.append((int(year), p10, p50, p90))
    points.sort(key=lambda point: point[0])
    if not any(point[2] is not None for point in points):
        return None
    label, axis_title = _label(key.removesuffix("_by_year")), _label(key.removesuffix("_by_year"))
    for name, known_label, _, known_axis in _SERIES:
        if name == key:
            label, axis_title = known_label, known_axis
    return _Series(
        key=key,
        label=label,
        axis_title=axis_title,
        kind=_kind_of(key),
        years=[point[0] for point in points],
        p10=[point[1] for point in points],
        p50=[point[2] for point in points],
        p90=[point[3] for point in points],
    )


def _all_series(result: Mapping[str, Any]) -> list[_Series]:
    """By-year series with data: well-known ones first, then the others in given order."""
    given = as_mapping(result.get("series"))
    known = [name for name, *_ in _SERIES]
    order = [name for name in known if name in given] + [str(k) for k in given if str(k) not in known]
    items = [_read_series(key, given.get(key)) for key in order]
    return [item for item in items if item is not None]


@dataclass(frozen=True)
class _Parameter:
    """Sensitivity of the analysed output to one parameter.

    Attributes
    ----------
    name : str
        Dotted parameter path (raw text).
    s1, s1_conf, st, st_conf : float or None
        Sobol first- and total-order indices and their confidence half-widths [1].
    mu_star, mu_star_conf, sigma : float or None
        Morris mean absolute elementary effect, its confidence half-width, and the standard
        deviation of the effects [unit of the output].
    """

    name: str
    s1: float | None = None
    s1_conf: float | None = None
    st: float | None = None
    st_conf: float | None = None
    mu_star: float | None = None
    mu_star_conf: float | None = None
    sigma: float | None = None

    def importance(self, method: str) -> float:
        """Sort key: ST (else S1) for Sobol, μ* for Morris; unknown sorts last."""
        value = (self.st if self.st is not None else self.s1) if method == "sobol" else self.mu_star
        return value if value is not None else float("-inf")


def _sensitivity(result: Mapping[str, Any]) -> tuple[str | None, str | None, list[_Parameter]]:
    """Read ``result["sensitivity"]``.

    Returns
    -------
    tuple of (str or None, str or None, list of _Parameter)
        The analysed output, the method (``"sobol"`` or ``"morris"``; guessed from the
        parameters' keys when not given) and the parameters sorted by decreasing importance.
    """
    data = as_mapping(result.get("sensitivity"))
    output = data.get("output")
    output_key = str(output) if output is not None and str(output).strip() else None
    entries = [entry for entry in as_sequence(data.get("parameters")) if isinstance(entry, Mapping)]
    method_raw = data.get("method")
    method = str(method_raw).strip().lower() if isinstance(method_raw, str) and method_raw.strip() else None
    if method not in ("sobol", "morris"):
        if any("ST" in entry or "S1" in entry for entry in entries):
            method = "sobol"
        elif any("mu_star" in entry for entry in entries):
            method = "morris"
        else:
            method = None
    if method is None:
        return output_key, None, []
    params = [
        _Parameter(
            name=str(entry.get("name", "")) or "?",
            s1=as_number(entry.get("S1")),
            s1_conf=as_number(entry.get("S1_conf")),
            st=as_number(entry.get("ST")),
            st_conf=as_number(entry.get("ST_conf")),
            mu_star=as_number(entry.get("mu_star")),
            mu_star_conf=as_number(entry.get("mu_star_conf")),
            sigma=as_number(entry.get("sigma")),
        )
        for entry in entries
    ]
    # Stable sort: ties keep the given order.
    params.sort(key=lambda p: -p.importance(method))
    return output_key, method, params


def _index_text(value: float | None) -> str:
    """A Sobol index [1] with three decimals; a dash when unknown."""
    return DASH if value is None else f"{value:.3f}"


@dataclass(frozen=True)
class _AxisBin:
    """One bin of one swept parameter, for the analysed output (a row of ``result["by_axis"]``).

    Attributes
    ----------
    binning : str
        ``"value"`` (a grid value or a level of a sampled parameter) or ``"quantile"`` (an equal-count bin).
    low, high : float or None
        Smallest and largest value of the parameter in the bin [unit of the parameter].
    value : object
        The value of a ``"value"`` bin as given (a number, text, ...); ``None`` for a quantile bin.
    runs, not_ok, missing : int or None
        Stored runs in the bin, those whose status is not ok, and those without a value of the output [runs].
    p10, p50, p90 : float or None
        Percentiles of the output over the bin's runs [unit of the output].
    """

    binning: str
    low: float | None
    high: float | None
    value: object
    runs: int | None
    not_ok: int | None
    missing: int | None
    p10: float | None
    p50: float | None
    p90: float | None

    def x(self) -> float | str | None:
        """Where the bin is drawn: its number, the midpoint of its range, or its value as text."""
        if self.binning == "quantile":
            if self.low is not None and self.high is not None:
                return (self.low + self.high) / 2.0
            return self.low if self.low is not None else self.high
        number = as_number(self.value)
        if number is not None:
            return number
        return None if self.value is None else str(self.value)


def _count(value: object) -> int | None:
    number = as_number(value)
    return int(number) if number is not None and number >= 0 else None


def _axis_output(result: Mapping[str, Any], output: str | None) -> str | None:
    """The output the "By axis" section draws: the analysed one when it has rows, else the first with rows."""
    outputs = [str(row.get("output")) for row in as_sequence(result.get("by_axis")) if isinstance(row, Mapping)]
    if output is not None and output in outputs:
        return output
    return outputs[0] if outputs else None


def _axis_bins(result: Mapping[str, Any], output: str | None) -> list[tuple[str, list[_AxisBin]]]:
    """``result["by_axis"]`` rows of ``output``, by parameter (in given order), bins in the order of ``bin``."""
    grouped: dict[str, list[tuple[float, _AxisBin]]] = {}
    for position, row in enumerate(as_sequence(result.get("by_axis"))):
        if not isinstance(row, Mapping) or output is None or str(row.get("output")) != output:
            continue
        parameter = str(row.get("parameter") or "?")
        index = as_number(row.get("bin"))
        binning = "quantile" if row.get("binning") == "quantile" else "value"
        grouped.setdefault(parameter, []).append(
            (
                index if index is not None else float(position),
                _AxisBin(
                    binning=binning,
                    low=as_number(row.get("low")),
                    high=as_number(row.get("high")),
                    value=row.get("value"),
                    runs=_count(row.get("runs")),
                    not_ok=_count(row.get("not_ok")),
                    missing=_count(row.get("missing")),
                    p10=as_number(row.get("p10")),
                    p50=as_number(row.get("p50")),
                    p90=as_number(row.get("p90")),
                ),
            )
        )
    return [(name, [b for _, b in sorted(bins, key=lambda item: item[0])]) for name, bins in grouped.items()]


def _parameter_kind(path: str) -> str:
    """Formatting kind of a swept parameter from its unit suffix (``unit_price_usd``: USD); else a plain number."""
    names = [part for part in path.split(".") if not part.isdigit()]
    name = names[-1] if names else path
    if name.endswith("_usd"):
        return "usd"
    if name.endswith("_gw"):
        return "power_gw"
    return "number"


def _bin_text(parameter: str, item: _AxisBin) -> str:
    """The bin as text: its value, or its range ``low – high`` (raw text)."""
    kind = _parameter_kind(parameter)
    if item.binning == "quantile":
        return f"{_value_text(item.low, kind)} – {_value_text(item.high, kind)}"
    number = as_number(item.value)
    if number is not None:  # a grid value as given (1,008,000, not 1.01 million)
        return format_sig(number, 6) if kind == "number" else format_value(number, kind, 4)
    return DASH if item.value is None else str(item.value)


def _y_scale(kind: str, values: Sequence[float]) -> tuple[float, str]:
    """Divisor for the plotted values [unit of ``kind`` per axis unit] and the axis unit (``"US$ billion"``)."""
    if kind in ("usd", "usd_per_year"):
        return axis_scale(values, kind)
    if kind == "power_gw":
        divisor, title = axis_scale(values, kind)
        return divisor, title.split("[", 1)[-1].rstrip("]")
    if kind == "count":
        divisor, suffix = count_scale(values)
        return divisor, suffix.strip(" []")
    return 1.0, ""


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _unique_labels(names: Sequence[str]) -> list[str]:
    """Escaped category labels, numbering repeated names so each gets its own bar."""
    seen: dict[str, int] = {}
    labels: list[str] = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        labels.append(escape(name if count == 1 else f"{name} ({count})"))
    return labels


def _errors(values: Sequence[float | None]) -> list[float]:
    """Symmetric error-bar lengths (confidence half-widths), unknown or negative ones as zero."""
    return [max(value, 0.0) if value is not None else 0.0 for value in values]


def _tornado_chart(output: str | None, method: str | None, params: Sequence[_Parameter]) -> str | None:
    """Chart 1, "Sensitivity (tornado)": horizontal bars, most important parameter on top.

    Sobol: total-order index ST (wide, light bars) with the first-order index S1 overlaid
    (narrow, dark bars), both with their confidence intervals as error bars [1]. Morris: μ*
    with its confidence interval [unit of the output].

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no parameter has an index.
    """
    if method == "sobol":
        shown = [p for p in params if p.st is not None or p.s1 is not None][:_MAX_TORNADO]
    elif method == "morris":
        shown = [p for p in params if p.mu_star is not None][:_MAX_TORNADO]
    else:
        shown = []
    if not shown:
        return None

    import plotly.graph_objects as go

    labels = _unique_labels([p.name for p in shown])
    output_label = _output_label(output) if output else "the output"
    traces: list[Any] = []
    if method == "sobol":
        x_title = "Sobol index [1] (share of the output's variance)"
        traces.append(
            go.Bar(
                x=[p.st for p in shown],
                y=labels,
                orientation="h",
                name="ST (total order)",
                width=0.8,
                marker={"color": PALETTE[0], "opacity": 0.45},
                error_x={"type": "data", "array": _errors([p.st_conf for p in shown]), "color": PALETTE[0]},
                customdata=[[escape(p.name), _index_text(p.st), _index_text(p.st_conf)] for p in shown],
                hovertemplate="<b>%{customdata[0]}</b><br>ST: %{customdata[1]} ± %{customdata[2]}<extra></extra>",
            )
        )
        traces.append(
            go.Bar(
                x=[p.s1 for p in shown],
                y=labels,
                orientation="h",
                name="S1 (first order)",
                width=0.4,
                marker={"color": PALETTE[1]},
                error_x={"type": "data", "array": _errors([p.s1_conf for p in shown]), "color": "#8a4b00"},
                customdata=[[escape(p.name), _index_text(p.s1), _index_text(p.s1_conf)] for p in shown],
                hovertemplate="<b>%{customdata[0]}</b><br>S1: %{customdata[1]} ± %{customdata[2]}<extra></extra>",
            )
        )
    else:
        kind = _kind_of(output) if output else "number"
        x_title = f"Morris μ* (mean absolute elementary effect on {output_label})"
        traces.append(
            go.Bar(
                x=[p.mu_star for p in shown],
                y=labels,
                orientation="h",
                name="μ*",
                marker={"color": PALETTE[0]},
                error_x={"type": "data", "array": _errors([p.mu_star_conf for p in shown]), "color": "#2b4c7e"},
                customdata=[
                    [
                        escape(p.name),
                        escape(_value_text(p.mu_star, kind)),
                        escape(_value_text(p.mu_star_conf, kind)),
                        escape(_value_text(p.sigma, kind)),
                    ]
                    for p in shown
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>μ*: %{customdata[1]} ± %{customdata[2]}"
                    "<br>σ: %{customdata[3]}<extra></extra>"
                ),
                showlegend=False,
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        template="plotly_white",
        title={"text": escape(f"Sensitivity of {output_label} ({method.title() if method else ''})")},
        barmode="overlay",
        height=max(320, 140 + 34 * len(shown)),
        margin={"l": 60, "r": 30, "t": 70, "b": 60},
        xaxis={"title": {"text": escape(x_title)}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        font=FONT,
    )
    return figure_html(fig, _CHART_IDS[0])


def _log_axis(series: _Series) -> bool:
    """Whether a series' values span more than two decades (and are all positive)."""
    values = [v for column in (series.p10, series.p50, series.p90) for v in column if v is not None]
    if not values or min(values) <= 0:
        return False
    return max(values) / min(values) > 100.0


def _fan_chart(all_series: Sequence[_Series]) -> str | None:
    """Chart 2, "Fan chart by year": one panel per series, P50 line with its P10–P90 band.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no series has data.
    """
    if not all_series:
        return None

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = len(all_series)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        subplot_titles=[escape(s.label) for s in all_series],
        vertical_spacing=min(0.08, 0.3 / rows),
    )
    for row, series in enumerate(all_series, start=1):
        colour = PALETTE[(row - 1) % len(PALETTE)]
        ranged = [lo is not None and hi is not None for lo, hi in zip(series.p10, series.p90, strict=True)]
        customdata = [
            [
                escape(f"{series.label}, {year}"),
                escape(_value_text(p50, series.kind)),
                escape(f"{_value_text(p10, series.kind)} – {_value_text(p90, series.kind)}"),
            ]
            for year, p10, p50, p90 in zip(series.years, series.p10, series.p50, series.p90, strict=True)
        ]
        if any(ranged):
            fig.add_trace(
                go.Scatter(
                    x=series.years,
                    y=series.p90,
                    mode="lines",
                    line={"width": 0, "color": colour},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=series.key,
                    name=escape(f"{series.label}, P90"),
                ),
                row=row,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=series.years,
                    y=series.p10,
                    mode="lines",
                    line={"width": 0, "color": colour},
                    fill="tonexty",
                    fillcolor=rgba(colour, 0.2),
                    hoverinfo="skip",
                    legendgroup=series.key,
                    name=escape(f"{series.label}, P10–P90"),
                ),
                row=row,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=series.years,
                y=series.p50,
                mode="lines+markers",
                line={"width": 2.2, "color": colour},
                marker={"size": 6, "color": colour},
                legendgroup=series.key,
                name=escape(f"{series.label} (P50)"),
                customdata=customdata,
                hovertemplate="<b>%{customdata[0]}</b><br>P50: %{customdata[1]}<br>P10–P90: %{customdata[2]}"
                "<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(
            title_text=escape(series.axis_title), type="log" if _log_axis(series) else "linear", row=row, col=1
        )
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_xaxes(title_text="Year", row=rows, col=1)
    fig.update_layout(
        template="plotly_white",
        height=120 + 300 * rows,
        margin={"l": 80, "r": 30, "t": 60, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.03, "xanchor": "left", "x": 0.0},
        hovermode="closest",
        font=FONT,
    )
    return figure_html(fig, _CHART_IDS[1])


def _by_axis_chart(output: str | None, panels: Sequence[tuple[str, list[_AxisBin]]]) -> str | None:
    """Chart 3, "By axis": one panel per swept parameter, P50 of ``output`` with P10–P90 error bars per bin.

    The panels share one y axis (log when the values span more than two decades), so the parameter that moves
    the output most shows as the steepest panel.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no bin has a P50.
    """
    drawn = [(name, [b for b in bins if b.p50 is not None and b.x() is not None]) for name, bins in panels]
    drawn = [(name, bins) for name, bins in drawn if bins]
    if output is None or not drawn:
        return None

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    kind = _kind_of(output)
    label = _output_label(output)
    values = [v for _, bins in drawn for b in bins for v in (b.p10, b.p50, b.p90) if v is not None]
    log = min(values) > 0 and max(values) / min(values) > 100.0
    divisor, unit = (1.0, "") if kind == "year" else _y_scale(kind, values)
    cols = 1 if len(drawn) == 1 else 2
    rows = -(-len(drawn) // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes="all",
        subplot_titles=[escape(name) for name, _ in drawn],
        horizontal_spacing=0.08,
        vertical_spacing=min(0.15, 0.45 / rows),
    )
    for number, (name, bins) in enumerate(drawn):
        row, col = number // cols + 1, number % cols + 1
        colour = PALETTE[number % len(PALETTE)]
        categorical = any(isinstance(b.x(), str) for b in bins)
        plus, minus = error_arrays([(b.p10, b.p50, b.p90) for b in bins], divisor)
        customdata = [
            [
                escape(f"{name} = {_bin_text(name, b)}"),
                escape(_value_text(b.p50, kind)),
                escape(f"{_value_text(b.p10, kind)} – {_value_text(b.p90, kind)}"),
                escape(_runs_text(b)),
            ]
            for b in bins
        ]
        fig.add_trace(
            go.Scatter(
                x=[str(b.x()) if categorical else b.x() for b in bins],
                y=[float(b.p50) / divisor for b in bins if b.p50 is not None],
                mode="lines+markers",
                line={"width": 2, "color": colour},
                marker={"size": 7, "color": colour},
                error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": colour},
                name=escape(name),
                showlegend=False,
                customdata=customdata,
                hovertemplate="<b>%{customdata[0]}</b><br>P50: %{customdata[1]}<br>P10–P90: %{customdata[2]}"
                "<br>%{customdata[3]}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        quantile = any(b.binning == "quantile" for b in bins)
        fig.update_xaxes(
            title_text="midpoint of an equal-count bin" if quantile else "swept value",
            type="category" if categorical else "linear",
            row=row,
            col=col,
        )
    title = label.split(" [", 1)[0] + (f" [{unit}]" if unit else "")
    fig.update_yaxes(type="log" if log else "linear")
    fig.update_yaxes(title_text=escape(title), col=1)
    fig.update_layout(
        template="plotly_white",
        title={"text": escape(f"{label} along each swept parameter (P50, P10–P90)")},
        height=140 + 300 * rows,
        margin={"l": 80, "r": 30, "t": 90, "b": 60},
        hovermode="closest",
        font=FONT,
    )
    return figure_html(fig, _CHART_IDS[2])


def _runs_text(item: _AxisBin) -> str:
    """``"8 runs (2 not ok, 1 without a value)"`` (raw text), leaving out what is zero or unknown."""
    if item.runs is None:
        return "runs: " + DASH
    text = f"{item.runs:,} run{'s' if item.runs != 1 else ''}"
    extra = [f"{item.not_ok:,} not ok"] if item.not_ok else []
    extra += [f"{item.missing:,} without a value"] if item.missing else []
    return text + (f" ({', '.join(extra)})" if extra else "")


def _by_axis_section(output: str | None, panels: Sequence[tuple[str, list[_AxisBin]]]) -> str:
    """Section "By axis": the small multiples and a table of the same rows."""
    kind = _kind_of(output) if output else "number"
    label = _output_label(output) if output else "the output"
    rows = [
        (
            name,
            _bin_text(name, b),
            _count_text(b.runs) or DASH,
            _count_text(b.not_ok) or DASH,
            _count_text(b.missing) or DASH,
            *(_value_text(v, kind) for v in (b.p10, b.p50, b.p90)),
        )
        for name, bins in panels
        for b in bins
    ]
    caption = (
        f"Output: {label}. One panel per swept parameter: a grid axis (and a sampled parameter with few distinct"
        " values) has one point per value; a sampled continuous parameter is split into equal-count bins of its"
        " runs, drawn at the bin's midpoint. Points: P50 over the runs in the bin; bars: P10–P90. Each bin pools"
        " the runs over the other swept parameters. Not ok: runs whose status is not ok (a plan in shortfall or"
        " infeasible), kept in the percentiles; no value: runs without this output, left out."
    )
    table = (
        html_table(
            ("Parameter", "Bin", "Runs", "Not ok", "No value", "P10", "P50", "P90"),
            rows,
            numeric=(2, 3, 4, 5, 6, 7),
            css="by-axis",
        )
        if rows
        else ""
    )
    return chart_section(
        "by-axis",
        "By axis" + (f": {label}" if output else ""),
        _by_axis_chart(output, panels),
        (f'<p class="caption">{escape(caption)}</p>' if rows else "") + table,
    )


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _count_text(value: object) -> str | None:
    """A run count as text (``"1,024"``), or ``None`` when not a number."""
    number = as_number(value)
    if number is None:
        return None
    return f"{int(number):,}" if number.is_integer() else format_sig(number, 4)


def _page_title(result: Mapping[str, Any]) -> str:
    """``"Sweep NAME (ID): completed/runs runs"`` (raw text), leaving out what is missing."""
    name = result.get("name")
    sweep_id = result.get("sweep_id")
    name_text = str(name).strip() if name is not None else ""
    id_text = str(sweep_id).strip() if sweep_id is not None else ""
    title = "Sweep"
    if name_text and id_text:
        title += f" {name_text} ({id_text})"
    elif name_text or id_text:
        title += f" {name_text or id_text}"
    completed = _count_text(result.get("completed"))
    runs = _count_text(result.get("runs"))
    if completed is not None and runs is not None:
        title += f": {completed}/{runs} runs"
    elif runs is not None:
        title += f": {runs} runs"
    elif completed is not None:
        title += f": {completed} runs completed"
    return title


def _title_section(result: Mapping[str, Any], method: str | None) -> str:
    """Title and a one-line summary of the design."""
    parts: list[str] = []
    completed = as_number(result.get("completed"))
    runs = as_number(result.get("runs"))
    if completed is not None and runs is not None and completed < runs:
        parts.append(f"Incomplete: {_count_text(runs - completed)} runs still to do")
    if method is not None:
        parts.append(f"Sensitivity by {'Sobol indices' if method == 'sobol' else 'Morris screening'}")
    summary = " · ".join(parts)
    return (
        '<header id="title">'
        f"<h1>{escape(_page_title(result))}</h1>"
        + (f'<p class="subtitle">{escape(summary)}</p>' if summary else "")
        + "</header>"
    )


def _outputs_section(result: Mapping[str, Any]) -> str:
    """Outputs table: P10/P50/P90 of every scalar output over the runs."""
    rows = [(label, *(_value_text(value, kind) for value in triple)) for _, label, triple, kind in _outputs(result)]
    if not rows:
        body = '<p class="muted">No outputs in this result.</p>'
    else:
        body = html_table(("Output", "P10", "P50", "P90"), rows, numeric=(1, 2, 3), css="outputs") + (
            '<p class="caption">P10, P50 and P90: the 10th, 50th (median) and 90th percentiles over the runs.</p>'
        )
    return f'<section id="outputs"><h2>Outputs</h2>{body}</section>'


def _sensitivity_caption(output: str | None, method: str | None) -> str:
    """A caption for chart 1 (escaped HTML); empty without a method."""
    what = _output_label(output) if output else "the output"
    if method == "sobol":
        text = (
            f"Output: {what}. Wide light bars: total-order Sobol index ST (the parameter's share of the variance,"
            " interactions included); narrow dark bars: first-order index S1 (its effect alone). Error bars:"
            " confidence intervals. Sorted by ST."
        )
    elif method == "morris":
        text = (
            f"Output: {what}. Bars: Morris μ*, the mean absolute elementary effect, in the output's unit; error"
            " bars: its confidence interval. Sorted by μ*."
        )
    else:
        return ""
    return f'<p class="caption">{escape(text)}</p>'


def _sensitivity_table(output: str | None, method: str | None, params: Sequence[_Parameter]) -> str:
    """Sensitivity indices as a static table (every parameter, most important first)."""
    if method is None or not params:
        return '<section id="sensitivity-table"><h2>Sensitivity indices</h2><p class="muted">No sensitivity' + (
            " analysis in this result.</p></section>"
        )
    if method == "sobol":
        headers: tuple[str, ...] = ("Parameter", "ST", "ST ± (conf.)", "S1", "S1 ± (conf.)")
        rows: list[tuple[str, ...]] = [
            (p.name, _index_text(p.st), _index_text(p.st_conf), _index_text(p.s1), _index_text(p.s1_conf))
            for p in params
        ]
    else:
        kind = _kind_of(output) if output else "number"
        headers = ("Parameter", "μ*", "μ* ± (conf.)", "σ")
        rows = [
            (p.name, _value_text(p.mu_star, kind), _value_text(p.mu_star_conf, kind), _value_text(p.sigma, kind))
            for p in params
        ]
    what = _output_label(output) if output else "the output"
    caption = f"Sensitivity of {what}, {'Sobol indices' if method == 'sobol' else 'Morris screening'}."
    return (
        '<section id="sensitivity-table"><h2>Sensitivity indices</h2>'
        + html_table(headers, rows, numeric=tuple(range(1, len(headers))), css="sensitivity")
        + f'<p class="caption">{escape(caption)}</p></section>'
    )


def render_sweep_html(result: dict[str, Any]) -> str:
    """Render a sweep summary as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet report SWEEP_ID --json``: ``sweep_id``,
        ``name``, ``runs`` and ``completed`` [runs], ``outputs`` (``{name: {"p10", "p50",
        "p90"}}`` in the unit named by the key, e.g. ``cost_usd`` [USD], ``h100e_final``
        [H100e], ``year_final_target_met`` [calendar year]), ``series`` (``{name: {"years",
        "p10", "p50", "p90"}}``, e.g. ``h100e_by_year`` [H100e], ``facility_power_gw_by_year``
        [GW]), ``sensitivity`` (``output``, ``method`` ``"sobol"`` or ``"morris"``, and
        ``parameters``: ``name`` with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` [1] or
        ``mu_star``, ``mu_star_conf``, ``sigma`` [unit of the output]), ``by_axis`` (rows
        ``{"parameter", "binning", "bin", "low", "high", "value", "runs", "not_ok", "missing",
        "output", "p10", "p50", "p90"}``, see :mod:`gigafleet.uncertainty.sensitivity`) and ``notes``. Every
        key is optional; missing or malformed entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    output, method, params = _sensitivity(data)
    series = _all_series(data)
    axis_output = _axis_output(data, output)
    tornado_title = "Sensitivity (tornado)" + (f": {_output_label(output)}" if output else "")
    fan_caption = (
        '<p class="caption">Line: P50 over the runs in each year; shaded: P10–P90. A panel whose values span more'
        " than two decades uses a log axis.</p>"
        if series
        else ""
    )
    return _PAGE.render(
        f"gigafleet {_page_title(data)}",
        _title_section(data, method),
        (
            _outputs_section(data),
            chart_section(
                "sensitivity",
                tornado_title,
                _tornado_chart(output, method, params),
                _sensitivity_caption(output, method),
            ),
            _by_axis_section(axis_output, _axis_bins(data, axis_output)),
            chart_section("fan", "Fan chart by year", _fan_chart(series), fan_caption),
            _sensitivity_table(output, method, params),
        ),
        data,
    )


def write_sweep_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet report SWEEP_ID --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_sweep_html, result, path)

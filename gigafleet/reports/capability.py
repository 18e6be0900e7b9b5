"""Self-contained HTML report for a training and inference capability estimate.

The report renders the dictionary printed by ``gigafleet capability --json`` as a single
HTML document that works offline: plotly.js is embedded inline exactly once, and there
are no references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the fleet and the run length (e.g. ``Capability: 100,000 × h100, 90-day
   runs``) or the plan (``Capability of plan RUN_ID``), and the inputs;
2. key-figures table (largest training run P10/P50/P90 [FLOP], the binding limit,
   compute-optimal parameters and tokens, inference tokens per day, goodput, job size);
3. chart "Largest training run by year" (P50 with a P10–P90 band on a log axis, each
   marker showing the binding limit, the three limits' P50 as thin dashed lines); with a
   single year, a bar chart of the three limits with the binding one, the largest run,
   highlighted;
4. chart "Inference capacity by year" (decode tokens per day with a P10–P90 band, prefill
   tokens per day as a second line, log axis);
5. chart "Compute-optimal model" (parameters and training tokens by year, log axis);
6. per-year table and the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so the
page stays readable without JavaScript. The formatting and HTML helpers are shared with
the other reports (``gigafleet.reports.estimate``, ``gigafleet.reports.plan``,
``gigafleet.reports.reliability``).
"""

from __future__ import annotations

import math
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gigafleet.formatting import (
    DASH,
    Triple,
    fleet_label,
    format_count,
    format_percent,
    format_sig,
    format_value,
    round_sig,
)
from gigafleet.reports.document import Page, chart_section, escape, html_table, inputs_html
from gigafleet.reports.figures import PALETTE, error_arrays, figure_html, log_ticks, rgba, style
from gigafleet.reports.styles import PLAN_CSS
from gigafleet.reports.values import (
    as_mapping,
    as_number,
    as_sequence,
    as_triple,
    as_year,
    input_items,
    input_value_text,
    number_input_text,
)

__all__ = ["render_capability_html", "write_capability_report"]

# Div ids of the three charts (stable, so the output is deterministic).
_CHART_IDS = ("chart-largest-run", "chart-inference", "chart-compute-optimal")


# (key, label, colour, marker symbol, meaning) of each limit on the largest training run, in display order.
_LIMITS: tuple[tuple[str, str, str, str, str], ...] = (
    ("hardware", "Hardware", PALETTE[0], "circle", "The job's accelerators × effective FLOP/s × run length × goodput."),
    ("data", "Data", PALETTE[1], "square", "A compute-optimal run on all the training tokens available."),
    (
        "latency",
        "Latency",
        PALETTE[2],
        "diamond",
        "The most optimiser steps that fit in the run, at the smallest time per step, times the work per step.",
    ),
)
_LIMIT_KEYS = tuple(key for key, *_ in _LIMITS)
_UNKNOWN_COLOUR = "#7f7f7f"
_RUN_COLOUR = "#1d2430"
_PARAMS_COLOUR = PALETTE[4]
_TOKENS_COLOUR = PALETTE[6]
_PREFILL_COLOUR = PALETTE[3]

# Short scales of counts (parameters, tokens): (scale, suffix), largest first.
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))

_PRECISIONS = {"bf16": "BF16", "fp8": "FP8", "fp4": "FP4"}

# (key of result["inputs"], label), well-known inputs in display order; other keys follow.
_INPUT_LABELS = (
    ("plan_run_id", "Plan run"),
    ("accelerators", "Fleet"),
    ("chip", "Chip"),
    ("days", "Run length"),
    ("precision", "Precision"),
    ("training_share", "Training share of the fleet"),
    ("campus_share", "Largest campus share"),
    ("serve_params", "Served model"),
    ("linked_campuses", "Linked campuses"),
    ("mfu", "MFU"),
    ("samples", "Monte Carlo samples"),
    ("seed", "Seed"),
)

_CAPABILITY_CSS = (
    PLAN_CSS
    + """
.limit-hardware { background: #e4edf6; color: #2b4c7e; border-color: #a9c0dc; }
.limit-data { background: #fdeedd; color: #8a4b00; border-color: #f0b85a; }
.limit-latency { background: #fde2e2; color: #9b1c1c; border-color: #f19a9a; }
.limit-reliability { background: #efe7f7; color: #5b2c83; border-color: #c9b1e0; }
.limit-unknown { background: #eef1f5; color: #3a4656; border-color: #cbd5e1; }
"""
)

_PAGE = Page(
    _CAPABILITY_CSS,
    "a capability result",
    "Charts need JavaScript; the key figures and the figures of every year are also in the tables on this page.",
)

# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


@dataclass
class _Year:
    """One year of the result (or the single fleet when no plan was given).

    Attributes
    ----------
    year : int or None
        Calendar year; ``None`` for a result without a plan.
    accelerators, h100e : float or None
        Fleet in service [accelerators], [H100e].
    job_accelerators : float or None
        Accelerators of the largest training job [accelerators].
    goodput : float or None
        Share of the job's accelerator time spent on useful training [1].
    largest : Triple or None
        Largest training run [FLOP].
    limits : dict of str to Triple
        The run's limit per kind (``hardware``, ``data``, ``latency``) [FLOP].
    binding : str or None
        The limit that caps the largest run.
    params, tokens : Triple or None
        Compute-optimal model size [parameters] and training tokens [tokens].
    decode, prefill : Triple or None
        Inference capacity: generated and prompt tokens per day [tokens/d].
    """

    year: int | None = None
    accelerators: float | None = None
    h100e: float | None = None
    job_accelerators: float | None = None
    goodput: float | None = None
    largest: Triple | None = None
    limits: dict[str, Triple] = field(default_factory=dict)
    binding: str | None = None
    params: Triple | None = None
    tokens: Triple | None = None
    decode: Triple | None = None
    prefill: Triple | None = None

    @property
    def label(self) -> str:
        """The year as text, or ``"This fleet"`` when there is none."""
        return str(self.year) if self.year is not None else "This fleet"


def _limits(value: object) -> dict[str, Triple]:
    """Read ``limits_flop``: ``{limit: Q}``, the well-known limits first [FLOP]."""
    given = {str(key): triple for key, raw in as_mapping(value).items() if (triple := as_triple(raw)) is not None}
    ordered = {key: given[key] for key in _LIMIT_KEYS if key in given}
    ordered.update({key: triple for key, triple in given.items() if key not in ordered})
    return ordered


def _binding(value: object, limits: Mapping[str, Triple]) -> str | None:
    """The binding limit: the given name, else the limit with the smallest P50.

    Parameters
    ----------
    value : object
        ``binding_limit`` as given (a name, or anything else when unknown).
    limits : mapping of str to Triple
        The limits [FLOP].

    Returns
    -------
    str or None
        The limit's name in lower case (raw text), or ``None`` when it cannot be told.
    """
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    known = [(triple[1], key) for key, triple in limits.items() if triple[1] is not None]
    return min(known)[1] if known else None


def _read_year(entry: Mapping[str, Any]) -> _Year:
    """Read one entry of ``result["years"]`` (or the top level of the result)."""
    limits = _limits(entry.get("limits_flop"))
    return _Year(
        year=as_year(entry.get("year")),
        accelerators=as_number(entry.get("accelerators")),
        h100e=as_number(entry.get("h100e")),
        job_accelerators=as_number(entry.get("job_accelerators")),
        goodput=as_number(entry.get("goodput")),
        largest=as_triple(entry.get("largest_run_flop")),
        limits=limits,
        binding=_binding(entry.get("binding_limit"), limits),
        params=as_triple(entry.get("compute_optimal_params")),
        tokens=as_triple(entry.get("compute_optimal_tokens")),
        decode=as_triple(entry.get("inference_tokens_per_day")),
        prefill=as_triple(entry.get("prefill_tokens_per_day")),
    )


def _has_data(row: _Year) -> bool:
    """Whether a year carries any figure worth a table row."""
    values = (row.accelerators, row.h100e, row.largest, row.params, row.tokens, row.decode, row.prefill)
    return any(value is not None for value in values) or bool(row.limits)


def _years(result: Mapping[str, Any]) -> list[_Year]:
    """Per-year rows sorted by year (rows without a year last).

    Without a usable ``years`` list, the top-level figures make a single row without a
    year, so a bare result still draws its charts.
    """
    rows = [_read_year(entry) for entry in as_sequence(result.get("years")) if isinstance(entry, Mapping)]
    rows = [row for row in rows if _has_data(row)]
    if not rows:
        top = _read_year(result)
        top.year = None
        return [top] if _has_data(top) else []
    return sorted(rows, key=lambda row: (row.year is None, row.year or 0))


def _headline(result: Mapping[str, Any], rows: Sequence[_Year]) -> _Year | None:
    """The year the headline figures come from.

    The latest year whose largest-run P50 matches the top-level one; else the year with
    the largest P50; else the last year.
    """
    if not rows:
        return None
    top = as_triple(result.get("largest_run_flop"))
    if top is not None and top[1] is not None:
        for row in reversed(rows):
            if row.largest is not None and row.largest[1] is not None and math.isclose(row.largest[1], top[1]):
                return row
    sized = [(p50, index) for index, row in enumerate(rows) if (p50 := _p50(row.largest)) is not None]
    return rows[max(sized)[1]] if sized else rows[-1]


# --------------------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------------------


def _flop(value: float | None) -> str:
    """An amount of compute in scientific notation, e.g. ``2.1e29`` → ``"2.1e+29 FLOP"``; a dash when unknown.

    Parameters
    ----------
    value : float or None
        Compute [FLOP].
    """
    if value is None:
        return DASH
    if value == 0:
        return "0 FLOP"
    return f"{value:.2g} FLOP"


def _short(value: float | None, digits: int = 3) -> str:
    """A large count on the short scale, e.g. ``1.2e12`` → ``"1.2 T"``, ``7e10`` → ``"70 B"``; a dash when unknown.

    Counts from 10^15 stay in trillions (``"3,400 T"``), so a column reads in one unit; from 10^18 up they
    print in scientific notation (``"3.4e+18"``).

    Parameters
    ----------
    value : float or None
        The count [1], e.g. parameters or tokens.
    digits : int
        Significant figures [1].
    """
    if value is None:
        return DASH
    rounded = round_sig(value, digits)
    magnitude = abs(rounded)
    if magnitude >= 1e18:
        mantissa, exponent = f"{rounded:.{max(digits - 1, 0)}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    for scale, suffix in _SCALES:
        if magnitude >= scale:
            return f"{format_sig(rounded / scale, digits)} {suffix}"
    return format_sig(rounded, digits)


def _per_day(value: float | None) -> str:
    """A rate of tokens, e.g. ``3.4e12`` → ``"3.4 T/day"``; a dash when unknown.

    Parameters
    ----------
    value : float or None
        Tokens per day [tokens/d].
    """
    return DASH if value is None else f"{_short(value)}/day"


def _range(triple: Triple | None, text: Any) -> str:
    """The P10–P90 range of a quantity, e.g. ``"1.1 T – 2.3 T"``; a dash when neither end is known.

    Parameters
    ----------
    triple : Triple or None
        The quantity [its unit].
    text : callable
        Prints one value of the quantity.
    """
    if triple is None or (triple[0] is None and triple[2] is None):
        return DASH
    return f"{text(triple[0])} – {text(triple[2])}"


def _p50(triple: Triple | None) -> float | None:
    """The P50 of a quantity, or ``None`` [its unit]."""
    return None if triple is None else triple[1]


def _limit_label(key: str | None) -> str:
    """A limit's display name (raw text), e.g. ``"data"`` → ``"Data"``; a dash when unknown."""
    if key is None:
        return DASH
    for name, label, *_ in _LIMITS:
        if name == key:
            return label
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else DASH


def _limit_style(key: str | None) -> tuple[str, str]:
    """Marker colour and symbol of a limit (grey crosses for unknown ones)."""
    for name, _, colour, symbol, _ in _LIMITS:
        if name == key:
            return colour, symbol
    return _UNKNOWN_COLOUR, "x"


def _positive(value: float | None) -> float | None:
    """``value`` when it can go on a log axis (positive), else ``None``."""
    return value if value is not None and value > 0 else None


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _x_axis(rows: Sequence[_Year]) -> tuple[list[Any], dict[str, Any]]:
    """X values and axis settings: calendar years when every row has one, else categories.

    Returns
    -------
    tuple of (list, dict)
        One x value per row (a year [yr] or a label) and the ``xaxis`` layout.
    """
    if all(row.year is not None for row in rows):
        return [row.year for row in rows], {"title": {"text": "Year"}, "dtick": 1, "tickformat": "d"}
    return [row.label for row in rows], {"title": {"text": ""}, "type": "category"}


def _count_ticks(values: Sequence[float]) -> dict[str, Any]:
    """Log-axis ticks labelled on the short scale (``"1 T"``, ``"100 B"``) covering ``values`` [1]."""
    low, high = min(values), max(values)
    if high / low > 1000.0:
        ticks = [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]
    else:
        ticks = log_ticks(low, high)
    return {"tickvals": ticks, "ticktext": [_short(tick) for tick in ticks]}


def _log_range(values: Sequence[float], below: float = 0.12, above: float = 0.12) -> list[float]:
    """A log-axis range covering ``values``, padded.

    Parameters
    ----------
    values : sequence of float
        Positive values to show [unit of the axis].
    below, above : float
        Padding under the smallest and over the largest value [decades].

    Returns
    -------
    list of float
        ``[low, high]`` as plotly wants it on a log axis [log10 of the unit of the axis].
    """
    return [math.log10(min(values)) - below, math.log10(max(values)) + above]


def _finish(fig: Any, height: int, y_title: str, xaxis: Mapping[str, Any], **layout: Any) -> None:
    """``figures.style`` with this report's titled axes; ``layout`` (Plotly layout arguments) applied after."""
    style(
        fig,
        height=height,
        margin={"l": 80, "r": 30, "t": 40, "b": 60},
        xaxis=xaxis,
        yaxis={"title": {"text": escape(y_title)}},
    )
    if layout:
        fig.update_layout(**layout)


_HOVER = "<b>%{customdata[0]}</b><br>P50: %{customdata[1]}<br>P10–P90: %{customdata[2]}%{customdata[3]}<extra></extra>"


def _series(
    go: Any,
    xs: Sequence[Any],
    triples: Sequence[Triple | None],
    name: str,
    colour: str,
    text: Any,
    *,
    extra: Sequence[str] | None = None,
    band: bool = True,
) -> list[Any]:
    """Traces of one quantity over the years: its P10–P90 band (or error bars) and its P50 line.

    Parameters
    ----------
    go : module
        ``plotly.graph_objects``.
    xs : sequence
        X value of each year (year [yr] or label).
    triples : sequence of (Triple or None)
        The quantity in each year [its unit]; non-positive values are left out (log axis).
    name : str
        Legend name (raw text).
    colour : str
        Line colour, ``"#rrggbb"``.
    text : callable
        Prints one value of the quantity (for the hover).
    extra : sequence of str, optional
        One more hover line per year (raw text), e.g. the binding limit.
    band : bool
        Draw the P10–P90 range (as a band over two years or more, else as error bars).

    Returns
    -------
    list of plotly traces
        Nothing when no year has a positive P50.
    """
    middles = [_positive(_p50(t)) for t in triples]
    if all(v is None for v in middles):
        return []
    customdata = [
        [
            escape(f"{name}, {x}"),
            escape(text(_p50(t))),
            escape(_range(t, text)),
            "<br>" + escape(extra[i]) if extra and extra[i] else "",
        ]
        for i, (x, t) in enumerate(zip(xs, triples, strict=True))
    ]
    traces: list[Any] = []
    lows = [_positive(t[0]) if t is not None and m is not None else None for t, m in zip(triples, middles, strict=True)]
    highs = [
        _positive(t[2]) if t is not None and m is not None else None for t, m in zip(triples, middles, strict=True)
    ]
    ranged = sum(1 for lo, hi in zip(lows, highs, strict=True) if lo is not None and hi is not None)
    plotted = sum(1 for m in middles if m is not None)
    error_y: dict[str, Any] | None = None
    if band and ranged >= 2 and plotted >= 2:
        traces.append(
            go.Scatter(
                x=list(xs),
                y=highs,
                mode="lines",
                line={"width": 0, "color": colour},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=escape(name),
                name=escape(f"{name}, P90"),
            )
        )
        traces.append(
            go.Scatter(
                x=list(xs),
                y=lows,
                mode="lines",
                line={"width": 0, "color": colour},
                fill="tonexty",
                fillcolor=rgba(colour, 0.16),
                hoverinfo="skip",
                legendgroup=escape(name),
                name=escape(f"{name}, P10–P90"),
            )
        )
    elif band and ranged:
        plus, minus = error_arrays([t if t is not None else (None, None, None) for t in triples], 1.0)
        error_y = {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": colour}
    traces.append(
        go.Scatter(
            x=list(xs),
            y=middles,
            mode="lines+markers",
            name=escape(f"{name} (P50)"),
            legendgroup=escape(name),
            line={"width": 2.2, "color": colour},
            marker={"size": 8, "color": colour},
            customdata=customdata,
            hovertemplate=_HOVER,
            **({"error_y": error_y} if error_y else {}),
        )
    )
    return traces


def _largest_run_bars(row: _Year) -> str | None:
    """Chart 1 for a single year: the three limits as bars, the binding one (the largest run) highlighted.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when neither the limits nor the largest run are known.
    """
    bars = [(key, triple) for key, triple in row.limits.items() if _positive(triple[1]) is not None]
    if not bars and row.largest is not None and _positive(row.largest[1]) is not None:
        bars = [("largest", row.largest)]
    if not bars:
        return None

    import plotly.graph_objects as go

    binding = row.binding if row.binding in row.limits else None
    labels = ["Largest run" if key == "largest" else f"{_limit_label(key)} limit" for key, _ in bars]
    colours: list[str] = []
    outlines: list[float] = []
    for key, _ in bars:
        colour = _RUN_COLOUR if key == "largest" else _limit_style(key)[0]
        chosen = key == "largest" or key == binding
        colours.append(colour if chosen else rgba(colour, 0.35))
        outlines.append(2.5 if chosen else 0.0)
    plus, minus = error_arrays([triple for _, triple in bars], 1.0)
    shown = [v for _, triple in bars for v in triple if v is not None and v > 0]
    fig = go.Figure(
        go.Bar(
            x=[escape(label) for label in labels],
            y=[triple[1] for _, triple in bars],
            marker={"color": colours, "line": {"color": _RUN_COLOUR, "width": outlines}},
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": "#4a5568"},
            customdata=[
                [
                    escape(label + (" (binding: the largest run)" if key == binding else "")),
                    escape(_flop(triple[1])),
                    escape(_range(triple, _flop)),
                    "",
                ]
                for label, (key, triple) in zip(labels, bars, strict=True)
            ],
            hovertemplate=_HOVER,
            name="Limit (P50)",
            showlegend=False,
        )
    )
    largest = _p50(row.largest)
    if largest is None and binding is not None:
        largest = row.limits[binding][1]
    if largest is not None and largest > 0:
        # Shapes take data values on a log axis, annotations the log of them.
        fig.add_shape(
            type="line",
            xref="paper",
            x0=0.0,
            x1=1.0,
            yref="y",
            y0=largest,
            y1=largest,
            line={"dash": "dash", "width": 1.2, "color": _RUN_COLOUR},
        )
        fig.add_annotation(
            xref="paper",
            x=0.0,
            yref="y",
            y=math.log10(largest),
            text=escape(f"Largest run {_flop(largest)}"),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    _finish(
        fig,
        420,
        "Training compute [FLOP] (log scale)",
        {"title": {"text": escape("Limit on the largest run" + (f", {row.year}" if row.year is not None else ""))}},
        yaxis={
            "title": {"text": "Training compute [FLOP] (log scale)"},
            "type": "log",
            "exponentformat": "power",
            # Bars on a log axis grow from the bottom of the range: start a decade under the smallest.
            "range": _log_range(shown, below=1.0, above=0.25),
        },
    )
    return figure_html(fig, _CHART_IDS[0])


def _largest_run_chart(rows: Sequence[_Year]) -> str | None:
    """Chart 1, "Largest training run by year".

    Over two years or more: the largest run's P50 (line and markers) with its P10–P90 band
    on a log axis, each marker's symbol and colour showing the binding limit, and each
    limit's P50 as a thin dashed line. For a single year: ``_largest_run_bars``.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is nothing to draw.
    """
    dated = [row for row in rows if row.year is not None]
    if len(dated) < 2:
        return _largest_run_bars(rows[0]) if rows else None
    largest = [row.largest for row in dated]
    drawn_limits = [key for key in dict.fromkeys(k for row in dated for k in row.limits)]
    has_run = any(_positive(_p50(t)) is not None for t in largest)
    has_limit = any(_positive(row.limits[key][1]) is not None for row in dated for key in row.limits)
    if not has_run and not has_limit:
        return None

    import plotly.graph_objects as go

    xs = [row.year for row in dated]
    fig = go.Figure()
    for key in drawn_limits:
        colour = _limit_style(key)[0]
        limit_triples = [row.limits.get(key) for row in dated]
        values = [_positive(_p50(t)) for t in limit_triples]
        if all(v is None for v in values):
            continue
        label = f"{_limit_label(key)} limit"
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=values,
                mode="lines",
                name=escape(f"{label} (P50)"),
                line={"width": 1.2, "dash": "dash", "color": colour},
                customdata=[
                    [escape(f"{label}, {row.label}"), escape(_flop(_p50(t))), escape(_range(t, _flop)), ""]
                    for row, t in zip(dated, limit_triples, strict=True)
                ],
                hovertemplate=_HOVER,
            )
        )
    extra = [f"Binding limit: {_limit_label(row.binding).lower()}" if row.binding else "" for row in dated]
    run_traces = _series(go, xs, largest, "Largest run", _RUN_COLOUR, _flop, extra=extra)
    for trace in run_traces:
        fig.add_trace(trace)
    if run_traces:
        # Markers by binding limit, drawn over the P50 line.
        run_line = run_traces[-1]
        run_line.update(mode="lines", showlegend=True)
        groups = list(dict.fromkeys(row.binding for row in dated))
        for limit in groups:
            members = [
                i for i, row in enumerate(dated) if row.binding == limit and _positive(_p50(row.largest)) is not None
            ]
            if not members:
                continue
            colour, symbol = _limit_style(limit)
            fig.add_trace(
                go.Scatter(
                    x=[xs[i] for i in members],
                    y=[_p50(dated[i].largest) for i in members],
                    mode="markers",
                    name=escape(f"Bound by {_limit_label(limit).lower()}" if limit else "Binding limit unknown"),
                    marker={"size": 12, "color": colour, "symbol": symbol, "line": {"width": 1, "color": "#ffffff"}},
                    customdata=[run_line.customdata[i] for i in members],
                    hovertemplate=_HOVER,
                )
            )
    _finish(
        fig,
        460,
        "Training compute [FLOP] (log scale)",
        {"title": {"text": "Year"}, "dtick": 1, "tickformat": "d"},
        yaxis={"title": {"text": "Training compute [FLOP] (log scale)"}, "type": "log", "exponentformat": "power"},
    )
    return figure_html(fig, _CHART_IDS[0])


def _count_chart(
    rows: Sequence[_Year],
    series: Sequence[tuple[str, Sequence[Triple | None], str, Any, bool]],
    y_title: str,
    div_id: str,
) -> str | None:
    """A log-axis chart of counts by year (tokens, parameters).

    Parameters
    ----------
    rows : sequence of _Year
        The years.
    series : sequence of (name, triples, colour, text, band)
        One entry per line: legend name (raw text), the quantity per year [its unit],
        colour, a printer for hover values, and whether to draw its P10–P90 range.
    y_title : str
        Title of the y axis (raw text).
    div_id : str
        Id of the chart's ``<div>``.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no series has a positive P50.
    """
    if not rows:
        return None
    present = [item for item in series if any(_positive(_p50(t)) is not None for t in item[1])]
    if not present:
        return None

    import plotly.graph_objects as go

    xs, xaxis = _x_axis(rows)
    fig = go.Figure()
    values: list[float] = []
    for name, triples, colour, text, band in present:
        for trace in _series(go, xs, triples, name, colour, text, band=band):
            fig.add_trace(trace)
        for triple in triples:
            if triple is None or _positive(triple[1]) is None:
                continue
            values.extend(v for v in (triple if band else (triple[1],)) if v is not None and v > 0)
    _finish(
        fig,
        440,
        y_title,
        xaxis,
        yaxis={"title": {"text": escape(y_title)}, "type": "log", "range": _log_range(values), **_count_ticks(values)},
    )
    return figure_html(fig, div_id)


def _inference_chart(rows: Sequence[_Year]) -> str | None:
    """Chart 2, "Inference capacity by year": decode tokens per day (P50, P10–P90 band) and prefill tokens per day."""
    return _count_chart(
        rows,
        (
            ("Decode (generated) tokens per day", [row.decode for row in rows], PALETTE[0], _per_day, True),
            ("Prefill (prompt) tokens per day", [row.prefill for row in rows], _PREFILL_COLOUR, _per_day, False),
        ),
        "Inference capacity [tokens/day] (log scale)",
        _CHART_IDS[1],
    )


def _compute_optimal_chart(rows: Sequence[_Year]) -> str | None:
    """Chart 3, "Compute-optimal model": parameters and training tokens of the largest run by year."""
    return _count_chart(
        rows,
        (
            ("Parameters", [row.params for row in rows], _PARAMS_COLOUR, _short, True),
            ("Training tokens", [row.tokens for row in rows], _TOKENS_COLOUR, _short, True),
        ),
        "Parameters, tokens [count] (log scale)",
        _CHART_IDS[2],
    )


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A text value stripped, or ``""`` when it is not text."""
    return value.strip() if isinstance(value, str) else ""


def _page_title(inputs: Mapping[str, Any]) -> str:
    """The page title (raw text), e.g. ``"Capability: 100,000 × h100, 90-day runs"`` or ``"Capability of plan X"``."""
    run_id = _text(inputs.get("plan_run_id"))
    if run_id:
        return f"Capability of plan {run_id}"
    count = as_number(inputs.get("accelerators"))
    chip = _text(inputs.get("chip"))
    days = as_number(inputs.get("days"))
    parts = [
        part
        for part in (fleet_label(count, chip), f"{format_sig(days, 3)}-day runs" if days is not None else "")
        if part
    ]
    return "Capability: " + ", ".join(parts) if parts else "Capability estimate"


_INPUT_FORMATS: dict[str, Callable[[float], str]] = {
    "accelerators": lambda count: f"{format_count(count)} accelerators",
    "days": lambda days: f"{format_sig(days, 3)} day{'' if days == 1 else 's'}",
    **dict.fromkeys(("training_share", "campus_share", "mfu"), format_percent),
    **dict.fromkeys(("linked_campuses", "samples", "seed"), format_count),
    "serve_params": lambda params: f"{_short(params)} parameters",
}


def _input_text(key: str, value: object) -> str:
    """One input as printed (raw text), e.g. ``("training_share", 0.5)`` → ``"50%"``: the keys of
    ``_INPUT_FORMATS`` with their units, the precision by name, other values compactly."""
    if key == "precision" and isinstance(value, str):
        return _PRECISIONS.get(value.strip().lower(), value)
    return number_input_text(key, value, _INPUT_FORMATS) or input_value_text(value)


def _inputs_items(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Inputs as ``(label, text)`` pairs (raw text): well-known keys first, then any others; unset ones skipped."""
    return input_items(inputs, dict(_INPUT_LABELS), _input_text, _capitalised, skip_unset=True)


def _capitalised(key: str) -> str:
    """An input key as a label: ``"linked_campuses"`` → ``"Linked campuses"``."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _badge(binding: str | None) -> str:
    """The binding limit as a badge (escaped HTML); empty when unknown."""
    if binding is None:
        return ""
    css = f"limit-{binding}" if binding in (*_LIMIT_KEYS, "reliability") else "limit-unknown"
    return f' <span class="badge {css}" id="binding-limit">{escape(_limit_label(binding).lower())}-bound</span>'


def _title_section(result: Mapping[str, Any], rows: Sequence[_Year]) -> str:
    """Title with the fleet or the plan, the binding limit badge and the inputs."""
    inputs = as_mapping(result.get("inputs"))
    items = _inputs_items(inputs)
    dated = [row.year for row in rows if row.year is not None]
    if len(dated) >= 2:
        items.append(("Years", f"{min(dated)}–{max(dated)}"))
    headline = _headline(result, rows)
    binding = _binding(result.get("binding_limit"), {}) or (headline.binding if headline else None)
    return "".join(
        (
            '<header id="title">',
            f"<h1>{escape(_page_title(inputs))}{_badge(binding)}</h1>",
            inputs_html(items, details=False),
            "</header>",
        )
    )


def _regime_text(regime: Mapping[str, Any]) -> str:
    """One recovery regime in a sentence, e.g. ``"elastic 95% at 500,000"`` (raw text)."""
    goodput = format_percent(as_number(regime.get("goodput")) or 0.0)
    return f"{regime.get('regime')} {goodput} at {format_count(as_number(regime.get('job_size')) or 0.0)}"


def _key_figure_rows(result: Mapping[str, Any], rows: Sequence[_Year]) -> list[tuple[str, str, str, str]]:
    """Key figures present in ``result``: ``(quantity, P50 or value, P10–P90, definition)`` (raw text)."""
    head = _headline(result, rows) or _Year()
    table: list[tuple[str, str, str, str]] = []

    def quantity(key: str, fallback: Triple | None, label: str, text: Any, meaning: str) -> None:
        triple = as_triple(result.get(key)) or fallback
        if triple is not None:
            table.append((label, text(triple[1]), _range(triple, text), meaning))

    quantity(
        "largest_run_flop",
        head.largest,
        "Largest training run",
        _flop,
        "Training compute of the largest single run: the smallest of the hardware, data and latency limits.",
    )
    binding = _binding(result.get("binding_limit"), {}) or head.binding
    if binding is not None:
        limits = "; ".join(f"{_limit_label(key).lower()} {_flop(t[1])}" for key, t in head.limits.items())
        meaning = next((m for key, *_, m in _LIMITS if key == binding), "")
        table.append(
            (
                "Binding limit",
                _limit_label(binding),
                DASH,
                " ".join(part for part in (meaning, f"Limits (P50): {limits}." if limits else "") if part),
            )
        )
    quantity(
        "compute_optimal_params",
        head.params,
        "Compute-optimal parameters",
        _short,
        "Model size that makes the best use of the largest run's compute (Chinchilla-style scaling).",
    )
    quantity(
        "compute_optimal_tokens",
        head.tokens,
        "Compute-optimal training tokens",
        _short,
        "Training tokens of that model.",
    )
    quantity(
        "inference_tokens_per_day",
        head.decode,
        "Inference capacity",
        _per_day,
        "Generated (decode) tokens per day of the inference share of the fleet, serving the given model.",
    )
    if head.goodput is not None:
        table.append(
            (
                "Goodput",
                format_percent(head.goodput),
                DASH,
                "Share of the training job's accelerator time spent on useful work (after failures and checkpoints).",
            )
        )
    if head.job_accelerators is not None:
        table.append(
            (
                "Job size",
                f"{format_count(head.job_accelerators)} accelerators",
                DASH,
                "Accelerators in the largest training job: the size (up to the training share of the largest campus) "
                "that delivers the most compute under its recovery regime.",
            )
        )
    entry = (
        as_mapping(result.get("years", [{}])[-1])
        if isinstance(result.get("years"), list) and result.get("years")
        else as_mapping(result)
    )
    regime = entry.get("regime")
    if isinstance(regime, str) and regime:
        power = as_number(entry.get("run_power_gw"))
        table.append(
            (
                "Recovery regime",
                regime + (f"; run power {format_value(power, 'power_gw')}" if power is not None else ""),
                DASH,
                "How the run recovers from failures (storage-restart, in-memory, elastic): the best available in the "
                "year. Other regimes: "
                + "; ".join(_regime_text(r) for r in entry.get("regimes", []) if isinstance(r, Mapping))
                + ".",
            )
        )
    return table


def _key_figures_section(result: Mapping[str, Any], rows: Sequence[_Year]) -> str:
    """Key-figures table, with the year the figures come from."""
    table = _key_figure_rows(result, rows)
    if not table:
        body = '<p class="muted">No key figures in this result.</p>'
        return f'<section id="key-figures"><h2>Key figures</h2>{body}</section>'
    head = _headline(result, rows)
    caption = "P50: median; P10–P90: the 10th to 90th percentile range of the estimate."
    if head is not None and head.year is not None and len(rows) > 1:
        caption += f" Figures for {head.year}."
    return (
        '<section id="key-figures"><h2>Key figures</h2>'
        + html_table(("Quantity", "P50", "P10–P90", "Definition"), table, numeric=(1, 2), css="key-figures")
        + f'<p class="caption">{escape(caption)}</p></section>'
    )


def _years_section(rows: Sequence[_Year]) -> str:
    """Per-year table: fleet, largest run, binding limit, compute-optimal model and inference capacity."""
    if not rows:
        body = '<p class="muted">No years in this result.</p>'
        return f'<section id="years"><h2>By year</h2>{body}</section>'
    cells = [
        (
            row.label,
            format_value(row.accelerators, "count"),
            format_value(row.h100e, "count"),
            _flop(_p50(row.largest)),
            _limit_label(row.binding),
            _short(_p50(row.params)),
            _short(_p50(row.tokens)),
            _per_day(_p50(row.decode)),
        )
        for row in rows
    ]
    headers = (
        "Year",
        "Accelerators",
        "H100e",
        "Largest run (P50)",
        "Binding limit",
        "Parameters (P50)",
        "Training tokens (P50)",
        "Inference tokens/day (P50)",
    )
    caption = (
        "Accelerators and H100e: fleet in service. Largest run: training compute of one run."
        " Parameters and tokens: the compute-optimal model for that run. Inference: generated tokens per day."
    )
    return (
        '<section id="years"><h2>By year</h2>'
        + html_table(headers, cells, numeric=(1, 2, 3, 5, 6, 7), css="years")
        + f'<p class="caption">{escape(caption)}</p></section>'
    )


def _largest_run_caption(rows: Sequence[_Year]) -> str:
    """A caption for chart 1 (escaped HTML); empty when there is nothing to draw."""
    dated = [row for row in rows if row.year is not None]
    if len(dated) >= 2:
        text = (
            "Solid line: P50 of the largest run, shaded: P10–P90. Marker shape and colour: the binding limit"
            " (circle hardware, square data, diamond latency). Dashed: each limit's P50."
        )
    elif rows and (rows[0].limits or rows[0].largest):
        text = (
            "Bars: each limit's P50 with P10–P90 error bars; the binding limit, which sets the largest run,"
            " is highlighted. Dashed: the largest run."
        )
    else:
        return ""
    return f'<p class="caption">{escape(text)}</p>'


def render_capability_html(result: dict[str, Any]) -> str:
    """Render a capability estimate as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet capability --json``: ``inputs``
        (``accelerators`` [accelerators], ``chip``, ``days`` [d], ``precision``,
        ``training_share`` and ``campus_share`` [1], ``serve_params`` [parameters],
        ``plan_run_id``), ``years`` (one entry per year: ``year``, ``accelerators``
        [accelerators], ``h100e`` [H100e], ``peak_flops`` [FLOP/s], ``effective_flops``
        [FLOP/s], ``largest_run_flop`` and ``limits_flop`` [FLOP], ``binding_limit``,
        ``compute_optimal_params`` [parameters], ``compute_optimal_tokens`` [tokens],
        ``job_accelerators`` [accelerators], ``goodput`` [1], ``inference_tokens_per_day``
        and ``prefill_tokens_per_day`` [tokens/d], ``inference_accelerators``
        [accelerators]), the headline ``largest_run_flop`` [FLOP],
        ``compute_optimal_params``, ``compute_optimal_tokens``, ``binding_limit`` and
        ``inference_tokens_per_day``, and ``notes``. Quantities are
        ``{"p10": …, "p50": …, "p90": …}``. Every key is optional; missing or malformed
        entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    rows = _years(data)
    sections = (
        chart_section(
            "largest-run", "Largest training run by year", _largest_run_chart(rows), _largest_run_caption(rows)
        ),
        chart_section(
            "inference",
            "Inference capacity by year",
            _inference_chart(rows),
            '<p class="caption">Decode: generated tokens per day, P50 with its P10–P90 range. Prefill: prompt'
            " tokens per day, P50.</p>"
            if any(row.decode or row.prefill for row in rows)
            else "",
        ),
        chart_section(
            "compute-optimal",
            "Compute-optimal model",
            _compute_optimal_chart(rows),
            '<p class="caption">Parameters and training tokens of the compute-optimal model for the largest run'
            ", P50 with its P10–P90 range.</p>"
            if any(row.params or row.tokens for row in rows)
            else "",
        ),
    )
    return _PAGE.render(
        f"gigafleet {_page_title(as_mapping(data.get('inputs')))}",
        _title_section(data, rows),
        (_key_figures_section(data, rows), *sections, _years_section(rows)),
        data,
    )


def write_capability_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet capability --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_capability_html, result, path)

"""Self-contained HTML report for a fleet reliability simulation.

The report renders the dictionary printed by ``gigafleet reliability --json`` as a single
HTML document that works offline: plotly.js is embedded inline exactly once, and there
are no references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the fleet and the simulated period (e.g. ``Reliability: 100,000 × h100,
   60 days``), the inputs, and a warning when the spare pool ran out;
2. key-figures table (fleet failures per day, job size, job interruptions and MTBI,
   checkpoint interval used against the Young and Daly optima, goodput simulated and
   analytic, GPU-hours lost, spares needed at P99, minimum spare pool, stockout days,
   simulation speed), human formatted;
   then, when the result has ``replications``, a P10/P50/P90 table of the headline metrics over them;
3. chart "Failures per day by cause" (fleet failures per day, stacked by cause);
4. chart "Goodput vs job size" (log job-size axis, simulated goodput as markers, the
   analytic goodput as a line, the job's mean time between interruptions on the right axis);
5. chart "Spare pool" (spare devices on hand each day, the P99 need dashed, the zero line);
6. chart "Fleet availability" (share of the fleet's devices up, daily mean);
7. chart "GPU-hours lost by cause";
8. failures-by-cause table (fleet failures per day and job interruptions) and the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so the
page stays readable without JavaScript. The formatting and HTML helpers are shared with
the other reports (``gigafleet.reports.estimate``, ``gigafleet.reports.plan``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from gigafleet.formatting import DASH, fleet_label, format_count, format_percent, format_sig, format_value
from gigafleet.reports.document import (
    Page,
    chart_section,
    escape,
    html_table,
    inputs_html,
    key_figures_section,
    table_section,
)
from gigafleet.reports.figures import PALETTE, count_axis_title, count_scale, figure_html, log_ticks, style
from gigafleet.reports.styles import PLAN_CSS
from gigafleet.reports.values import (
    as_mapping,
    as_number,
    as_sequence,
    as_series,
    input_items,
    input_value_text,
    number_input_text,
)

__all__ = ["render_reliability_html", "write_reliability_report"]

_PAGE = Page(
    PLAN_CSS,
    "a reliability result",
    "Charts need JavaScript; the key figures, failure causes and GPU-hours lost are also in the tables on this page.",
)

# Div ids of the five charts (stable, so the output is deterministic).
_CHART_IDS = (
    "chart-failures-per-day",
    "chart-goodput-vs-job-size",
    "chart-spare-pool",
    "chart-availability",
    "chart-gpu-hours-lost",
)


# Parts of a cause name printed in capitals, e.g. ``"gpu"`` → ``"GPU"``, ``"nvlink_switch"`` → ``"NVLink switch"``.
_ACRONYMS = {
    "gpu": "GPU",
    "hbm": "HBM",
    "cpu": "CPU",
    "nic": "NIC",
    "psu": "PSU",
    "pcie": "PCIe",
    "nvlink": "NVLink",
    "nvswitch": "NVSwitch",
    "sram": "SRAM",
    "dram": "DRAM",
    "ecc": "ECC",
    "os": "OS",
    "bmc": "BMC",
    "ssd": "SSD",
    "tpu": "TPU",
}

# (key of result["gpu_hours_lost"], label, meaning), in chart order; other keys follow, labelled from the key.
_LOSSES = (
    ("recomputation", "Recomputation", "Work since the last checkpoint, redone after an interruption."),
    ("restart", "Restart", "Job restarts: rescheduling, loading the checkpoint, warm-up."),
    ("waiting_for_spares", "Waiting for spares", "Job stalled until a replacement device was available."),
    ("checkpointing", "Checkpoint writes", "Time spent writing checkpoints."),
)

# (key of result["inputs"], label), well-known inputs in display order; other keys follow.
_INPUT_LABELS = (
    ("accelerators", "Fleet"),
    ("chip", "Chip"),
    ("days", "Simulated period"),
    ("job_size", "Job size"),
    ("checkpoint_interval_hours", "Checkpoint interval"),
    ("checkpoint_write_minutes", "Checkpoint write time"),
    ("restart_minutes", "Restart time"),
    ("hot_spares", "Hot spares"),
    ("spares_pct", "Spare pool"),
    ("technicians", "Technicians"),
    ("seed", "Seed"),
)

_MTBI_COLOUR = "#c2410c"
_ANALYTIC_COLOUR = "#1d2430"
_NEED_COLOUR = "#9b1c1c"
_ZERO_COLOUR = "#64748b"

# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _present(series: Iterable[float | None]) -> list[float]:
    """The numbers of a series, gaps dropped [unit of the series]."""
    return [value for value in series if value is not None]


def _days(result: Mapping[str, Any], count: int) -> list[float]:
    """The day of each of ``count`` daily values: ``result["failures_by_day"]["day"]`` when it fits, else 0, 1, ….

    Parameters
    ----------
    result : mapping
        The reliability result.
    count : int
        Number of daily values to place [1].

    Returns
    -------
    list of float
        Day index of each value [d], counted from the start of the run.
    """
    given = as_series(as_mapping(result.get("failures_by_day")).get("day"))
    if len(given) >= count and all(day is not None for day in given[:count]):
        return _present(given[:count])
    return [float(day) for day in range(count)]


def _by_cause(value: object) -> dict[str, float]:
    """Read a mapping ``{cause: number}``, skipping values that are not finite numbers.

    Returns
    -------
    dict of str to float
        Value per cause, in the mapping's order [unit of the mapping].
    """
    return {str(cause): number for cause, raw in as_mapping(value).items() if (number := as_number(raw)) is not None}


def _daily_by_cause(result: Mapping[str, Any]) -> dict[str, list[float | None]]:
    """Read ``result["failures_by_day"]["by_cause"]``: fleet failures per day, per cause.

    Returns
    -------
    dict of str to list of (float or None)
        Daily failure counts per cause [1/d]; causes without any number are skipped.
    """
    daily: dict[str, list[float | None]] = {}
    for cause, raw in as_mapping(as_mapping(result.get("failures_by_day")).get("by_cause")).items():
        series = as_series(raw)
        if _present(series):
            daily[str(cause)] = series
    return daily


def _failures_per_day(result: Mapping[str, Any]) -> dict[str, float]:
    """Fleet failures per day by cause: ``result["failures_per_day"]["by_cause"]``, else the mean of the daily series.

    Returns
    -------
    dict of str to float
        Mean fleet failures per day, per cause [1/d].
    """
    given = _by_cause(as_mapping(result.get("failures_per_day")).get("by_cause"))
    if given:
        return given
    means: dict[str, float] = {}
    for cause, series in _daily_by_cause(result).items():
        known = _present(series)
        means[cause] = sum(known) / len(known)
    return means


def _failures_total(result: Mapping[str, Any]) -> float | None:
    """Fleet failures per day, all causes [1/d]: the given total, else the sum over the causes."""
    total = as_number(as_mapping(result.get("failures_per_day")).get("total"))
    if total is not None:
        return total
    per_cause = _failures_per_day(result)
    return sum(per_cause.values()) if per_cause else None


def _causes(result: Mapping[str, Any]) -> list[str]:
    """Every failure cause named in the result, in order of first appearance."""
    names = list(as_mapping(as_mapping(result.get("failures_per_day")).get("by_cause")))
    names += list(as_mapping(result.get("job_interruptions_by_cause")))
    names += list(as_mapping(as_mapping(result.get("failures_by_day")).get("by_cause")))
    return list(dict.fromkeys(str(name) for name in names))


def _cause_label(cause: str) -> str:
    """A readable cause name (raw text), e.g. ``"gpu"`` → ``"GPU"``, ``"nvlink_switch"`` → ``"NVLink switch"``."""
    words = [word for word in cause.replace("_", " ").split(" ") if word]
    if not words:
        return cause or "(unnamed)"
    printed = [_ACRONYMS.get(word.lower(), word.lower() if i else word) for i, word in enumerate(words)]
    if printed[0] == words[0]:
        printed[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(printed)


def _losses(result: Mapping[str, Any]) -> list[tuple[str, str, str, float]]:
    """Read ``result["gpu_hours_lost"]``.

    Returns
    -------
    list of (key, label, meaning, float)
        GPU-hours lost per cause [GPU-h], known causes first in ``_LOSSES`` order (raw text).
    """
    given = _by_cause(result.get("gpu_hours_lost"))
    rows = [(key, label, meaning, given[key]) for key, label, meaning in _LOSSES if key in given]
    known = {key for key, _, _ in _LOSSES}
    rows += [(key, _cause_label(key), "", value) for key, value in given.items() if key not in known]
    return rows


def _spares_p99(result: Mapping[str, Any]) -> float | None:
    """Spares needed at P99 [devices]: the top-level figure, else the one in ``result["spares"]``."""
    value = as_number(result.get("spares_needed_p99"))
    return value if value is not None else as_number(as_mapping(result.get("spares")).get("spares_needed_p99"))


# --------------------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------------------


def _amount(value: float | None, unit: str = "") -> str:
    """A possibly large quantity, e.g. ``"1.23 million GPU-h"`` or ``"412 per day"``; a dash when unknown.

    Parameters
    ----------
    value : float or None
        The quantity [``unit``].
    unit : str
        Unit printed after the number.
    """
    if value is None:
        return DASH
    return f"{format_value(value, 'count')} {unit}".rstrip()


def _hours(value: float | None) -> str:
    """A duration given in [h], e.g. ``"1.17 h"``; a dash when unknown."""
    return DASH if value is None else f"{format_sig(value, 3)} h"


def _days_text(value: float) -> str:
    """A number of days, e.g. ``"60 days"`` or ``"1 day"``."""
    return f"{format_count(value)} day{'' if value == 1 else 's'}"


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _finish(fig: Any, height: int, x_title: str, y_title: str, **layout: Any) -> None:
    """``figures.style`` with this report's titled axes; ``layout`` (Plotly layout arguments) applied after."""
    style(
        fig,
        height=height,
        margin={"l": 70, "r": 70, "t": 40, "b": 60},
        xaxis={"title": {"text": escape(x_title)}},
        yaxis={"title": {"text": escape(y_title)}},
        hovermode=None,
    )
    if layout:
        fig.update_layout(**layout)


def _failures_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 1, "Failures per day by cause": fleet failures each day, stacked by cause.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is no daily failure series.
    """
    daily = _daily_by_cause(result)
    if not daily:
        return None

    import plotly.graph_objects as go

    count = max(len(series) for series in daily.values())
    days = _days(result, count)
    fig = go.Figure()
    for index, (cause, series) in enumerate(daily.items()):
        padded = [series[i] if i < len(series) else None for i in range(count)]
        label = _cause_label(cause)
        fig.add_trace(
            go.Scatter(
                x=days,
                y=padded,
                mode="lines",
                stackgroup="failures",
                name=escape(label),
                line={"width": 0.6, "color": PALETTE[index % len(PALETTE)]},
                customdata=[[escape(label), escape(format_count(v))] for v in padded],
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    _finish(
        fig,
        440,
        "Day of the run [d]",
        "Fleet failures [per day]",
        hovermode="x unified",
        yaxis={"title": {"text": "Fleet failures [per day]"}, "rangemode": "tozero"},
    )
    return figure_html(fig, _CHART_IDS[0])


def _goodput_points(result: Mapping[str, Any]) -> list[tuple[float, float | None, float | None, float | None]]:
    """Read ``result["goodput_vs_job_size"]``.

    Returns
    -------
    list of (float, float or None, float or None, float or None)
        ``(job size [accelerators], goodput simulated [1], goodput analytic [1], MTBI [h])``, sorted by
        job size; entries without a positive job size or without any figure are skipped.
    """
    points: list[tuple[float, float | None, float | None, float | None]] = []
    for raw in as_sequence(result.get("goodput_vs_job_size")):
        entry = as_mapping(raw)
        size = as_number(entry.get("job_size"))
        simulated, analytic = as_number(entry.get("goodput")), as_number(entry.get("goodput_analytic"))
        mtbi = as_number(entry.get("mtbi_hours"))
        if size is not None and size > 0 and (simulated, analytic, mtbi) != (None, None, None):
            points.append((size, simulated, analytic, mtbi))
    return sorted(points, key=lambda point: point[0])


def _goodput_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 2, "Goodput vs job size": simulated goodput (markers) and analytic goodput (line) against
    job size on a log axis, with the job's mean time between interruptions on the right axis.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no job size has a figure.
    """
    points = _goodput_points(result)
    if not points:
        return None

    import plotly.graph_objects as go

    sizes = [point[0] for point in points]
    hover = "%{customdata[0]}: %{customdata[1]}<extra></extra>"

    def hover_rows(name: str, values: Sequence[float | None], text: Any) -> list[list[str]]:
        return [
            [escape(f"{name}, {format_count(size)} accelerators"), escape(text(v))]
            for size, v in zip(sizes, values, strict=True)
        ]

    fig = go.Figure()
    simulated = [point[1] for point in points]
    analytic = [point[2] for point in points]
    mtbi = [point[3] for point in points]
    if _present(analytic):
        fig.add_trace(
            go.Scatter(
                x=sizes,
                y=[None if v is None else v * 100.0 for v in analytic],
                mode="lines",
                name="Goodput, analytic",
                line={"width": 2, "color": _ANALYTIC_COLOUR},
                customdata=hover_rows("Analytic goodput", analytic, format_percent),
                hovertemplate=hover,
            )
        )
    if _present(simulated):
        fig.add_trace(
            go.Scatter(
                x=sizes,
                y=[None if v is None else v * 100.0 for v in simulated],
                mode="markers",
                name="Goodput, simulated",
                marker={"size": 10, "color": PALETTE[0], "line": {"width": 1, "color": "#ffffff"}},
                customdata=hover_rows("Simulated goodput", simulated, format_percent),
                hovertemplate=hover,
            )
        )
    job_size = as_number(as_mapping(result.get("inputs")).get("job_size"))
    goodput = as_number(result.get("goodput"))
    if job_size is not None and job_size > 0 and goodput is not None:
        fig.add_trace(
            go.Scatter(
                x=[job_size],
                y=[goodput * 100.0],
                mode="markers",
                name="This job",
                marker={"size": 15, "symbol": "star", "color": PALETTE[5], "line": {"width": 1, "color": "#1d2430"}},
                customdata=[
                    [escape(f"This job, {format_count(job_size)} accelerators"), escape(format_percent(goodput))]
                ],
                hovertemplate=hover,
            )
        )
    layout: dict[str, Any] = {}
    known_mtbi = [v for v in mtbi if v is not None and v > 0]
    if known_mtbi:
        fig.add_trace(
            go.Scatter(
                x=sizes,
                y=[v if v is not None and v > 0 else None for v in mtbi],
                mode="lines+markers",
                name="MTBI (right axis)",
                yaxis="y2",
                line={"width": 1.4, "color": _MTBI_COLOUR, "dash": "dot"},
                marker={"size": 5, "color": _MTBI_COLOUR},
                customdata=hover_rows("Mean time between interruptions", mtbi, _hours),
                hovertemplate=hover,
            )
        )
        log_mtbi = max(known_mtbi) / min(known_mtbi) > 10.0
        ticks = log_ticks(min(known_mtbi), max(known_mtbi)) if log_mtbi else []
        layout["yaxis2"] = {
            "title": {"text": "Job MTBI [h]"},
            "overlaying": "y",
            "side": "right",
            "type": "log" if log_mtbi else "linear",
            "showgrid": False,
            "zeroline": False,
            **({"tickvals": ticks, "ticktext": [format_sig(t, 3) for t in ticks]} if ticks else {}),
        }
    _finish(
        fig,
        460,
        "Job size [accelerators]",
        "Goodput [%]",
        xaxis={"title": {"text": "Job size [accelerators] (log scale)"}, "type": "log"},
        yaxis={"title": {"text": "Goodput [% of job accelerator time]"}, "ticksuffix": "%"},
        hovermode="closest",
        **layout,
    )
    return figure_html(fig, _CHART_IDS[1])


def _spares_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 3, "Spare pool": spare devices on hand each day, the P99 need dashed and the zero line.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is no daily pool.
    """
    pool = as_series(as_mapping(result.get("spares")).get("pool_by_day"))
    if not _present(pool):
        return None

    import plotly.graph_objects as go

    days = _days(result, len(pool))
    fig = go.Figure(
        go.Scatter(
            x=days,
            y=pool,
            mode="lines",
            name="Spare pool",
            line={"width": 2, "color": PALETTE[0], "shape": "hv"},
            customdata=[[escape(format_count(v))] for v in pool],
            hovertemplate="Day %{x}: %{customdata[0]} spare devices<extra></extra>",
        )
    )
    empty = [(day, value) for day, value in zip(days, pool, strict=True) if value is not None and value <= 0]
    if empty:
        fig.add_trace(
            go.Scatter(
                x=[day for day, _ in empty],
                y=[value for _, value in empty],
                mode="markers",
                name="Stockout",
                marker={"size": 8, "color": _NEED_COLOUR, "symbol": "x"},
                hovertemplate="Day %{x}: no spare devices<extra></extra>",
            )
        )
    fig.add_hline(y=0.0, line_width=1.2, line_color=_ZERO_COLOUR)
    need = _spares_p99(result)
    if need is not None:
        fig.add_hline(
            y=need,
            line_dash="dash",
            line_color=_NEED_COLOUR,
            annotation_text=escape(f"Spares needed (P99): {format_count(need)}"),
            annotation_position="top right",
        )
    known = _present(pool) + ([need] if need is not None else []) + [0.0]
    low, high = min(known), max(known)
    pad = max(0.08 * (high - low), 1.0)
    _finish(
        fig,
        420,
        "Day of the run [d]",
        "Spare devices [1]",
        yaxis={"title": {"text": "Spare devices on hand [1]"}, "range": [low - pad, high + pad]},
        hovermode="closest",
    )
    return figure_html(fig, _CHART_IDS[2])


def _availability_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 4, "Fleet availability": share of the fleet's devices up, daily mean, with the run's mean dotted.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is no daily availability.
    """
    availability = as_series(result.get("availability_by_day"))
    known = _present(availability)
    if not known:
        return None

    import plotly.graph_objects as go

    days = _days(result, len(availability))
    fig = go.Figure(
        go.Scatter(
            x=days,
            y=[None if v is None else v * 100.0 for v in availability],
            mode="lines+markers",
            name="Devices up",
            line={"width": 2, "color": PALETTE[4]},
            marker={"size": 4},
            customdata=[[escape(format_percent(v, 5))] for v in availability],
            hovertemplate="Day %{x}: %{customdata[0]} of the fleet up<extra></extra>",
            showlegend=False,
        )
    )
    mean = sum(known) / len(known)
    fig.add_hline(
        y=mean * 100.0,
        line_dash="dot",
        line_color=_ZERO_COLOUR,
        annotation_text=escape(f"Mean {format_percent(mean, 5)}"),
        annotation_position="bottom right",
    )
    _finish(
        fig,
        400,
        "Day of the run [d]",
        "Devices up [% of fleet]",
        yaxis={"title": {"text": "Devices up [% of fleet]"}, "ticksuffix": "%"},
        hovermode="closest",
    )
    return figure_html(fig, _CHART_IDS[3])


def _losses_chart(rows: Sequence[tuple[str, str, str, float]]) -> str | None:
    """Chart 5, "GPU-hours lost by cause": one bar per cause, labelled with its share of the total.

    Parameters
    ----------
    rows : sequence of (key, label, meaning, float)
        GPU-hours lost per cause [GPU-h] (see ``_losses``).

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when nothing is known.
    """
    if not rows:
        return None

    import plotly.graph_objects as go

    total = sum(value for *_, value in rows)
    divisor, suffix = count_scale(value for *_, value in rows)
    fig = go.Figure(
        go.Bar(
            x=[escape(label) for _, label, _, _ in rows],
            y=[value / divisor for *_, value in rows],
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(rows))],
            text=[escape(_share(value, total)) for *_, value in rows],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                [escape(label), escape(_amount(value, "GPU-h")), escape(_share(value, total)), escape(meaning or label)]
                for _, label, meaning, value in rows
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]} (%{customdata[2]} of the total)"
                "<br>%{customdata[3]}<extra></extra>"
            ),
            name="GPU-hours lost",
            showlegend=False,
        )
    )
    top = max(value / divisor for *_, value in rows)
    _finish(
        fig,
        420,
        "Cause",
        "GPU-hours lost",
        yaxis={
            "title": {"text": escape(count_axis_title("GPU-hours lost", suffix, "GPU-h"))},
            "range": [0, top * 1.18 if top > 0 else 1.0],
        },
    )
    return figure_html(fig, _CHART_IDS[4])


def _share(value: float, total: float) -> str:
    """``value`` as a share of ``total``, e.g. ``"42%"``; a dash when the total is not positive."""
    return format_percent(value / total, 2) if total > 0 else DASH


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _fleet_title(inputs: Mapping[str, Any]) -> str:
    """The page title (raw text), e.g. ``"Reliability: 100,000 × h100, 60 days"``."""
    count = as_number(inputs.get("accelerators"))
    chip = inputs.get("chip")
    chip_text = str(chip).strip() if chip is not None else ""
    days = as_number(inputs.get("days"))
    parts = [part for part in (fleet_label(count, chip_text), _days_text(days) if days is not None else "") if part]
    return "Reliability: " + ", ".join(parts) if parts else "Reliability simulation"


_INPUT_FORMATS: dict[str, Callable[[float], str]] = {
    **dict.fromkeys(("accelerators", "job_size"), lambda count: f"{format_count(count)} accelerators"),
    "days": _days_text,
    "checkpoint_interval_hours": _hours,
    **dict.fromkeys(("checkpoint_write_minutes", "restart_minutes"), lambda minutes: f"{format_sig(minutes, 3)} min"),
    "spares_pct": lambda pct: f"{format_sig(pct, 3)}% of the fleet",
    **dict.fromkeys(("hot_spares", "technicians", "seed"), format_count),
}


def _input_text(key: str, value: object) -> str:
    """One input as printed (raw text), e.g. ``("restart_minutes", 20)`` → ``"20 min"``: the keys of
    ``_INPUT_FORMATS`` with their units, an ``"auto"`` checkpoint interval in words, other values compactly."""
    if key == "checkpoint_interval_hours" and str(value).strip().lower() == "auto":
        return "auto (from the failure rate)"
    return number_input_text(key, value, _INPUT_FORMATS) or input_value_text(value)


def _inputs_items(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Inputs as ``(label, text)`` pairs (raw text): well-known keys first, then any others."""
    return input_items(inputs, dict(_INPUT_LABELS), _input_text, _cause_label)


def _alert(result: Mapping[str, Any]) -> str:
    """A warning block when the spare pool ran out on some day; empty otherwise."""
    spares = as_mapping(result.get("spares"))
    stockouts = as_number(spares.get("stockout_days"))
    if stockouts is None or stockouts <= 0:
        return ""
    days = as_number(as_mapping(result.get("inputs")).get("days"))
    span = f" of {format_count(days)}" if days is not None else ""
    message = (
        f"The spare pool ran out on {format_count(stockouts)}{span} day{'' if stockouts == 1 else 's'}:"
        " failed devices waited for replacements."
    )
    need = _spares_p99(result)
    initial = as_number(spares.get("pool_initial"))
    if need is not None and initial is not None:
        message += f" Initial pool {format_count(initial)}; spares needed at P99: {format_count(need)}."
    return f'<div class="alert alert-shortfall" role="alert"><strong>{escape(message)}</strong></div>'


def _title_section(result: Mapping[str, Any]) -> str:
    """Title with the fleet and the period, the inputs and the stockout warning."""
    items = _inputs_items(as_mapping(result.get("inputs")))
    return "".join(
        (
            '<header id="title">',
            f"<h1>{escape(_fleet_title(as_mapping(result.get('inputs'))))}</h1>",
            inputs_html(items),
            _alert(result),
            "</header>",
        )
    )


def _interval_text(result: Mapping[str, Any]) -> str | None:
    """Checkpoint interval used, with the Young and Daly optima, e.g. ``"2 h (Young 1.9 h, Daly 1.7 h)"``."""
    used = as_number(result.get("checkpoint_interval_hours"))
    optima = [
        f"{name} {_hours(value)}"
        for name, key in (("Young", "young_interval_hours"), ("Daly", "daly_interval_hours"))
        if (value := as_number(result.get(key))) is not None
    ]
    if used is None and not optima:
        return None
    text = _hours(used)
    return f"{text} ({', '.join(optima)})" if optima else text


def _key_figure_rows(result: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Key figures present in ``result``: ``(quantity, value, definition)`` (raw text)."""
    inputs = as_mapping(result.get("inputs"))
    spares = as_mapping(result.get("spares"))
    engine = as_mapping(result.get("engine"))
    days = as_number(inputs.get("days"))
    over = f" over the {_days_text(days)}" if days is not None else " over the run"
    rows: list[tuple[str, str, str]] = []

    def add(label: str, text: str | None, meaning: str) -> None:
        if text is not None:
            rows.append((label, text, meaning))

    failures = _failures_total(result)
    add(
        "Fleet failures",
        None if failures is None else _amount(failures, "per day"),
        "Failures across the whole fleet, all causes, daily mean.",
    )
    job_size = as_number(inputs.get("job_size"))
    add(
        "Job size",
        None if job_size is None else f"{format_count(job_size)} accelerators",
        "Accelerators the job runs on.",
    )
    interruptions = as_number(result.get("job_interruptions"))
    add(
        "Job interruptions",
        None if interruptions is None else format_sig(interruptions, 4),
        f"Failures that stopped the job{over}.",
    )
    mtbi = as_number(result.get("job_mtbi_hours"))
    add("Job MTBI", None if mtbi is None else _hours(mtbi), "Mean time between job interruptions.")
    interval = _interval_text(result)
    auto = str(inputs.get("checkpoint_interval_hours", "")).strip().lower() == "auto"
    add(
        "Checkpoint interval",
        interval,
        ("Chosen automatically. " if auto else "")
        + "Interval used; Young: √(2 δ M); Daly: Young's optimum with higher-order terms,"
        " for checkpoint write time δ and MTBI M.",
    )
    goodput, analytic = as_number(result.get("goodput")), as_number(result.get("goodput_analytic"))
    if goodput is not None or analytic is not None:
        text = f"{format_percent(goodput)} simulated" if goodput is not None else DASH
        if analytic is not None:
            text += f" (analytic {format_percent(analytic)})"
        add("Goodput", text, "Share of the job's accelerator time spent on useful training.")
    regime = result.get("regime")
    if isinstance(regime, str) and regime:
        others = [as_mapping(r) for r in result.get("regimes", []) if isinstance(r, Mapping)]
        add(
            "Recovery regime",
            regime,
            "How the job recovers from failures; under each regime this job's simulated goodput would be: "
            + "; ".join(f"{r.get('regime')} {format_percent(as_number(r.get('goodput')))}" for r in others)
            + ".",
        )
    losses = _losses(result)
    add(
        "GPU-hours lost",
        _amount(sum(value for *_, value in losses), "GPU-h") if losses else None,
        "Recomputation, restarts, waiting for spares and checkpoint writes" + over + ".",
    )
    need = _spares_p99(result)
    add(
        "Spares needed (P99)",
        None if need is None else f"{format_count(need)} devices",
        "Spare pool that covers the replacements with 99% probability.",
    )
    low = as_number(spares.get("min_pool"))
    initial = as_number(spares.get("pool_initial"))
    add(
        "Minimum spare pool",
        None if low is None else f"{format_count(low)} devices",
        "Fewest spare devices on hand" + (f" (initial pool {format_count(initial)})." if initial is not None else "."),
    )
    stockouts = as_number(spares.get("stockout_days"))
    add(
        "Stockout days",
        None
        if stockouts is None
        else format_count(stockouts) + (f" of {format_count(days)}" if days is not None else ""),
        "Days on which the spare pool was empty.",
    )
    rate = as_number(engine.get("events_per_second"))
    if rate is not None:
        facts = []
        events, seconds = as_number(engine.get("events")), as_number(engine.get("seconds"))
        if events is not None:
            facts.append(f"{_amount(events)} events")
        if seconds is not None:
            facts.append(f"in {format_sig(seconds, 3)} s")
        name = engine.get("name")
        lead = f"Engine {name}" if name is not None and str(name).strip() else "Simulation engine"
        add("Simulation speed", _amount(rate, "events/s"), f"{lead}{': ' if facts else ''}{' '.join(facts)}.")
    return rows


def _spares_caption(result: Mapping[str, Any]) -> str:
    """A caption for the spare-pool chart (escaped HTML); empty when there is no pool."""
    spares = as_mapping(result.get("spares"))
    if not _present(as_series(spares.get("pool_by_day"))):
        return ""
    facts = []
    for key, label in (("pool_initial", "initial pool"), ("min_pool", "minimum")):
        value = as_number(spares.get(key))
        if value is not None:
            facts.append(f"{label} {format_count(value)}")
    lead = "Spare devices on hand at the end of each day" + (f" ({', '.join(facts)})" if facts else "") + "."
    legend = " Dashed: spares needed at P99. Grey: zero; crosses mark days without spares."
    return f'<p class="caption">{escape(lead + legend)}</p>'


def _availability_caption(result: Mapping[str, Any]) -> str:
    """A caption for the availability chart (escaped HTML); empty when there is no series."""
    known = _present(as_series(result.get("availability_by_day")))
    if not known:
        return ""
    text = (
        f"Share of the fleet's devices up, daily mean: mean {format_percent(sum(known) / len(known), 5)},"
        f" lowest {format_percent(min(known), 5)}, highest {format_percent(max(known), 5)}."
    )
    return f'<p class="caption">{escape(text)}</p>'


def _losses_table(rows: Sequence[tuple[str, str, str, float]]) -> str:
    """GPU-hours lost as a collapsible static table, with a total row."""
    if not rows:
        return ""
    total = sum(value for *_, value in rows)
    cells = [
        (label, _amount(value, "GPU-h"), _share(value, total), meaning or DASH) for _, label, meaning, value in rows
    ]
    cells.append(("All causes", _amount(total, "GPU-h"), _share(total, total), DASH))
    table = html_table(("Cause", "GPU-hours lost", "Share", "Meaning"), cells, numeric=(1, 2), css="gpu-hours-lost")
    return f"<details><summary>GPU-hours lost, table</summary>{table}</details>"


def _causes_section(result: Mapping[str, Any]) -> str:
    """Failures-by-cause table: fleet failures per day and job interruptions, with shares and a total row."""
    per_day = _failures_per_day(result)
    interruptions = _by_cause(result.get("job_interruptions_by_cause"))
    causes = [cause for cause in _causes(result) if cause in per_day or cause in interruptions]
    if not causes:
        body = '<p class="muted">No failure causes in this result.</p>'
        return f'<section id="failures-by-cause"><h2>Failures by cause</h2>{body}</section>'
    fleet_total = _failures_total(result)
    job_total = as_number(result.get("job_interruptions"))
    if job_total is None and interruptions:
        job_total = sum(interruptions.values())

    def share(value: float | None, total: float | None) -> str:
        return DASH if value is None or total is None else _share(value, total)

    rows = []
    for cause in causes:
        fleet, job = per_day.get(cause), interruptions.get(cause)
        rows.append(
            (
                _cause_label(cause),
                DASH if fleet is None else format_sig(fleet, 3),
                share(fleet, fleet_total),
                DASH if job is None else format_sig(job, 4),
                share(job, job_total),
            )
        )
    rows.append(
        (
            "All causes",
            DASH if fleet_total is None else format_sig(fleet_total, 3),
            share(fleet_total, fleet_total),
            DASH if job_total is None else format_sig(job_total, 4),
            share(job_total, job_total),
        )
    )
    headers = (
        "Cause",
        "Fleet failures per day",
        "Share of fleet failures",
        "Job interruptions",
        "Share of interruptions",
    )
    days = as_number(as_mapping(result.get("inputs")).get("days"))
    caption = "Fleet failures: daily mean across all devices. Job interruptions: failures that stopped the job" + (
        f" over the {_days_text(days)}." if days is not None else " over the run."
    )
    return (
        '<section id="failures-by-cause"><h2>Failures by cause</h2>'
        + html_table(headers, rows, numeric=range(1, len(headers)), css="failures-by-cause")
        + f'<p class="caption">{escape(caption)}</p></section>'
    )


REPLICATION_ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("Goodput", "goodput", lambda v: format_percent(v, 4)),
    ("Fleet failures per day", "failures_per_day", lambda v: format_sig(v, 3)),
    ("Job interruptions", "job_interruptions", lambda v: format_sig(v, 4)),
    ("Fleet availability (mean)", "availability_mean", lambda v: format_percent(v, 5)),
    ("GPU-hours lost", "gpu_hours_lost_total", lambda v: _amount(v, "GPU-h")),
    ("Spares needed (P99)", "spares_needed_p99", lambda v: f"{format_count(v)} devices"),
)
"""Rows of the replications table: label, key in ``replications.metrics``, formatter."""


def _replications_section(result: Mapping[str, Any]) -> str:
    """P10/P50/P90 of the headline metrics over the replications (``replications`` in the result), with the
    seeds and failure-rate multipliers in the caption; empty when the result has none."""
    block = as_mapping(result.get("replications"))
    metrics = as_mapping(block.get("metrics"))
    if not metrics:
        return ""
    rows = []
    for label, key, show in REPLICATION_ROWS:
        triple = as_mapping(metrics.get(key))
        values = [as_number(triple.get(p)) for p in ("p10", "p50", "p90")]
        if any(v is not None for v in values):
            rows.append((label, *(DASH if v is None else show(v) for v in values)))
    count = as_number(block.get("count"))
    multipliers = [m for m in (as_number(x) for x in block.get("rate_multipliers") or []) if m is not None]
    caption = str(block.get("note") or "")
    if len(multipliers) > 1:
        caption += f" Failure-rate multipliers {format_sig(min(multipliers), 3)} to {format_sig(max(multipliers), 3)}."
    if block.get("rule"):
        caption += f" Replications {block['rule']}."
    title = "P10 / P50 / P90" + (f" over {format_count(count)} replications" if count and count > 1 else "")
    return table_section(
        "replications",
        title,
        ("Quantity", "P10", "P50", "P90"),
        rows,
        numeric=(1, 2, 3),
        css="replications",
        empty="No replicated metrics in this result.",
        caption=caption.strip(),
    )


def render_reliability_html(result: dict[str, Any]) -> str:
    """Render a reliability simulation as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet reliability --json``: ``inputs``
        (``accelerators`` and ``job_size`` [accelerators], ``days`` [d],
        ``checkpoint_interval_hours`` [h] or ``"auto"``, ``checkpoint_write_minutes`` and
        ``restart_minutes`` [min], ``hot_spares`` and ``technicians`` [1], ``spares_pct``
        [%], ``chip`` and ``seed``), ``failures_per_day`` (``total`` and ``by_cause``
        [1/d]), ``failures_by_day`` (``day`` [d], ``by_cause`` daily counts [1/d]),
        ``job_interruptions`` and ``job_interruptions_by_cause`` [1, over the run],
        ``job_mtbi_hours``, ``checkpoint_interval_hours``, ``young_interval_hours`` and
        ``daly_interval_hours`` [h], ``goodput`` and ``goodput_analytic`` [1],
        ``gpu_hours_lost`` (per cause [GPU-h]), ``goodput_vs_job_size`` (``job_size``
        [accelerators], goodputs [1], ``mtbi_hours`` [h]), ``availability_by_day`` [1],
        ``spares`` (``pool_initial``, ``pool_by_day``, ``min_pool`` and
        ``spares_needed_p99`` [devices], ``stockout_days`` [d]), ``spares_needed_p99``
        [devices], ``engine`` (``events`` [1], ``seconds`` [s], ``events_per_second``
        [1/s]), ``replications`` (``count``, ``seeds``, ``rate_multipliers`` and ``metrics``: P10/P50/P90 of
        the headline metrics) and ``notes``. Every key is optional; missing or malformed entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    losses = _losses(data)
    sections = (
        chart_section(
            "failures-per-day",
            "Failures per day by cause",
            _failures_chart(data),
            '<p class="caption">Fleet failures each day, stacked by cause.</p>' if _daily_by_cause(data) else "",
        ),
        chart_section(
            "goodput-vs-job-size",
            "Goodput vs job size",
            _goodput_chart(data),
            '<p class="caption">Markers: simulated goodput. Line: analytic goodput (checkpoint/restart model at the'
            " optimal interval). Star: this job. Dotted, right axis: the job's mean time between interruptions.</p>"
            if _goodput_points(data)
            else "",
        ),
        chart_section("spare-pool", "Spare pool", _spares_chart(data), _spares_caption(data)),
        chart_section("availability", "Fleet availability", _availability_chart(data), _availability_caption(data)),
        chart_section("gpu-hours-lost", "GPU-hours lost by cause", _losses_chart(losses), _losses_table(losses)),
    )
    return _PAGE.render(
        f"gigafleet {_fleet_title(as_mapping(data.get('inputs')))}",
        _title_section(data),
        (key_figures_section(_key_figure_rows(data)), _replications_section(data), *sections, _causes_section(data)),
        data,
    )


def write_reliability_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet reliability --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_reliability_html, result, path)

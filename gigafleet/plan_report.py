"""Self-contained HTML report for a build-out plan.

The report renders the dictionary printed by ``gigafleet plan --json`` as a single
HTML document that works offline: plotly.js is embedded inline exactly once, and
there are no references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the scenario name and a status badge (a shortfall or an infeasible
   plan is flagged in colour and explained in words);
2. summary table, one row per year;
3. chart "Fleet by chip" (in-service H100-equivalents, stacked by chip, with the target);
4. chart "Fleet by site" (facility power, stacked by site, with the available grid);
5. chart "Power by source" (capacity by power source, grid included, stacked per year);
6. chart "Cost by year" (capex booked and opex per year);
7. chart "Binding limits" (timeline of the binding constraints, sized by shadow price),
   then the binding-limits table;
8. the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so
the page stays readable without JavaScript. The formatting and HTML helpers are
shared with the estimate report (``gigafleet.report``).

plotly is imported lazily inside the rendering functions, so importing this module
stays cheap (``gigafleet --help`` must remain fast).
"""

from __future__ import annotations

import contextlib
import math
import os
import pathlib
import tempfile
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.report import (
    _CSS,
    _DASH,
    _PALETTE,
    _axis_scale,
    _chart_section,
    _e,
    _figure_html,
    _format_sig,
    _format_value,
    _mapping,
    _notes_section,
    _number,
    _sequence,
    _table,
    _text,
)

__all__ = ["render_plan_html", "write_plan_report"]

# Div ids of the five charts (stable, so the output is deterministic).
_CHART_IDS = (
    "chart-fleet-by-chip",
    "chart-fleet-by-site",
    "chart-power-by-source",
    "chart-cost-by-year",
    "chart-binding-limits",
)

_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"}

# Status → (badge text, CSS class). Anything else gets the "unknown" class.
_STATUSES = {
    "optimal": ("Optimal", "status-optimal"),
    "shortfall": ("Shortfall: targets not met", "status-shortfall"),
    "infeasible": ("Infeasible: no plan", "status-infeasible"),
}

_OBJECTIVES = {
    "min_cost": "least discounted cost that meets the targets",
    "max_h100e": "most H100-equivalents within the limits",
}

_TARGET_UNITS = {"h100e": "H100e", "accelerators": "accelerators"}

# A shortfall below this is solver noise, not a missing accelerator [accelerators or H100e].
_SHORTFALL_TOLERANCE = 0.5

# Marker diameters of the binding-limits timeline [px]; marker area ∝ |shadow price|.
_MARKER_MIN_PX = 7.0
_MARKER_MAX_PX = 38.0

_GRID_COLOUR = "#7f7f7f"

_PLAN_CSS = (
    _CSS
    + """
.badge { display: inline-block; font-size: .95rem; font-weight: 600; padding: .15rem .6rem;
         border-radius: .8rem; vertical-align: middle; margin-left: .5rem; border: 1px solid transparent; }
.status-optimal { background: #e3f4e6; color: #1e6b2e; border-color: #9fd3aa; }
.status-shortfall { background: #fff1d6; color: #8a4b00; border-color: #f0b85a; }
.status-infeasible { background: #fde2e2; color: #9b1c1c; border-color: #f19a9a; }
.status-unknown { background: #eef1f5; color: #3a4656; border-color: #cbd5e1; }
.alert { padding: .55rem .85rem; margin: .6rem 0 1rem; border-radius: .3rem; }
.alert-shortfall { background: #fff7e6; border: 1px solid #f0b85a; }
.alert-infeasible { background: #fdeeee; border: 1px solid #f19a9a; }
.alert ul { margin: .3rem 0 0; }
"""
)

# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _year(value: object) -> int | None:
    """Return ``value`` as a calendar year, or ``None`` when it is not a whole number."""
    number = _number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _entries(result: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The mapping entries of the list ``result[key]`` (anything else is skipped)."""
    return [entry for entry in _sequence(result.get(key)) if isinstance(entry, Mapping)]


def _years(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Per-year rows of ``result["years"]``, sorted by year (rows without a year last)."""
    rows = _entries(result, "years")
    return sorted(rows, key=lambda row: (_year(row.get("year")) is None, _year(row.get("year")) or 0))


def _target_unit(row: Mapping[str, Any]) -> str:
    """Unit of a year's target and shortfall: ``"H100e"`` or ``"accelerators"``."""
    metric = _text(row, "target_metric") or "h100e"
    return _TARGET_UNITS.get(metric, metric)


def _shortfall(row: Mapping[str, Any]) -> tuple[float | None, str]:
    """A year's shortfall and its unit.

    Returns
    -------
    tuple of (float or None, str)
        The shortfall [target metric; H100e when only ``shortfall_h100e`` is given] and the unit.
    """
    value = _number(row.get("shortfall"))
    if value is not None:
        return value, _target_unit(row)
    return _number(row.get("shortfall_h100e")), "H100e"


def _count_text(value: float | None, unit: str) -> str:
    """A count with its unit, e.g. ``"5 million H100e"``; a dash when unknown."""
    if value is None:
        return _DASH
    return f"{_format_value(value, 'count')} {unit}".strip()


@dataclass(frozen=True)
class _Pivot:
    """Rows ``{"year", <group>, <fields>…}`` summed per (group, year).

    Attributes
    ----------
    years : tuple of int
        Every year that occurs, ascending.
    groups : tuple of str
        Every group (chip, site, source) in order of first appearance.
    cells : mapping of (str, int) to mapping of str to float
        Summed fields per ``(group, year)`` [units of the fields].
    """

    years: tuple[int, ...]
    groups: tuple[str, ...]
    cells: Mapping[tuple[str, int], Mapping[str, float]]

    def get(self, group: str, year: int, field: str) -> float | None:
        """Summed ``field`` of ``group`` in ``year`` [unit of the field], ``None`` when absent."""
        return self.cells.get((group, year), {}).get(field)

    def total(self, year: int, field: str) -> float | None:
        """``field`` summed over every group in ``year`` [unit of the field], ``None`` when absent."""
        values = [v for g in self.groups if (v := self.get(g, year, field)) is not None]
        return sum(values) if values else None


def _pivot(entries: Iterable[Mapping[str, Any]], group_key: str, fields: Sequence[str]) -> _Pivot:
    """Sum ``fields`` per (group, year); entries without a year are skipped.

    Parameters
    ----------
    entries : iterable of mapping
        Rows such as ``{"year": 2026, "chip": "gb200", "h100e": 2.5e6, …}``.
    group_key : str
        The key naming the group (``"chip"``, ``"site"``, ``"source"``).
    fields : sequence of str
        Numeric fields to sum [their own units].

    Returns
    -------
    _Pivot
        The summed table.
    """
    years: set[int] = set()
    groups: dict[str, None] = {}
    cells: dict[tuple[str, int], dict[str, float]] = {}
    for entry in entries:
        year = _year(entry.get("year"))
        if year is None:
            continue
        group = _text(entry, group_key) or "(unnamed)"
        years.add(year)
        groups.setdefault(group, None)
        cell = cells.setdefault((group, year), {})
        for field in fields:
            value = _number(entry.get(field))
            if value is not None:
                cell[field] = cell.get(field, 0.0) + value
    return _Pivot(tuple(sorted(years)), tuple(groups), cells)


# --------------------------------------------------------------------------------------------------
# Chart helpers
# --------------------------------------------------------------------------------------------------


def _count_scale(values: Iterable[float]) -> tuple[float, str]:
    """Pick a single axis unit for counts.

    Parameters
    ----------
    values : iterable of float
        Values plotted on the axis [1].

    Returns
    -------
    tuple of (float, str)
        Divisor to apply to the values [1 per axis unit] and a suffix for the axis title,
        e.g. ``(1e6, " [million]")``.
    """
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if largest >= divisor:
            return divisor, f" [{word}]"
    return 1.0, ""


def _colours(groups: Sequence[str]) -> dict[str, str]:
    """One palette colour per group, in order; ``grid`` is always grey."""
    colours: dict[str, str] = {}
    index = 0
    for group in groups:
        if group.lower() == "grid":
            colours[group] = _GRID_COLOUR
        else:
            colours[group] = _PALETTE[index % len(_PALETTE)]
            index += 1
    return colours


def _finish(fig: Any, height: int, y_title: str, **layout: Any) -> None:
    """Common layout: white template, year axis with one tick per year, legend above the plot.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to style (changed in place).
    height : int
        Figure height [px].
    y_title : str
        Title of the y axis (raw text, escaped here).
    **layout : Any
        Further ``update_layout`` arguments.
    """
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": 40, "b": 60},
        xaxis={"title": {"text": "Year"}, "dtick": 1, "tickformat": "d"},
        yaxis={"title": {"text": _e(y_title)}, "rangemode": "tozero"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0},
        hovermode="closest",
        font=_FONT,
    )
    if layout:
        fig.update_layout(**layout)


def _wrap(text: str, width: int = 70) -> str:
    """Escape ``text`` and break it into hover lines of about ``width`` characters."""
    lines = textwrap.wrap(text, width) or [""]
    return "<br>".join(_e(line) for line in lines)


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _targets(result: Mapping[str, Any]) -> list[tuple[int, float, str, float | None]]:
    """Years with a target.

    Returns
    -------
    list of (int, float, str, float or None)
        ``(year, target, unit, shortfall)``: target and shortfall [unit, H100e or accelerators].
    """
    rows: list[tuple[int, float, str, float | None]] = []
    for row in _years(result):
        year = _year(row.get("year"))
        target = _number(row.get("target"))
        if year is None or target is None:
            continue
        shortfall, _ = _shortfall(row)
        rows.append((year, target, _target_unit(row), shortfall))
    return rows


def _fleet_by_chip_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 1, "Fleet by chip": in-service H100e stacked by chip, with the target as a line.

    When the target is set on accelerators rather than H100e, the fleet's accelerator count
    is drawn as a dotted line next to the target, so the two are compared like for like.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is neither a fleet nor a target.
    """
    chips = _pivot(_entries(result, "by_chip"), "chip", ("h100e", "in_service", "installed"))
    chips = _Pivot(
        chips.years,
        tuple(c for c in chips.groups if any(chips.get(c, y, "h100e") is not None for y in chips.years)),
        chips.cells,
    )
    targets = _targets(result)
    if not chips.groups and not targets:
        return None

    import plotly.graph_objects as go

    target_units = {unit for _, _, unit, _ in targets}
    by_accelerators = target_units == {"accelerators"}
    fleet_accelerators: list[tuple[int, float]] = []
    if by_accelerators:
        for row in _years(result):
            year, count = _year(row.get("year")), _number(row.get("accelerators"))
            if year is not None and count is not None:
                fleet_accelerators.append((year, count))

    values = [v for g in chips.groups for y in chips.years if (v := chips.get(g, y, "h100e")) is not None]
    values += [chips.total(y, "h100e") or 0.0 for y in chips.years]
    values += [target for _, target, _, _ in targets] + [count for _, count in fleet_accelerators]
    divisor, suffix = _count_scale(values)

    fig = go.Figure()
    colours = _colours(chips.groups)
    for chip in chips.groups:
        fig.add_trace(
            go.Scatter(
                x=list(chips.years),
                y=[(chips.get(chip, y, "h100e") or 0.0) / divisor for y in chips.years],
                mode="lines",
                stackgroup="fleet",
                name=_e(chip),
                line={"width": 0.8, "color": colours[chip]},
                customdata=[
                    [
                        _e(chip),
                        _e(_count_text(chips.get(chip, y, "h100e"), "H100e")),
                        _e(_count_text(chips.get(chip, y, "in_service"), "accelerators")),
                        _e(_count_text(chips.get(chip, y, "installed"), "accelerators")),
                    ]
                    for y in chips.years
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b>, %{x}<br>In service: %{customdata[1]}"
                    "<br>(%{customdata[2]})<br>Installed this year: %{customdata[3]}<extra></extra>"
                ),
            )
        )
    if targets:
        fig.add_trace(
            go.Scatter(
                x=[year for year, _, _, _ in targets],
                y=[target / divisor for _, target, _, _ in targets],
                mode="lines+markers",
                name="Target" + (" (accelerators)" if by_accelerators else ""),
                line={"color": "#1d2430", "width": 2, "dash": "dash"},
                marker={"size": 9, "symbol": "diamond", "color": "#1d2430"},
                customdata=[
                    [
                        _e(_count_text(target, unit)),
                        _e(_count_text(shortfall, unit) if shortfall is not None else _DASH),
                    ]
                    for _, target, unit, shortfall in targets
                ],
                hovertemplate=(
                    "<b>Target</b>, %{x}<br>%{customdata[0]}<br>Shortfall: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    if fleet_accelerators:
        fig.add_trace(
            go.Scatter(
                x=[year for year, _ in fleet_accelerators],
                y=[count / divisor for _, count in fleet_accelerators],
                mode="lines+markers",
                name="Fleet (accelerators)",
                line={"color": "#555555", "width": 1.5, "dash": "dot"},
                customdata=[[_e(_count_text(count, "accelerators"))] for _, count in fleet_accelerators],
                hovertemplate="<b>Fleet</b>, %{x}<br>%{customdata[0]}<extra></extra>",
            )
        )
    y_title = _count_axis_title("H100-equivalents in service", suffix, "H100e")
    if by_accelerators:
        y_title += "; target in accelerators"
    _finish(fig, 440, y_title)
    return _figure_html(fig, _CHART_IDS[0])


def _count_axis_title(what: str, suffix: str, unit: str) -> str:
    """Axis title for a count, e.g. ``"H100-equivalents in service [million H100e]"``."""
    word = suffix.strip(" []")
    return f"{what} [{word} {unit}]" if word else f"{what} [{unit}]"

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
5. chart "Sites" (an offline map of the catalogue's sites and the plan's sites in its final year, sized by
   facility power and coloured by their main power source: ``gigafleet.reports.sitemap``);
6. chart "Power by source" (capacity by power source, grid included, stacked per year);
7. chart "Cost by year" (capex booked and opex per year);
8. chart "Binding limits" (timeline of the binding constraints, sized by shadow price),
   then the binding-limits table;
9. the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so
the page stays readable without JavaScript.
The page, chart and number helpers are shared by every report (``gigafleet.reports``).
"""

from __future__ import annotations

import math
import os
import pathlib
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.formatting import DASH, axis_scale, format_price, format_value
from gigafleet.reports.document import Page, chart_section, escape, html_table, infeasible_alert, table_section
from gigafleet.reports.figures import PALETTE, count_axis_title, count_scale, figure_html, style
from gigafleet.reports.sitemap import (
    GRID_COLOUR,
    MapSite,
    group_colours,
    load_map_sites,
    site_map_html,
    site_plan_table,
)
from gigafleet.reports.styles import PLAN_CSS
from gigafleet.reports.values import as_entries, as_mapping, as_number, as_year, entry_text, solver_text

__all__ = ["render_plan_html", "write_plan_report"]

_PAGE = Page(PLAN_CSS, "a plan", "Charts need JavaScript; the figures are also in the tables on this page.")

# Div ids of the charts (stable, so the output is deterministic); the site map's is ``sitemap.DEFAULT_DIV_ID``.
_CHART_IDS = (
    "chart-fleet-by-chip",
    "chart-fleet-by-site",
    "chart-power-by-source",
    "chart-cost-by-year",
    "chart-binding-limits",
)


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


# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _years(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Per-year rows of ``result["years"]``, sorted by year (rows without a year last)."""
    rows = as_entries(result, "years")
    return sorted(rows, key=lambda row: (as_year(row.get("year")) is None, as_year(row.get("year")) or 0))


def _target_unit(row: Mapping[str, Any]) -> str:
    """Unit of a year's target and shortfall: ``"H100e"`` or ``"accelerators"``."""
    metric = entry_text(row, "target_metric") or "h100e"
    return _TARGET_UNITS.get(metric, metric)


def _shortfall(row: Mapping[str, Any]) -> tuple[float | None, str]:
    """A year's shortfall and its unit.

    Returns
    -------
    tuple of (float or None, str)
        The shortfall [target metric; H100e when only ``shortfall_h100e`` is given] and the unit.
    """
    value = as_number(row.get("shortfall"))
    if value is not None:
        return value, _target_unit(row)
    return as_number(row.get("shortfall_h100e")), "H100e"


def _count_text(value: float | None, unit: str) -> str:
    """A count with its unit, e.g. ``"5 million H100e"``; a dash when unknown."""
    if value is None:
        return DASH
    return f"{format_value(value, 'count')} {unit}".strip()


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
        year = as_year(entry.get("year"))
        if year is None:
            continue
        group = entry_text(entry, group_key) or "(unnamed)"
        years.add(year)
        groups.setdefault(group, None)
        cell = cells.setdefault((group, year), {})
        for field in fields:
            value = as_number(entry.get(field))
            if value is not None:
                cell[field] = cell.get(field, 0.0) + value
    return _Pivot(tuple(sorted(years)), tuple(groups), cells)


# --------------------------------------------------------------------------------------------------
# Chart helpers
# --------------------------------------------------------------------------------------------------


def _power_axis_title(what: str, axis_title: str) -> str:
    """Rename the power axis title of ``axis_scale``: ``("Capacity", "Power [GW]")`` → ``"Capacity [GW]"``."""
    unit = axis_title.rpartition("[")[2]
    return f"{what} [{unit}" if unit != axis_title else what


def _drawn(pivot: _Pivot, field: str) -> tuple[str, ...]:
    """The groups of ``pivot`` with a value of ``field`` in at least one year."""
    return tuple(g for g in pivot.groups if any(pivot.get(g, y, field) is not None for y in pivot.years))


def _finish(fig: Any, height: int, y_title: str, **layout: Any) -> None:
    """``figures.style`` with a year axis (one tick per year); ``layout`` (Plotly layout arguments) applied after."""
    style(
        fig,
        height=height,
        margin={"l": 70, "r": 20, "t": 40, "b": 60},
        xaxis={"title": {"text": "Year"}, "dtick": 1, "tickformat": "d"},
        yaxis={"title": {"text": escape(y_title)}, "rangemode": "tozero"},
    )
    if layout:
        fig.update_layout(**layout)


def _wrap(text: str, width: int = 70) -> str:
    """Escape ``text`` and break it into hover lines of about ``width`` characters."""
    lines = textwrap.wrap(text, width) or [""]
    return "<br>".join(escape(line) for line in lines)


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _targets(result: Mapping[str, Any]) -> list[tuple[int, float, str, str]]:
    """Years with a target.

    Returns
    -------
    list of (int, float, str, str)
        ``(year, target, unit, shortfall text)``: the target [``unit``: H100e or accelerators]
        and the printed shortfall with its own unit.
    """
    rows: list[tuple[int, float, str, str]] = []
    for row in _years(result):
        year = as_year(row.get("year"))
        target = as_number(row.get("target"))
        if year is None or target is None:
            continue
        rows.append((year, target, _target_unit(row), _count_text(*_shortfall(row))))
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
    chips = _pivot(as_entries(result, "by_chip"), "chip", ("h100e", "in_service", "installed"))
    drawn = _drawn(chips, "h100e")
    targets = _targets(result)
    if not drawn and not targets:
        return None

    import plotly.graph_objects as go

    target_units = {unit for _, _, unit, _ in targets}
    by_accelerators = target_units == {"accelerators"}
    fleet_accelerators: list[tuple[int, float]] = []
    if by_accelerators:
        for row in _years(result):
            year, count = as_year(row.get("year")), as_number(row.get("accelerators"))
            if year is not None and count is not None:
                fleet_accelerators.append((year, count))

    values = [chips.total(y, "h100e") or 0.0 for y in chips.years]
    values += [target for _, target, _, _ in targets] + [count for _, count in fleet_accelerators]
    divisor, suffix = count_scale(values)

    fig = go.Figure()
    colours = group_colours(drawn)
    for chip in drawn:
        fig.add_trace(
            go.Scatter(
                x=list(chips.years),
                y=[(chips.get(chip, y, "h100e") or 0.0) / divisor for y in chips.years],
                mode="lines",
                stackgroup="fleet",
                name=escape(chip),
                line={"width": 0.8, "color": colours[chip]},
                customdata=[
                    [
                        escape(chip),
                        escape(_count_text(chips.get(chip, y, "h100e"), "H100e")),
                        escape(_count_text(chips.get(chip, y, "in_service"), "accelerators")),
                        escape(_count_text(chips.get(chip, y, "installed"), "accelerators")),
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
        # Targets bind only in the years listed: the line joins consecutive years and breaks at gaps.
        by_year = {year: (target, unit, shortfall) for year, target, unit, shortfall in targets}
        horizon = {y for row in _years(result) if (y := as_year(row.get("year"))) is not None}
        x_years = sorted(set(by_year) | set(chips.years) | horizon)
        fig.add_trace(
            go.Scatter(
                x=x_years,
                y=[by_year[y][0] / divisor if y in by_year else None for y in x_years],
                connectgaps=False,
                mode="lines+markers",
                name="Target" + (" (accelerators)" if by_accelerators else ""),
                line={"color": "#1d2430", "width": 2, "dash": "dash"},
                marker={"size": 11, "symbol": "diamond", "color": "#1d2430"},
                customdata=[
                    [escape(_count_text(by_year[y][0], by_year[y][1])), escape(by_year[y][2])]
                    if y in by_year
                    else ["", ""]
                    for y in x_years
                ],
                hovertemplate="<b>Target</b>, %{x}<br>%{customdata[0]}<br>Shortfall: %{customdata[1]}<extra></extra>",
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
                customdata=[[escape(_count_text(count, "accelerators"))] for _, count in fleet_accelerators],
                hovertemplate="<b>Fleet</b>, %{x}<br>%{customdata[0]}<extra></extra>",
            )
        )
    y_title = count_axis_title("H100-equivalents in service", suffix, "H100e")
    if by_accelerators:
        y_title = count_axis_title("In service: H100e (areas), accelerators (lines)", suffix, "")
    _finish(fig, 440, y_title)
    return figure_html(fig, _CHART_IDS[0])


def _fleet_by_site_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 2, "Fleet by site": facility power stacked by site, with the grid available (all sites) dashed.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no site has a facility power or a grid allowance.
    """
    fields = ("facility_power_gw", "accelerators", "h100e", "datacentre_gw", "grid_gw_used", "grid_gw_available")
    sites = _pivot(as_entries(result, "by_site"), "site", fields)
    drawn = _drawn(sites, "facility_power_gw")
    grid = [(y, total) for y in sites.years if (total := sites.total(y, "grid_gw_available")) is not None]
    if not drawn and not grid:
        return None

    import plotly.graph_objects as go

    values = [sites.total(y, "facility_power_gw") or 0.0 for y in sites.years] + [v for _, v in grid]
    divisor, axis_title = axis_scale(values, "power_gw")
    fig = go.Figure()
    colours = group_colours(drawn)
    for site in drawn:
        fig.add_trace(
            go.Scatter(
                x=list(sites.years),
                y=[(sites.get(site, y, "facility_power_gw") or 0.0) / divisor for y in sites.years],
                mode="lines",
                stackgroup="sites",
                name=escape(site),
                line={"width": 0.8, "color": colours[site]},
                customdata=[
                    [
                        escape(site),
                        escape(format_value(sites.get(site, y, "facility_power_gw"), "power_gw")),
                        escape(format_value(sites.get(site, y, "datacentre_gw"), "power_gw")),
                        escape(format_value(sites.get(site, y, "grid_gw_used"), "power_gw")),
                        escape(format_value(sites.get(site, y, "grid_gw_available"), "power_gw")),
                        escape(_count_text(sites.get(site, y, "accelerators"), "accelerators")),
                        escape(_count_text(sites.get(site, y, "h100e"), "H100e")),
                    ]
                    for y in sites.years
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b>, %{x}<br>Facility power: %{customdata[1]}"
                    "<br>Data-centre capacity: %{customdata[2]}<br>Grid used: %{customdata[3]}"
                    " of %{customdata[4]}<br>%{customdata[5]} (%{customdata[6]})<extra></extra>"
                ),
            )
        )
    if grid:
        fig.add_trace(
            go.Scatter(
                x=[y for y, _ in grid],
                y=[v / divisor for _, v in grid],
                mode="lines+markers",
                name="Grid available (all sites)",
                line={"color": GRID_COLOUR, "width": 2, "dash": "dash"},
                marker={"size": 6, "color": GRID_COLOUR},
                customdata=[[escape(format_value(v, "power_gw"))] for _, v in grid],
                hovertemplate="<b>Grid available, all sites</b>, %{x}<br>%{customdata[0]}<extra></extra>",
            )
        )
    _finish(fig, 440, _power_axis_title("Facility power", axis_title))
    return figure_html(fig, _CHART_IDS[1])


def _site_map_chart(result: Mapping[str, Any], catalog_sites: Sequence[MapSite]) -> str | None:
    """Chart "Sites": the catalogue's sites and the plan's sites in its final year on an offline world map.

    Returns
    -------
    str or None
        The topojson preload and the chart (``sitemap.site_map_html``), or ``None`` when the plan has no site rows.
    """
    if not any(as_year(row.get("year")) is not None for row in as_entries(result, "by_site")):
        return None
    return site_map_html(catalog_sites, result)


def _power_by_source_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 3, "Power by source": firm capacity per source (grid included, summed over sites), stacked per year.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no source has a capacity.
    """
    power = _pivot(as_entries(result, "power"), "source", ("capacity_gw", "energy_twh"))
    sources = sorted(_drawn(power, "capacity_gw"), key=lambda s: s.lower() != "grid")
    if not sources:
        return None

    import plotly.graph_objects as go

    divisor, axis_title = axis_scale((power.total(y, "capacity_gw") or 0.0 for y in power.years), "power_gw")
    fig = go.Figure()
    colours = group_colours(sources)
    for source in sources:
        fig.add_trace(
            go.Bar(
                x=list(power.years),
                y=[(power.get(source, y, "capacity_gw") or 0.0) / divisor for y in power.years],
                name=escape(source),
                marker_color=colours[source],
                customdata=[
                    [
                        escape(source),
                        escape(format_value(power.get(source, y, "capacity_gw"), "power_gw")),
                        escape(format_value(power.get(source, y, "energy_twh"), "energy_twh")),
                    ]
                    for y in power.years
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b>, %{x}<br>Capacity: %{customdata[1]}"
                    "<br>Energy: %{customdata[2]}<extra></extra>"
                ),
            )
        )
    _finish(fig, 440, _power_axis_title("Capacity, all sites", axis_title), barmode="stack")
    return figure_html(fig, _CHART_IDS[2])


def _cost_by_year_chart(result: Mapping[str, Any]) -> str | None:
    """Chart 4, "Cost by year": capex booked in each year and opex of each year, side by side.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no year has a capex or an opex.
    """
    rows: list[tuple[int, float | None, float | None]] = []
    for row in _years(result):
        year = as_year(row.get("year"))
        capex, opex = as_number(row.get("capex_usd")), as_number(row.get("opex_usd"))
        if year is not None and (capex is not None or opex is not None):
            rows.append((year, capex, opex))
    if not rows:
        return None

    import plotly.graph_objects as go

    divisor, axis_title = axis_scale((v for _, c, o in rows for v in (c, o) if v is not None), "usd")
    fig = go.Figure()
    for index, (name, kind) in enumerate((("Capex", "usd"), ("Opex", "usd_per_year"))):
        values = [row[1 + index] for row in rows]
        if all(v is None for v in values):
            continue
        fig.add_trace(
            go.Bar(
                x=[year for year, _, _ in rows],
                y=[(v or 0.0) / divisor for v in values],
                name=name,
                marker_color=PALETTE[index],
                customdata=[[escape(format_value(v, kind))] for v in values],
                hovertemplate=f"<b>{name}</b>, %{{x}}<br>%{{customdata[0]}}<extra></extra>",
            )
        )
    _finish(fig, 420, axis_title, barmode="group")
    return figure_html(fig, _CHART_IDS[3])


@dataclass(frozen=True)
class _Binding:
    """One binding limit, read tolerantly from the result.

    Attributes
    ----------
    limit, where, unit, meaning : str
        Descriptive fields (raw, unescaped text).
    year : int or None
        Year the limit binds in.
    shadow_price : float or None
        Marginal value of relaxing the limit by one unit [USD per ``unit``, or as ``unit`` says].
    """

    limit: str
    year: int | None
    where: str
    shadow_price: float | None
    unit: str
    meaning: str

    @property
    def label(self) -> str:
        """Row label of the timeline, e.g. ``"grid · abilene"`` (raw text)."""
        return f"{self.limit} · {self.where}" if self.where else self.limit

    @property
    def price_text(self) -> str:
        """Shadow price with its unit, e.g. ``"$41.2 K per GW"`` (raw text)."""
        return format_price(self.shadow_price, self.unit)


def _bindings(result: Mapping[str, Any]) -> list[_Binding]:
    """Read ``result["binding"]``, skipping entries that are not mappings."""
    return [
        _Binding(
            limit=entry_text(raw, "limit") or "limit",
            year=as_year(raw.get("year")),
            where=entry_text(raw, "where"),
            shadow_price=as_number(raw.get("shadow_price")),
            unit=entry_text(raw, "unit"),
            meaning=entry_text(raw, "meaning"),
        )
        for raw in as_entries(result, "binding")
    ]


def _marker_sizes(items: Sequence[_Binding]) -> list[float]:
    """Marker diameters for the timeline [px].

    Shadow prices are normalised by the largest |shadow price| among the limits with the
    same unit (prices in different units are not comparable); the marker *area* is
    proportional to the normalised |shadow price|, with a minimum size so that every
    limit stays visible.
    """
    largest: dict[str, float] = {}
    for item in items:
        if item.shadow_price is not None:
            largest[item.unit] = max(largest.get(item.unit, 0.0), abs(item.shadow_price))
    sizes: list[float] = []
    for item in items:
        top = largest.get(item.unit, 0.0)
        if item.shadow_price is None or top <= 0.0:
            sizes.append(_MARKER_MIN_PX)
            continue
        share = abs(item.shadow_price) / top
        sizes.append(max(_MARKER_MIN_PX, _MARKER_MAX_PX * math.sqrt(share)))
    return sizes


def _binding_chart(items: Sequence[_Binding], result: Mapping[str, Any]) -> str | None:
    """Chart 5, "Binding limits": one marker per binding limit and year, sized by |shadow price|.

    Parameters
    ----------
    items : sequence of _Binding
        The binding limits (see ``_bindings``).
    result : mapping
        The plan, for the horizon drawn on the year axis.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no binding limit has a year.
    """
    plotted = [item for item in items if item.year is not None]
    if not plotted:
        return None

    import plotly.graph_objects as go

    sized = list(zip(plotted, _marker_sizes(plotted), strict=True))
    labels = list(dict.fromkeys(item.label for item in plotted))
    limits = list(dict.fromkeys(item.limit for item in plotted))
    fig = go.Figure()
    for index, limit in enumerate(limits):
        group = [item for item, _ in sized if item.limit == limit]
        fig.add_trace(
            go.Scatter(
                x=[item.year for item in group],
                y=[escape(item.label) for item in group],
                mode="markers",
                name=escape(limit),
                marker={
                    "size": [size for item, size in sized if item.limit == limit],
                    "color": PALETTE[index % len(PALETTE)],
                    "opacity": 0.8,
                    "line": {"width": 1, "color": "#ffffff"},
                },
                customdata=[
                    [
                        escape(item.limit),
                        escape(item.where or DASH),
                        escape(item.price_text),
                        _wrap(item.meaning) if item.meaning else "",
                    ]
                    for item in group
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b> at %{customdata[1]}, %{x}"
                    "<br>Shadow price: %{customdata[2]}<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    years = [item.year for item in plotted if item.year is not None]
    years += [y for row in _years(result) if (y := as_year(row.get("year"))) is not None]
    _finish(
        fig,
        max(280, 140 + 36 * len(labels)),
        "",
        xaxis={"range": [min(years) - 0.6, max(years) + 0.6]},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [escape(label) for label in labels],
            "autorange": "reversed",
            "automargin": True,
        },
        margin={"l": 170, "r": 20, "t": 40, "b": 60},
    )
    return figure_html(fig, _CHART_IDS[4])


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _status(result: Mapping[str, Any]) -> tuple[str, str, str]:
    """The plan's status: ``(key, badge text, CSS class)``; an unknown status is shown as given."""
    key = entry_text(result, "status").strip().lower()
    if key in _STATUSES:
        text, css = _STATUSES[key]
        unmet = result.get("unmet")
        if key == "shortfall" and isinstance(unmet, list) and unmet:
            kinds = sorted({str(u.get("requirement", "")) for u in unmet if isinstance(u, Mapping)} - {""})
            words = {"target": "targets", "min_facility_gw": "minimum campus size", "firm_power": "firm power"}
            if kinds:
                text = "Shortfall: " + ", ".join(words.get(k, k) for k in kinds) + " not met"
        return key, text, css
    return key, (f"Status: {entry_text(result, 'status')}" if key else "Status unknown"), "status-unknown"


def _meta_items(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Scenario and solver facts as ``(label, text)`` pairs (raw text)."""
    items: list[tuple[str, str]] = []
    objective = entry_text(result, "objective")
    if objective:
        items.append(("Objective", _OBJECTIVES.get(objective, objective)))
    cost_usd = as_number(result.get("cost_usd"))
    objective_usd = as_number(result.get("objective_usd"))
    if cost_usd is not None:
        items.append(("Discounted cost", format_value(cost_usd, "usd")))
    elif objective_usd is not None:  # results written before cost_usd was split from the objective
        items.append(("Objective value", format_value(objective_usd, "usd")))
    penalty = as_number(result.get("penalty_usd"))
    if penalty:  # the solver's device for unmet targets, never to be read as money spent
        items.append(
            ("Shortfall penalty in the objective (a modelling device, not a cost)", format_value(penalty, "usd"))
        )
    years = [y for row in _years(result) if (y := as_year(row.get("year"))) is not None]
    if years:
        items.append(("Horizon", f"{min(years)}–{max(years)}" if len(set(years)) > 1 else str(years[0])))
    scenario = as_mapping(result.get("scenario"))
    if entry_text(scenario, "file"):
        items.append(("Scenario file", entry_text(scenario, "file")))
    solver = solver_text(result)
    if solver:
        items.append(("Solver", solver))
    return items


def _alert(result: Mapping[str, Any], status: str) -> str:
    """A warning block for a shortfall or an infeasible plan; empty for an optimal one."""
    short: list[str] = []
    for row in _years(result):
        value, unit = _shortfall(row)
        year = as_year(row.get("year"))
        if value is None or value <= _SHORTFALL_TOLERANCE:
            continue
        target = as_number(row.get("target"))
        text = f"{year if year is not None else '?'}: {_count_text(value, unit)} short"
        if target is not None:
            text += f" of the target of {_count_text(target, _target_unit(row))}"
        short.append(text)
    items = "".join(f"<li>{escape(text)}</li>" for text in short)
    if status == "infeasible":
        return infeasible_alert(result, "No feasible plan: the limits cannot all be met", "a plan")
    if status == "shortfall" or short:
        message = "Targets not met." if short else "Targets not met in at least one year."
        reach = as_mapping(result.get("reach"))
        delivered, target, last = (as_number(reach.get(k)) for k in ("delivered", "target", "year"))
        if delivered is not None and target is not None and last is not None:
            metric = entry_text(reach, "target_metric") or "target units"
            message = (
                f"Reaches {format_value(delivered, 'count')} {metric} by {int(last)} of a target of "
                f"{format_value(target, 'count')}; the binding limits of the short years say what blocks the rest."
            )
        body = f"<ul>{items}</ul>" if items else ""
        return f'<div class="alert alert-shortfall" role="alert"><strong>{escape(message)}</strong>{body}</div>'
    return ""


def _title_section(result: Mapping[str, Any]) -> str:
    """Title with the scenario name, the status badge, the description and the solver facts."""
    scenario = as_mapping(result.get("scenario"))
    name = entry_text(scenario, "name") or "unnamed scenario"
    status, badge, css = _status(result)
    description = entry_text(scenario, "description")
    items = _meta_items(result)
    summary = " · ".join(f"{label}: {text}" for label, text in items)
    return "".join(
        (
            '<header id="title">',
            f'<h1>Build-out plan: {escape(name)} <span class="badge {css}" id="status">{escape(badge)}</span></h1>',
            f'<p class="subtitle">{escape(description)}</p>' if description else "",
            f'<p class="subtitle">{escape(summary)}</p>' if summary else "",
            _alert(result, status),
            "</header>",
        )
    )


def _summary_section(result: Mapping[str, Any]) -> str:
    """Summary table: one row per year."""
    rows: list[tuple[str, ...]] = []
    for row in _years(result):
        year = as_year(row.get("year"))
        unit = _target_unit(row)
        shortfall, shortfall_unit = _shortfall(row)
        shortfall_text = _count_text(shortfall, shortfall_unit)
        if shortfall is not None and shortfall > _SHORTFALL_TOLERANCE:
            shortfall_text = "⚠ " + shortfall_text
        rows.append(
            (
                str(year) if year is not None else DASH,
                _count_text(as_number(row.get("target")), unit),
                format_value(as_number(row.get("accelerators")), "count"),
                format_value(as_number(row.get("h100e")), "count"),
                shortfall_text,
                format_value(as_number(row.get("facility_power_gw")), "power_gw"),
                format_value(as_number(row.get("energy_twh")), "energy_twh"),
                format_value(as_number(row.get("capex_usd")), "usd"),
                format_value(as_number(row.get("opex_usd")), "usd_per_year"),
                format_value(as_number(row.get("co2_mt")), "co2_mt"),
            )
        )
    headers = (
        "Year",
        "Target",
        "Accelerators",
        "H100e",
        "Shortfall",
        "Facility power",
        "Energy",
        "Capex",
        "Opex",
        "CO2",
    )
    caption = (
        "Accelerators and H100e: fleet in service in each year. Target and shortfall are in the target's metric;"
        " a dash means no target that year. Capex: booked in the year; opex: cost of the year's operation."
    )
    return table_section(
        "summary",
        "Summary by year",
        headers,
        rows,
        numeric=range(1, len(headers)),
        css="summary",
        empty="No years in this result.",
        caption=caption,
    )


def _pivot_table(pivot: _Pivot, groups: Sequence[str], field: str, kind: str, title: str, group_title: str) -> str:
    """A collapsible static table of ``field`` per group (rows) and year (columns)."""
    if not groups or not pivot.years:
        return ""
    rows = [(group, *(format_value(pivot.get(group, y, field), kind) for y in pivot.years)) for group in groups]
    rows.append(("Total", *(format_value(pivot.total(y, field), kind) for y in pivot.years)))
    headers = (group_title, *(str(y) for y in pivot.years))
    table = html_table(headers, rows, numeric=range(1, len(headers)), css="pivot")
    return f"<details><summary>{escape(title)}</summary>{table}</details>"


def _binding_table(items: Sequence[_Binding]) -> str:
    """Binding limits as a static table."""
    if not items:
        return '<p class="muted">No binding limits in this result.</p>'
    rows = [
        (
            item.limit,
            str(item.year) if item.year is not None else DASH,
            item.where or DASH,
            item.price_text,
            item.meaning or DASH,
        )
        for item in items
    ]
    headers = ("Limit", "Year", "Where", "Shadow price", "Meaning")
    return html_table(headers, rows, numeric=(1, 3), css="binding")


def render_plan_html(result: dict[str, Any]) -> str:
    """Render a build-out plan as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet plan --json``: ``status``, ``objective``,
        ``objective_usd`` [USD], ``scenario``, ``solver`` (times [s]), ``years`` (per year:
        counts [1], ``target`` [H100e or accelerators, per ``target_metric``],
        ``facility_power_gw`` [GW], ``energy_twh`` [TWh/yr], ``capex_usd`` [USD],
        ``opex_usd`` [USD/yr], ``co2_mt`` [Mt CO2/yr]), ``by_chip``, ``by_site``
        (powers [GW]), ``power`` (``capacity_gw`` [GW], ``energy_twh`` [TWh/yr]),
        ``binding`` (``shadow_price`` [``unit``]) and ``notes``. Every key is optional;
        missing or malformed entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    scenario = as_mapping(data.get("scenario"))
    name = entry_text(scenario, "name") or "unnamed scenario"
    _, badge, _ = _status(data)
    bindings = _bindings(data)
    catalog_sites = load_map_sites()

    chips = _pivot(as_entries(data, "by_chip"), "chip", ("h100e",))
    sites = _pivot(as_entries(data, "by_site"), "site", ("facility_power_gw",))
    power = _pivot(as_entries(data, "power"), "source", ("capacity_gw", "energy_twh"))
    sources = sorted(power.groups, key=lambda s: s.lower() != "grid")
    subscribed = _pivot(
        [
            {**r, "source": "grid subscribed"}
            for r in as_entries(data, "power")
            if r.get("source") == "grid" and "subscribed_gw" in r
        ],
        "source",
        ("subscribed_gw",),
    )
    sections = (
        chart_section(
            "fleet-by-chip",
            "Fleet by chip",
            _fleet_by_chip_chart(data),
            _pivot_table(chips, chips.groups, "h100e", "count", "In-service H100e by chip", "Chip"),
        ),
        chart_section(
            "fleet-by-site",
            "Fleet by site",
            _fleet_by_site_chart(data),
            _pivot_table(sites, sites.groups, "facility_power_gw", "power_gw", "Facility power by site", "Site"),
        ),
        chart_section(
            "sites",
            "Sites",
            _site_map_chart(data, catalog_sites),
            '<p class="caption">Diamonds: every site in the catalogue (hover for its grid import and campus).'
            " Discs: the plan's sites in its final year, drawn at their catalogue site; disc area is proportional"
            " to facility power, colour is the source of most of the site's energy (as in Power by source).</p>"
            + site_plan_table(data, catalog_sites),
        ),
        chart_section(
            "power-by-source",
            "Power by source",
            _power_by_source_chart(data),
            _pivot_table(power, sources, "capacity_gw", "power_gw", "Capacity by source, all sites", "Source")
            + _pivot_table(
                subscribed,
                subscribed.groups,
                "subscribed_gw",
                "power_gw",
                "Grid subscribed (of the grid available above), all sites",
                "Grid",
            )
            + _pivot_table(
                power, sources, "energy_twh", "energy_twh", "Energy by source, all sites (power mix)", "Source"
            ),
        ),
        chart_section("cost-by-year", "Cost by year", _cost_by_year_chart(data)),
        chart_section(
            "binding-limits",
            "Binding limits",
            _binding_chart(bindings, data),
            '<p class="caption">Marker area is proportional to |shadow price|, normalised by the largest among'
            " limits with the same unit. The shadow price is the change in the objective per unit of the limit"
            ' relaxed.</p><h3 id="binding-table">Binding limits</h3>' + _binding_table(bindings),
        ),
    )
    return _PAGE.render(
        f"gigafleet plan: {name} ({badge})", _title_section(data), (_summary_section(data), *sections), data
    )


def write_plan_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet plan --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_plan_html, result, path)

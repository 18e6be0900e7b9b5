"""An offline map of the catalogue's sites and, optionally, of a plan's sites in its final year.

The map is a Plotly ``scattergeo`` figure drawn on Natural Earth's 1:110m world (``gigafleet/data/geo/``, see its
README). Plotly.js normally fetches that topojson from a CDN; it looks in ``window.PlotlyGeoAssets.topojson``
first, so every map here ships the file with it:

* :func:`site_map_html` gives a ``<script>`` that preloads the topojson followed by the chart, for a
  self-contained report (the plan report's "Sites" section);
* :func:`site_map_json` gives the figure as JSON-ready data plus the topojson, for the web app to preload
  (``window.PlotlyGeoAssets.topojson[name] = topojson``) before ``Plotly.newPlot``; a page can instead serve
  :data:`TOPOJSON_PATH` itself and set the plot config ``topojsonURL`` to its folder.

Every catalogue site (``sites.csv``: ``latitude_deg``, ``longitude_deg``, ``grid_import_gw``; ``site_attributes.csv``:
region, country, campus) is one small marker. A plan's sites are drawn in the plan's final year as discs whose
*area* is proportional to facility power, coloured by the source that supplies most of the site's energy that year
(colours as the plan report's "Power by source" chart), with the whole mix in the hover text.

A plan site (a scenario's ``sites[].id``, e.g. ``texas``) is placed at a catalogue site found, in order, from: the
``weather`` key of its ``by_site`` rows; the ``weather`` of the site in the scenario file named by
``scenario.file`` (when that file can still be read); the site id itself when it is a catalogue id; the one
catalogue id that starts with the site id and a hyphen (``abilene`` → ``abilene-tx``). Sites found by none of
these are listed under the map, not guessed.

plotly is imported lazily, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gigafleet.catalog import DATA_DIR
from gigafleet.formatting import DASH, format_percent, format_value
from gigafleet.reports.document import escape, html_table
from gigafleet.reports.figures import FONT, LEGEND_ABOVE, PALETTE, figure_html
from gigafleet.reports.values import as_entries, as_mapping, as_number, as_year, entry_text

if TYPE_CHECKING:
    from gigafleet.catalog import Catalog

__all__ = [
    "GRID_COLOUR",
    "TOPOJSON_NAME",
    "TOPOJSON_PATH",
    "MapSite",
    "PlanSite",
    "group_colours",
    "load_map_sites",
    "marker_diameters_px",
    "plan_sites",
    "site_map_figure",
    "site_map_html",
    "site_map_json",
    "site_plan_table",
    "source_order",
    "topojson_preload_script",
]

TOPOJSON_NAME = "world_110m"
"""The name plotly.js gives the world map at 1:110m (``{scope}_{resolution}m``), its key in ``PlotlyGeoAssets``."""

TOPOJSON_PATH = DATA_DIR / "geo" / f"{TOPOJSON_NAME}.json"
"""The shipped topojson (Natural Earth 1:110m as packaged for plotly.js; see ``data/geo/README.md``)."""

DEFAULT_DIV_ID = "chart-site-map"
"""Div id of the map in a page (stable, so the output is deterministic)."""

# Marker diameters of the plan's sites [px]; marker area ∝ facility power.
_PLAN_MIN_PX = 9.0
_PLAN_MAX_PX = 44.0
_CATALOGUE_PX = 7.0

_CATALOGUE_COLOUR = "#1d2430"
GRID_COLOUR = "#7f7f7f"
"""Colour of the grid in every plan chart and on the map."""

_NO_MIX_COLOUR = "#bab0ac"

_SCENARIO_FILE_LIMIT_BYTES = 1024 * 1024

_GEO = {
    "scope": "world",
    "resolution": 110,
    "projection": {"type": "natural earth"},
    "fitbounds": "locations",
    "showland": True,
    "landcolor": "#eef0f3",
    "showocean": True,
    "oceancolor": "#f5f9fd",
    "showlakes": True,
    "lakecolor": "#f5f9fd",
    "showcountries": True,
    "countrycolor": "#aab2bd",
    "countrywidth": 0.6,
    "showsubunits": True,
    "subunitcolor": "#d3d8df",
    "subunitwidth": 0.5,
    "showcoastlines": True,
    "coastlinecolor": "#8a94a0",
    "coastlinewidth": 0.6,
    "showframe": False,
    "bgcolor": "rgba(0,0,0,0)",
}
"""Base layers of the map: every layer named here is an object of the shipped topojson."""


# --------------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSite:
    """One catalogue site as drawn on the map.

    Attributes
    ----------
    id, label : str
        Catalogue id and name (``sites.csv``).
    latitude_deg, longitude_deg : float
        Position [degree; north and east positive].
    region, country, campus, status : str
        From ``site_attributes.csv`` (empty when the catalogue has none).
    grid_import_gw : float or None
        Firm grid import available to the site, mid value [GW].
    grid_import_range_gw : tuple of (float, float) or None
        Its low and high values [GW], when they differ.
    """

    id: str
    label: str
    latitude_deg: float
    longitude_deg: float
    region: str = ""
    country: str = ""
    campus: str = ""
    status: str = ""
    grid_import_gw: float | None = None
    grid_import_range_gw: tuple[float, float] | None = None


def load_map_sites(catalog: Catalog | None = None) -> list[MapSite]:
    """Every catalogue site with a latitude and a longitude, in catalogue order.

    Parameters
    ----------
    catalog : Catalog, optional
        A loaded catalogue; default :func:`gigafleet.catalog.load_catalog`.

    Returns
    -------
    list of MapSite
        One per site of ``sites.csv`` that has both ``latitude_deg`` and ``longitude_deg`` (mid values [degree]).
    """
    if catalog is None:
        from gigafleet.catalog import load_catalog

        catalog = load_catalog()
    sites: list[MapSite] = []
    for site_id in catalog.ids("sites"):
        item = catalog.item("sites", site_id)
        latitude, longitude = item.get("latitude_deg"), item.get("longitude_deg")
        if latitude is None or longitude is None:
            continue
        attributes = catalog.site_attributes.get(item.id, {})
        grid = item.get("grid_import_gw")
        sites.append(
            MapSite(
                id=item.id,
                label=item.label,
                latitude_deg=latitude.mid,
                longitude_deg=longitude.mid,
                region=attributes.get("region", ""),
                country=attributes.get("country", ""),
                campus=attributes.get("campus", ""),
                status=attributes.get("status", ""),
                grid_import_gw=grid.mid if grid is not None else None,
                grid_import_range_gw=(grid.low, grid.high) if grid is not None and grid.is_range else None,
            )
        )
    return sites


@dataclass(frozen=True)
class PlanSite:
    """One site of a plan in a year, placed at a catalogue site.

    Attributes
    ----------
    id : str
        The scenario's site id.
    location : MapSite
        The catalogue site it is drawn at.
    located_by : str
        How it was placed (``"weather"``, ``"scenario file"``, ``"site id"``, ``"site id prefix"``).
    year : int
        The year drawn (the plan's final year).
    facility_power_gw, datacentre_gw, grid_gw_used, grid_gw_available : float or None
        From the site's ``by_site`` row [GW].
    accelerators, h100e : float or None
        Fleet at the site in service that year [1].
    mix : tuple of (str, float)
        Share of each power source, largest first [1], by energy (or by capacity when the plan gives no energy).
    mix_basis : str
        ``"energy"``, ``"capacity"`` or ``""`` when the plan has no power rows for the site.
    """

    id: str
    location: MapSite
    located_by: str
    year: int
    facility_power_gw: float | None
    datacentre_gw: float | None
    grid_gw_used: float | None
    grid_gw_available: float | None
    accelerators: float | None
    h100e: float | None
    mix: tuple[tuple[str, float], ...]
    mix_basis: str

    @property
    def dominant_source(self) -> str:
        """The source with the largest share (``""`` when there is no mix)."""
        return self.mix[0][0] if self.mix else ""


def _scenario_weather(result: Mapping[str, Any]) -> dict[str, str]:
    """``sites[].id`` → ``sites[].weather`` of the scenario file named in the result, when it can still be read."""
    from gigafleet.errors import GigafleetError
    from gigafleet.safeio import load_yaml_text, read_text_file

    name = entry_text(as_mapping(result.get("scenario")), "file")
    if not name:
        return {}
    path = Path(name)
    try:
        if not path.is_file():
            return {}
        document = load_yaml_text(read_text_file(path, "scenario file", limit=_SCENARIO_FILE_LIMIT_BYTES), name)
    except (GigafleetError, OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for site in as_entries(document if isinstance(document, Mapping) else {}, "sites"):
        site_id, weather = entry_text(site, "id"), entry_text(site, "weather")
        if site_id and weather:
            found[site_id] = weather
    return found


def _locate(
    site_id: str, weather: str, scenario_weather: Mapping[str, str], by_id: Mapping[str, MapSite]
) -> tuple[MapSite, str] | None:
    """The catalogue site a plan site is drawn at, and how it was found (see the module docstring)."""
    for key, how in ((weather, "weather"), (scenario_weather.get(site_id, ""), "scenario file")):
        if key.strip().lower() in by_id:
            return by_id[key.strip().lower()], how
    key = site_id.strip().lower()
    if key in by_id:
        return by_id[key], "site id"
    prefixed = [site for catalogue_id, site in by_id.items() if catalogue_id.startswith(key + "-")]
    if key and len(prefixed) == 1:
        return prefixed[0], "site id prefix"
    return None


def _mix(rows: Sequence[Mapping[str, Any]]) -> tuple[tuple[tuple[str, float], ...], str]:
    """Shares of the sources in ``rows`` (one site, one year), by energy, else by capacity; largest first."""
    for field, basis in (("energy_twh", "energy"), ("capacity_gw", "capacity")):
        amounts: dict[str, float] = {}
        for row in rows:
            value = as_number(row.get(field))
            if value is not None and value > 0:
                source = entry_text(row, "source") or "(unnamed)"
                amounts[source] = amounts.get(source, 0.0) + value
        total = sum(amounts.values())
        if total > 0:
            shares = sorted(((s, v / total) for s, v in amounts.items()), key=lambda item: (-item[1], item[0]))
            return tuple(shares), basis
    return (), ""


def plan_sites(plan_result: Mapping[str, Any], catalog_sites: Sequence[MapSite]) -> tuple[list[PlanSite], list[str]]:
    """A plan's sites in its final year, placed at catalogue sites.

    Parameters
    ----------
    plan_result : mapping
        The dictionary of ``gigafleet plan --json``: ``by_site`` (per year and site: ``facility_power_gw``,
        ``datacentre_gw``, ``grid_gw_used``, ``grid_gw_available`` [GW], ``accelerators``, ``h100e`` [1]),
        ``power`` (per year, site and source: ``energy_twh`` [TWh/yr], ``capacity_gw`` [GW]) and ``scenario``.
        Missing or malformed entries are skipped.
    catalog_sites : sequence of MapSite
        The catalogue sites (:func:`load_map_sites`).

    Returns
    -------
    tuple of (list of PlanSite, list of str)
        The placed sites, in order of first appearance, and the ids of the sites that could not be placed.
    """
    rows = [row for row in as_entries(plan_result, "by_site") if as_year(row.get("year")) is not None]
    if not rows:
        return [], []
    final = max(as_year(row.get("year")) or 0 for row in rows)
    by_id = {site.id.lower(): site for site in catalog_sites}
    scenario_weather: dict[str, str] | None = None
    power = [row for row in as_entries(plan_result, "power") if as_year(row.get("year")) == final]

    placed: list[PlanSite] = []
    unplaced: list[str] = []
    for row in rows:
        if as_year(row.get("year")) != final:
            continue
        site_id = entry_text(row, "site") or "(unnamed)"
        if site_id in unplaced or any(site.id == site_id for site in placed):
            continue
        weather = entry_text(row, "weather")
        found = _locate(site_id, weather, {}, by_id)
        if found is None:
            if scenario_weather is None:
                scenario_weather = _scenario_weather(plan_result)
            found = _locate(site_id, weather, scenario_weather, by_id)
        if found is None:
            unplaced.append(site_id)
            continue
        mix, basis = _mix([p for p in power if entry_text(p, "site") == site_id])
        placed.append(
            PlanSite(
                id=site_id,
                location=found[0],
                located_by=found[1],
                year=final,
                facility_power_gw=as_number(row.get("facility_power_gw")),
                datacentre_gw=as_number(row.get("datacentre_gw")),
                grid_gw_used=as_number(row.get("grid_gw_used")),
                grid_gw_available=as_number(row.get("grid_gw_available")),
                accelerators=as_number(row.get("accelerators")),
                h100e=as_number(row.get("h100e")),
                mix=mix,
                mix_basis=basis,
            )
        )
    return placed, unplaced


# --------------------------------------------------------------------------------------------------
# Figure
# --------------------------------------------------------------------------------------------------


def source_order(plan_result: Mapping[str, Any]) -> list[str]:
    """Power sources of the plan as its "Power by source" chart orders them: grid first, then first appearance."""
    sources: dict[str, None] = {}
    for row in as_entries(plan_result, "power"):
        if as_year(row.get("year")) is not None and as_number(row.get("capacity_gw")) is not None:
            sources.setdefault(entry_text(row, "source") or "(unnamed)", None)
    return sorted(sources, key=lambda s: s.lower() != "grid")


def group_colours(groups: Sequence[str]) -> dict[str, str]:
    """One palette colour per group (chip, site, power source), in order; ``grid`` is always grey.

    The plan report colours its charts with this rule, so a source has one colour on the map and in
    "Power by source".

    Examples
    --------
    >>> group_colours(["ccgt", "grid", "solar-pv"])
    {'ccgt': '#4e79a7', 'grid': '#7f7f7f', 'solar-pv': '#f28e2b'}
    """
    colours: dict[str, str] = {}
    index = 0
    for group in groups:
        if group.lower() == "grid":
            colours[group] = GRID_COLOUR
        else:
            colours[group] = PALETTE[index % len(PALETTE)]
            index += 1
    return colours


def marker_diameters_px(powers_gw: Sequence[float | None]) -> list[float]:
    """Marker diameters [px] with area proportional to facility power [GW], at least ``_PLAN_MIN_PX``.

    Examples
    --------
    >>> marker_diameters_px([4.0, 1.0, None])
    [44.0, 22.0, 9.0]
    """
    top = max((p for p in powers_gw if p is not None and math.isfinite(p) and p > 0), default=0.0)
    sizes: list[float] = []
    for power in powers_gw:
        if power is None or not math.isfinite(power) or power <= 0 or top <= 0:
            sizes.append(_PLAN_MIN_PX)
        else:
            sizes.append(max(_PLAN_MIN_PX, _PLAN_MAX_PX * math.sqrt(power / top)))
    return sizes


def _wrap(text: str, width: int = 60) -> str:
    """Escape ``text`` and break it into hover lines of about ``width`` characters."""
    return "<br>".join(escape(line) for line in textwrap.wrap(text, width) or [""])


def _grid_text(site: MapSite) -> str:
    """``"1.2 GW"`` or ``"1.2 GW (1–1.5 GW)"`` for a catalogue site's grid import; a dash when unknown."""
    text = format_value(site.grid_import_gw, "power_gw")
    if site.grid_import_range_gw is not None:
        low, high = site.grid_import_range_gw
        text += f" ({format_value(low, 'power_gw')}–{format_value(high, 'power_gw')})"
    return text


def _catalogue_hover(site: MapSite) -> str:
    """Hover text of a catalogue site (escaped)."""
    lines = [f"<b>{escape(site.label)}</b> ({escape(site.id)})"]
    where = " · ".join(part for part in (site.region, site.country) if part)
    if where:
        lines.append(f"Region: {escape(where)}")
    lines.append(f"Grid import: {escape(_grid_text(site))}")
    if site.status:
        lines.append(f"Status: {escape(site.status)}")
    if site.campus:
        lines.append(_wrap(site.campus))
    return "<br>".join(lines)


def _mix_text(site: PlanSite) -> str:
    """``"grid 72.3% · solar-pv 20%"`` (raw text); a dash without a mix."""
    return " · ".join(f"{source} {format_percent(share)}" for source, share in site.mix) or DASH


def _plan_hover(site: PlanSite) -> str:
    """Hover text of a plan site (escaped)."""
    fleet = format_value(site.accelerators, "count")
    lines = [
        f"<b>{escape(site.id)}</b>, {site.year} at {escape(site.location.label)}",
        f"Facility power: {escape(format_value(site.facility_power_gw, 'power_gw'))}",
        f"Data-centre capacity: {escape(format_value(site.datacentre_gw, 'power_gw'))}",
        f"Grid used: {escape(format_value(site.grid_gw_used, 'power_gw'))}"
        f" of {escape(format_value(site.grid_gw_available, 'power_gw'))}",
        f"Fleet: {escape(fleet)} accelerators ({escape(format_value(site.h100e, 'count'))} H100e)",
    ]
    if site.mix:
        lines.append(f"Power mix by {site.mix_basis}: " + _wrap(_mix_text(site)))
    return "<br>".join(lines)


def site_map_figure(
    catalog_sites: Sequence[MapSite] | None = None, plan_result: Mapping[str, Any] | None = None
) -> Any:
    """The site map as a plotly figure.

    Parameters
    ----------
    catalog_sites : sequence of MapSite, optional
        The catalogue sites to draw (:func:`load_map_sites`); default: every site of the built-in catalogue.
    plan_result : mapping, optional
        The dictionary of ``gigafleet plan --json``; its sites are drawn in its final year (see
        :func:`plan_sites`).

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 (``"Catalogue sites"``): one marker per catalogue site at (``longitude_deg``, ``latitude_deg``)
        [degree]. Then, with a plan, one trace per dominant power source (``meta`` = the source), one marker per
        placed plan site with an area proportional to its facility power [GW].
    """
    import plotly.graph_objects as go

    sites = list(load_map_sites() if catalog_sites is None else catalog_sites)
    fig = go.Figure()
    fig.add_trace(
        go.Scattergeo(
            lon=[site.longitude_deg for site in sites],
            lat=[site.latitude_deg for site in sites],
            ids=[site.id for site in sites],
            mode="markers",
            name="Catalogue sites",
            marker={
                "size": _CATALOGUE_PX,
                "color": _CATALOGUE_COLOUR,
                "symbol": "diamond",
                "line": {"width": 0.5, "color": "#ffffff"},
            },
            hovertext=[_catalogue_hover(site) for site in sites],
            hoverinfo="text",
        )
    )
    placed, _ = plan_sites(plan_result, sites) if plan_result is not None else ([], [])
    if placed:
        sizes = dict(
            zip((s.id for s in placed), marker_diameters_px([s.facility_power_gw for s in placed]), strict=True)
        )
        sources = source_order(plan_result or {})
        sources += sorted({s.dominant_source for s in placed if s.dominant_source} - set(sources))
        colours = group_colours(sources)
        for source in [*sources, ""]:
            group = [s for s in placed if s.dominant_source == source]
            if not group:
                continue
            fig.add_trace(
                go.Scattergeo(
                    lon=[s.location.longitude_deg for s in group],
                    lat=[s.location.latitude_deg for s in group],
                    ids=[escape(s.id) for s in group],
                    mode="markers",
                    name=escape(f"Plan {group[0].year}: mostly {source}" if source else f"Plan {group[0].year}"),
                    meta=escape(source),
                    marker={
                        "size": [sizes[s.id] for s in group],
                        "sizemode": "diameter",
                        "color": colours.get(source, _NO_MIX_COLOUR),
                        "opacity": 0.72,
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    hovertext=[_plan_hover(s) for s in group],
                    hoverinfo="text",
                )
            )
    fig.update_layout(
        template="plotly_white",
        height=480,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend=dict(LEGEND_ABOVE),
        hovermode="closest",
        font=FONT,
        geo=dict(_GEO),
    )
    return fig


# --------------------------------------------------------------------------------------------------
# HTML and JSON
# --------------------------------------------------------------------------------------------------


@functools.cache
def _topojson_text() -> str:
    """The shipped topojson, as its compact JSON text."""
    return TOPOJSON_PATH.read_text(encoding="utf-8")


def topojson_preload_script() -> str:
    """A ``<script>`` that puts the shipped topojson in ``window.PlotlyGeoAssets.topojson``, so plotly.js never
    fetches it. Place it before the first geo chart's script (after plotly.js or before it: both work)."""
    # '<' can occur in JSON only inside strings, where \u003c means the same; so no '</script>' can end it early.
    data = _topojson_text().strip().replace("<", "\\u003c")
    return (
        "<script>(function(){var g=window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"
        f'g.topojson=g.topojson||{{}};g.topojson["{TOPOJSON_NAME}"]={data};}})();</script>'
    )


def site_plan_table(plan_result: Mapping[str, Any], catalog_sites: Sequence[MapSite] | None = None) -> str:
    """The plan's sites on the map as a static HTML table (readable without JavaScript), and the unplaced ones.

    Returns
    -------
    str
        A collapsible table and a note naming the sites not on the map; empty when the plan has no sites.
    """
    sites = list(load_map_sites() if catalog_sites is None else catalog_sites)
    placed, unplaced = plan_sites(plan_result, sites)
    parts: list[str] = []
    if placed:
        rows = [
            (
                site.id,
                f"{site.location.label} ({site.location.id})",
                format_value(site.facility_power_gw, "power_gw"),
                site.dominant_source or DASH,
                _mix_text(site),
            )
            for site in placed
        ]
        table = html_table(
            ("Site", "Drawn at", "Facility power", "Main source", "Mix"), rows, numeric=(2,), css="pivot"
        )
        parts.append(f"<details><summary>Plan sites on the map, {placed[0].year}</summary>{table}</details>")
    if unplaced:
        parts.append(
            '<p class="caption">Not on the map (no catalogue site for them): '
            + escape(", ".join(unplaced))
            + ". A scenario site is drawn where its <code>weather</code> catalogue site is.</p>"
        )
    return "".join(parts)


def site_map_html(
    catalog_sites: Sequence[MapSite] | None = None,
    plan_result: Mapping[str, Any] | None = None,
    *,
    div_id: str = DEFAULT_DIV_ID,
) -> str:
    """The site map as an HTML snippet that draws offline: the topojson preload, then the chart (no plotly.js).

    Parameters
    ----------
    catalog_sites, plan_result
        As :func:`site_map_figure`.
    div_id : str
        Id of the chart's ``<div>``.

    Returns
    -------
    str
        ``<script>`` (topojson preload) + ``<div>`` + ``<script>`` (``Plotly.newPlot``); needs plotly.js on the page.
    """
    return topojson_preload_script() + figure_html(site_map_figure(catalog_sites, plan_result), div_id)


def site_map_json(
    plan_result: Mapping[str, Any] | None = None, catalog_sites: Sequence[MapSite] | None = None
) -> dict[str, Any]:
    """The site map for a web page: the figure as JSON-ready data, the plot config and the topojson.

    Parameters
    ----------
    plan_result : mapping, optional
        The dictionary of ``gigafleet plan --json`` (e.g. a stored run's result).
    catalog_sites : sequence of MapSite, optional
        Default: every site of the built-in catalogue.

    Returns
    -------
    dict of str to Any
        ``figure`` (``{"data": [...], "layout": {...}}``, as ``fig.to_plotly_json()`` made JSON-safe),
        ``config`` (plot config), ``topojson_name`` (``"world_110m"``), ``topojson`` (the topology object, to
        set as ``window.PlotlyGeoAssets.topojson[topojson_name]`` before ``Plotly.newPlot``), ``sites`` (placed
        plan sites: ``id``, ``catalog_site``, ``year``, ``facility_power_gw`` [GW], ``main_source``, ``mix``
        (source → share [1]), ``mix_basis``) and ``unplaced`` (plan site ids not on the map).
    """
    sites = list(load_map_sites() if catalog_sites is None else catalog_sites)
    fig = site_map_figure(sites, plan_result)
    placed, unplaced = plan_sites(plan_result, sites) if plan_result is not None else ([], [])
    return {
        "figure": json.loads(fig.to_json()),
        "config": {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
        "topojson_name": TOPOJSON_NAME,
        "topojson": json.loads(_topojson_text()),
        "sites": [
            {
                "id": site.id,
                "catalog_site": site.location.id,
                "year": site.year,
                "facility_power_gw": site.facility_power_gw,
                "main_source": site.dominant_source,
                "mix": dict(site.mix),
                "mix_basis": site.mix_basis,
            }
            for site in placed
        ],
        "unplaced": unplaced,
    }

"""Self-contained HTML report for a site power-supply optimisation.

The report renders the dictionary printed by ``gigafleet power --json`` as a single
HTML document that works offline: plotly.js is embedded inline exactly once, and
there are no references to external scripts, stylesheets or fonts.

Layout, in order:

1. title with the site label and campus, a status badge (an infeasible supply or
   unserved load is flagged in colour and explained in words) and the inputs;
2. key-figures table (LCOE, costs, energy, CO2, water, land, curtailment, unserved
   energy, peak load, mean PUE), human formatted;
3. chart "Hourly dispatch — summer week" and 4. chart "Hourly dispatch — winter week":
   dispatch stacked by source, battery charging below zero, curtailed generation as a
   hatched band above the power used (load plus charging), the load as a black line
   and the PUE (or, without it, the outdoor temperature) on a secondary axis;
5. chart "Capacity mix" (capacity per source, annotated with its share of the energy);
6. chart "Cost stack" (annual capital, fixed O&M, variable and fuel cost per source);
7. P10/P50/P90 table: the design re-priced under sampled costs (``cost_range``) and the metrics and capacities
   over the replicated designs (``replications``; also error bars on the capacity chart);
8. capacity table, binding-limits table and the notes.

Every chart that has no data shows a short note instead. Tables are plain HTML, so
the page stays readable without JavaScript.
The page, chart and number helpers are shared by every report (``gigafleet.reports``).
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.formatting import DASH, axis_scale, format_price, format_sig, format_value
from gigafleet.reports.document import (
    Page,
    chart_section,
    escape,
    html_table,
    infeasible_alert,
    inputs_html,
    key_figures_section,
    table_section,
)
from gigafleet.reports.figures import FONT, LEGEND_ABOVE, PALETTE, figure_html
from gigafleet.reports.styles import PLAN_CSS
from gigafleet.reports.values import (
    as_entries,
    as_mapping,
    as_number,
    as_sequence,
    as_series,
    entry_text,
    input_items,
    number_input_text,
    solver_text,
)

__all__ = ["render_power_html", "write_power_report"]

# Div ids of the four charts (stable, so the output is deterministic).
_CHART_IDS = ("chart-dispatch-summer", "chart-dispatch-winter", "chart-capacity-mix", "chart-cost-stack")

# (key of result["weeks"], section id, section title, chart id).
_WEEKS = (
    ("summer", "dispatch-summer", "Hourly dispatch — summer week", _CHART_IDS[0]),
    ("winter", "dispatch-winter", "Hourly dispatch — winter week", _CHART_IDS[1]),
)


# Status → (badge text, CSS class, from plan_report's style sheet). Anything else gets "status-unknown".
_STATUSES = {
    "optimal": ("Optimal", "status-optimal"),
    "infeasible": ("Infeasible: no supply meets the limits", "status-infeasible"),
}

# Unserved energy below this is solver noise, not load left unserved [MWh/yr].
_UNSERVED_TOLERANCE_MWH = 0.5

# (key, label): the parts of the annual cost of a source, bottom of the stack first, all [USD/yr].
_COST_PARTS = (
    ("capital_usd", "Capital (annualised)"),
    ("fixed_om_usd", "Fixed O&M"),
    ("variable_usd", "Variable O&M"),
    ("fuel_usd", "Fuel"),
)
_COST_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[3], PALETTE[2])

# (name fragment, colour): sources are coloured by technology where the name says it, so a
# source keeps the same colour on every chart; the first matching fragment wins.
_SOURCE_COLOURS = (
    ("solar", PALETTE[5]),
    ("pv", PALETTE[5]),
    ("wind", PALETTE[3]),
    ("batter", PALETTE[6]),
    ("storage", PALETTE[6]),
    ("nuclear", PALETTE[2]),
    ("smr", PALETTE[2]),
    ("gas", PALETTE[8]),
    ("ccgt", PALETTE[8]),
    ("ocgt", PALETTE[8]),
    ("hydro", PALETTE[0]),
    ("geotherm", PALETTE[1]),
    ("grid", "#7f7f7f"),
)
_CURTAIL_COLOUR = "#9aa5b1"
_LOAD_COLOUR = "#111111"
_SECONDARY_COLOUR = "#c2410c"

_POWER_CSS = (
    PLAN_CSS
    + """
.alert-unserved { background: #fff7e6; border: 1px solid #f0b85a; }
"""
)

_PAGE = Page(
    _POWER_CSS,
    "a power result",
    "Charts need JavaScript; the key figures, capacities, costs and limits are also in the tables on this page.",
)

# --------------------------------------------------------------------------------------------------
# Reading the result dictionary (tolerant of missing/odd values)
# --------------------------------------------------------------------------------------------------


def _has_data(series: Sequence[float | None]) -> bool:
    """Whether a series holds at least one number."""
    return any(value is not None for value in series)


def _known(series: Iterable[float | None]) -> list[float]:
    """The numbers of a series, gaps dropped [unit of the series]."""
    return [value for value in series if value is not None]


def _is_storage(source: str) -> bool:
    """Whether a source name denotes storage (a battery), e.g. ``"battery_4h"``."""
    name = source.lower()
    return "batter" in name or "storage" in name


def _source_colours(sources: Iterable[str]) -> dict[str, str]:
    """One colour per source, by technology where the name tells it, else the next unused palette colour.

    Parameters
    ----------
    sources : iterable of str
        Source names, in order of first appearance (duplicates are ignored).

    Returns
    -------
    dict of str to str
        Colour (``#rrggbb``) per source; two sources of one technology get different colours.
    """
    colours: dict[str, str] = {}
    used: set[str] = set()
    pending: list[str] = []
    for source in dict.fromkeys(sources):
        name = source.lower()
        colour = next((c for fragment, c in _SOURCE_COLOURS if fragment in name), None)
        if colour is None or colour in used:
            pending.append(source)
            continue
        colours[source] = colour
        used.add(colour)
    spare = [c for c in PALETTE if c not in used] or list(PALETTE)
    for index, source in enumerate(pending):
        colours[source] = spare[index % len(spare)]
    return colours


def _all_sources(result: Mapping[str, Any]) -> list[str]:
    """Every source named anywhere in the result: capacity, cost stack, then the weeks' dispatch."""
    names: list[str] = []
    for key in ("capacity", "cost_stack"):
        names += [entry_text(entry, "source") or "(unnamed)" for entry in as_entries(result, key)]
    weeks = as_mapping(result.get("weeks"))
    for key, *_ in _WEEKS:
        names += [str(source) for source in as_mapping(as_mapping(weeks.get(key)).get("dispatch_mw"))]
    return list(dict.fromkeys(names))


def _hour_labels(value: object) -> list[str] | None:
    """Read the week's timestamps as wall-clock hours for plotly, e.g. ``"2023-07-10 13:00"``.

    A time-zone suffix, if any, is dropped: the chart shows the times as written.

    Returns
    -------
    list of str or None
        One label per hour, or ``None`` when a timestamp is missing or unreadable.
    """
    labels: list[str] = []
    for item in as_sequence(value):
        try:
            stamp = dt.datetime.fromisoformat(str(item))
        except ValueError:
            return None
        labels.append(stamp.strftime("%Y-%m-%d %H:%M"))
    return labels or None


@dataclass(frozen=True)
class _Week:
    """One week of hourly operation, read tolerantly from ``result["weeks"][key]``.

    Attributes
    ----------
    start : str
        First day as written in the result (raw text), may be empty.
    x : list of str or list of int
        Hour labels (``"2023-07-10 13:00"``) or, without readable timestamps, hour indices [h].
    dated : bool
        Whether ``x`` holds timestamps.
    load : list of (float or None)
        Load served [MW].
    dispatch : tuple of (str, list of (float or None))
        Output per source, storage last [MW].
    charge : list of (float or None)
        Battery charging, as a positive power drawn [MW].
    soc : list of (float or None)
        Battery state of charge [MWh].
    curtailment : list of (float or None)
        Generation available but not used [MW].
    pue : list of (float or None)
        Power usage effectiveness [1].
    temp : list of (float or None)
        Outdoor (dry-bulb) temperature [°C].
    """

    start: str
    x: list[str] | list[int]
    dated: bool
    load: list[float | None]
    dispatch: tuple[tuple[str, list[float | None]], ...]
    charge: list[float | None]
    soc: list[float | None]
    curtailment: list[float | None]
    pue: list[float | None]
    temp: list[float | None]

    @property
    def has_power(self) -> bool:
        """Whether there is any power to draw (dispatch, charging, curtailment or load)."""
        return any(_has_data(s) for _, s in self.dispatch) or any(
            _has_data(s) for s in (self.load, self.charge, self.curtailment)
        )


def _week(result: Mapping[str, Any], key: str) -> _Week:
    """Read ``result["weeks"][key]`` (an empty week when it is missing).

    Parameters
    ----------
    result : mapping
        The power result.
    key : str
        ``"summer"`` or ``"winter"``.

    Returns
    -------
    _Week
        The week's series [MW, MWh, 1, °C as documented on ``_Week``].
    """
    raw = as_mapping(as_mapping(result.get("weeks")).get(key))
    dispatch = [
        (str(source), series)
        for source, values in as_mapping(raw.get("dispatch_mw")).items()
        if _has_data(series := as_series(values))
    ]
    dispatch.sort(key=lambda item: _is_storage(item[0]))  # stable: storage on top of the generation
    load, charge = as_series(raw.get("load_mw")), as_series(raw.get("battery_charge_mw"))
    soc, curtailment = as_series(raw.get("battery_soc_mwh")), as_series(raw.get("curtailment_mw"))
    pue, temp = as_series(raw.get("pue")), as_series(raw.get("temp_c"))
    lengths = [len(s) for s in (load, charge, soc, curtailment, pue, temp)] + [len(s) for _, s in dispatch]
    hours = max(lengths)
    labels = _hour_labels(raw.get("time"))
    dated = labels is not None and len(labels) >= hours
    return _Week(
        start=entry_text(raw, "start"),
        x=labels if labels is not None and dated else list(range(hours)),
        dated=dated,
        load=load,
        dispatch=tuple(dispatch),
        charge=charge,
        soc=soc,
        curtailment=curtailment,
        pue=pue,
        temp=temp,
    )


@dataclass(frozen=True)
class _Capacity:
    """One source of ``result["capacity"]``.

    Attributes
    ----------
    source : str
        Source name (raw text).
    capacity_gw : float or None
        Installed capacity [GW].
    energy_twh : float or None
        Energy delivered [TWh/yr].
    share_of_energy, share_of_hours_served, capacity_factor : float or None
        Fractions [1].
    capex_usd : float or None
        Capital cost [USD].
    annual_cost_usd : float or None
        Annual cost [USD/yr].
    """

    source: str
    capacity_gw: float | None
    energy_twh: float | None
    share_of_energy: float | None
    share_of_hours_served: float | None
    capacity_factor: float | None
    capex_usd: float | None
    annual_cost_usd: float | None


def _capacities(result: Mapping[str, Any]) -> list[_Capacity]:
    """Read ``result["capacity"]``, skipping entries that are not mappings."""
    return [
        _Capacity(
            source=entry_text(raw, "source") or "(unnamed)",
            capacity_gw=as_number(raw.get("capacity_gw")),
            energy_twh=as_number(raw.get("energy_twh")),
            share_of_energy=as_number(raw.get("share_of_energy")),
            share_of_hours_served=as_number(raw.get("share_of_hours_served")),
            capacity_factor=as_number(raw.get("capacity_factor")),
            capex_usd=as_number(raw.get("capex_usd")),
            annual_cost_usd=as_number(raw.get("annual_cost_usd")),
        )
        for raw in as_entries(result, "capacity")
    ]


def _cost_stack(result: Mapping[str, Any]) -> list[tuple[str, tuple[float | None, ...]]]:
    """Read ``result["cost_stack"]``.

    Returns
    -------
    list of (str, tuple of (float or None))
        Per source, the parts in ``_COST_PARTS`` order [USD/yr]; sources without any part are skipped.
    """
    rows: list[tuple[str, tuple[float | None, ...]]] = []
    for raw in as_entries(result, "cost_stack"):
        parts = tuple(as_number(raw.get(key)) for key, _ in _COST_PARTS)
        if any(part is not None for part in parts):
            rows.append((entry_text(raw, "source") or "(unnamed)", parts))
    return rows


# --------------------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    """A fraction as a percentage, e.g. ``0.423`` → ``"42.3%"``; a dash when unknown.

    Parameters
    ----------
    value : float or None
        Fraction [1].
    """
    return DASH if value is None else f"{format_sig(value * 100.0, 3)}%"


def _with_unit(value: float | None, unit: str, digits: int = 3) -> str:
    """A number with a unit, e.g. ``"52.4 $/MWh"``; a dash when unknown."""
    return DASH if value is None else f"{format_sig(value, digits)} {unit}"


def _mw_text(value: float | None) -> str:
    """A power given in [MW] with a fitting unit, e.g. ``"1.23 GW"`` or ``"850 MW"``."""
    return format_value(None if value is None else value / 1e3, "power_gw")


def _mwh_text(value: float | None, per_year: bool = False) -> str:
    """An energy given in [MWh] with a fitting unit, e.g. ``"210 GWh"`` (``"…/yr"`` when ``per_year``)."""
    if value is None:
        return DASH
    suffix = "/yr" if per_year else ""
    magnitude = abs(value)
    for scale, unit in ((1e6, "TWh"), (1e3, "GWh"), (1.0, "MWh")):
        if magnitude >= scale:
            return f"{format_sig(value / scale, 3)} {unit}{suffix}"
    return f"{format_sig(value, 3)} MWh{suffix}"


def _usd_per_mwh(value: float | None) -> str:
    """A price given in [USD/MWh], e.g. ``"$52.4/MWh"``."""
    if value is None:
        return DASH
    text = f"${format_sig(abs(value), 3)}/MWh"
    return "-" + text if value < 0 else text


def _span(values: Sequence[float], unit: str) -> str:
    """Range of a series, e.g. ``"1.12–1.31"`` or ``"22–41 °C"`` (raw text)."""
    low, high = format_sig(min(values), 3), format_sig(max(values), 3)
    text = low if low == high else f"{low}–{high}"
    return f"{text} {unit}".rstrip()


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def _pad(series: Sequence[float | None], hours: int) -> list[float | None]:
    """``series`` cut or padded with gaps (``None``) to ``hours`` values."""
    return [series[i] if i < len(series) else None for i in range(hours)]


def _scaled(series: Sequence[float | None], divisor: float, below_zero: bool = False) -> list[float | None]:
    """Scale a series from [MW] to the axis unit, keeping gaps.

    Parameters
    ----------
    series : sequence of (float or None)
        Values [MW].
    divisor : float
        Size of one axis unit [MW].
    below_zero : bool
        Draw the magnitudes below zero (battery charging), whatever their sign in the result.

    Returns
    -------
    list of (float or None)
        Values [axis unit].
    """
    if below_zero:
        return [None if v is None else -abs(v) / divisor for v in series]
    return [None if v is None else v / divisor for v in series]


def _curtailment_band(
    curtailment: Sequence[float | None],
    load: Sequence[float | None],
    charge: Sequence[float | None],
    dispatched: Sequence[float],
) -> tuple[list[float | None], list[float | None]]:
    """Lower and upper edges of the curtailment band, hour by hour.

    The band starts where the power used ends, at load plus battery charging, and is as
    tall as the curtailment. When the dispatch includes the curtailed generation (supply =
    load + charging + curtailment), the band marks the top of the dispatch stack; when it
    excludes it, the band sits on top of the stack. Without a load, the band starts at the
    top of the dispatch stack.

    Parameters
    ----------
    curtailment, load, charge : sequence of (float or None)
        Hourly series of equal length [MW]; charging may be given with either sign.
    dispatched : sequence of float
        Sum of the dispatch over the sources, per hour [MW].

    Returns
    -------
    tuple of (list of (float or None), list of (float or None))
        Lower and upper edges [MW]; ``None`` where the curtailment is unknown.
    """
    base: list[float | None] = []
    top: list[float | None] = []
    for cut, used, charging, supply in zip(curtailment, load, charge, dispatched, strict=True):
        if cut is None:
            base.append(None)
            top.append(None)
            continue
        start = used + abs(charging or 0.0) if used is not None else supply
        base.append(start)
        top.append(start + abs(cut))
    return base, top


def _dispatch_chart(week: _Week, chart_id: str, colours: Mapping[str, str]) -> str | None:
    """Charts 1 and 2, "Hourly dispatch": one week of operation, hour by hour.

    Dispatch is stacked by source above zero (storage discharge on top), battery charging
    is drawn below zero, curtailed generation is a hatched band from load plus charging
    upwards (see ``_curtailment_band``), the load is a black line and the PUE (or, when
    there is none, the outdoor temperature) is a dotted line on the right axis.

    Parameters
    ----------
    week : _Week
        The week to draw (series in [MW], [MWh], [1], [°C]).
    chart_id : str
        Id of the chart's ``<div>``.
    colours : mapping of str to str
        Colour per source.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when the week has no power series.
    """
    if not week.has_power:
        return None

    import plotly.graph_objects as go

    hours = len(week.x)
    dispatch = [(source, _pad(series, hours)) for source, series in week.dispatch]
    curtailment = _pad(week.curtailment, hours)
    load, charge, soc = _pad(week.load, hours), _pad(week.charge, hours), _pad(week.soc, hours)
    pue, temp = _pad(week.pue, hours), _pad(week.temp, hours)
    stack_top = [sum(v or 0.0 for _, s in dispatch if (v := s[i]) is not None) for i in range(hours)]
    band_base, band_top = _curtailment_band(curtailment, load, charge, stack_top)
    extremes = stack_top + _known(band_top) + _known(load) + [abs(v) for v in _known(charge)]
    divisor_gw, axis_title = axis_scale((v / 1e3 for v in extremes), "power_gw")
    divisor = divisor_gw * 1e3  # [MW per axis unit]
    hover = "%{customdata[0]}: %{customdata[1]}<extra></extra>"

    fig = go.Figure()
    for source, series in dispatch:
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=_scaled(series, divisor),
                mode="lines",
                stackgroup="supply",
                name=escape(source),
                legendgroup=escape(source),
                line={"width": 0.6, "color": colours.get(source, PALETTE[0])},
                customdata=[[escape(source), escape(_mw_text(v))] for v in series],
                hovertemplate=hover,
            )
        )
    if any(v is not None for v in band_top):
        # An invisible lower edge, then the hatched band filled down to it.
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=_scaled(band_base, divisor),
                mode="lines",
                name="Curtailed (lower edge)",
                legendgroup="curtailed",
                line={"width": 0, "color": _CURTAIL_COLOUR},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=_scaled(band_top, divisor),
                mode="lines",
                fill="tonexty",
                name="Curtailed",
                legendgroup="curtailed",
                line={"width": 0.5, "color": _CURTAIL_COLOUR},
                fillcolor="rgba(154, 165, 177, 0.25)",
                fillpattern={"shape": "/", "fgcolor": _CURTAIL_COLOUR, "size": 6, "solidity": 0.35},
                customdata=[["Curtailed", escape(_mw_text(v))] for v in curtailment],
                hovertemplate=hover,
            )
        )
    if _has_data(charge):
        storage = next((source for source, _ in dispatch if _is_storage(source)), "")
        colour = colours.get(storage, PALETTE[6])
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=_scaled(charge, divisor, below_zero=True),
                mode="lines",
                stackgroup="charging",
                name="Battery charging",
                legendgroup=escape(storage) if storage else None,
                line={"width": 0.6, "color": colour},
                fillcolor=colour,
                opacity=0.6,
                customdata=[
                    [
                        "Battery charging",
                        escape(_mw_text(None if c is None else abs(c)))
                        + (f" (state of charge {escape(_mwh_text(s))})" if s is not None else ""),
                    ]
                    for c, s in zip(charge, soc, strict=True)
                ],
                hovertemplate=hover,
            )
        )
    if _has_data(load):
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=_scaled(load, divisor),
                mode="lines",
                name="Load",
                line={"width": 2.2, "color": _LOAD_COLOUR},
                customdata=[["Load", escape(_mw_text(v))] for v in load],
                hovertemplate=hover,
            )
        )
    layout: dict[str, Any] = {}
    secondary = pue if _has_data(pue) else temp if _has_data(temp) else None
    if secondary is not None:
        is_pue = secondary is pue
        name = "PUE (right axis)" if is_pue else "Temperature (right axis)"
        fig.add_trace(
            go.Scatter(
                x=week.x,
                y=secondary,
                mode="lines",
                name=name,
                yaxis="y2",
                line={"width": 1.4, "color": _SECONDARY_COLOUR, "dash": "dot"},
                customdata=[
                    [
                        "PUE" if is_pue else "Temperature",
                        " · ".join(
                            text
                            for text in (
                                format_sig(p, 3) if is_pue and p is not None else "",
                                f"{format_sig(t, 3)} °C" if t is not None else "",
                            )
                            if text
                        )
                        or DASH,
                    ]
                    for p, t in zip(pue, temp, strict=True)
                ],
                hovertemplate=hover,
            )
        )
        known = _known(secondary)
        pad = max(0.08 * (max(known) - min(known)), 0.02 if is_pue else 1.0)
        layout["yaxis2"] = {
            "title": {"text": "PUE [1]" if is_pue else "Outdoor temperature [°C]"},
            "overlaying": "y",
            "side": "right",
            "tickmode": "auto",  # not synchronised with the power axis: PUE ticks stay round numbers
            "range": [min(known) - pad, max(known) + pad],
            "showgrid": False,
            "zeroline": False,
        }
    fig.update_layout(
        template="plotly_white",
        height=460,
        margin={"l": 70, "r": 70, "t": 40, "b": 60},
        xaxis={
            "title": {"text": "Time (hourly)" if week.dated else "Hour of the week [h]"},
            **({"tickformat": "%a %d %b", "hoverformat": "%a %d %b %H:%M"} if week.dated else {}),
        },
        yaxis={"title": {"text": escape(axis_title)}, "zeroline": True, "zerolinecolor": "#94a3b8"},
        legend=LEGEND_ABOVE,
        hovermode="x unified",
        font=FONT,
        **layout,
    )
    return figure_html(fig, chart_id)


def _week_caption(week: _Week) -> str:
    """A caption with the week's totals (escaped HTML); empty when there is nothing to say."""
    facts: list[str] = []
    load = _known(week.load)
    if load:
        facts.append(f"load {_mwh_text(sum(load))} over {len(week.load)} h, peak {_mw_text(max(load))}")
    supply = sum(sum(_known(series)) for _, series in week.dispatch)
    if week.dispatch:
        facts.append(f"dispatched {_mwh_text(supply)}")
    for label, series in (("curtailed", week.curtailment), ("battery charged", week.charge)):
        values = _known(series)
        if values:
            facts.append(f"{label} {_mwh_text(sum(abs(v) for v in values))}")
    pue, temp = _known(week.pue), _known(week.temp)
    if pue:
        facts.append(f"PUE {_span(pue, '')}")
    if temp:
        facts.append(f"temperature {_span(temp, '°C')}")
    if not facts:
        return ""
    lead = f"Week from {week.start}" if week.start else "This week"
    legend = (
        " Areas: dispatch by source, stacked; battery charging below zero. Hatched: curtailed"
        " generation, above the power used (load plus battery charging). Black line: load."
    )
    return f'<p class="caption">{escape(lead + ": " + "; ".join(facts) + "." + legend)}</p>'


def _capacity_chart(
    items: Sequence[_Capacity],
    peak_load_gw: float | None,
    colours: Mapping[str, str],
    ranges: Mapping[str, tuple[float | None, float | None, float | None]] | None = None,
) -> str | None:
    """Chart 3, "Capacity mix": capacity per source, each bar annotated with its share of the energy.

    Parameters
    ----------
    items : sequence of _Capacity
        The sources (see ``_capacities``).
    peak_load_gw : float or None
        Peak load, drawn as a dashed line when known [GW].
    colours : mapping of str to str
        Colour per source.
    ranges : mapping of str to (P10, P50, P90), optional
        Capacity over the replicated designs [GW]: drawn as error bars from P10 to P90 around each bar.

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when no source has a capacity.
    """
    plotted = [item for item in items if item.capacity_gw is not None]
    if not plotted:
        return None

    import plotly.graph_objects as go

    values = [item.capacity_gw or 0.0 for item in plotted] + ([peak_load_gw] if peak_load_gw is not None else [])
    divisor, axis_title = axis_scale(values, "power_gw")
    labels = [
        f"{_percent(item.share_of_energy)} of energy" if item.share_of_energy is not None else DASH for item in plotted
    ]
    fig = go.Figure(
        go.Bar(
            x=[escape(item.source) for item in plotted],
            y=[(item.capacity_gw or 0.0) / divisor for item in plotted],
            marker_color=[colours.get(item.source, PALETTE[0]) for item in plotted],
            text=[escape(label) for label in labels],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                [
                    escape(item.source),
                    escape(format_value(item.capacity_gw, "power_gw")),
                    escape(format_value(item.energy_twh, "energy_twh")),
                    escape(_percent(item.share_of_energy)),
                    escape(_percent(item.capacity_factor)),
                    escape(_percent(item.share_of_hours_served)),
                    escape(format_value(item.capex_usd, "usd")),
                    escape(format_value(item.annual_cost_usd, "usd_per_year")),
                ]
                for item in plotted
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>Capacity: %{customdata[1]}<br>Energy: %{customdata[2]}"
                " (%{customdata[3]} of the total)<br>Capacity factor: %{customdata[4]}"
                "<br>Hours served: %{customdata[5]}<br>Capex: %{customdata[6]}"
                "<br>Annual cost: %{customdata[7]}<extra></extra>"
            ),
            name="Capacity",
            showlegend=False,
        )
    )
    if ranges:
        bars = [item.capacity_gw or 0.0 for item in plotted]
        spans = [ranges.get(item.source, (None, None, None)) for item in plotted]
        pairs = list(zip(bars, spans, strict=True))
        plus = [max(((high if high is not None else v) - v) / divisor, 0.0) for v, (_, _, high) in pairs]
        minus = [max((v - (low if low is not None else v)) / divisor, 0.0) for v, (low, _, _) in pairs]
        fig.update_traces(
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": "#444"}
        )
        values += [high for _, _, high in spans if high is not None]
    if peak_load_gw is not None:
        fig.add_hline(
            y=peak_load_gw / divisor,
            line_dash="dash",
            line_color=_LOAD_COLOUR,
            annotation_text=escape(f"Peak load {format_value(peak_load_gw, 'power_gw')}"),
            annotation_position="top right",
        )
    top = max(values) / divisor if values else 1.0
    fig.update_layout(
        template="plotly_white",
        height=440,
        margin={"l": 70, "r": 20, "t": 40, "b": 60},
        xaxis={"title": {"text": "Source"}},
        yaxis={"title": {"text": escape(axis_title.replace("Power", "Capacity"))}, "range": [0, top * 1.18 or 1.0]},
        font=FONT,
    )
    return figure_html(fig, _CHART_IDS[2])


def _cost_chart(rows: Sequence[tuple[str, tuple[float | None, ...]]]) -> str | None:
    """Chart 4, "Cost stack": annual cost per source, stacked by part (capital, fixed O&M, variable, fuel).

    Parameters
    ----------
    rows : sequence of (str, tuple of (float or None))
        Per source, the parts in ``_COST_PARTS`` order [USD/yr] (see ``_cost_stack``).

    Returns
    -------
    str or None
        The chart snippet, or ``None`` when there is no cost.
    """
    if not rows:
        return None

    import plotly.graph_objects as go

    totals = [sum(part or 0.0 for part in parts) for _, parts in rows]
    divisor, axis_title = axis_scale(totals + [part for _, parts in rows for part in parts if part], "usd_per_year")
    sources = [escape(source) for source, _ in rows]
    fig = go.Figure()
    for index, ((_, label), colour) in enumerate(zip(_COST_PARTS, _COST_COLOURS, strict=True)):
        values = [parts[index] for _, parts in rows]
        if all(v is None for v in values):
            continue
        fig.add_trace(
            go.Bar(
                x=sources,
                y=[(v or 0.0) / divisor for v in values],
                name=label,
                marker_color=colour,
                customdata=[
                    [
                        escape(source),
                        escape(format_value(v, "usd_per_year")),
                        escape(format_value(total, "usd_per_year")),
                    ]
                    for (source, _), v, total in zip(rows, values, totals, strict=True)
                ],
                hovertemplate=(
                    f"<b>%{{customdata[0]}}</b><br>{escape(label)}: %{{customdata[1]}}"
                    "<br>Total: %{customdata[2]}<extra></extra>"
                ),
            )
        )
    for source, total in zip(sources, totals, strict=True):
        fig.add_annotation(
            x=source,
            y=total / divisor,
            text=escape(format_value(total, "usd_per_year")),
            showarrow=False,
            yanchor="bottom",
            font={"size": 12},
        )
    top = max(max(totals) / divisor * 1.15, 0.0) or 1.0
    bottom = min(sum(part for part in parts if part is not None and part < 0) for _, parts in rows) / divisor
    fig.update_layout(
        template="plotly_white",
        barmode="relative",
        height=460,
        margin={"l": 70, "r": 20, "t": 40, "b": 60},
        xaxis={"title": {"text": "Source"}},
        yaxis={"title": {"text": escape(axis_title)}, "range": [min(bottom * 1.1, 0.0), top]},
        legend=LEGEND_ABOVE,
        font=FONT,
    )
    return figure_html(fig, _CHART_IDS[3])


# --------------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------------


def _status(result: Mapping[str, Any]) -> tuple[str, str, str]:
    """The run's status: ``(key, badge text, CSS class)``; an unknown status is shown as given."""
    key = entry_text(result, "status").strip().lower()
    if key in _STATUSES:
        text, css = _STATUSES[key]
        return key, text, css
    return key, (f"Status: {entry_text(result, 'status')}" if key else "Status unknown"), "status-unknown"


def _site_name(result: Mapping[str, Any]) -> str:
    """The site's label and campus, e.g. ``"Abilene, Texas — Stargate campus 1"`` (raw text)."""
    site = as_mapping(result.get("site"))
    label = entry_text(site, "label") or entry_text(site, "id") or "unknown site"
    campus = entry_text(site, "campus")
    return f"{label} — {campus}" if campus else label


def _site_facts(site: Mapping[str, Any]) -> list[str]:
    """Site id, coordinates and region (raw text)."""
    facts: list[str] = []
    if entry_text(site, "id"):
        facts.append(f"Site {entry_text(site, 'id')}")
    latitude, longitude = as_number(site.get("latitude_deg")), as_number(site.get("longitude_deg"))
    if latitude is not None and longitude is not None:
        north = "N" if latitude >= 0 else "S"
        east = "E" if longitude >= 0 else "W"
        facts.append(f"{abs(latitude):.2f}° {north}, {abs(longitude):.2f}° {east}")
    if entry_text(site, "region"):
        facts.append(f"region {entry_text(site, 'region')}")
    return facts


_INPUT_LABELS = {
    "it_load_gw": "IT load",
    "year": "Year",
    "carbon_cap_g_per_kwh": "Carbon cap",
    "availability": "Availability target",
    "sources": "Sources",
    "hours": "Hours modelled",
    "cooling": "Cooling",
    "reserve_margin": "Reserve margin",
    "training_swing": "Training load swing",
}

_HOURS = {"full": "every hour of the year", "repdays": "representative days"}


_INPUT_FORMATS: dict[str, Callable[[float], str]] = {
    "it_load_gw": lambda gw: format_value(gw, "power_gw"),
    "carbon_cap_g_per_kwh": lambda cap: _with_unit(cap, "g CO2/kWh"),
    **dict.fromkeys(("availability", "reserve_margin", "training_swing"), _percent),
}


def _input_text(key: str, value: object) -> str:
    """One input as printed (raw text), e.g. ``("it_load_gw", 1.2)`` → ``"1.2 GW"``: the keys of ``_INPUT_FORMATS``
    with their units, no carbon cap as "none", ``hours`` in words, lists joined, other values as they are."""
    if value is None:
        return "none" if key == "carbon_cap_g_per_kwh" else DASH
    if key == "hours":
        return _HOURS.get(str(value), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return number_input_text(key, value, _INPUT_FORMATS) or str(value)


def _inputs_items(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Inputs as ``(label, text)`` pairs (raw text): well-known keys first, then any others."""
    return input_items(inputs, _INPUT_LABELS, _input_text, lambda key: key.replace("_", " ").capitalize())


def _alert(result: Mapping[str, Any], status: str) -> str:
    """A warning block for an infeasible run or for unserved load; empty otherwise."""
    if status == "infeasible":
        return infeasible_alert(result, "No feasible supply: the load cannot be served within the limits", "a solution")
    unserved = as_number(result.get("unserved_mwh"))
    if unserved is not None and unserved > _UNSERVED_TOLERANCE_MWH:
        message = f"Load not fully served: {_mwh_text(unserved, per_year=True)} of unserved energy."
        return f'<div class="alert alert-unserved" role="alert"><strong>{escape(message)}</strong></div>'
    return ""


def _title_section(result: Mapping[str, Any]) -> str:
    """Title with the site, the status badge, site facts, the inputs and the solver."""
    status, badge, css = _status(result)
    facts = _site_facts(as_mapping(result.get("site")))
    items = _inputs_items(as_mapping(result.get("inputs")))
    solver = solver_text(result)
    if solver:
        items.append(("Solver", solver))
    return "".join(
        (
            '<header id="title">',
            f"<h1>Power supply: {escape(_site_name(result))} "
            f'<span class="badge {css}" id="status">{escape(badge)}</span></h1>',
            f'<p class="subtitle">{escape(" · ".join(facts))}</p>' if facts else "",
            inputs_html(items),
            _alert(result, status),
            "</header>",
        )
    )


def _key_figure_rows(result: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Key figures present in ``result``: ``(quantity, value, definition)`` (raw text)."""

    def value(key: str) -> float | None:
        return as_number(result.get(key))

    unserved = value("unserved_mwh")
    pue = value("mean_pue")
    candidates = (
        (
            "Levelised cost of electricity",
            "lcoe_usd_per_mwh",
            _usd_per_mwh(value("lcoe_usd_per_mwh")),
            "Annual cost ÷ energy served.",
        ),
        (
            "Annual cost",
            "annual_cost_usd",
            format_value(value("annual_cost_usd"), "usd_per_year"),
            "Annualised capital plus fixed, variable and fuel cost.",
        ),
        ("Capital cost", "capex_usd", format_value(value("capex_usd"), "usd"), "Overnight cost of the capacity."),
        ("Energy served", "energy_twh", format_value(value("energy_twh"), "energy_twh"), "Energy delivered."),
        ("CO2 emissions", "co2_mt", format_value(value("co2_mt"), "co2_mt"), "Emissions of the supply."),
        (
            "Carbon intensity",
            "co2_g_per_kwh",
            _with_unit(value("co2_g_per_kwh"), "g CO2/kWh"),
            "Emissions per unit of energy served.",
        ),
        ("Water use", "water_m3", format_value(value("water_m3"), "water_m3"), "Water consumed."),
        ("Land use", "land_km2", _with_unit(value("land_km2"), "km²"), "Footprint of generation and storage."),
        (
            "Curtailment",
            "curtailment_twh",
            format_value(value("curtailment_twh"), "energy_twh"),
            "Generation available but not used.",
        ),
        (
            "Unserved energy",
            "unserved_mwh",
            "0 MWh/yr" if unserved == 0 else _mwh_text(unserved, per_year=True),
            "Load that was not served.",
        ),
        ("Peak load", "peak_load_gw", format_value(value("peak_load_gw"), "power_gw"), "Highest hourly load."),
        ("Mean PUE", "mean_pue", DASH if pue is None else format_sig(pue, 3), "Facility ÷ IT energy, year mean."),
    )
    return [(label, text, meaning) for label, key, text, meaning in candidates if value(key) is not None]


def _cost_table(rows: Sequence[tuple[str, tuple[float | None, ...]]]) -> str:
    """The cost stack as a collapsible static table, with a total row."""
    if not rows:
        return ""

    def total(parts: Iterable[float | None]) -> float | None:
        known = _known(parts)
        return sum(known) if known else None

    cells = [
        (source, *(format_value(p, "usd_per_year") for p in parts), format_value(total(parts), "usd_per_year"))
        for source, parts in rows
    ]
    columns = [total(parts[i] for _, parts in rows) for i in range(len(_COST_PARTS))]
    cells.append(
        (
            "All sources",
            *(format_value(c, "usd_per_year") for c in columns),
            format_value(total(columns), "usd_per_year"),
        )
    )
    headers = ("Source", *(label for _, label in _COST_PARTS), "Total")
    table = html_table(headers, cells, numeric=range(1, len(headers)), css="cost-stack")
    return f"<details><summary>Cost stack table, per year</summary>{table}</details>"


def _capacity_section(items: Sequence[_Capacity]) -> str:
    """Capacity table: every field of ``result["capacity"]``."""
    rows = [
        (
            item.source,
            format_value(item.capacity_gw, "power_gw"),
            format_value(item.energy_twh, "energy_twh"),
            _percent(item.share_of_energy),
            _percent(item.share_of_hours_served),
            _percent(item.capacity_factor),
            format_value(item.capex_usd, "usd"),
            format_value(item.annual_cost_usd, "usd_per_year"),
        )
        for item in items
    ]
    headers = (
        "Source",
        "Capacity",
        "Energy",
        "Share of energy",
        "Share of hours served",
        "Capacity factor",
        "Capex",
        "Annual cost",
    )
    caption = (
        "Share of hours served: fraction of the hours in which the source delivered energy."
        " Capacity factor: energy ÷ (capacity × hours in the year)."
    )
    return table_section(
        "capacity-table",
        "Capacity by source",
        headers,
        rows,
        numeric=range(1, len(headers)),
        css="capacity",
        empty="No capacity in this result.",
        caption=caption,
    )


def _triple(value: object) -> tuple[float | None, float | None, float | None]:
    mapping = as_mapping(value)
    return (as_number(mapping.get("p10")), as_number(mapping.get("p50")), as_number(mapping.get("p90")))


def _capacity_ranges(result: Mapping[str, Any]) -> dict[str, tuple[float | None, float | None, float | None]]:
    """P10/P50/P90 of each source's capacity over the replicated designs [GW] (none with one design)."""
    block = as_mapping(result.get("replications"))
    count = as_number(block.get("count"))
    if count is None or count < 2:
        return {}
    return {str(source): _triple(value) for source, value in as_mapping(block.get("capacity_gw")).items()}


def _noise_free(value: float | None, floor: float) -> float | None:
    """``value``, or 0 where its size is below ``floor`` (solver noise on a source left unbuilt)."""
    return None if value is None else (value if abs(value) >= floor else 0.0)


_RANGE_ROWS: tuple[tuple[str, str, Callable[[float | None], str]], ...] = (
    ("LCOE", "lcoe_usd_per_mwh", lambda v: _usd_per_mwh(v)),
    ("Annual cost", "annual_cost_usd", lambda v: format_value(v, "usd_per_year")),
    (
        "Capex (generation)",
        "capex_usd",
        lambda v: format_value(None if v is None else (v if abs(v) >= 1 else 0.0), "usd"),
    ),
    ("CO2 intensity", "co2_g_per_kwh", lambda v: _with_unit(v, "g/kWh")),
    ("Energy", "energy_twh", lambda v: format_value(v, "energy_twh")),
)
"""Rows of the replications part of the ranges table: label, key in ``replications.metrics``, formatter."""


def _ranges_section(result: Mapping[str, Any]) -> str:
    """P10/P50/P90: the design re-priced under sampled costs, then the metrics and capacities over replicated
    designs; empty when the result has neither."""
    rows: list[tuple[str, str, str, str]] = []
    captions: list[str] = []

    def add(label: str, triple: tuple[float | None, float | None, float | None], show: Any) -> None:
        if any(v is not None for v in triple):
            low, mid, high = (DASH if v is None else str(show(v)) for v in triple)
            rows.append((label, low, mid, high))

    cost = as_mapping(result.get("cost_range"))
    if cost:
        samples = as_number(cost.get("samples"))
        basis = f" (this design, {format_value(samples, 'count')} cost draws)" if samples else " (this design)"
        add("LCOE" + basis, _triple(cost.get("lcoe_usd_per_mwh")), _usd_per_mwh)
        add("Annual cost" + basis, _triple(cost.get("annual_cost_usd")), lambda v: format_value(v, "usd_per_year"))
        if cost.get("note"):
            captions.append(str(cost["note"]))
    block = as_mapping(result.get("replications"))
    metrics = as_mapping(block.get("metrics"))
    if metrics:
        count = as_number(block.get("count"))
        basis = f" ({format_value(count, 'count')} designs)" if count else ""
        for label, key, show in _RANGE_ROWS:
            add(label + basis, _triple(metrics.get(key)), show)
        for source, (low, mid, high) in _capacity_ranges(result).items():
            if high is not None and high >= 1e-6:
                add(
                    f"{source} capacity{basis}",
                    (low, mid, high),
                    lambda v: format_value(v if v >= 1e-6 else 0.0, "power_gw"),
                )
        if block.get("note"):
            captions.append(str(block["note"]))
    if not rows:
        return ""
    return table_section(
        "ranges",
        "P10 / P50 / P90",
        ("Quantity", "P10", "P50", "P90"),
        rows,
        numeric=(1, 2, 3),
        css="ranges",
        empty="No ranges in this result.",
        caption=" ".join(captions),
    )


def _binding_section(result: Mapping[str, Any]) -> str:
    """Binding limits as a static table."""
    rows = [
        (
            entry_text(raw, "limit") or "limit",
            format_price(as_number(raw.get("shadow_price")), entry_text(raw, "unit")),
            entry_text(raw, "meaning") or DASH,
        )
        for raw in as_entries(result, "binding")
    ]
    body = (
        html_table(("Limit", "Shadow price", "Meaning"), rows, numeric=(1,), css="binding")
        + '<p class="caption">The shadow price is the change in the annual cost per unit of the limit relaxed.</p>'
        if rows
        else '<p class="muted">No binding limits in this result.</p>'
    )
    return f'<section id="binding-limits"><h2>Binding limits</h2>{body}</section>'


def render_power_html(result: dict[str, Any]) -> str:
    """Render a site power-supply result as a self-contained HTML page (see ``gigafleet.reports``).

    Parameters
    ----------
    result : dict of str to Any
        The dictionary printed by ``gigafleet power --json``: ``status``, ``site``
        (``latitude_deg``/``longitude_deg`` [°]), ``inputs`` (``it_load_gw`` [GW],
        ``carbon_cap_g_per_kwh`` [g CO2/kWh], fractions [1]), ``lcoe_usd_per_mwh``
        [USD/MWh], ``annual_cost_usd`` [USD/yr], ``capex_usd`` [USD], ``energy_twh``
        [TWh/yr], ``co2_mt`` [Mt CO2/yr], ``co2_g_per_kwh`` [g CO2/kWh], ``water_m3``
        [m³/yr], ``land_km2`` [km²], ``curtailment_twh`` [TWh/yr], ``unserved_mwh``
        [MWh/yr], ``peak_load_gw`` [GW], ``mean_pue`` [1], ``capacity`` (per source:
        ``capacity_gw`` [GW], ``energy_twh`` [TWh/yr], shares and capacity factor as
        fractions [1], ``capex_usd`` [USD], ``annual_cost_usd`` [USD/yr]),
        ``cost_stack`` (per source [USD/yr]), ``weeks`` (``summer``/``winter``: hourly
        series in [MW], ``battery_soc_mwh`` [MWh], ``pue`` [1], ``temp_c`` [°C]),
        ``binding`` (``shadow_price`` [``unit``]), ``solver`` (times [s]), ``cost_range``
        and ``replications`` (``{"p10", "p50", "p90"}`` of LCOE [USD/MWh], annual cost [USD/yr],
        capex [USD], CO2 [g/kWh], energy [TWh/yr] and ``capacity_gw`` per source [GW]) and ``notes``.
        Every key is optional; missing or malformed entries are skipped.

    """
    data: Mapping[str, Any] = result if isinstance(result, Mapping) else {}
    _, badge, _ = _status(data)
    colours = _source_colours(_all_sources(data))
    capacities = _capacities(data)
    costs = _cost_stack(data)

    sections: list[str] = []
    for key, section_id, title, chart_id in _WEEKS:
        week = _week(data, key)
        chart = _dispatch_chart(week, chart_id, colours)
        sections.append(chart_section(section_id, title, chart, _week_caption(week)))
    sections.append(
        chart_section(
            "capacity-mix",
            "Capacity mix",
            _capacity_chart(capacities, as_number(data.get("peak_load_gw")), colours, _capacity_ranges(data)),
            '<p class="caption">Bar labels: share of the energy served. Dashed line: peak load.'
            + (" Error bars: P10 to P90 over the replicated designs." if _capacity_ranges(data) else "")
            + "</p>"
            if capacities
            else "",
        )
    )
    sections.append(chart_section("cost-stack", "Cost stack", _cost_chart(costs), _cost_table(costs)))
    sections.append(_ranges_section(data))

    return _PAGE.render(
        f"gigafleet power: {_site_name(data)} ({badge})",
        _title_section(data),
        (key_figures_section(_key_figure_rows(data)), *sections, _capacity_section(capacities), _binding_section(data)),
        data,
    )


def write_power_report(result: dict[str, Any], path: str | os.PathLike[str]) -> pathlib.Path:
    """Write the report of ``gigafleet power --json`` atomically to ``path`` (``document.Page.write``)."""
    return _PAGE.write(render_power_html, result, path)

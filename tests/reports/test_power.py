"""Tests for gigafleet.reports.power: the self-contained HTML site power-supply report."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

import gigafleet.reports.power as power_report
from gigafleet.reports.power import render_power_html
from gigafleet.testing.reports import section, without_bundle

#: A site label that must be escaped everywhere it appears.
EVIL_LABEL = "<script>alert('site')</script>"

REPORT_MODULE = power_report
"""The module the ``figures`` fixture captures charts from."""

CHART_IDS = ("chart-dispatch-summer", "chart-dispatch-winter", "chart-capacity-mix", "chart-cost-stack")

OUTLINE = (
    "key-figures",
    "chart-dispatch-summer",
    "chart-dispatch-winter",
    "chart-capacity-mix",
    "chart-cost-stack",
    "capacity-table",
    "binding-limits",
)
"""Sections between the title and the notes, in page order."""

TITLES = (
    "Key figures",
    "Hourly dispatch — summer week",
    "Hourly dispatch — winter week",
    "Capacity mix",
    "Cost stack",
    "Binding limits",
)
"""Section headings (``<h2>``) on the page."""

HOURS = 168
IT_LOAD_MW = 1000.0
BATTERY_POWER_MW = 300.0
BATTERY_ENERGY_MWH = 1200.0


def make_week(start: str, summer: bool) -> dict[str, Any]:
    """One week of hourly operation: solar, wind, gas and a 4-hour battery serving a 1 GW IT load.

    Solar and wind are dispatched first; a surplus charges the battery and the rest is curtailed;
    a deficit is met by the battery, then by gas. As in ``gigafleet power``, the dispatch includes
    the curtailed generation: supply = load + charging + curtailment. PUE follows the temperature.
    """
    first = dt.datetime.fromisoformat(start)
    time: list[str] = []
    load: list[float] = []
    pue: list[float] = []
    temp: list[float] = []
    dispatch: dict[str, list[float]] = {"solar_pv": [], "onshore_wind": [], "gas_ccgt": [], "battery_4h": []}
    charge: list[float] = []
    soc: list[float] = []
    curtailment: list[float] = []
    stored = BATTERY_ENERGY_MWH / 2
    for hour in range(HOURS):
        time.append((first + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M"))
        day_phase = 2 * math.pi * ((hour % 24) - 6) / 24
        t = (30.0 if summer else 4.0) + 8.0 * math.sin(day_phase - 0.5)
        p = 1.10 + max(t - 15.0, 0.0) * 0.006
        demand = IT_LOAD_MW * p
        solar = max(math.sin(day_phase), 0.0) * (1600.0 if summer else 700.0)
        wind = (350.0 if summer else 650.0) + 250.0 * math.sin(2 * math.pi * hour / 61.0)
        net = demand - solar - wind
        if net < 0:
            charging = min(-net, BATTERY_POWER_MW, (BATTERY_ENERGY_MWH - stored) / 0.9)
            curtailed = -net - charging
            stored += 0.9 * charging
            discharging = gas = 0.0
        else:
            charging = curtailed = 0.0
            discharging = min(net, BATTERY_POWER_MW, stored)
            stored -= discharging
            gas = net - discharging
        dispatch["solar_pv"].append(round(solar, 3))
        dispatch["onshore_wind"].append(round(wind, 3))
        dispatch["gas_ccgt"].append(round(gas, 3))
        dispatch["battery_4h"].append(round(discharging, 3))
        charge.append(round(charging, 3))
        soc.append(round(stored, 3))
        curtailment.append(round(curtailed, 3))
        load.append(round(demand, 3))
        pue.append(round(p, 4))
        temp.append(round(t, 2))
    return {
        "start": start[:10],
        "time": time,
        "load_mw": load,
        "dispatch_mw": dispatch,
        "battery_charge_mw": charge,
        "battery_soc_mwh": soc,
        "curtailment_mw": curtailment,
        "pue": pue,
        "temp_c": temp,
    }


def make_result() -> dict[str, Any]:
    """A realistic `gigafleet power --json` result for a 1 GW campus: 4 sources, 2 weeks, 2 binding limits."""
    capacity = [
        {
            "source": "solar_pv",
            "capacity_gw": 2.4,
            "energy_twh": 4.1,
            "share_of_energy": 0.38,
            "share_of_hours_served": 0.49,
            "capacity_factor": 0.195,
            "capex_usd": 2.5e9,
            "annual_cost_usd": 2.3e8,
        },
        {
            "source": "onshore_wind",
            "capacity_gw": 1.5,
            "energy_twh": 4.2,
            "share_of_energy": 0.39,
            "share_of_hours_served": 0.97,
            "capacity_factor": 0.32,
            "capex_usd": 2.2e9,
            "annual_cost_usd": 2.1e8,
        },
        {
            "source": "gas_ccgt",
            "capacity_gw": 1.2,
            "energy_twh": 1.9,
            "share_of_energy": 0.176,
            "share_of_hours_served": 0.41,
            "capacity_factor": 0.18,
            "capex_usd": 1.3e9,
            "annual_cost_usd": 2.6e8,
        },
        {
            "source": "battery_4h",
            "capacity_gw": 0.3,
            "energy_twh": 0.6,
            "share_of_energy": 0.054,
            "share_of_hours_served": 0.22,
            "capacity_factor": 0.23,
            "capex_usd": 4.0e8,
            "annual_cost_usd": 4.5e7,
        },
    ]
    cost_stack = [
        {"source": "solar_pv", "capital_usd": 1.9e8, "fixed_om_usd": 4.0e7, "variable_usd": 0.0, "fuel_usd": 0.0},
        {"source": "onshore_wind", "capital_usd": 1.6e8, "fixed_om_usd": 4.5e7, "variable_usd": 5.0e6, "fuel_usd": 0.0},
        {"source": "gas_ccgt", "capital_usd": 9.0e7, "fixed_om_usd": 2.0e7, "variable_usd": 8.0e6, "fuel_usd": 1.42e8},
        {"source": "battery_4h", "capital_usd": 3.5e7, "fixed_om_usd": 8.0e6, "variable_usd": 2.0e6, "fuel_usd": 0.0},
    ]
    return {
        "schema_version": 1,
        "status": "optimal",
        "site": {
            "id": "abilene-tx",
            "label": "Abilene, Texas",
            "latitude_deg": 32.45,
            "longitude_deg": -99.73,
            "region": "ERCOT West",
            "campus": "Campus A",
        },
        "inputs": {
            "it_load_gw": 1.0,
            "year": 2023,
            "carbon_cap_g_per_kwh": 150.0,
            "availability": 0.999,
            "sources": ["solar_pv", "onshore_wind", "gas_ccgt", "battery_4h"],
            "hours": "full",
            "cooling": "liquid",
            "reserve_margin": 0.15,
            "training_swing": 0.2,
        },
        "lcoe_usd_per_mwh": 68.44,
        "annual_cost_usd": 7.45e8,
        "capex_usd": 6.4e9,
        "energy_twh": 10.88,
        "co2_mt": 0.71,
        "co2_g_per_kwh": 65.3,
        "water_m3": 1.9e6,
        "land_km2": 61.5,
        "curtailment_twh": 1.35,
        "unserved_mwh": 0.0,
        "peak_load_gw": 1.32,
        "mean_pue": 1.142,
        "capacity": capacity,
        "cost_stack": cost_stack,
        "weeks": {"summer": make_week("2023-07-10", True), "winter": make_week("2023-01-16", False)},
        "binding": [
            {
                "limit": "carbon_cap",
                "shadow_price": 84.5,
                "unit": "USD/t CO2",
                "meaning": "Allowing one more tonne of CO2 per year would lower the annual cost by this much.",
            },
            {
                "limit": "land",
                "shadow_price": 1.2e5,
                "unit": "USD/km²",
                "meaning": "One more km² of land would save this much per year.",
            },
        ],
        "solver": {"name": "highs", "termination": "optimal", "seconds": 12.4, "build_seconds": 3.1},
        "notes": ["Weather year 2023; costs in 2024 US dollars.", "Battery round-trip efficiency 90%."],
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_power_html(make_result())


def test_fixture_is_realistic() -> None:
    week = make_result()["weeks"]["summer"]
    assert len(week["time"]) == HOURS
    assert all(len(series) == HOURS for series in week["dispatch_mw"].values())
    for hour in range(HOURS):
        supplied = sum(series[hour] for series in week["dispatch_mw"].values())
        used = week["load_mw"][hour] + week["battery_charge_mw"][hour] + week["curtailment_mw"][hour]
        assert supplied == pytest.approx(used, abs=0.01)
    assert max(week["curtailment_mw"]) > 0 and max(week["battery_charge_mw"]) > 0
    assert max(week["dispatch_mw"]["battery_4h"]) > 0 and max(week["dispatch_mw"]["gas_ccgt"]) > 0


def test_notes_are_listed(page: str) -> None:
    assert "<li>Battery round-trip efficiency 90%.</li>" in page


def test_title_shows_site_status_and_inputs(page: str) -> None:
    title = page[page.index("<h1>") : page.index("</header>")]
    assert "Abilene, Texas — Campus A" in title
    assert 'class="badge status-optimal"' in title
    assert "alert" not in title
    for text in (
        "abilene-tx",
        "32.45° N, 99.73° W",
        "ERCOT West",
        "IT load: 1 GW",
        "Carbon cap: 150 g CO2/kWh",
        "Availability target: 99.9%",
        "solar_pv, onshore_wind, gas_ccgt, battery_4h",
        "every hour of the year",
        "Reserve margin: 15%",
        "highs",
        "solved in 12.4 s",
    ):
        assert text in title, text
    assert "<title>gigafleet power: Abilene, Texas — Campus A (Optimal)</title>" in page


def test_key_figures_are_human_formatted(page: str) -> None:
    table = section(page, "key-figures")
    for text in (
        "$68.4/MWh",
        "$745 M/yr",
        "$6.4 B",
        "10.9 TWh/yr",
        "710 kt CO2/yr",
        "65.3 g CO2/kWh",
        "1.9 million m³/yr",
        "61.5 km²",
        "1.35 TWh/yr",
        "0 MWh/yr",
        "1.32 GW",
        "1.14",
    ):
        assert text in table, text
    labels = [
        "Levelised cost of electricity",
        "Annual cost",
        "Capital cost",
        "Energy served",
        "CO2 emissions",
        "Carbon intensity",
        "Water use",
        "Land use",
        "Curtailment",
        "Unserved energy",
        "Peak load",
        "Mean PUE",
    ]
    positions = [table.index(f">{label}</th>") for label in labels]
    assert positions == sorted(positions)


def test_dispatch_chart_layers(figures: dict[str, Any]) -> None:
    result = make_result()
    render_power_html(result)
    assert sorted(figures) == sorted(CHART_IDS)
    week = result["weeks"]["summer"]
    fig = figures["chart-dispatch-summer"]
    traces = {trace.name: trace for trace in fig.data}
    assert [trace.name for trace in fig.data] == [
        "solar_pv",
        "onshore_wind",
        "gas_ccgt",
        "battery_4h",
        "Curtailed (lower edge)",
        "Curtailed",
        "Battery charging",
        "Load",
        "PUE (right axis)",
    ]
    # Dispatch stacks upwards; charging is its own stack below zero. Peak ≈ 2 GW: axis in GW.
    for name in ("solar_pv", "onshore_wind", "gas_ccgt", "battery_4h"):
        assert traces[name].stackgroup == "supply", name
    assert list(traces["solar_pv"].y) == pytest.approx([v / 1e3 for v in week["dispatch_mw"]["solar_pv"]])
    assert traces["Battery charging"].stackgroup == "charging"
    assert all(v <= 0 for v in traces["Battery charging"].y)
    assert min(traces["Battery charging"].y) == pytest.approx(-max(week["battery_charge_mw"]) / 1e3)
    # Curtailment: a hatched band from load + charging up by the curtailment, i.e. the top of the dispatch stack.
    curtailed = traces["Curtailed"]
    assert curtailed.fillpattern.shape == "/"
    assert curtailed.fill == "tonexty" and curtailed.stackgroup is None
    edge = traces["Curtailed (lower edge)"]
    assert edge.showlegend is False and edge.hoverinfo == "skip"
    base = [(load + ch) / 1e3 for load, ch in zip(week["load_mw"], week["battery_charge_mw"], strict=True)]
    assert list(edge.y) == pytest.approx(base)
    supply = [sum(series[h] for series in week["dispatch_mw"].values()) / 1e3 for h in range(HOURS)]
    assert list(curtailed.y) == pytest.approx(supply, abs=1e-5)
    assert max(week["curtailment_mw"]) > 0
    assert traces["Load"].stackgroup is None
    assert traces["Load"].line.color == "#111111"
    assert list(traces["Load"].y) == pytest.approx([v / 1e3 for v in week["load_mw"]])
    assert traces["PUE (right axis)"].yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y"
    assert fig.layout.yaxis2.title.text == "PUE [1]"
    assert fig.layout.yaxis.title.text == "Power [GW]"
    assert traces["solar_pv"].x[0] == "2023-07-10 00:00" and len(traces["solar_pv"].x) == HOURS
    # Hover text is human formatted; the state of charge rides along with the charging power.
    assert any("state of charge" in row[1] for row in traces["Battery charging"].customdata)
    assert traces["Load"].customdata[0][1].endswith(("GW", "MW"))
    # One colour per source, the same on every chart.
    colours = {t.name: t.line.color for t in fig.data[:4]}
    assert len(set(colours.values())) == 4
    winter = {t.name: t.line.color for t in figures["chart-dispatch-winter"].data[:4]}
    assert winter == colours
    bars = figures["chart-capacity-mix"].data[0]
    assert dict(zip(bars.x, bars.marker.color, strict=True)) == colours


def test_dispatch_falls_back_to_temperature_and_hour_index(figures: dict[str, Any]) -> None:
    result = make_result()
    winter = result["weeks"]["winter"]
    del winter["pue"]
    del winter["time"]
    winter["load_mw"] = winter["load_mw"][:100]  # a short series is padded with gaps
    render_power_html(result)
    fig = figures["chart-dispatch-winter"]
    traces = {trace.name: trace for trace in fig.data}
    assert "Temperature (right axis)" in traces
    assert fig.layout.yaxis2.title.text == "Outdoor temperature [°C]"
    assert list(traces["onshore_wind"].x) == list(range(HOURS))
    assert traces["Load"].y[99] is not None and traces["Load"].y[100] is None
    assert fig.layout.xaxis.title.text == "Hour of the week [h]"


def test_curtailment_band_edges() -> None:
    from gigafleet.reports.power import _curtailment_band

    curtailment = [50.0, None, 0.0, 20.0]
    load = [100.0, 100.0, 100.0, None]
    charge = [-30.0, 0.0, None, 10.0]  # charging read with either sign
    dispatched = [180.0, 100.0, 100.0, 90.0]
    base, top = _curtailment_band(curtailment, load, charge, dispatched)
    assert base == [130.0, None, 100.0, 90.0]  # without a load: from the top of the dispatch stack
    assert top == [180.0, None, 100.0, 110.0]


def test_week_caption_totals(page: str) -> None:
    summer = section(page, "dispatch-summer")
    assert "Week from 2023-07-10: load" in summer
    assert "over 168 h" in summer
    assert "curtailed" in summer and "battery charged" in summer
    assert "temperature" in summer and "°C" in summer


def test_capacity_and_cost_charts(figures: dict[str, Any]) -> None:
    render_power_html(make_result())
    capacity = figures["chart-capacity-mix"]
    bars = capacity.data[0]
    assert list(bars.x) == ["solar_pv", "onshore_wind", "gas_ccgt", "battery_4h"]
    assert list(bars.y) == pytest.approx([2.4, 1.5, 1.2, 0.3])
    assert list(bars.text) == ["38% of energy", "39% of energy", "17.6% of energy", "5.4% of energy"]
    assert any("Peak load 1.32 GW" in str(a.text) for a in capacity.layout.annotations)

    cost = figures["chart-cost-stack"]
    assert cost.layout.barmode == "relative"
    assert [trace.name for trace in cost.data] == ["Capital (annualised)", "Fixed O&M", "Variable O&M", "Fuel"]
    assert cost.layout.yaxis.title.text == "US$ million per year"
    gas = [trace.y[2] for trace in cost.data]
    assert gas == pytest.approx([90.0, 20.0, 8.0, 142.0])
    totals = [str(a.text) for a in cost.layout.annotations]
    assert totals == ["$230 M/yr", "$210 M/yr", "$260 M/yr", "$45 M/yr"]


def test_capacity_and_binding_tables(page: str) -> None:
    table = section(page, "capacity-table")
    headers = [
        "Source",
        "Capacity",
        "Energy",
        "Share of energy",
        "Share of hours served",
        "Capacity factor",
        "Capex",
        "Annual cost",
    ]
    positions = [table.index(f">{h}</th>") for h in headers]
    assert positions == sorted(positions)
    row = table[table.index('<th scope="row">gas_ccgt</th>') :]
    row = row[: row.index("</tr>")]
    for text in ("1.2 GW", "1.9 TWh/yr", "17.6%", "41%", "18%", "$1.3 B", "$260 M/yr"):
        assert text in row, text

    binding = section(page, "binding-limits")
    for text in (
        ">Limit</th>",
        ">Shadow price</th>",
        ">Meaning</th>",
        "carbon_cap",
        "$84.5/t CO2",
        "$120 K/km²",
        "One more km² of land",
    ):
        assert text in binding, text

    costs = section(page, "cost-stack")
    assert '<th scope="row">All sources</th>' in costs
    assert "$745 M/yr" in costs  # the parts add up to the annual cost


def test_text_is_escaped(plotlyjs: str) -> None:
    result = make_result()
    result["site"]["label"] = EVIL_LABEL
    result["site"]["campus"] = "<b>A & B</b>"
    result["binding"][0]["meaning"] = "<img src=x onerror=alert(1)>"
    result["notes"] = ["<i>note</i>"]
    result["weeks"]["summer"]["dispatch_mw"]['"><svg onload=alert(2)>'] = [10.0] * HOURS
    result["capacity"][0]["source"] = "<u>solar</u>"
    page = without_bundle(render_power_html(result), plotlyjs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;site&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in page
    assert "<b>A" not in page
    assert "<img" not in page
    assert "<i>note" not in page
    assert "<svg" not in page
    assert "<u>solar" not in page
    # The only <script> tags are ours: config, plotly.js and one per chart.
    assert page.count("<script") == 2 + 4


def test_infeasible_status_is_flagged(plotlyjs: str) -> None:
    result = {
        "status": "infeasible",
        "site": {"id": "abilene-tx", "label": "Abilene, Texas"},
        "solver": {"name": "highs", "termination": "infeasible"},
        "binding": [],
        "notes": ["The carbon cap cannot be met with the allowed sources."],
    }
    page = render_power_html(result)
    title = page[page.index("<h1>") : page.index("</header>")]
    assert 'class="badge status-infeasible"' in title
    assert "Infeasible" in title
    assert 'class="alert alert-infeasible"' in title
    assert "solver termination: infeasible" in title
    rest = without_bundle(page, plotlyjs)
    assert rest.count("No data for this chart.") == 4
    assert "The carbon cap cannot be met" in rest


def test_unserved_energy_is_flagged() -> None:
    result = make_result()
    result["unserved_mwh"] = 2500.0
    page = render_power_html(result)
    title = page[page.index("<h1>") : page.index("</header>")]
    assert 'class="alert alert-unserved"' in title
    assert "2.5 GWh/yr of unserved energy" in title


def test_unknown_status_is_shown_escaped() -> None:
    result = make_result()
    result["status"] = "time_limit<b>"
    page = render_power_html(result)
    assert 'class="badge status-unknown"' in page
    assert "time_limit&lt;b&gt;" in page
    assert "time_limit<b>" not in page


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"schema_version": 1},
        {"status": "infeasible"},
        {
            "site": None,
            "inputs": None,
            "capacity": None,
            "cost_stack": None,
            "weeks": None,
            "binding": None,
            "notes": None,
            "solver": None,
        },
        {"capacity": [{}], "cost_stack": [{"source": "x"}], "binding": [{}], "weeks": {"summer": {}, "winter": None}},
        {"capacity": ["junk", 3], "weeks": {"summer": {"load_mw": "soon", "dispatch_mw": {"solar": None}}}},
        {"lcoe_usd_per_mwh": "cheap", "peak_load_gw": float("nan"), "weeks": {"summer": {"time": ["not a time"]}}},
    ],
)
def test_missing_keys_do_not_crash(result: dict[str, Any], plotlyjs: str) -> None:
    page = render_power_html(result)
    assert page.count(plotlyjs) == 1
    assert page.rstrip().endswith("</html>")
    rest = without_bundle(page, plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 0
    assert rest.count("No data for this chart.") == 4


def test_partially_missing_fields_are_tolerated(plotlyjs: str) -> None:
    result = make_result()
    del result["cost_stack"]
    del result["weeks"]["winter"]
    del result["capacity"][1]["capacity_gw"]
    result["capacity"].append("junk")
    result["weeks"]["summer"]["load_mw"][5] = None
    result["weeks"]["summer"]["time"] = result["weeks"]["summer"]["time"][:10]  # too short: hour index
    result["extra_unknown_key"] = {"x": [1, 2]}
    result["inputs"]["mystery_knob"] = 7
    rest = without_bundle(render_power_html(result), plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 2
    assert rest.count("No data for this chart.") == 2
    assert "No data for this chart." in section(rest, "dispatch-winter")
    assert "No data for this chart." in section(rest, "cost-stack")
    assert "Mystery knob: 7" in rest

"""Tests for gigafleet.reports.plan: the self-contained HTML build-out plan report."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gigafleet.reports.plan import render_plan_html
from gigafleet.testing.reports import without_bundle

#: A site name that must be escaped everywhere it appears.
EVIL_SITE = "<script>alert('site')</script>"

CHART_IDS = (
    "chart-fleet-by-chip",
    "chart-fleet-by-site",
    "chart-site-map",
    "chart-power-by-source",
    "chart-cost-by-year",
    "chart-binding-limits",
)

OUTLINE = (
    "summary",
    "chart-fleet-by-chip",
    "chart-fleet-by-site",
    "chart-site-map",
    "chart-power-by-source",
    "chart-cost-by-year",
    "chart-binding-limits",
    "binding-table",
)
"""Sections between the title and the notes, in page order."""

TITLES = ("Fleet by chip", "Fleet by site", "Sites", "Power by source", "Cost by year", "Binding limits")
"""Section headings (``<h2>``) on the page."""


def make_result() -> dict[str, Any]:
    """A realistic `gigafleet plan --json` result: 3 years, 2 chips, 2 sites, grid + CCGT, 2 binding limits."""
    years = [
        {
            "year": 2026,
            "accelerators": 1.2e6,
            "h100e": 3.0e6,
            "target": 3.0e6,
            "target_metric": "h100e",
            "shortfall_h100e": 0.0,
            "shortfall": 0.0,
            "it_power_gw": 1.9,
            "facility_power_gw": 2.4,
            "energy_twh": 17.5,
            "capex_usd": 8.5e10,
            "opex_usd": 4.1e9,
            "co2_mt": 6.2,
        },
        {
            "year": 2027,
            "accelerators": 2.0e6,
            "h100e": 6.1e6,
            "target": None,
            "target_metric": "h100e",
            "shortfall_h100e": 0.0,
            "shortfall": 0.0,
            "it_power_gw": 3.4,
            "facility_power_gw": 4.25,
            "energy_twh": 31.0,
            "capex_usd": 9.9e10,
            "opex_usd": 7.3e9,
            "co2_mt": 10.4,
        },
        {
            "year": 2028,
            "accelerators": 2.6e6,
            "h100e": 9.0e6,
            "target": 1.0e7,
            "target_metric": "h100e",
            "shortfall_h100e": 1.0e6,
            "shortfall": 1.0e6,
            "it_power_gw": 4.6,
            "facility_power_gw": 5.75,
            "energy_twh": 42.0,
            "capex_usd": 1.0e11,
            "opex_usd": 9.8e9,
            "co2_mt": 13.9,
        },
    ]
    by_chip = [
        {"year": 2026, "chip": "gb200", "installed": 1.2e6, "in_service": 1.2e6, "h100e": 3.0e6},
        {"year": 2027, "chip": "gb200", "installed": 0.4e6, "in_service": 1.6e6, "h100e": 4.0e6},
        {"year": 2027, "chip": "rubin", "installed": 0.4e6, "in_service": 0.4e6, "h100e": 2.1e6},
        {"year": 2028, "chip": "gb200", "installed": 0.0, "in_service": 1.6e6, "h100e": 4.0e6},
        {"year": 2028, "chip": "rubin", "installed": 0.6e6, "in_service": 1.0e6, "h100e": 5.0e6},
    ]
    by_site = []
    for year, (a_gw, b_gw) in zip((2026, 2027, 2028), ((1.4, 1.0), (2.2, 2.05), (3.0, 2.75)), strict=True):
        for site, gw, grid in (("abilene", a_gw, 2.0), (EVIL_SITE, b_gw, 1.5)):
            by_site.append(
                {
                    "year": year,
                    "site": site,
                    "accelerators": gw * 4.5e5,
                    "h100e": gw * 1.6e6,
                    "facility_power_gw": gw,
                    "datacentre_gw": gw / 1.25,
                    "grid_gw_used": min(gw, grid),
                    "grid_gw_available": grid,
                }
            )
    power = [
        {"year": year, "site": site, "source": source, "capacity_gw": gw, "energy_twh": twh}
        for year, site, source, gw, twh in (
            (2026, "abilene", "grid", 1.4, 10.2),
            (2026, EVIL_SITE, "grid", 1.0, 7.3),
            (2027, "abilene", "grid", 2.0, 14.6),
            (2027, "abilene", "ccgt", 0.2, 1.1),
            (2027, EVIL_SITE, "grid", 1.5, 11.0),
            (2027, EVIL_SITE, "ccgt", 0.55, 3.9),
            (2028, "abilene", "grid", 2.0, 14.6),
            (2028, "abilene", "ccgt", 1.0, 6.5),
            (2028, EVIL_SITE, "grid", 1.5, 11.0),
            (2028, EVIL_SITE, "ccgt", 1.25, 8.2),
        )
    ]
    return {
        "schema_version": 1,
        "status": "shortfall",
        "objective": "min_cost",
        "objective_usd": 2.87e11,
        "scenario": {
            "name": "texas-ramp",
            "description": "Two Texas campuses ramping to 10 M H100e by 2028.",
            "file": "scenarios/texas-ramp.yaml",
        },
        "solver": {"name": "highs", "termination": "optimal", "seconds": 1.84, "build_seconds": 0.62},
        "years": years,
        "by_chip": by_chip,
        "by_site": by_site,
        "power": power,
        "binding": [
            {
                "limit": "cowos_supply",
                "year": 2028,
                "where": "industry",
                "shadow_price": 41200.0,
                "unit": "USD/wafer",
                "meaning": "One more CoWoS wafer in 2028 would lower the objective by this much.",
            },
            {
                "limit": "grid",
                "year": 2027,
                "where": "abilene",
                "shadow_price": 3.1e5,
                "unit": "USD/MW",
                "meaning": "One more MW of firm grid import at abilene in 2027 would save this much.",
            },
        ],
        "notes": [
            "Targets are met only from 2026; 2028 is short by 1 M H100e (CoWoS supply binds).",
            "Costs are 2026 US dollars, discounted at 8%.",
        ],
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_plan_html(make_result())


def test_notes_are_listed(page: str) -> None:
    assert "<li>Costs are 2026 US dollars, discounted at 8%.</li>" in page


def test_shortfall_leads_with_what_is_reached_and_labels_the_penalty(plotlyjs: str) -> None:
    result = make_result()
    result.update(
        cost_usd=2.5e11,
        penalty_usd=4.3e14,
        reach={"year": 2028, "delivered": 9e6, "target": 1e7, "target_metric": "h100e", "short_years": [2028]},
    )
    title = render_plan_html(result)
    title = title[title.index("<h1>") : title.index("</header>")]
    assert "Reaches 9 million h100e by 2028 of a target of 10 million" in title
    assert "Discounted cost: $250 B" in title and "Objective value" not in title
    assert "Shortfall penalty in the objective (a modelling device, not a cost): $430 T" in title


def test_status_shortfall_is_flagged(page: str) -> None:
    title = page[page.index("<h1>") : page.index("</header>")]
    assert "texas-ramp" in title
    assert 'class="badge status-shortfall"' in title
    assert "Shortfall" in title
    assert 'class="alert alert-shortfall"' in title
    assert "2028: 1 million H100e short of the target of 10 million H100e" in title
    assert "Two Texas campuses ramping to 10 M H100e by 2028." in title
    assert "$287 B" in title
    assert "highs" in title


def test_shortfall_badge_names_the_unmet_requirement() -> None:
    """A campus-size shortfall is not labelled as missed targets (the plan JSON's ``unmet`` names it)."""
    result = make_result()
    for row in result["years"]:
        row["shortfall"] = row["shortfall_h100e"] = 0.0
    result["unmet"] = [
        {
            "requirement": "min_facility_gw",
            "where": "texas",
            "year": 2028,
            "required": 6.0,
            "delivered": 4.0,
            "short": 2.0,
            "unit": "GW",
        }
    ]
    page = render_plan_html(result)
    title = page[page.index("<h1>") : page.index("</header>")]
    assert "Shortfall: minimum campus size not met" in title and "targets not met" not in title


@pytest.mark.parametrize(
    ("status", "css"),
    [("optimal", "status-optimal"), ("infeasible", "status-infeasible"), ("weird<b>", "status-unknown")],
)
def test_other_statuses(status: str, css: str) -> None:
    result = make_result()
    result["status"] = status
    if status == "optimal":
        for row in result["years"]:
            row["shortfall"] = row["shortfall_h100e"] = 0.0
    page = render_plan_html(result)
    title = page[page.index("<h1>") : page.index("</header>")]
    assert f'class="badge {css}"' in title
    assert ("alert-infeasible" in title) == (status == "infeasible")
    assert ("alert-shortfall" in title) == (status == "weird<b>")  # the 2028 shortfall is still reported
    assert "weird<b>" not in page


def test_summary_table_is_human_formatted(page: str) -> None:
    table = page[page.index('id="summary"') :]
    table = table[: table.index("</table>")]
    for text in (
        '<th scope="row">2026</th>',
        "10 million H100e",
        "2.6 million",
        "⚠ 1 million H100e",
        "5.75 GW",
        "42 TWh/yr",
        "$100 B",
        "$9.8 B/yr",
        "13.9 Mt CO2/yr",
    ):
        assert text in table, text
    headers = ["Year", "Target", "Accelerators", "H100e", "Shortfall", "Facility power", "Energy", "Capex", "Opex"]
    positions = [table.index(f">{h}</th>") for h in headers]
    assert positions == sorted(positions)
    # 2027 has no target.
    row_2027 = table[table.index('<th scope="row">2027</th>') :]
    assert row_2027[: row_2027.index("</tr>")].count("—") >= 1


def test_charts_hold_expected_series(page: str, plotlyjs: str) -> None:
    rest = without_bundle(page, plotlyjs)

    def chart(div_id: str) -> str:
        """The chart's snippet, with the JSON \\uXXXX escapes (e.g. of "/" and "·") decoded."""
        start = rest.index(f'id="{div_id}"')
        snippet = rest[start : rest.index("</script>", start)]
        return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), snippet)

    chips = chart("chart-fleet-by-chip")
    assert '"name":"gb200"' in chips and '"name":"rubin"' in chips and '"name":"Target"' in chips
    assert '"stackgroup":"fleet"' in chips
    assert "[3.0,null,10.0]" in chips  # no target in 2027: the target line breaks there
    sites = chart("chart-fleet-by-site")
    assert '"name":"abilene"' in sites and '"name":"Grid available (all sites)"' in sites
    assert '"dash":"dash"' in sites
    assert "[3.5,3.5,3.5]" in sites  # 2.0 + 1.5 GW of grid, summed over sites
    power = chart("chart-power-by-source")
    assert power.index('"name":"grid"') < power.index('"name":"ccgt"')
    assert '"barmode":"stack"' in power
    cost = chart("chart-cost-by-year")
    assert '"name":"Capex"' in cost and '"name":"Opex"' in cost
    binding = chart("chart-binding-limits")
    assert "cowos_supply · industry" in binding and "grid · abilene" in binding
    assert "$41.2 K/wafer" in binding and "$310 K/MW" in binding
    assert "One more CoWoS wafer in 2028" in binding


def test_binding_table_has_all_columns(page: str) -> None:
    table = page[page.index('id="binding-table"') :]
    table = table[: table.index("</table>")]
    for header in ("Limit", "Year", "Where", "Shadow price", "Meaning"):
        assert f">{header}</th>" in table
    assert ">Unit</th>" not in table  # the price carries its unit
    for text in ("cowos_supply", "2028", "industry", "$41.2 K/wafer", "$310 K/MW", "abilene"):
        assert text in table, text


def test_text_is_escaped(plotlyjs: str) -> None:
    result = make_result()
    result["scenario"]["name"] = "<b>demo & co</b>"
    result["binding"][1]["where"] = EVIL_SITE
    result["binding"][0]["meaning"] = "<img src=x onerror=alert(1)>"
    result["notes"] = ["<i>note</i>"]
    result["by_chip"][0]["chip"] = '"><svg onload=alert(2)>'
    page = without_bundle(render_plan_html(result), plotlyjs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;site&#x27;)&lt;/script&gt;" in page
    assert "<b>demo" not in page
    assert "&lt;b&gt;demo &amp; co&lt;/b&gt;" in page
    assert "<img" not in page
    assert "<i>note" not in page
    assert "<svg" not in page
    # The only <script> tags are ours: config, plotly.js, one per chart and the site map's topojson preload.
    assert page.count("<script") == 2 + len(CHART_IDS) + 1


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"schema_version": 1},
        {"status": "infeasible", "solver": {"name": "highs", "termination": "infeasible"}},
        {"years": None, "by_chip": None, "by_site": None, "power": None, "binding": None, "notes": None},
        {"years": [{}], "by_chip": [{"chip": "gb200"}], "binding": [{"limit": "budget"}], "scenario": None},
        {"years": ["not a mapping", 3], "power": [{"year": "soon", "source": "grid", "capacity_gw": 1.0}]},
    ],
)
def test_missing_keys_do_not_crash(result: dict[str, Any], plotlyjs: str) -> None:
    page = render_plan_html(result)
    assert page.count(plotlyjs) == 1
    assert page.rstrip().endswith("</html>")
    rest = without_bundle(page, plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 0
    assert rest.count("No data for this chart.") == len(CHART_IDS)


def test_partially_missing_fields_are_tolerated(plotlyjs: str) -> None:
    result = make_result()
    del result["power"]
    del result["binding"][0]["shadow_price"]
    del result["binding"][1]["year"]
    for row in result["years"]:
        del row["capex_usd"]
    result["by_site"][0].pop("facility_power_gw")
    result["by_chip"].append("junk")
    result["extra_unknown_key"] = {"x": [1, 2]}
    rest = without_bundle(render_plan_html(result), plotlyjs)
    assert rest.count('class="plotly-graph-div"') == len(CHART_IDS) - 1
    assert rest.count("No data for this chart.") == 1
    assert rest.index("No data for this chart.") > rest.index('id="power-by-source"')
    assert '"name":"Opex"' in rest and '"name":"Capex"' not in rest


def test_accelerator_target_is_compared_like_for_like(plotlyjs: str) -> None:
    result = make_result()
    for row in result["years"]:
        row["target_metric"] = "accelerators"
    rest = without_bundle(render_plan_html(result), plotlyjs)
    chart = rest[rest.index('id="chart-fleet-by-chip"') :]
    assert '"name":"Target (accelerators)"' in chart
    assert '"name":"Fleet (accelerators)"' in chart
    assert "10 million accelerators" in rest


def test_marker_size_follows_shadow_price(plotlyjs: str) -> None:
    from gigafleet.reports.plan import _bindings, _marker_sizes

    result = make_result()
    result["binding"] = [
        {"limit": "grid", "year": 2026, "where": "a", "shadow_price": 100.0, "unit": "USD/MW"},
        {"limit": "grid", "year": 2027, "where": "a", "shadow_price": -25.0, "unit": "USD/MW"},
        {"limit": "budget", "year": 2027, "where": "all", "shadow_price": 0.001, "unit": "USD/USD"},
        {"limit": "budget", "year": 2028, "where": "all", "shadow_price": None, "unit": "USD/USD"},
    ]
    big, quarter, alone, missing = _marker_sizes(_bindings(result))
    assert big == pytest.approx(2 * quarter)  # area ∝ |shadow price|
    assert alone == big  # normalised per unit
    assert missing < quarter

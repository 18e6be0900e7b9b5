"""Tests for gigafleet.reports.estimate: the self-contained HTML estimate report."""

from __future__ import annotations

from typing import Any

import pytest

from gigafleet.reports.estimate import render_estimate_html
from gigafleet.testing.reports import without_bundle

CHART_IDS = ("chart-cost-stack", "chart-power-layers", "chart-comparisons")

OUTLINE = ("key-figures", "chart-cost-stack", "chart-power-layers", "chart-comparisons", "comparisons-table")
"""Sections between the title and the notes, in page order."""

TITLES = ("Cost stack", "Power layers, chip → grid")
"""Section headings (``<h2>``) on the page."""


def q(p10: float, p50: float, p90: float) -> dict[str, float]:
    """A quantity with three percentiles."""
    return {"p10": p10, "p50": p50, "p90": p90}


def make_result() -> dict[str, Any]:
    """A realistic `gigafleet estimate --json` result for 100 M H100s."""
    return {
        "schema_version": 1,
        "inputs": {
            "fleet": {"h100": 1e8},
            "sized_by": "accelerators",
            "cooling": "air",
            "region": "us",
            "year": 2026,
            "utilisation": 0.8,
            "samples": 2000,
            "seed": 0,
        },
        "accelerators": q(1e8, 1e8, 1e8),
        "chip_power_gw": q(66.0, 70.0, 72.0),
        "server_power_gw": q(118.0, 127.5, 136.0),
        "it_power_gw": q(140.0, 150.0, 165.0),
        "facility_power_gw": q(175.0, 192.0, 215.0),
        "grid_connection_gw": q(210.0, 230.0, 260.0),
        "average_facility_power_gw": q(160.0, 176.0, 195.0),
        "energy_twh_per_year": q(1400.0, 1540.0, 1700.0),
        "capex_usd": q(5.8e12, 6.42e12, 7.3e12),
        "opex_usd_per_year": q(1.8e11, 2.01e11, 2.3e11),
        "tco_usd_per_year": q(1.7e12, 1.9e12, 2.2e12),
        "water_m3_per_year": q(0.9e9, 1.2e9, 1.6e9),
        "co2_mt_per_year": q(480.0, 585.0, 700.0),
        "h100e": q(1e8, 1e8, 1e8),
        "usd_per_accelerator_hour": q(1.95, 2.15, 2.5),
        "required_revenue_usd_per_year": q(2.0e12, 2.3e12, 2.7e12),
        "peak_flops": {"bf16": q(9.89e22, 9.89e22, 9.89e22), "fp8": q(1.98e23, 1.98e23, 1.98e23)},
        "effective_flops": {"bf16": q(3.0e22, 4.0e22, 5.0e22)},
        "capex_breakdown_usd": {
            "accelerators": q(2.3e12, 2.5e12, 2.8e12),
            "servers": q(1.0e12, 1.2e12, 1.4e12),
            "networking": q(0.5e12, 0.6e12, 0.75e12),
            "storage": q(0.1e12, 0.15e12, 0.2e12),
            "power_and_cooling": q(0.75e12, 0.9e12, 1.1e12),
            "shell": q(0.4e12, 0.5e12, 0.6e12),
            "site_and_fitout": q(0.25e12, 0.3e12, 0.36e12),
            "land": q(0.01e12, 0.02e12, 0.04e12),
            "grid_connection": q(0.2e12, 0.25e12, 0.32e12),
        },
        "opex_breakdown_usd_per_year": {
            "energy": q(0.95e11, 1.1e11, 1.3e11),
            "it_maintenance": q(4e10, 5e10, 6e10),
            "facility_maintenance": q(1.5e10, 2e10, 2.5e10),
            "staff": q(1.5e10, 2e10, 2.6e10),
            "water": q(0.7e9, 1e9, 1.4e9),
        },
        "tco_breakdown_usd_per_year": {
            "it_capital": q(1.1e12, 1.25e12, 1.45e12),
            "facility_capital": q(0.4e12, 0.45e12, 0.52e12),
            "opex": q(1.8e11, 2.01e11, 2.3e11),
        },
        "comparisons": [
            {
                "name": "uk-demand",
                "definition": "UK total electricity demand, 2023 (DESNZ)",
                "metric": "energy_twh_per_year",
                "value": 310.0,
                "unit": "TWh/yr",
                "ratio": 4.97,
                "ratio_p10": 4.52,
                "ratio_p90": 5.48,
                "source": "R80",
            },
            {
                "name": "us-demand",
                "definition": "US total electricity consumption, 2023 (EIA)",
                "metric": "energy_twh_per_year",
                "value": 4000.0,
                "unit": "TWh/yr",
                "ratio": 0.385,
                "ratio_p10": 0.35,
                "ratio_p90": 0.425,
                "source": "R81",
            },
            {
                "name": "hoover-dam",
                "definition": "Hoover Dam nameplate capacity",
                "metric": "facility_power_gw",
                "value": 2.08,
                "unit": "GW",
                "ratio": 92.3,
                "ratio_p10": 84.1,
                "ratio_p90": 103.4,
                "source": "R82",
            },
        ],
        "notes": ["Utilisation applies to energy, not to installed power.", "Costs are 2026 US dollars."],
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_estimate_html(make_result())


def test_values_are_human_formatted(page: str) -> None:
    assert "100,000,000 × h100" in page
    for text in (
        "$6.42 T",
        "192 GW",
        "1,540 TWh/yr",
        "585 Mt CO2/yr",
        "$201 B/yr",
        "$2.15/h",
        "1.2 billion m³/yr",
        "98.9 ZFLOP/s",
        "100 million",
        "80%",
        "4.97× (4.52–5.48)",
        "310 TWh/yr",
    ):
        assert text in page, text
    # Raw floats do not leak into the tables.
    assert "6420000000000" not in page.split("<script")[0]


def test_notes_are_listed(page: str) -> None:
    assert "<li>Costs are 2026 US dollars.</li>" in page


def test_power_layers_are_ordered_chip_to_grid(page: str, plotlyjs: str) -> None:
    rest = without_bundle(page, plotlyjs)
    chart = rest[rest.index('id="chart-power-layers"') :]
    labels = ["Chips", "Servers", "IT load", "Facility (peak)", "Grid connection"]
    positions = [chart.index(f'"{label}"') for label in labels]
    assert positions == sorted(positions)


def test_comparison_axis_is_log_when_ratios_span_two_decades(plotlyjs: str) -> None:
    wide = render_estimate_html(make_result())
    chart = without_bundle(wide, plotlyjs).split('id="chart-comparisons"')[1]
    assert '"type":"log"' in chart

    narrow_result = make_result()
    narrow_result["comparisons"] = narrow_result["comparisons"][:1]
    narrow = without_bundle(render_estimate_html(narrow_result), plotlyjs)
    chart = narrow.split('id="chart-comparisons"')[1]
    assert '"type":"linear"' in chart
    assert '"type":"log"' not in chart


def test_comparisons_table_has_all_columns(page: str) -> None:
    table = page[page.index('id="comparisons-table"') :]
    table = table[: table.index("</table>")]
    for text in ("uk-demand", "UK total electricity demand, 2023 (DESNZ)", "310 TWh/yr", "R80", "Energy use"):
        assert text in table
    assert "0.385× (0.35–0.425)" in table


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"schema_version": 1},
        {"inputs": {"fleet": {"h100": 1000}}},
        {"inputs": {"fleet": {"h100": 1000}}, "capex_usd": {"p50": 3.0e7}},
        {"inputs": None, "comparisons": None, "notes": None, "peak_flops": None},
    ],
)
def test_missing_optional_keys_do_not_crash(result: dict[str, Any], plotlyjs: str) -> None:
    page = render_estimate_html(result)
    assert page.count(plotlyjs) == 1
    assert page.rstrip().endswith("</html>")
    assert without_bundle(page, plotlyjs).count('class="plotly-graph-div"') == 0


def test_partially_missing_fields_are_tolerated(plotlyjs: str) -> None:
    result = make_result()
    del result["opex_breakdown_usd_per_year"]
    del result["peak_flops"]["fp8"]
    del result["water_m3_per_year"]
    result["chip_power_gw"] = {"p50": 70.0}  # no P10/P90
    result["capex_breakdown_usd"]["land"] = {"p10": None, "p50": None, "p90": None}
    result["comparisons"].append({"name": "no-ratio"})  # only a name
    result["comparisons"].append("not a mapping")
    result["comparisons"][0].pop("ratio_p10")
    result["extra_unknown_key"] = {"whatever": [1, 2, 3]}
    result["inputs"]["future_option"] = {"a": 1}
    page = without_bundle(render_estimate_html(result), plotlyjs)
    assert page.count('class="plotly-graph-div"') == 3
    assert "70 GW" in page
    assert "no-ratio" in page
    assert "Future option" in page


def test_small_fleet_uses_smaller_units() -> None:
    result = make_result()
    result["inputs"]["fleet"] = {"h100": 1024}
    result["facility_power_gw"] = q(0.0017, 0.00192, 0.0021)
    result["energy_twh_per_year"] = q(0.0141, 0.0154, 0.017)
    result["capex_usd"] = q(5.8e7, 6.42e7, 7.3e7)
    result["co2_mt_per_year"] = q(0.0048, 0.00585, 0.007)
    page = render_estimate_html(result)
    for text in ("1,024 × h100", "1.92 MW", "15.4 GWh/yr", "$64.2 M", "5.85 kt CO2/yr"):
        assert text in page, text


def test_formatting_helpers() -> None:
    from gigafleet.formatting import format_value as _format_value

    assert _format_value(6.42e12, "usd") == "$6.42 T"
    assert _format_value(192.0, "power_gw") == "192 GW"
    assert _format_value(1543.0, "energy_twh") == "1,540 TWh/yr"
    assert _format_value(3.1, "co2_mt") == "3.1 Mt CO2/yr"
    assert _format_value(999.7e9, "usd") == "$1 T"
    assert _format_value(-2.5e9, "usd") == "-$2.5 B"
    assert _format_value(0.0, "power_gw") == "0 GW"
    assert _format_value(None, "usd") == "—"
    assert _format_value(0.0123, "ratio") == "0.0123×"


def test_text_is_escaped(plotlyjs: str) -> None:
    result = make_result()
    result["comparisons"][0]["definition"] = "<script>alert('definition')</script>"
    result["comparisons"][0]["name"] = "<b>bold & name</b>"
    result["notes"] = ["<img src=x onerror=alert(1)>"]
    result["inputs"]["fleet"] = {"<i>h100</i>": 1e8}
    page = without_bundle(render_estimate_html(result), plotlyjs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;definition&#x27;)&lt;/script&gt;" in page
    assert "<b>bold" not in page
    assert "&lt;b&gt;bold &amp; name&lt;/b&gt;" in page
    assert "<img" not in page
    assert "<i>h100" not in page
    # The only <script> tags are ours: config, plotly.js and one per chart.
    assert page.count("<script") == 2 + 3


def test_claims_section_rendered_when_present() -> None:
    from gigafleet.reports.estimate import render_estimate_html

    result = {
        "inputs": {"fleet": {"h100": 1e8}},
        "claims": [
            {
                "claim": "capex_usd",
                "claimed": 3e12,
                "unit": "USD",
                "percentile": 0.0,
                "factor": 2.16,
                "corrected": {"p10": 6.0e12, "p50": 6.47e12, "p90": 6.96e12},
                "verdict": "$3.00 T matches accelerator silicon only <b>x</b>",
            },
            {
                "claim": "share_of",
                "baseline": "uk-demand",
                "claimed": 0.75,
                "unit": "fraction",
                "percentile": 0.0,
                "factor": 5.9,
                "corrected": {"p10": 3.9, "p50": 4.41, "p90": 4.94},
                "verdict": "4.4x UK demand",
            },
        ],
    }
    html = render_estimate_html(result)
    assert '<section id="claims">' in html
    assert "$6.47 T" in html and "share of uk-demand" in html and "4.41" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<section id="claims">' not in render_estimate_html({"inputs": {"fleet": {"h100": 1.0}}})

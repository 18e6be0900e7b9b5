"""Tests for gigafleet.reports.sweep: the self-contained HTML sweep report."""

from __future__ import annotations

import re
from typing import Any

import gigafleet.reports.sweep as sweep_report
from gigafleet.reports.sweep import render_sweep_html
from gigafleet.testing.reports import section, table_rows

REPORT_MODULE = sweep_report
"""The module the ``figures`` fixture captures charts from."""

CHART_IDS = ("chart-sensitivity", "chart-fan", "chart-by-axis")
OUTLINE = ("outputs", "sensitivity", "by-axis", "fan", "sensitivity-table")
"""Section ids in page order (checked in ``test_contract``): "By axis" follows the tornado."""
TITLES = ("Outputs", "Sensitivity (tornado): Cost", "By axis: Cost", "Fan chart by year", "Sensitivity indices")
YEARS = [2026, 2027, 2028, 2029, 2030]


def spread(p50: float, low: float = 0.7, high: float = 1.4) -> dict[str, float]:
    """A quantity ``{"p10", "p50", "p90"}`` around ``p50`` [its unit]."""
    return {"p10": p50 * low, "p50": p50, "p90": p50 * high}


def fan(p50: list[float], low: float = 0.8, high: float = 1.25) -> dict[str, list[Any]]:
    """A by-year series with a P10–P90 band around ``p50``."""
    return {"years": list(YEARS), "p10": [v * low for v in p50], "p50": list(p50), "p90": [v * high for v in p50]}


def axis_rows(parameter: str, output: str, bins: list[tuple[float, float, float]], grid: bool) -> list[dict[str, Any]]:
    """``by_axis`` rows of one parameter and output: ``(low, high, p50)`` per bin, P10/P90 at 0.9/1.1 × P50."""
    return [
        {
            "parameter": parameter,
            "binning": "value" if grid else "quantile",
            "bin": i,
            "low": low,
            "high": high,
            "value": low if grid else None,
            "runs": 8,
            "not_ok": 1 if i == 0 else 0,
            "missing": 0,
            "output": output,
            "p10": p50 * 0.9,
            "p50": p50,
            "p90": p50 * 1.1,
        }
        for i, (low, high, p50) in enumerate(bins)
    ]


def base_result(sweep_id: str, name: str) -> dict[str, Any]:
    """The part shared by both fixtures: outputs, series and notes."""
    h100e = [1e5 * 10.0**i for i in range(len(YEARS))]  # 1e5 → 1e9: five decades (log axis)
    return {
        "schema_version": 1,
        "sweep_id": sweep_id,
        "name": name,
        "runs": 512,
        "completed": 512,
        "outputs": {
            "cost_usd": spread(2.4e12),
            "h100e_final": spread(1.0e9),
            "effective_h100e_final": spread(8.5e8),
            "year_final_target_met": {"p10": 2029.0, "p50": 2030.0, "p90": float("nan")},
        },
        "series": {
            "h100e_by_year": fan(h100e),
            "effective_h100e_by_year": fan([v * 0.85 for v in h100e]),
            "facility_power_gw_by_year": fan([20.0, 24.0, 30.0, 36.0, 45.0]),
        },
        "by_axis": [
            *axis_rows("scenario.supply.buyer_share", "cost_usd", [(0.2, 0.2, 2.0e12), (0.3, 0.3, 2.6e12)], True),
            *axis_rows(
                "catalog.accelerators.gb200.unit_price_usd",
                "cost_usd",
                [(30e3, 34e3, 2.2e12), (34e3, 38e3, 2.4e12), (38e3, 45e3, 2.9e12)],
                False,
            ),
            *axis_rows("scenario.supply.buyer_share", "h100e_final", [(0.2, 0.2, 8e8), (0.3, 0.3, 1.1e9)], True),
        ],
        "notes": ["Prices follow the 2026 catalogue."],
    }


def make_sobol_result() -> dict[str, Any]:
    result = base_result("sw-0001", "price-uncertainty")
    result["sensitivity"] = {
        "output": "cost_usd",
        "method": "sobol",
        "parameters": [
            {"name": "catalog.power.pue", "S1": 0.05, "S1_conf": 0.02, "ST": 0.08, "ST_conf": 0.03},
            {
                "name": "catalog.accelerators.gb200.unit_price_usd",
                "S1": 0.61,
                "S1_conf": 0.05,
                "ST": 0.66,
                "ST_conf": 0.06,
            },
            {"name": "catalog.energy.price_usd_per_mwh", "S1": 0.21, "S1_conf": 0.04, "ST": 0.25, "ST_conf": 0.04},
        ],
    }
    return result


def make_morris_result() -> dict[str, Any]:
    result = base_result("sw-0002", "screening")
    result["sensitivity"] = {
        "output": "cost_usd",
        "method": "morris",
        "parameters": [
            {"name": "catalog.power.pue", "mu_star": 1.1e10, "mu_star_conf": 2e9, "sigma": 4e9},
            {
                "name": "catalog.accelerators.gb200.unit_price_usd",
                "mu_star": 9.0e11,
                "mu_star_conf": 1e11,
                "sigma": 3e11,
            },
        ],
    }
    return result


def test_title_outputs_and_tables(plotlyjs: str) -> None:
    page = render_sweep_html(make_sobol_result()).replace(plotlyjs, "")
    assert "<h1>Sweep price-uncertainty (sw-0001): 512/512 runs</h1>" in page
    outputs = section(page, "outputs")
    assert "$2.4 T" in outputs and "1 billion" in outputs
    assert '<td class="num">2030</td>' in outputs  # a year, without a thousands separator
    assert "Sensitivity (tornado): Cost" in page
    table = section(page, "sensitivity-table")
    rows = re.findall(r"<tr>.*?</tr>", table[table.index("<tbody>") :])
    assert "unit_price_usd" in rows[0] and "catalog.power.pue" in rows[-1]  # sorted by ST
    assert "0.660" in rows[0]
    assert "Prices follow the 2026 catalogue." in section(page, "notes")


def test_sobol_tornado_sorted_with_s1_overlay(figures: dict[str, Any]) -> None:
    render_sweep_html(make_sobol_result())
    fig = figures["chart-sensitivity"]
    st, s1 = fig.data
    assert st.orientation == "h" and s1.orientation == "h"
    assert next(iter(st.y)) == "catalog.accelerators.gb200.unit_price_usd"
    assert list(st.x) == [0.66, 0.25, 0.08]
    assert list(s1.x) == [0.61, 0.21, 0.05]
    assert list(st.error_x.array) == [0.06, 0.04, 0.03]
    assert fig.layout.barmode == "overlay"
    assert "Cost" in fig.layout.title.text


def test_morris_tornado(figures: dict[str, Any], plotlyjs: str) -> None:
    page = render_sweep_html(make_morris_result())
    (bar,) = figures["chart-sensitivity"].data
    assert list(bar.x) == [9.0e11, 1.1e10]
    assert list(bar.error_x.array) == [1e11, 2e9]
    table = section(page, "sensitivity-table")
    assert "μ*" in table and "$900 B" in table


def test_fan_chart_bands_and_log_axis(figures: dict[str, Any]) -> None:
    render_sweep_html(make_sobol_result())
    fig = figures["chart-fan"]
    assert len(fig.data) == 9  # three series × (P90 edge, P10 band, P50 line)
    fills = [trace.fill for trace in fig.data]
    assert fills.count("tonexty") == 3
    assert fig.layout.yaxis.type == "log"  # H100e span five decades
    assert fig.layout.yaxis3.type == "linear"  # facility power does not


def test_parameter_name_is_escaped(plotlyjs: str) -> None:
    result = make_sobol_result()
    result["sensitivity"]["parameters"][0]["name"] = "<script>alert(1)</script>"
    result["name"] = "<b>bold</b>"
    result["notes"] = ["<img src=x onerror=alert(1)>"]
    page = render_sweep_html(result).replace(plotlyjs, "")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "<img" not in page


def test_empty_result_renders(plotlyjs: str) -> None:
    page = render_sweep_html({})
    assert page.count(plotlyjs) == 1
    rest = page.replace(plotlyjs, "")
    assert rest.count('class="plotly-graph-div"') == 0
    assert rest.count("No data for this chart.") == 3
    assert "<h1>Sweep</h1>" in rest


def test_malformed_entries_are_tolerated(plotlyjs: str) -> None:
    result = {
        "outputs": {"cost_usd": "lots", "h100e_final": None},
        "series": {"h100e_by_year": {"years": [2026, "x"], "p50": [None]}, "bad": 3},
        "sensitivity": {"output": None, "method": None, "parameters": [{"name": "a", "ST": "?"}, 4]},
        "notes": None,
        "by_axis": [3, {"parameter": "p", "output": "y", "bin": "x", "p50": "?"}, {"output": None}],
        "runs": 10,
        "completed": 3,
    }
    rest = render_sweep_html(result).replace(plotlyjs, "")
    assert rest.count("No data for this chart.") == 3
    assert "3/10 runs" in rest


def test_by_axis_small_multiples_of_the_analysed_output(figures: dict[str, Any]) -> None:
    """One panel per parameter, P50 at the grid value or the bin midpoint, P10–P90 error bars, shared y in US$."""
    render_sweep_html(make_sobol_result())
    fig = figures["chart-by-axis"]
    grid, sampled = fig.data  # the cost_usd rows only (the analysed output); h100e_final is not drawn
    assert list(grid.x) == [0.2, 0.3] and list(grid.y) == [2.0, 2.6]  # US$ trillion
    assert list(sampled.x) == [32e3, 36e3, 41.5e3]  # midpoints of the equal-count bins
    assert list(sampled.y) == [2.2, 2.4, 2.9]
    assert [round(v, 9) for v in sampled.error_y.array] == [0.22, 0.24, 0.29]
    assert [round(v, 9) for v in sampled.error_y.arrayminus] == [0.22, 0.24, 0.29]
    assert [a.text for a in fig.layout.annotations] == [
        "scenario.supply.buyer_share",
        "catalog.accelerators.gb200.unit_price_usd",
    ]
    assert fig.layout.yaxis.title.text == "Cost [US$ trillion]"
    assert fig.layout.yaxis.type == "linear"  # 1.8e12 to 3.19e12: under two decades
    assert fig.layout.xaxis.title.text == "swept value"
    assert fig.layout.xaxis2.title.text == "midpoint of an equal-count bin"


def test_by_axis_table_rows_and_log_axis(figures: dict[str, Any], plotlyjs: str) -> None:
    result = make_sobol_result()
    result["sensitivity"]["output"] = "h100e_final"
    result["by_axis"][-1]["p90"] = 5e11  # P10 7.2e8 .. P90 5e11: more than two decades
    page = render_sweep_html(result).replace(plotlyjs, "")
    assert figures["chart-by-axis"].layout.yaxis.type == "log"
    assert figures["chart-by-axis"].layout.yaxis.title.text == "H100-equivalents, final year [billion]"
    rows = table_rows(section(page, "by-axis"))
    assert len(rows) == 2 and "0.2" in rows[0] and "800 million" in rows[0] and "1.1 billion" in rows[1]
    assert '<td class="num">8</td><td class="num">1</td><td class="num">0</td>' in rows[0]  # runs, not ok, no value


def test_by_axis_bins_print_their_range_and_grid_values_in_full(plotlyjs: str) -> None:
    result = make_sobol_result()
    result["by_axis"][0].update(value=1008000, low=1008000, high=1008000)
    page = render_sweep_html(result).replace(plotlyjs, "")
    rows = table_rows(section(page, "by-axis"))
    assert "1,008,000" in rows[0]
    assert "$30 K – $34 K" in rows[2] and "$2.2 T" in rows[2]
    assert "Not ok" in section(page, "by-axis")

"""Tests for gigafleet.reports.capability: the self-contained HTML capability report."""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import pytest

import gigafleet.reports.capability as capability_report
from gigafleet.reports.capability import render_capability_html
from gigafleet.testing.reports import section, table_rows, without_bundle

REPORT_MODULE = capability_report
"""The module the ``figures`` fixture captures charts from."""

CHART_IDS = ("chart-largest-run", "chart-inference", "chart-compute-optimal")

OUTLINE = ("key-figures", *CHART_IDS, "years")
"""Sections between the title and the notes, in page order."""

TITLES = (
    "Key figures",
    "Largest training run by year",
    "Inference capacity by year",
    "Compute-optimal model",
    "By year",
    "Notes",
)
"""Section headings (``<h2>``) on the page."""
SECTION_IDS = ("largest-run", "inference", "compute-optimal")

#: Effective training throughput per H100-equivalent [FLOP/s]: 989 TFLOP/s dense BF16 at ~40% MFU.
EFFECTIVE_PER_H100E = 4.0e14
#: Peak dense BF16 throughput per H100-equivalent [FLOP/s].
PEAK_PER_H100E = 9.89e14
#: Decode throughput per H100e serving a 1-trillion-parameter model at FP8 [tokens/s].
DECODE_PER_H100E = 1500.0
GOODPUT = 0.9
TRAINING_SHARE = 0.5
#: Chinchilla: tokens per parameter of a compute-optimal model [1].
TOKENS_PER_PARAM = 20.0


def spread(p50: float, low: float = 0.6, high: float = 1.6) -> dict[str, float]:
    """A quantity ``{"p10", "p50", "p90"}`` around ``p50`` [its unit]."""
    return {"p10": p50 * low, "p50": p50, "p90": p50 * high}


def year_entry(
    year: int | None, accelerators: float, h100e: float, campus_share: float, days: float, data_flop: float
) -> dict[str, Any]:
    """One entry of ``result["years"]``: a 3-limit model of the largest run and Chinchilla scaling."""
    job_h100e = h100e * TRAINING_SHARE * campus_share
    hardware = job_h100e * EFFECTIVE_PER_H100E * GOODPUT * days * 86_400.0
    limits = {"hardware": hardware, "data": data_flop, "latency": 3.0e31}
    binding = min(limits, key=lambda key: limits[key])
    largest = limits[binding]
    params = math.sqrt(largest / (6.0 * TOKENS_PER_PARAM))
    decode = h100e * (1.0 - TRAINING_SHARE) * DECODE_PER_H100E * 86_400.0
    return {
        "year": year,
        "accelerators": accelerators,
        "h100e": h100e,
        "peak_flops": h100e * PEAK_PER_H100E,
        "effective_flops": spread(h100e * EFFECTIVE_PER_H100E, 0.8, 1.15),
        "largest_run_flop": spread(largest),
        "binding_limit": binding,
        "limits_flop": {
            "hardware": spread(hardware, 0.7, 1.3),
            "data": spread(data_flop, 0.3, 3.0),
            "latency": spread(3.0e31, 0.2, 5.0),
        },
        "compute_optimal_params": spread(params, 0.75, 1.3),
        "compute_optimal_tokens": spread(params * TOKENS_PER_PARAM, 0.75, 1.3),
        "job_accelerators": accelerators * TRAINING_SHARE * campus_share,
        "goodput": GOODPUT,
        "inference_tokens_per_day": spread(decode, 0.5, 1.5),
        "prefill_tokens_per_day": spread(5.0 * decode, 0.5, 1.5),
        "inference_accelerators": accelerators * (1.0 - TRAINING_SHARE),
    }


def headline(result: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Copy the headline figures of ``entry`` to the top level of ``result``."""
    for key in ("largest_run_flop", "compute_optimal_params", "compute_optimal_tokens", "binding_limit"):
        result[key] = copy.deepcopy(entry[key])
    result["inference_tokens_per_day"] = copy.deepcopy(entry["inference_tokens_per_day"])
    return result


def make_plan_result() -> dict[str, Any]:
    """What ``gigafleet capability --plan RUN --json`` prints for a five-year build-out, 120-day runs."""
    fleet = {  # year: (accelerators, H100e, data limit [FLOP])
        2026: (500_000.0, 1.0e6, 8.0e27),
        2027: (1.2e6, 3.0e6, 9.0e27),
        2028: (2.5e6, 8.0e6, 1.0e28),
        2029: (4.5e6, 18.0e6, 1.1e28),
        2030: (7.0e6, 35.0e6, 1.2e28),
    }
    years = [year_entry(year, acc, h100e, 0.3, 120.0, data) for year, (acc, h100e, data) in fleet.items()]
    result = {
        "schema_version": 1,
        "inputs": {
            "accelerators": None,
            "chip": None,
            "days": 120.0,
            "precision": "fp8",
            "training_share": TRAINING_SHARE,
            "campus_share": 0.3,
            "serve_params": 1.0e12,
            "plan_run_id": "20250101-base-a1b2",
        },
        "years": years,
        "notes": [
            "Data limit assumes 4 epochs over 1.2e15 tokens of public text plus synthetic data.",
            "Latency limit: 2 ms minimum per layer, 200 layers.",
        ],
    }
    largest = max(years, key=lambda entry: entry["largest_run_flop"]["p50"])
    return headline(result, largest)


def make_single_result() -> dict[str, Any]:
    """What ``gigafleet capability --accelerators 100000 --chip h100 --days 90 --json`` prints (no plan)."""
    entry = year_entry(None, 100_000.0, 100_000.0, 1.0, 90.0, 8.0e27)
    result = {
        "schema_version": 1,
        "inputs": {
            "accelerators": 100_000.0,
            "chip": "h100",
            "days": 90.0,
            "precision": "bf16",
            "training_share": TRAINING_SHARE,
            "campus_share": 1.0,
            "serve_params": 7.0e10,
            "plan_run_id": None,
        },
        "years": [entry],
        "notes": ["One campus: the whole training share runs a single job."],
    }
    return headline(result, entry)


@pytest.fixture(scope="module")
def page() -> str:
    return render_capability_html(make_plan_result())


@pytest.fixture(scope="module")
def single_page() -> str:
    return render_capability_html(make_single_result())


# --------------------------------------------------------------------------------------------------
# Fixture sanity
# --------------------------------------------------------------------------------------------------


def test_fixture_is_realistic() -> None:
    result = make_plan_result()
    bindings = [entry["binding_limit"] for entry in result["years"]]
    assert bindings == ["hardware", "hardware", "hardware", "hardware", "data"]
    runs = [entry["largest_run_flop"]["p50"] for entry in result["years"]]
    assert 1e26 < runs[0] < runs[-1] < 1e29
    assert result["largest_run_flop"]["p50"] == max(runs)
    first = result["years"][0]
    assert 1e12 < first["compute_optimal_params"]["p50"] < 1e13  # trillions of parameters
    assert first["compute_optimal_tokens"]["p50"] == pytest.approx(20 * first["compute_optimal_params"]["p50"])
    single = make_single_result()
    assert single["binding_limit"] == "hardware"
    assert single["largest_run_flop"]["p50"] == pytest.approx(1.39968e26)


# --------------------------------------------------------------------------------------------------
# Document structure
# --------------------------------------------------------------------------------------------------


def test_notes_are_listed(page: str) -> None:
    assert "<li>Latency limit: 2 ms minimum per layer, 200 layers.</li>" in page


def test_titles(page: str, single_page: str) -> None:
    header = page[page.index("<header") : page.index("</header>")]
    assert "<h1>Capability of plan 20250101-base-a1b2" in header
    assert 'class="badge limit-data"' in header  # the headline year (2030) is data-bound
    assert "Precision: FP8" in header
    assert "Training share of the fleet: 50%" in header
    assert "Served model: 1 T parameters" in header
    assert "Years: 2026–2030" in header
    single = single_page[single_page.index("<header") : single_page.index("</header>")]
    assert "<h1>Capability: 100,000 × h100, 90-day runs" in single
    assert 'class="badge limit-hardware"' in single
    assert "Served model: 70 B parameters" in single
    assert "Plan run" not in single  # plan_run_id is null


def test_extra_inputs_are_labelled(plotlyjs: str) -> None:
    result = make_single_result()
    result["inputs"].update({"linked_campuses": 2, "mfu": 0.4, "samples": 10_000, "seed": 7, "mystery_knob": "on"})
    rest = without_bundle(render_capability_html(result), plotlyjs)
    header = rest[rest.index("<header") : rest.index("</header>")]
    for text in ("Linked campuses: 2", "MFU: 40%", "Monte Carlo samples: 10,000", "Seed: 7", "Mystery knob: on"):
        assert text in header


def test_headline_year_follows_the_top_level_figures(plotlyjs: str) -> None:
    result = make_plan_result()
    last = result["years"][-1]
    result["years"][-2]["largest_run_flop"] = copy.deepcopy(last["largest_run_flop"])  # a plateau
    result["years"][-2]["goodput"] = 0.5
    rest = without_bundle(render_capability_html(result), plotlyjs)
    key_figures = section(rest, "key-figures")
    assert "Figures for 2030." in key_figures
    assert '<th scope="row">Goodput</th><td class="num">90%</td>' in key_figures


def test_key_figures_are_human_formatted(single_page: str, page: str) -> None:
    rows = table_rows(section(single_page, "key-figures"))
    text = "\n".join(rows)
    assert '<th scope="row">Largest training run</th><td class="num">1.4e+26 FLOP</td>' in text
    assert "8.4e+25 FLOP – 2.2e+26 FLOP" in text  # P10–P90
    assert '<th scope="row">Binding limit</th><td class="num">Hardware</td>' in text
    assert "Limits (P50): hardware 1.4e+26 FLOP; data 8e+27 FLOP; latency 3e+31 FLOP." in text
    assert '<th scope="row">Compute-optimal parameters</th><td class="num">1.08 T</td>' in text
    assert '<th scope="row">Compute-optimal training tokens</th><td class="num">21.6 T</td>' in text
    assert '<th scope="row">Inference capacity</th><td class="num">6.48 T/day</td>' in text
    assert '<th scope="row">Goodput</th><td class="num">90%</td>' in text
    assert '<th scope="row">Job size</th><td class="num">50,000 accelerators</td>' in text
    assert len(rows) == 7
    plan = section(page, "key-figures")
    assert "1.2e+28 FLOP" in plan
    assert "Figures for 2030." in plan
    assert "1,050,000 accelerators" in plan  # 7 M × 0.5 training × 0.3 campus
    assert "2,270 T/day" in plan  # beyond 10^15 tokens the unit stays T


def test_per_year_table(page: str, single_page: str) -> None:
    rows = table_rows(section(page, "years"))
    assert len(rows) == 5
    assert [re.search(r'<th scope="row">(\d+)</th>', row).group(1) for row in rows] == [  # type: ignore[union-attr]
        "2026",
        "2027",
        "2028",
        "2029",
        "2030",
    ]
    assert rows[0].count("<td") == 7
    assert '<td class="num">500,000</td>' in rows[0]
    assert '<td class="num">1 million</td>' in rows[0]
    assert "<td>Hardware</td>" in rows[0]
    assert "<td>Data</td>" in rows[4]
    assert "1.2e+28 FLOP" in rows[4]
    single = table_rows(section(single_page, "years"))
    assert len(single) == 1
    assert '<th scope="row">This fleet</th>' in single[0]


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def test_largest_run_chart_by_year(figures: dict[str, Any]) -> None:
    render_capability_html(make_plan_result())
    fig = figures["chart-largest-run"]
    assert fig.layout.yaxis.type == "log"
    names = [trace.name for trace in fig.data]
    for limit in ("Hardware", "Data", "Latency"):
        dashed = [t for t in fig.data if t.name == f"{limit} limit (P50)"]
        assert len(dashed) == 1
        assert dashed[0].line.dash == "dash"
        assert dashed[0].line.width <= 1.5
        assert len(dashed[0].x) == 5
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert len(band) == 1
    assert list(band[0].y) == pytest.approx([e["largest_run_flop"]["p10"] for e in make_plan_result()["years"]])
    line = [t for t in fig.data if t.name == "Largest run (P50)"]
    assert len(line) == 1 and list(line[0].x) == [2026, 2027, 2028, 2029, 2030]
    hardware = next(t for t in fig.data if t.name == "Bound by hardware")
    data = next(t for t in fig.data if t.name == "Bound by data")
    assert list(hardware.x) == [2026, 2027, 2028, 2029]
    assert list(data.x) == [2030]
    assert hardware.marker.symbol != data.marker.symbol
    assert hardware.marker.color != data.marker.color
    assert "Bound by latency" not in names
    assert "Binding limit: data" in data.customdata[0][3]


def test_largest_run_chart_single_year_is_a_bar_chart(figures: dict[str, Any]) -> None:
    render_capability_html(make_single_result())
    fig = figures["chart-largest-run"]
    assert len(fig.data) == 1
    bars = fig.data[0]
    assert bars.type == "bar"
    assert list(bars.x) == ["Hardware limit", "Data limit", "Latency limit"]
    assert fig.layout.yaxis.type == "log"
    colours = list(bars.marker.color)
    widths = list(bars.marker.line.width)
    assert widths[0] > 0 and widths[1] == widths[2] == 0  # hardware binds: highlighted
    assert colours[0].startswith("#") and all(c.startswith("rgba(") for c in colours[1:])
    largest = make_single_result()["largest_run_flop"]["p50"]
    assert fig.layout.shapes[0].y0 == pytest.approx(largest)  # shapes take data values on a log axis …
    assert fig.layout.annotations[0].y == pytest.approx(math.log10(largest))  # … annotations their log
    assert fig.layout.annotations[0].text == "Largest run 1.4e+26 FLOP"


def test_inference_and_compute_optimal_charts(figures: dict[str, Any]) -> None:
    result = make_plan_result()
    render_capability_html(result)
    inference = figures["chart-inference"]
    assert inference.layout.yaxis.type == "log"
    lines = {t.name: t for t in inference.data if t.mode == "lines+markers"}
    assert set(lines) == {"Decode (generated) tokens per day (P50)", "Prefill (prompt) tokens per day (P50)"}
    decode = [e["inference_tokens_per_day"]["p50"] for e in result["years"]]
    assert list(lines["Decode (generated) tokens per day (P50)"].y) == pytest.approx(decode)
    assert sum(1 for t in inference.data if t.fill == "tonexty") == 1  # a band for decode only
    assert any(label.endswith(" T") for label in inference.layout.yaxis.ticktext)
    optimal = figures["chart-compute-optimal"]
    assert optimal.layout.yaxis.type == "log"
    names = {t.name for t in optimal.data if t.mode == "lines+markers"}
    assert names == {"Parameters (P50)", "Training tokens (P50)"}
    assert sum(1 for t in optimal.data if t.fill == "tonexty") == 2


def test_single_year_points_use_error_bars(figures: dict[str, Any]) -> None:
    render_capability_html(make_single_result())
    decode = next(t for t in figures["chart-inference"].data if t.name.startswith("Decode"))
    assert list(decode.x) == ["This fleet"]
    assert decode.error_y.array[0] > 0
    assert figures["chart-compute-optimal"].layout.xaxis.type == "category"


def test_number_formatting() -> None:
    flop, short, per_day = capability_report._flop, capability_report._short, capability_report._per_day
    assert flop(2.1e29) == "2.1e+29 FLOP"
    assert flop(2.149e29) == "2.1e+29 FLOP"
    assert flop(1e26) == "1e+26 FLOP"
    assert flop(0.0) == "0 FLOP"
    assert flop(None) == "—"
    assert short(1.2e12) == "1.2 T"
    assert short(2.5e13) == "25 T"
    assert short(7e10) == "70 B"
    assert short(999.96e9) == "1 T"
    assert short(4.2e6) == "4.2 M"
    assert short(512.0) == "512"
    assert short(3.4e15) == "3,400 T"
    assert short(3.4e18) == "3.4e+18"
    assert short(None) == "—"
    assert per_day(6.48e12) == "6.48 T/day"


# --------------------------------------------------------------------------------------------------
# Robustness and escaping
# --------------------------------------------------------------------------------------------------


def test_text_is_escaped(plotlyjs: str) -> None:
    result = make_plan_result()
    result["notes"] = ["<script>alert('note')</script>", "<i>note</i>"]
    result["inputs"]["plan_run_id"] = "<b>run & co</b>"
    result["years"][1]["binding_limit"] = "<img src=x onerror=alert(1)>"
    result["years"][2]["limits_flop"]['"><svg onload=alert(2)>'] = spread(5e30)
    page = without_bundle(render_capability_html(result), plotlyjs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;note&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;run &amp; co&lt;/b&gt;" in page
    assert "<b>run" not in page
    assert "<img" not in page
    assert "<svg" not in page
    assert "<i>note" not in page
    # The only <script> tags are ours: config, plotly.js and one per chart.
    assert page.count("<script") == 2 + 3


def test_unknown_binding_limit_is_grey(figures: dict[str, Any]) -> None:
    result = make_plan_result()
    result["years"][1]["binding_limit"] = "power"
    result["years"][2]["binding_limit"] = "latency"
    render_capability_html(result)
    names = [t.name for t in figures["chart-largest-run"].data]
    assert "Bound by power" in names and "Bound by latency" in names


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"schema_version": 1},
        {"inputs": None, "years": None, "notes": None, "largest_run_flop": None},
        {"years": ["junk", {"year": "soon"}, {"largest_run_flop": "big"}], "inputs": {"accelerators": True}},
        {"years": [{"year": 2027, "largest_run_flop": {"p50": -1.0}, "inference_tokens_per_day": {"p50": 0}}]},
        {"largest_run_flop": {"p10": float("nan")}, "binding_limit": 7, "inputs": {"days": "ninety"}},
    ],
)
def test_missing_keys_do_not_crash(result: dict[str, Any], plotlyjs: str) -> None:
    page = render_capability_html(result)
    assert page.count(plotlyjs) == 1
    assert page.rstrip().endswith("</html>")
    rest = without_bundle(page, plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 0
    assert rest.count("No data for this chart.") == 3
    assert "<h1>Capability" in rest


def test_empty_result_renders(plotlyjs: str) -> None:
    rest = without_bundle(render_capability_html({}), plotlyjs)
    assert "<h1>Capability estimate</h1>" in rest
    assert "No key figures in this result." in rest
    assert "No years in this result." in rest
    for section_id in SECTION_IDS:
        assert "No data for this chart." in section(rest, section_id)


def test_top_level_only_result_draws_a_single_fleet(figures: dict[str, Any]) -> None:
    result = make_single_result()
    del result["years"]
    page = render_capability_html(result)
    assert set(figures) == set(CHART_IDS)
    bars = figures["chart-largest-run"].data[0]
    assert list(bars.x) == ["Largest run"]  # no limits at the top level: the run itself
    assert "1.4e+26 FLOP" in section(page, "key-figures")
    assert '<th scope="row">Binding limit</th><td class="num">Hardware</td>' in section(page, "key-figures")
    assert len(table_rows(section(page, "years"))) == 1


def test_partially_missing_fields_are_tolerated(plotlyjs: str) -> None:
    result = make_plan_result()
    for entry in result["years"]:
        del entry["prefill_tokens_per_day"]
        del entry["inference_tokens_per_day"]
    del result["inference_tokens_per_day"]
    del result["years"][2]["largest_run_flop"]
    result["years"][3]["compute_optimal_params"] = None
    rest = without_bundle(render_capability_html(result), plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 2
    assert "No data for this chart." in section(rest, "inference")
    assert len(table_rows(section(rest, "years"))) == 5


# --------------------------------------------------------------------------------------------------
# Writing and importing
# --------------------------------------------------------------------------------------------------

"""Tests for gigafleet.reports.reliability: the self-contained HTML fleet reliability report."""

from __future__ import annotations

import math
import random
import re
from typing import Any

import pytest

import gigafleet.reports.reliability as reliability_report
from gigafleet.reports.reliability import render_reliability_html
from gigafleet.testing.reports import section, without_bundle

#: A cause name that must be escaped everywhere it appears.
EVIL_CAUSE = "<script>alert('cause')</script>"

REPORT_MODULE = reliability_report
"""The module the ``figures`` fixture captures charts from."""

CHART_IDS = (
    "chart-failures-per-day",
    "chart-goodput-vs-job-size",
    "chart-spare-pool",
    "chart-availability",
    "chart-gpu-hours-lost",
)

OUTLINE = ("key-figures", *CHART_IDS, "failures-by-cause")
"""Sections between the title and the notes, in page order."""

TITLES = (
    "Key figures",
    "Failures per day by cause",
    "Goodput vs job size",
    "Spare pool",
    "Fleet availability",
    "GPU-hours lost by cause",
    "Failures by cause",
    "Notes",
)
"""Section headings (``<h2>``) on the page."""

FLEET = 100_000
DAYS = 60
JOB_SIZE = 16_384
CHECKPOINT_WRITE_H = 2.0 / 60.0
RESTART_H = 10.0 / 60.0
REPAIR_DAYS = 21
SPARES_PCT = 1.0

#: Fleet failure rates per cause [1/d] for 100,000 H100s (in line with published large-run failure logs).
RATES = {"gpu": 15.0, "hbm": 8.5, "software": 11.0, "nvlink": 5.0, "network": 5.0, "host": 3.5}
#: Causes that consume a spare device.
HARDWARE = ("gpu", "hbm", "nvlink", "host")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; fine for the small means used here)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def analytic_goodput(mtbi_h: float) -> tuple[float, float, float]:
    """First-order checkpoint/restart model: ``(goodput [1], Young interval [h], Daly interval [h])``."""
    young = math.sqrt(2.0 * CHECKPOINT_WRITE_H * mtbi_h)
    daly = young * (1.0 + math.sqrt(CHECKPOINT_WRITE_H / (2.0 * mtbi_h)) / 3.0) - CHECKPOINT_WRITE_H
    waste = CHECKPOINT_WRITE_H / young + (young / 2.0 + RESTART_H) / mtbi_h
    return 1.0 - waste, young, daly


def make_result() -> dict[str, Any]:
    """What ``gigafleet reliability --json`` prints for a 16,384-GPU job on a 100,000-GPU H100 fleet over 60 days."""
    rng = random.Random(20240611)
    daily = {cause: [poisson(rng, rate) for _ in range(DAYS)] for cause, rate in RATES.items()}
    per_day = {cause: sum(series) / DAYS for cause, series in daily.items()}
    total_per_day = sum(per_day.values())
    share = JOB_SIZE / FLEET
    interruptions_by_cause = {cause: round(rate * share * DAYS) for cause, rate in per_day.items()}
    interruptions = float(sum(interruptions_by_cause.values()))
    mtbi = DAYS * 24.0 / interruptions
    goodput_analytic, young, daly = analytic_goodput(mtbi)
    interval = daly

    job_hours = JOB_SIZE * DAYS * 24.0
    lost = {
        "recomputation": interruptions * (interval / 2.0) * JOB_SIZE,
        "restart": interruptions * RESTART_H * JOB_SIZE,
        "waiting_for_spares": 0.012 * job_hours,
        "checkpointing": DAYS * 24.0 / interval * CHECKPOINT_WRITE_H * JOB_SIZE,
    }
    goodput = 1.0 - sum(lost.values()) / job_hours

    sweep = []
    for size in (1024, 4096, 16384, 65536):
        size_mtbi = 24.0 / (total_per_day * size / FLEET)
        size_goodput, _, _ = analytic_goodput(size_mtbi)
        sweep.append(
            {
                "job_size": float(size),
                "goodput": round(size_goodput - 0.004 - 0.01 * rng.random(), 4),
                "goodput_analytic": round(size_goodput, 4),
                "mtbi_hours": round(size_mtbi, 3),
            }
        )

    pool_initial = FLEET * SPARES_PCT / 100.0
    pool: list[float] = []
    stock = pool_initial
    for day in range(DAYS):
        used = sum(daily[cause][day] for cause in HARDWARE)
        returned = sum(daily[cause][day - REPAIR_DAYS] for cause in HARDWARE) if day >= REPAIR_DAYS else 0
        stock += round(0.9 * returned) - used
        pool.append(stock)
    availability = [
        round(1.0 - (sum(daily[c][day] for c in RATES) * 6.0 + 180.0) / (FLEET * 24.0), 6) for day in range(DAYS)
    ]
    spares_p99 = 742.0
    events = 3.42e6
    return {
        "schema_version": 1,
        "inputs": {
            "accelerators": float(FLEET),
            "chip": "h100",
            "days": float(DAYS),
            "job_size": float(JOB_SIZE),
            "checkpoint_interval_hours": "auto",
            "checkpoint_write_minutes": 2.0,
            "restart_minutes": 10.0,
            "hot_spares": 64,
            "spares_pct": SPARES_PCT,
            "technicians": 40,
            "seed": 7,
        },
        "failures_per_day": {"total": total_per_day, "by_cause": per_day},
        "failures_by_day": {"day": list(range(DAYS)), "by_cause": {c: [float(v) for v in s] for c, s in daily.items()}},
        "job_interruptions": interruptions,
        "job_interruptions_by_cause": {cause: float(v) for cause, v in interruptions_by_cause.items()},
        "job_mtbi_hours": mtbi,
        "checkpoint_interval_hours": interval,
        "young_interval_hours": young,
        "daly_interval_hours": daly,
        "goodput": goodput,
        "goodput_analytic": goodput_analytic,
        "gpu_hours_lost": lost,
        "goodput_vs_job_size": sweep,
        "availability_by_day": availability,
        "spares": {
            "pool_initial": pool_initial,
            "pool_by_day": pool,
            "min_pool": min(pool),
            "stockout_days": sum(1 for v in pool if v <= 0),
            "spares_needed_p99": spares_p99,
        },
        "spares_needed_p99": spares_p99,
        "engine": {"name": "simpy", "events": events, "seconds": 2.8, "events_per_second": events / 2.8},
        "notes": [
            "Failure rates scaled from published 16,384-GPU training-run logs.",
            "Hot spares replace a failed device within the restart time.",
        ],
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_reliability_html(make_result())


def test_fixture_is_realistic() -> None:
    result = make_result()
    daily = result["failures_by_day"]["by_cause"]
    assert len(daily) == 6
    assert all(len(series) == DAYS for series in daily.values())
    assert len(result["availability_by_day"]) == DAYS
    assert len(result["spares"]["pool_by_day"]) == DAYS
    assert result["failures_per_day"]["total"] == pytest.approx(sum(result["failures_per_day"]["by_cause"].values()))
    assert 30 < result["failures_per_day"]["total"] < 70
    assert 1.0 < result["job_mtbi_hours"] < 6.0
    assert result["daly_interval_hours"] < result["young_interval_hours"] < result["job_mtbi_hours"]
    assert 0.75 < result["goodput"] < result["goodput_analytic"] + 0.05 < 1.0
    assert result["spares"]["min_pool"] > 0 and result["spares"]["stockout_days"] == 0
    assert all(0.99 < v < 1.0 for v in result["availability_by_day"])


def test_notes_are_listed(page: str) -> None:
    assert "<li>Hot spares replace a failed device within the restart time.</li>" in page


def test_title_and_inputs(page: str) -> None:
    title = page[page.index("<header") : page.index("</header>")]
    assert "<h1>Reliability: 100,000 × h100, 60 days</h1>" in title
    assert "Job size: 16,384 accelerators" in title
    assert "Checkpoint interval: auto" in title
    assert "Checkpoint write time: 2 min" in title
    assert "Restart time: 10 min" in title
    assert "Spare pool: 1% of the fleet" in title
    assert "Technicians: 40" in title
    assert "alert" not in title  # no stockout
    assert "<title>gigafleet Reliability: 100,000 × h100, 60 days</title>" in page


def test_key_figures_are_human_formatted(page: str) -> None:
    result = make_result()
    figures = section(page, "key-figures")
    labels = re.findall(r'<th scope="row">([^<]*)</th>', figures)
    assert labels == [
        "Fleet failures",
        "Job size",
        "Job interruptions",
        "Job MTBI",
        "Checkpoint interval",
        "Goodput",
        "GPU-hours lost",
        "Spares needed (P99)",
        "Minimum spare pool",
        "Stockout days",
        "Simulation speed",
    ]
    total = result["failures_per_day"]["total"]
    assert f"{total:.3g} per day" in figures
    assert "16,384 accelerators" in figures
    assert f"{result['job_mtbi_hours']:.3g} h" in figures
    interval = f"{result['checkpoint_interval_hours']:.3g} h (Young {result['young_interval_hours']:.3g} h, Daly"
    assert interval in figures
    goodput = f"{result['goodput'] * 100:.3g}% simulated (analytic {result['goodput_analytic'] * 100:.3g}%)"
    assert goodput in figures
    assert " million GPU-h" in figures
    assert "742 devices" in figures
    assert f"{result['spares']['min_pool']:,.0f} devices" in figures
    assert "0 of 60" in figures
    assert "1.22 million events/s" in figures
    assert "Engine simpy: 3.42 million events in 2.8 s." in figures


def test_failures_chart_stacks_the_causes(figures: dict[str, Any]) -> None:
    result = make_result()
    render_reliability_html(result)
    fig = figures["chart-failures-per-day"]
    assert [trace.name for trace in fig.data] == ["GPU", "HBM", "Software", "NVLink", "Network", "Host"]
    for trace, series in zip(fig.data, result["failures_by_day"]["by_cause"].values(), strict=True):
        assert trace.stackgroup == "failures"
        assert list(trace.x) == list(range(DAYS))
        assert list(trace.y) == series


def test_goodput_chart_has_log_axis_analytic_line_and_mtbi(figures: dict[str, Any]) -> None:
    result = make_result()
    render_reliability_html(result)
    fig = figures["chart-goodput-vs-job-size"]
    assert fig.layout.xaxis.type == "log"
    traces = {trace.name: trace for trace in fig.data}
    assert set(traces) == {"Goodput, analytic", "Goodput, simulated", "This job", "MTBI (right axis)"}
    assert traces["Goodput, simulated"].mode == "markers"
    assert traces["Goodput, analytic"].mode == "lines"
    assert list(traces["Goodput, simulated"].x) == [1024, 4096, 16384, 65536]
    assert traces["Goodput, simulated"].y[0] == pytest.approx(result["goodput_vs_job_size"][0]["goodput"] * 100)
    assert traces["This job"].x[0] == JOB_SIZE
    assert traces["This job"].y[0] == pytest.approx(result["goodput"] * 100)
    assert traces["MTBI (right axis)"].yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y"
    assert fig.layout.yaxis2.type == "log"  # MTBI spans 64×
    ticks = list(fig.layout.yaxis2.tickvals)
    assert ticks[0] <= min(point["mtbi_hours"] for point in result["goodput_vs_job_size"])
    assert ticks[-1] >= max(point["mtbi_hours"] for point in result["goodput_vs_job_size"])
    assert "0.5" in fig.layout.yaxis2.ticktext


def test_log_ticks() -> None:
    from gigafleet.reports.figures import log_ticks

    assert log_ticks(0.19, 12.2) == pytest.approx([0.1, 0.2, 0.5, 1, 2, 5, 10, 20])
    assert log_ticks(1.0, 10.0) == pytest.approx([1, 2, 5, 10])


def test_goodput_points_are_sorted_and_filtered() -> None:
    result = {
        "goodput_vs_job_size": [
            {"job_size": 4096, "goodput": 0.9},
            {"job_size": 0, "goodput": 0.99},
            {"job_size": 1024, "goodput_analytic": 0.95},
            {"job_size": 2048},
            "junk",
        ]
    }
    assert reliability_report._goodput_points(result) == [(1024.0, None, 0.95, None), (4096.0, 0.9, None, None)]


def test_spare_pool_chart_marks_p99_need_and_zero(figures: dict[str, Any]) -> None:
    result = make_result()
    render_reliability_html(result)
    fig = figures["chart-spare-pool"]
    assert list(fig.data[0].y) == result["spares"]["pool_by_day"]
    lines = {(shape.y0, shape.line.dash) for shape in fig.layout.shapes}
    assert (742.0, "dash") in lines
    assert any(y == 0.0 for y, _ in lines)
    assert any("Spares needed (P99): 742" in annotation.text for annotation in fig.layout.annotations)


def test_availability_and_losses_charts(figures: dict[str, Any]) -> None:
    result = make_result()
    render_reliability_html(result)
    availability = figures["chart-availability"]
    assert len(availability.data[0].y) == DAYS
    assert availability.data[0].y[0] == pytest.approx(result["availability_by_day"][0] * 100)
    losses = figures["chart-gpu-hours-lost"]
    bar = losses.data[0]
    assert list(bar.x) == ["Recomputation", "Restart", "Waiting for spares", "Checkpoint writes"]
    assert bar.y[1] == pytest.approx(result["gpu_hours_lost"]["restart"] / 1e6)
    assert "million GPU-h" in losses.layout.yaxis.title.text


def test_failures_by_cause_table(page: str) -> None:
    result = make_result()
    table = section(page, "failures-by-cause")
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert len(rows) == 7
    assert rows[0].startswith('<th scope="row">GPU</th>')
    gpu = result["failures_per_day"]["by_cause"]["gpu"]
    assert f'<td class="num">{gpu:.3g}</td>' in rows[0]
    jobs = result["job_interruptions_by_cause"]["gpu"]
    assert f'<td class="num">{jobs:.0f}</td>' in rows[0]
    assert rows[-1].startswith('<th scope="row">All causes</th>')
    assert '<td class="num">100%</td>' in rows[-1]


def test_text_is_escaped(plotlyjs: str) -> None:
    result = make_result()
    for mapping in (
        result["failures_per_day"]["by_cause"],
        result["failures_by_day"]["by_cause"],
        result["job_interruptions_by_cause"],
    ):
        mapping[EVIL_CAUSE] = mapping.pop("software")
    result["inputs"]["chip"] = "<b>h100 & co</b>"
    result["gpu_hours_lost"]["<img src=x onerror=alert(1)>"] = 1.0e5
    result["engine"]["name"] = '"><svg onload=alert(2)>'
    result["notes"] = ["<i>note</i>"]
    page = without_bundle(render_reliability_html(result), plotlyjs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;cause&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;h100 &amp; co&lt;/b&gt;" in page
    assert "<b>h100" not in page
    assert "<img" not in page
    assert "<svg" not in page
    assert "<i>note" not in page
    # The only <script> tags are ours: config, plotly.js and one per chart.
    assert page.count("<script") == 2 + 5


def test_stockout_is_flagged() -> None:
    result = make_result()
    result["spares"]["pool_by_day"][40:43] = [0.0, -12.0, 0.0]
    result["spares"]["min_pool"] = -12.0
    result["spares"]["stockout_days"] = 3
    page = render_reliability_html(result)
    title = page[page.index("<header") : page.index("</header>")]
    assert 'class="alert alert-shortfall"' in title
    assert "The spare pool ran out on 3 of 60 days" in title
    assert "-12 devices" in section(page, "key-figures")


def test_stockout_markers(figures: dict[str, Any]) -> None:
    result = make_result()
    result["spares"]["pool_by_day"][40:42] = [0.0, -12.0]
    render_reliability_html(result)
    stockout = [trace for trace in figures["chart-spare-pool"].data if trace.name == "Stockout"]
    assert len(stockout) == 1
    assert list(stockout[0].x) == [40, 41]


@pytest.mark.parametrize(
    "result",
    [
        {},
        {"schema_version": 1},
        {
            "inputs": None,
            "failures_per_day": None,
            "failures_by_day": None,
            "spares": None,
            "engine": None,
            "gpu_hours_lost": None,
            "goodput_vs_job_size": None,
            "availability_by_day": None,
            "notes": None,
        },
        {
            "failures_by_day": {"day": "soon", "by_cause": {"gpu": None}},
            "spares": {"pool_by_day": ["x"]},
            "goodput_vs_job_size": ["junk", {"job_size": -3, "goodput": 0.9}],
            "availability_by_day": [None],
        },
        {
            "goodput": "high",
            "job_mtbi_hours": float("nan"),
            "gpu_hours_lost": {"restart": "lots"},
            "inputs": {"accelerators": True, "days": "sixty"},
        },
    ],
)
def test_missing_keys_do_not_crash(result: dict[str, Any], plotlyjs: str) -> None:
    page = render_reliability_html(result)
    assert page.count(plotlyjs) == 1
    assert page.rstrip().endswith("</html>")
    rest = without_bundle(page, plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 0
    assert rest.count("No data for this chart.") == 5
    assert "<h1>Reliability" in rest


def test_empty_result_renders(plotlyjs: str) -> None:
    rest = without_bundle(render_reliability_html({}), plotlyjs)
    assert "<h1>Reliability simulation</h1>" in rest
    assert "No key figures in this result." in rest
    assert "No failure causes in this result." in rest


def test_partially_missing_fields_are_tolerated(plotlyjs: str) -> None:
    result = make_result()
    del result["failures_by_day"]
    del result["failures_per_day"]["by_cause"]  # the table still has the job interruptions
    del result["spares"]["pool_by_day"]
    del result["spares_needed_p99"]
    result["availability_by_day"][3] = None
    result["inputs"]["mystery_knob"] = 7
    rest = without_bundle(render_reliability_html(result), plotlyjs)
    assert rest.count('class="plotly-graph-div"') == 3
    assert "No data for this chart." in section(rest, "failures-per-day")
    assert "No data for this chart." in section(rest, "spare-pool")
    assert "742 devices" in section(rest, "key-figures")  # from result["spares"]
    assert "Mystery knob: 7" in rest
    assert '<th scope="row">GPU</th>' in section(rest, "failures-by-cause")

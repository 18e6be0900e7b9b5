"""Tests for gigafleet.reports.compare: the self-contained HTML comparison of plans."""

from __future__ import annotations

from typing import Any

import pytest

import gigafleet.reports.compare as compare_report
from gigafleet.compare import compare_runs
from gigafleet.formatting import format_delta as signed
from gigafleet.formatting import format_relative as relative_text
from gigafleet.reports.compare import render_compare_html
from gigafleet.testing.reports import section, without_bundle

REPORT_MODULE = compare_report
"""The module the ``figures`` fixture captures charts from."""

CHART_IDS = ("chart-h100e", "chart-facility-power-gw", "chart-capex-usd", "chart-opex-usd", "chart-shortfall-h100e")

OUTLINE = (
    "totals",
    "section-h100e",
    "section-facility-power-gw",
    "section-capex-usd",
    "section-opex-usd",
    "section-shortfall-h100e",
    "years",
)
"""Sections between the title and the notes, in page order."""

TITLES = (
    "Totals",
    "H100-equivalents in service",
    "Facility power (peak)",
    "Capex booked",
    "Opex",
    "Shortfall to the target [H100e]",
    "By year",
)
"""Section headings (``<h2>``) on the page."""


def make_result() -> dict[str, Any]:
    from tests.test_compare import BASE, BIGGER

    return {
        **compare_runs([BASE, BIGGER, {**BASE, "run_id": "cccccccccccc", "scenario": {"name": "<b>x</b>"}}]),
        "notes": ["Deltas are to the first run."],
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_compare_html(make_result())


def test_totals_show_values_deltas_and_shares() -> None:
    totals = section(render_compare_html(make_result()), "totals")
    assert "$180 B (+$90 B, +100%)" in totals  # capex of all years, bigger vs base
    assert "$90 B ($0, 0%)" in totals  # the third run equals the baseline
    assert "aaaaaaaaaaaa" in totals and "bbbbbbbbbbbb" in totals


def test_runs_are_overlaid_one_trace_each(figures: dict[str, Any]) -> None:
    render_compare_html(make_result())
    assert set(figures) == set(CHART_IDS)
    h100e = figures["chart-h100e"]
    assert [trace.name.split()[0] for trace in h100e.data] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]
    assert list(h100e.data[1].x) == [2026, 2027, 2028] and list(h100e.data[1].y)[-1] == 4.0  # million H100e


def test_names_are_escaped_and_years_listed() -> None:
    page = without_bundle(render_compare_html(make_result()))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "Every metric by year" in section(page, "years")


def test_signed_and_relative_text() -> None:
    assert (signed(1.2e9, "usd"), signed(-0.3, "power_gw"), signed(0.0, "count"), signed(None, "usd")) == (
        "+$1.2 B",
        "-300 MW",
        "0",
        "—",
    )
    assert (relative_text(0.125), relative_text(-0.5), relative_text(None)) == ("+12.5%", "-50%", "—")


def test_notes_are_listed(page: str) -> None:
    assert "<li>Deltas are to the first run.</li>" in page

"""Fixtures every report test module shares: the plotly.js bundle and the figure capture."""

from __future__ import annotations

from typing import Any

import pytest

from gigafleet.testing.reports import capture_figures, plotly_bundle


@pytest.fixture(scope="session")
def plotlyjs() -> str:
    """The plotly.js bundle the reports inline."""
    return plotly_bundle()


@pytest.fixture()
def figures(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The plotly figures of the next render of the test module's ``REPORT_MODULE``, by chart id."""
    return capture_figures(monkeypatch, request.module.REPORT_MODULE)

"""The contract every HTML report module keeps: atomic writes, no mutation of its input, lazy plotly import.

One parametrized test per property instead of a copy in each report's test file.
"""

from __future__ import annotations

import copy
import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gigafleet.testing.reports import assert_in_order, assert_self_contained, assert_single_document, without_bundle

REPO_ROOT = Path(__file__).resolve().parents[2]
REPORTS = [
    ("estimate", "render_estimate_html", "write_estimate_report", "test_estimate", "make_result"),
    ("plan", "render_plan_html", "write_plan_report", "test_plan", "make_result"),
    ("power", "render_power_html", "write_power_report", "test_power", "make_result"),
    ("reliability", "render_reliability_html", "write_reliability_report", "test_reliability", "make_result"),
    ("capability", "render_capability_html", "write_capability_report", "test_capability", "make_plan_result"),
    ("sweep", "render_sweep_html", "write_sweep_report", "test_sweep", "make_sobol_result"),
    ("compare", "render_compare_html", "write_compare_report", "test_compare", "make_result"),
]


def _parts(
    module: str, render: str, write: str, tests: str, fixture: str
) -> tuple[Callable[[dict[str, Any]], str], Callable[..., Path], Callable[[], dict[str, Any]]]:
    mod = importlib.import_module(f"gigafleet.reports.{module}")
    fixtures = importlib.import_module(f"tests.reports.{tests}")
    return getattr(mod, render), getattr(mod, write), getattr(fixtures, fixture)


DOCUMENTS = [
    *((row[0], row[3], row[4]) for row in REPORTS),
    ("capability", "test_capability", "make_single_result"),
    ("sweep", "test_sweep", "make_morris_result"),
]
"""Every report and the results its tests render: (report module, test module, result maker)."""


@pytest.mark.parametrize(("module", "tests", "fixture"), DOCUMENTS)
def test_one_self_contained_document_with_every_chart(module: str, tests: str, fixture: str) -> None:
    """The checks every report passes (``gigafleet.testing.reports``): one document, each chart once, no fetch."""
    mod = importlib.import_module(f"gigafleet.reports.{module}")
    fixtures = importlib.import_module(f"tests.reports.{tests}")
    page = getattr(mod, f"render_{module}_html")(getattr(fixtures, fixture)())
    assert_single_document(page, fixtures.CHART_IDS)
    assert_self_contained(page)


@pytest.mark.parametrize(("module", "tests", "fixture"), [row[:3] for row in DOCUMENTS])
def test_sections_appear_in_order(module: str, tests: str, fixture: str) -> None:
    """The title, then each test module's ``OUTLINE`` in order, then the notes and the footer; every heading."""
    mod = importlib.import_module(f"gigafleet.reports.{module}")
    fixtures = importlib.import_module(f"tests.reports.{tests}")
    page = without_bundle(getattr(mod, f"render_{module}_html")(getattr(fixtures, fixture)()))
    assert_in_order(page, ["<h1>", *(f'id="{i}"' for i in fixtures.OUTLINE), 'id="notes"', "<footer>"])
    for title in fixtures.TITLES:
        assert f"<h2>{title}</h2>" in page, title


def test_the_document_checks_can_fail() -> None:
    """A page that loads a CDN script, or draws a chart twice, is refused."""
    from gigafleet.reports.estimate import render_estimate_html
    from tests.reports.test_estimate import CHART_IDS, make_result

    page = render_estimate_html(make_result())
    with pytest.raises(AssertionError):
        assert_self_contained(page.replace("</head>", '<script src="https://cdn.plot.ly/x.js"></script></head>'))
    with pytest.raises(AssertionError):
        assert_single_document(page, CHART_IDS[:2])
    with pytest.raises(AssertionError):
        assert_self_contained(page.replace("</style>", "@font-face{font-family:x}</style>"))
    with pytest.raises(AssertionError):
        assert_in_order(page, ['id="notes"', "<h1>"])


@pytest.mark.parametrize(("module", "render", "write", "tests", "fixture"), REPORTS)
def test_write_is_atomic_and_replaces(
    module: str, render: str, write: str, tests: str, fixture: str, tmp_path: Path
) -> None:
    render_html, write_report, make = _parts(module, render, write, tests, fixture)
    target = tmp_path / "out" / f"{module}.html"
    returned = write_report(make(), target)
    assert returned == target and isinstance(returned, Path)
    assert target.read_text(encoding="utf-8") == render_html(make())
    write_report(make(), str(target))
    assert sorted(p.name for p in target.parent.iterdir()) == [f"{module}.html"]


@pytest.mark.parametrize(("module", "render", "write", "tests", "fixture"), REPORTS)
def test_failed_write_keeps_old_file_and_leaves_no_temp(
    module: str, render: str, write: str, tests: str, fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, write_report, make = _parts(module, render, write, tests, fixture)
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        write_report(make(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize(("module", "render", "write", "tests", "fixture"), REPORTS)
def test_render_does_not_mutate_input(module: str, render: str, write: str, tests: str, fixture: str) -> None:
    render_html, _, make = _parts(module, render, write, tests, fixture)
    result = make()
    before = copy.deepcopy(result)
    render_html(result)
    assert result == before


@pytest.mark.parametrize("module", [row[0] for row in REPORTS])
def test_importing_does_not_import_plotly(module: str) -> None:
    code = (
        f"import sys\nimport gigafleet.reports.{module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'plotly' or m.startswith('plotly.'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr

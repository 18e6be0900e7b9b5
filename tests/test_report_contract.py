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

REPO_ROOT = Path(__file__).resolve().parents[1]
REPORTS = [
    ("estimate", "render_estimate_html", "write_estimate_report", "test_report", "make_result"),
    ("plan", "render_plan_html", "write_plan_report", "test_plan_report", "make_result"),
    ("power", "render_power_html", "write_power_report", "test_power_report", "make_result"),
    ("reliability", "render_reliability_html", "write_reliability_report", "test_reliability_report", "make_result"),
    ("capability", "render_capability_html", "write_capability_report", "test_capability_report", "make_plan_result"),
    ("sweep", "render_sweep_html", "write_sweep_report", "test_sweep_report", "make_sobol_result"),
]


def _parts(
    module: str, render: str, write: str, tests: str, fixture: str
) -> tuple[Callable[[dict[str, Any]], str], Callable[..., Path], Callable[[], dict[str, Any]]]:
    mod = importlib.import_module(f"gigafleet.reports.{module}")
    fixtures = importlib.import_module(f"tests.{tests}")
    return getattr(mod, render), getattr(mod, write), getattr(fixtures, fixture)


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

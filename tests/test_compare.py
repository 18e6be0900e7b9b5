"""Plans side by side (``gigafleet.compare`` and ``gigafleet compare``): deltas against closed forms, the CLI's JSON,
CSV and report, and errors that name the run id."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.compare import MAX_RUNS, TOTAL_METRICS, YEAR_METRICS, compare_runs, comparison_tables
from gigafleet.errors import InputError


def year(y: int, h100e: float, power_gw: float, capex: float, opex: float, shortfall: float = 0.0) -> dict[str, Any]:
    return {
        "year": y,
        "accelerators": h100e / 2,
        "h100e": h100e,
        "shortfall_h100e": shortfall,
        "it_power_gw": power_gw / 1.2,
        "facility_power_gw": power_gw,
        "energy_twh": power_gw * 7.0,
        "capex_usd": capex,
        "opex_usd": opex,
        "co2_mt": 0.0,
    }


def plan(run_id: str, name: str, years: list[dict[str, Any]], cost: float, status: str = "optimal") -> dict[str, Any]:
    return {"run_id": run_id, "scenario": {"name": name}, "status": status, "cost_usd": cost, "years": years}


BASE = plan("aaaaaaaaaaaa", "base", [year(2026, 1e6, 1.5, 40e9, 5e9), year(2027, 2e6, 3.0, 50e9, 9e9)], 80e9)
BIGGER = plan(
    "bbbbbbbbbbbb",
    "bigger",
    [
        year(2026, 1e6, 1.5, 40e9, 5e9),
        year(2027, 3e6, 4.5, 80e9, 12e9),
        year(2028, 4e6, 6.0, 60e9, 15e9, shortfall=5e5),
    ],
    130e9,
    "shortfall",
)


def metric(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(m for m in result["metrics"] if m["metric"] == key)


def test_totals_and_deltas_follow_closed_forms() -> None:
    result = compare_runs([BASE, BIGGER])
    assert result["baseline"] == "aaaaaaaaaaaa" and [r["run_id"] for r in result["runs"]] == [
        "aaaaaaaaaaaa",
        "bbbbbbbbbbbb",
    ]
    assert result["runs"][1] == {
        "run_id": "bbbbbbbbbbbb",
        "name": "bigger",
        "status": "shortfall",
        "years": [2026, 2028],
    }
    capex = metric(result, "capex_total_usd")
    assert capex["values"] == [90e9, 180e9] and capex["delta"] == [0.0, 90e9] and capex["relative"] == [0.0, 1.0]
    cost = metric(result, "cost_usd")
    assert cost["relative"][1] == pytest.approx(50 / 80)
    assert metric(result, "final_h100e")["values"] == [2e6, 4e6]
    shortfall = metric(result, "shortfall_years")
    assert shortfall["values"] == [0.0, 1.0] and shortfall["relative"] == [None, None]  # zero baseline: no ratio
    assert {m["metric"] for m in result["metrics"]} == {key for key, _, _ in TOTAL_METRICS}


def test_by_year_rows_are_tidy_and_skip_missing_years() -> None:
    rows = compare_runs([BASE, BIGGER])["years"]
    assert len(rows) == len(YEAR_METRICS) * (2 + 2 + 1)  # 2026 and 2027 in both runs, 2028 in the second only
    h100e_2027 = [r for r in rows if r["year"] == 2027 and r["metric"] == "h100e"]
    assert [(r["run_id"], r["value"], r["delta"], r["relative"]) for r in h100e_2027] == [
        ("aaaaaaaaaaaa", 2e6, 0.0, 0.0),
        ("bbbbbbbbbbbb", 3e6, 1e6, 0.5),
    ]
    late = [r for r in rows if r["year"] == 2028 and r["metric"] == "h100e"]
    assert late == [
        {"year": 2028, "metric": "h100e", "run_id": "bbbbbbbbbbbb", "value": 4e6, "delta": None, "relative": None}
    ]  # no baseline value that year


def test_tables_have_one_row_per_run_and_metric() -> None:
    tables = comparison_tables(compare_runs([BASE, BIGGER, BASE]))
    assert len(tables["totals"]) == 3 * len(TOTAL_METRICS)
    assert list(tables["years"].columns) == ["year", "metric", "run_id", "value", "delta", "relative"]


@pytest.mark.parametrize("count", [0, 1, MAX_RUNS + 1])
def test_two_to_twelve_runs(count: int) -> None:
    with pytest.raises(InputError) as caught:
        compare_runs([BASE] * count)
    assert caught.value.field == "RUN_ID"


@pytest.fixture()
def stored(tmp_path: Path) -> tuple[Path, list[str]]:
    """A run store holding BASE and BIGGER: (its path, their run ids)."""
    from gigafleet.store import save_run

    store = tmp_path / "runs.duckdb"
    ids = [save_run("plan", {k: v for k, v in r.items() if k != "run_id"}, "name: x\n", store) for r in (BASE, BIGGER)]
    return store, ids


def test_cli_prints_json_tables_csv_and_a_report(stored: tuple[Path, list[str]], tmp_path: Path) -> None:
    store, (first, second) = stored
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "compare",
            first,
            second,
            "--store",
            str(store),
            "--json",
            "--csv",
            str(tmp_path / "csv"),
            "--report",
            str(tmp_path / "compare.html"),
        ],
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["baseline"] == first and metric(data, "capex_total_usd")["delta"] == [0.0, 90e9]
    with (tmp_path / "csv" / "totals.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * len(TOTAL_METRICS) and {"metric", "run_id", "value", "delta", "relative"} <= set(rows[0])
    assert (tmp_path / "csv" / "years.csv").exists()
    page = (tmp_path / "compare.html").read_text()
    assert "chart-h100e" in page and "base vs bigger" in page
    table = runner.invoke(app, ["compare", first, second, "--store", str(store)], env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert "+100%" in table.stdout and all(len(line) <= 80 for line in lines) and "…" not in table.stdout


def test_cli_names_an_unknown_run(stored: tuple[Path, list[str]]) -> None:
    store, ids = stored
    done = CliRunner().invoke(app, ["compare", ids[0], "0123456789ab", "--store", str(store)])
    assert done.exit_code == 2
    assert done.stderr.startswith("error: RUN_ID") and ids[0] in done.stderr  # lists the known ids

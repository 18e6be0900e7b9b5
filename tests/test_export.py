"""Tidy tables of any result (``gigafleet.export``) and the ``--csv``/``--parquet``/``--xlsx`` options: the tables
hold exactly the JSON's numbers, every command writes them, and bad paths fail before any work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.export import result_tables, table_file_name, workbook_bytes

RESULT: dict[str, Any] = {
    "schema_version": 1,
    "status": "optimal",
    "capex_usd": {"p10": 1.0, "p50": 2.0, "p90": 3.0},
    "peak_flops": {"bf16": {"p10": 4.0, "p50": 5.0, "p90": 6.0}},
    "capex_breakdown_usd": {"chips": {"p10": 1, "p50": 2, "p90": 3}, "sites": {"p10": 4, "p50": 5, "p90": 6}},
    "years": [{"year": 2026, "h100e": 5.0, "site": {"id": "a"}}, {"year": 2027, "h100e": 7.0, "site": {"id": "b"}}],
    "week": {
        "start": "2023-07-09",
        "time": ["00:00", "01:00"],
        "load_mw": [1.0, 2.0],
        "dispatch_mw": {"gas": [0.5, 1.0], "grid": [0.5, 1.0]},
    },
    "availability_by_day": [0.99, 0.98, 0.97],
    "inputs": {"chip": "h100", "sources": ["gas"]},
    "notes": ["one", "two"],
}


def test_each_kind_of_value_lands_in_one_table() -> None:
    tables = result_tables(RESULT)
    assert list(tables) == [
        "summary",
        "quantities",
        "peak_flops",
        "capex_breakdown_usd",
        "years",
        "week",
        "availability_by_day",
        "notes",
    ]
    assert tables["quantities"].to_dict("records") == [{"quantity": "capex_usd", "p10": 1.0, "p50": 2.0, "p90": 3.0}]
    assert tables["peak_flops"].to_dict("records") == [{"item": "bf16", "p10": 4.0, "p50": 5.0, "p90": 6.0}]
    assert tables["capex_breakdown_usd"]["item"].tolist() == ["chips", "sites"]
    assert tables["years"].columns.tolist() == ["year", "h100e", "site.id"]
    assert tables["week"].columns.tolist() == ["time", "load_mw", "dispatch_mw.gas", "dispatch_mw.grid"]
    summary = dict(zip(tables["summary"]["key"], tables["summary"]["value"], strict=True))
    assert summary == {
        "schema_version": 1,
        "status": "optimal",
        "week.start": "2023-07-09",
        "inputs.chip": "h100",
        "inputs.sources": '["gas"]',
    }
    assert tables["availability_by_day"]["value"].tolist() == [0.99, 0.98, 0.97]
    assert tables["notes"]["note"].tolist() == ["one", "two"]
    assert table_file_name("failures_by_day.by_cause") == "failures_by_day-by_cause"


def test_workbook_has_one_sheet_per_table() -> None:
    import io

    sheets = pd.read_excel(io.BytesIO(workbook_bytes(RESULT)), sheet_name=None)
    assert list(sheets) == list(result_tables(RESULT))
    assert sheets["quantities"]["p50"].tolist() == [2.0] and sheets["capex_breakdown_usd"]["p90"].tolist() == [3, 6]


def test_estimate_tables_hold_the_json_numbers(tmp_path: Path) -> None:
    args = ["estimate", "--chip", "gb200", "--accelerators", "1M", "--samples", "300"]
    done = CliRunner().invoke(
        app,
        [
            *args,
            "--json",
            "--csv",
            str(tmp_path / "csv"),
            "--parquet",
            str(tmp_path / "pq"),
            "--xlsx",
            str(tmp_path / "e.xlsx"),
        ],
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    for frame in (
        pd.read_csv(tmp_path / "csv" / "quantities.csv"),
        pd.read_parquet(tmp_path / "pq" / "quantities.parquet"),
        pd.read_excel(tmp_path / "e.xlsx", sheet_name="quantities"),
    ):
        rows = frame.set_index("quantity")
        for key in ("capex_usd", "facility_power_gw", "energy_twh_per_year"):
            assert rows.loc[key, "p50"] == pytest.approx(data[key]["p50"], rel=1e-12), key
    flops = pd.read_csv(tmp_path / "csv" / "effective_flops.csv").set_index("item")
    assert flops.loc["bf16", "p90"] == pytest.approx(data["effective_flops"]["bf16"]["p90"], rel=1e-12)
    assert "tables written to" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["reliability", "--accelerators", "10k", "--chip", "h100", "--days", "10"],
        ["capability", "--chip", "gb200", "--accelerators", "1M", "--samples", "100"],
        ["plan", "demo", "--no-store"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_writes_its_tables(args: list[str], tmp_path: Path) -> None:
    done = CliRunner().invoke(app, [*args, "--csv", str(tmp_path), "--json"])
    assert done.exit_code == 0, done.output
    written = {p.stem for p in tmp_path.glob("*.csv")}
    assert {
        table_file_name(name) for name in result_tables(json.loads(done.stdout))
    } == written  # nothing lost between the JSON and the files
    assert {"summary", "notes"} <= written


@pytest.mark.parametrize(("flag", "value"), [("--xlsx", "out.csv"), ("--csv", "/proc/nope"), ("--xlsx", "")])
def test_bad_paths_fail_before_any_work(flag: str, value: str) -> None:
    done = CliRunner().invoke(app, ["reliability", "--accelerators", "100M", "--days", "365", flag, value])
    assert done.exit_code == 2 and done.stderr.startswith(f"error: {flag}"), done.output

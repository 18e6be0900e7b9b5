"""The DuckDB run store: runs are stored whole, and a failing write leaves nothing behind."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from gigafleet.store import list_runs, save_run

RESULT = {
    "scenario": {"name": "t"}, "status": "optimal", "objective_usd": 1.0,
    "years": [{"year": 2026, "accelerators": 1.0, "h100e": 2.0, "target": 1.0, "shortfall_h100e": 0.0,
               "it_power_gw": 0.1, "facility_power_gw": 0.14, "energy_twh": 1.0, "capex_usd": 5.0, "opex_usd": 1.0,
               "co2_mt": 0.1}],
    "binding": [{"limit": "budget", "year": 2026, "where": "fleet", "shadow_price": 0.5, "unit": "USD per USD"}],
}


def test_save_and_list(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    run_id = save_run("plan", RESULT, "name: t\n", path)
    assert [r["run_id"] for r in list_runs(path)] == [run_id]
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM plan_years WHERE run_id = ?", [run_id]).fetchone() == (1,)
    assert con.execute("SELECT scenario_yaml FROM runs").fetchone() == ("name: t\n",)
    con.close()


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    save_run("plan", RESULT, "ok", path)
    broken = {**RESULT, "years": [*RESULT["years"], {"year": 2027}]}  # missing fields: fails mid-transaction
    with pytest.raises(KeyError):
        save_run("plan", broken, "bad", path)
    bad_json = {**RESULT, "objective_usd": math.nan}
    with pytest.raises(ValueError):
        save_run("plan", {**bad_json, "extra": math.inf}, "bad", path)
    assert len(list_runs(path)) == 1
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM plan_years").fetchone() == (1,)
    con.close()

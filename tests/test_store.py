"""The DuckDB run store: runs are stored whole, and a failing write leaves nothing behind."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from gigafleet.store import list_runs, save_run

RESULT = {
    "scenario": {"name": "t"},
    "status": "optimal",
    "objective_usd": 1.0,
    "years": [
        {
            "year": 2026,
            "accelerators": 1.0,
            "h100e": 2.0,
            "target": 1.0,
            "shortfall_h100e": 0.0,
            "it_power_gw": 0.1,
            "facility_power_gw": 0.14,
            "energy_twh": 1.0,
            "capex_usd": 5.0,
            "opex_usd": 1.0,
            "co2_mt": 0.1,
        }
    ],
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


def test_readers_and_writers_of_one_process_never_collide(tmp_path: Path) -> None:
    """One store discipline: threads writing runs while others list and load them: no error, nothing lost."""
    import threading

    from gigafleet.store import load_run

    path = tmp_path / "s.duckdb"
    errors: list[BaseException] = []
    written: list[str] = []

    def writer() -> None:
        try:
            for _ in range(15):
                written.append(save_run("plan", RESULT, "w", path))
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(40):
                for row in list_runs(path)[:3]:
                    assert load_run(row["run_id"], path)["status"] == "optimal"
        except BaseException as exc:
            errors.append(exc)

    save_run("plan", RESULT, "first", path)
    threads = [threading.Thread(target=writer) for _ in range(2)] + [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list_runs(path)) == 31 and set(written) <= {r["run_id"] for r in list_runs(path)}


_HOLD = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); con.execute('SELECT 1'); "
    "print('held', flush=True); time.sleep(float(sys.argv[2])); con.close()"
)


def test_a_store_held_by_another_process_is_waited_for_then_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    import gigafleet.store as store
    from gigafleet.store import StoreBusyError

    path = tmp_path / "s.duckdb"
    save_run("plan", RESULT, "x", path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    save_run("plan", RESULT, "y", path)  # waits (back-off) until the other process lets go
    holder.wait()
    assert len(list_runs(path)) == 2
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), "5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    monkeypatch.setattr(store, "BUSY_WAIT_S", 0.3)
    try:
        with pytest.raises(StoreBusyError, match="in use by another process"):
            save_run("plan", RESULT, "z", path)
    finally:
        holder.kill()
        holder.wait()


def test_a_result_that_cannot_be_stored_is_written_beside_the_store(tmp_path: Path) -> None:
    import json

    from gigafleet.store import save_run_safely

    corrupt = tmp_path / "bad.duckdb"
    corrupt.write_bytes(b"not a database" * 50)
    before = corrupt.read_bytes()
    run_id, fallback, reason = save_run_safely("plan", RESULT, "name: t\n", corrupt)
    assert run_id is None and fallback is not None and reason is not None and "cannot be read" in reason
    assert fallback.parent == tmp_path and json.loads(fallback.read_text())["result"] == RESULT
    assert corrupt.read_bytes() == before


def test_cli_plan_checks_the_store_before_solving_and_never_loses_a_solved_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    import gigafleet.store as store
    from gigafleet.cli import app
    from gigafleet.store import StoreError

    corrupt = tmp_path / "bad.duckdb"
    corrupt.write_bytes(b"garbage" * 100)
    result = CliRunner().invoke(app, ["plan", "demo", "--store", str(corrupt), "--json"])
    assert result.exit_code == 2 and result.stdout == ""  # refused before the solve
    assert result.stderr.count("\n") == 1 and "cannot be read" in result.stderr

    def full_disk(*_args: object, **_kwargs: object) -> str:
        raise StoreError("store x: the run could not be written (No space left on device)")

    monkeypatch.setattr(store, "save_run", full_disk)
    good = tmp_path / "good.duckdb"
    result = CliRunner().invoke(app, ["plan", "demo", "--store", str(good), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["status"] in ("optimal", "shortfall")  # the result is still printed
    assert "No space left on device" in result.stderr and "written to" in result.stderr
    saved = list(tmp_path.glob("good.unsaved-plan-*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["result"]["years"]

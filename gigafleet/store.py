"""The run store: an embedded DuckDB file keeping every run with the scenario that produced it.

Each run is written in one transaction (all tables or nothing), so a run that fails halfway leaves no trace.

Tables: ``runs`` (run_id, kind, created_utc, name, status, objective_usd, scenario_yaml, result_json) and, for
plans, ``plan_years`` and ``plan_binding`` (tidy rows keyed by run_id).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

DEFAULT_STORE = Path("out") / "gigafleet.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, kind VARCHAR, created_utc TIMESTAMP, name VARCHAR, status VARCHAR,
    objective_usd DOUBLE, scenario_yaml VARCHAR, result_json VARCHAR);
CREATE TABLE IF NOT EXISTS plan_years (
    run_id VARCHAR, year INTEGER, accelerators DOUBLE, h100e DOUBLE, target DOUBLE, shortfall_h100e DOUBLE,
    it_power_gw DOUBLE, facility_power_gw DOUBLE, energy_twh DOUBLE, capex_usd DOUBLE, opex_usd DOUBLE,
    co2_mt DOUBLE);
CREATE TABLE IF NOT EXISTS plan_binding (
    run_id VARCHAR, "limit" VARCHAR, year INTEGER, "where" VARCHAR, shadow_price DOUBLE, unit VARCHAR);
"""


def store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store file: ``path``, else ``$GIGAFLEET_STORE``, else ``out/gigafleet.duckdb``."""
    return Path(path or os.environ.get("GIGAFLEET_STORE") or DEFAULT_STORE)


def save_run(kind: str, result: dict[str, Any], scenario_yaml: str, path: str | os.PathLike[str] | None = None
             ) -> str:
    """Store one run atomically; return its run id.

    Parameters
    ----------
    kind
        ``plan`` or ``estimate``.
    result
        The JSON-ready result.
    scenario_yaml
        The scenario text that produced it.
    path
        Store file (see :func:`store_path`).
    """
    import duckdb

    file = store_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    created = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    con = duckdb.connect(str(file))
    try:
        con.execute(_SCHEMA)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                run_id, kind, created, result.get("scenario", {}).get("name", ""), result.get("status", ""),
                result.get("objective_usd"), scenario_yaml, json.dumps(result, allow_nan=False)])
            years = [(run_id, y["year"], y["accelerators"], y["h100e"], y.get("target"), y["shortfall_h100e"],
                      y["it_power_gw"], y["facility_power_gw"], y["energy_twh"], y["capex_usd"], y["opex_usd"],
                      y["co2_mt"]) for y in result.get("years", [])]
            if years:
                con.executemany("INSERT INTO plan_years VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", years)
            binding = [(run_id, b["limit"], b["year"], b["where"], b["shadow_price"], b["unit"])
                       for b in result.get("binding", [])]
            if binding:
                con.executemany("INSERT INTO plan_binding VALUES (?, ?, ?, ?, ?, ?)", binding)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return run_id


def list_runs(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Runs in the store, newest first (without the result JSON)."""
    import duckdb

    file = store_path(path)
    if not file.exists():
        return []
    con = duckdb.connect(str(file), read_only=True)
    try:
        rows = con.execute("SELECT run_id, kind, created_utc, name, status, objective_usd FROM runs "
                           "ORDER BY created_utc DESC").fetchall()
    finally:
        con.close()
    keys = ("run_id", "kind", "created_utc", "name", "status", "objective_usd")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def load_run(run_id: str, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The stored result of a run; unknown ids raise :class:`~gigafleet.errors.InputError` listing known ones."""
    import duckdb

    from gigafleet.errors import InputError

    file = store_path(path)
    if not file.exists():
        raise InputError("--plan", run_id, f"a run id from a store; {file} does not exist (run gigafleet plan first)")
    con = duckdb.connect(str(file), read_only=True)
    try:
        row = con.execute("SELECT result_json FROM runs WHERE run_id = ?", [run_id]).fetchone()
        known = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY created_utc DESC LIMIT 20").fetchall()]
    finally:
        con.close()
    if row is None:
        raise InputError("--plan", run_id, known or ["(no runs stored)"])
    result: dict[str, Any] = json.loads(row[0])
    result.setdefault("run_id", run_id)
    return result

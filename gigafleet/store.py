"""The run store: an embedded DuckDB file keeping every run with the scenario that produced it.

Discipline (one per process, shared by CLI commands, web requests, background jobs and sweeps):

* Every access goes through :func:`connect`, which holds a per-file lock of this process for the duration of
  one short operation and closes the file afterwards. Readers and writers of one process therefore never
  collide (DuckDB refuses a read-only and a read-write handle on one file in one process), and no operation
  holds the file for longer than one transaction: a sweep commits each batch in its own short connection.
* Another process holding the file (DuckDB allows one writer process) is waited for, with back-off, for up to
  :data:`BUSY_WAIT_S` seconds; then :class:`StoreBusyError` says so. A file that is not a DuckDB database gives
  :class:`StoreCorruptError` and is never overwritten.
* Each run is written in one transaction (all tables or nothing). A solved result is never lost:
  :func:`check_store` is called before solving, and :func:`save_run_safely` writes the result JSON next to the
  store (or in the working folder) when storing still fails, and says where.

Tables: ``runs`` (run_id, kind, created_utc, name, status, objective_usd, scenario_yaml, result_json) and, for
plans, ``plan_years`` and ``plan_binding`` (tidy rows keyed by run_id); sweeps add ``sweeps`` and ``sweep_runs``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gigafleet.errors import GigafleetError

DEFAULT_STORE = Path("out") / "gigafleet.duckdb"
BUSY_WAIT_S = float(os.environ.get("GIGAFLEET_STORE_WAIT_S", "10"))
"""How long to wait for another process to release the store [s] (``$GIGAFLEET_STORE_WAIT_S``)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, kind VARCHAR, created_utc TIMESTAMP, name VARCHAR, status VARCHAR,
    objective_usd DOUBLE, scenario_yaml VARCHAR, result_json VARCHAR);
CREATE TABLE IF NOT EXISTS plan_years (
    run_id VARCHAR, year INTEGER, accelerators DOUBLE, h100e DOUBLE, target DOUBLE, shortfall_h100e DOUBLE,
    it_power_gw DOUBLE, facility_power_gw DOUBLE, energy_twh DOUBLE, capex_usd DOUBLE, opex_usd DOUBLE,
    co2_mt DOUBLE);
CREATE TABLE IF NOT EXISTS plan_binding (
    run_id VARCHAR, "limit" VARCHAR, year INTEGER, "where" VARCHAR, shadow_price DOUBLE, unit VARCHAR);
CREATE TABLE IF NOT EXISTS sweeps (sweep_id VARCHAR PRIMARY KEY, name VARCHAR, created_utc TIMESTAMP,
    experiment_yaml VARCHAR, total_runs INTEGER, problem_json VARCHAR);
CREATE TABLE IF NOT EXISTS sweep_runs (sweep_id VARCHAR, run_id VARCHAR, run_index INTEGER, params_json VARCHAR,
    outputs_json VARCHAR, seconds DOUBLE, completed_utc TIMESTAMP, PRIMARY KEY (sweep_id, run_id));
"""


class StoreError(GigafleetError):
    """The run store cannot be used (reported as one line; the file is left as it is)."""


class StoreCorruptError(StoreError):
    """The results file cannot be read; it is never overwritten."""


class StoreBusyError(StoreError):
    """Another process holds the store."""


_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store file: ``path``, else ``$GIGAFLEET_STORE``, else ``out/gigafleet.duckdb``."""
    return Path(path or os.environ.get("GIGAFLEET_STORE") or DEFAULT_STORE)


def _lock_for(file: Path) -> threading.RLock:
    key = os.path.realpath(file)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def _is_busy(message: str) -> bool:
    lowered = message.lower()
    return "lock" in lowered and ("conflicting" in lowered or "could not set" in lowered)


@contextlib.contextmanager
def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Iterator[Any]:
    """One short operation on the store: an open DuckDB connection, closed afterwards.

    Parameters
    ----------
    path
        Store file (see :func:`store_path`).
    read_only
        Open without creating the file or its tables (the file must exist).

    Raises
    ------
    StoreBusyError
        Another process kept the file for longer than :data:`BUSY_WAIT_S`.
    StoreCorruptError
        The file is not a DuckDB database (it is left untouched).
    StoreError
        The file or its folder cannot be written (read-only folder, a folder in its place ...).
    """
    import duckdb

    file = store_path(path)
    if file.is_dir():
        raise StoreError(f"store {file} is a folder; pass a file path with --store")
    with _lock_for(file):
        if not read_only:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"store {file}: its folder cannot be created ({exc.strerror or exc})") from None
        deadline = time.monotonic() + BUSY_WAIT_S
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(file), read_only=read_only)
                break
            except duckdb.Error as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if _is_busy(message):
                    if time.monotonic() >= deadline:
                        raise StoreBusyError(
                            f"store {file} is in use by another process ({message[:160]}); try "
                            "again when it finishes, or pass another --store"
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                lowered = message.lower()
                if (
                    (isinstance(exc, duckdb.IOException) and not file.exists())
                    or "permission" in lowered
                    or "read-only" in lowered
                ):
                    raise StoreError(f"store {file} cannot be opened ({message[:200]})") from None
                raise StoreCorruptError(
                    f"results file {file} cannot be read ({message[:200]}); it was left "
                    "untouched: move it away or pass another --store"
                ) from None
        try:
            if not read_only:
                try:
                    con.execute(SCHEMA)
                except duckdb.Error as exc:
                    raise StoreError(f"store {file} cannot be written ({str(exc).splitlines()[0][:200]})") from None
            yield con
        finally:
            con.close()


def check_store(path: str | os.PathLike[str] | None = None) -> Path:
    """Open the store for writing (creating it and its tables) and close it: call before long work.

    Returns the store file; raises :class:`StoreError` (busy, corrupt, not writable) with a clear message.
    """
    file = store_path(path)
    with connect(file):
        pass
    return file


def save_run(
    kind: str,
    result: dict[str, Any],
    scenario_yaml: str,
    path: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
) -> str:
    """Store one run atomically; return its run id.

    Parameters
    ----------
    kind
        ``plan``, ``estimate`` or ``power`` (a campus design run from the web app).
    result
        The JSON-ready result.
    scenario_yaml
        The scenario text that produced it.
    path
        Store file (see :func:`store_path`).
    name
        The run's name in listings [default: the result's scenario name].
    """
    import duckdb

    run_id = uuid.uuid4().hex[:12]
    created = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    payload = json.dumps(result, allow_nan=False)
    years = [
        (
            run_id,
            y["year"],
            y["accelerators"],
            y["h100e"],
            y.get("target"),
            y["shortfall_h100e"],
            y["it_power_gw"],
            y["facility_power_gw"],
            y["energy_twh"],
            y["capex_usd"],
            y["opex_usd"],
            y["co2_mt"],
        )
        for y in (result.get("years", []) if kind == "plan" else [])
    ]
    binding = [
        (run_id, b["limit"], b["year"], b["where"], b["shadow_price"], b["unit"])
        for b in (result.get("binding", []) if kind == "plan" else [])  # the plan tables hold plans only
    ]
    with connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    kind,
                    created,
                    name if name is not None else result.get("scenario", {}).get("name", ""),
                    result.get("status", ""),
                    result.get("objective_usd"),
                    scenario_yaml,
                    payload,
                ],
            )
            if years:
                con.executemany("INSERT INTO plan_years VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", years)
            if binding:
                con.executemany("INSERT INTO plan_binding VALUES (?, ?, ?, ?, ?, ?)", binding)
            con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT may have ended the transaction already
                con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise StoreError(
                    f"store {store_path(path)}: the run could not be written ({str(exc).splitlines()[0][:200]})"
                ) from None
            raise
    return run_id


def save_run_safely(
    kind: str, result: dict[str, Any], scenario_yaml: str, path: str | os.PathLike[str] | None = None
) -> tuple[str | None, Path | None, str | None]:
    """Store a run; if that fails, write its result JSON beside the store (or in the working folder).

    Returns
    -------
    tuple
        ``(run_id, None, None)`` when stored; ``(None, fallback_file, reason)`` when the store failed and the
        result was written to ``fallback_file``; ``(None, None, reason)`` if even that failed.
    """
    from gigafleet.safeio import write_atomic

    try:
        return save_run(kind, result, scenario_yaml, path), None, None
    except (StoreError, OSError) as exc:
        reason = str(exc)
    file = store_path(path)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{file.stem}.unsaved-{kind}-{stamp}-{uuid.uuid4().hex[:6]}.json"
    text = json.dumps({"kind": kind, "result": result, "scenario_yaml": scenario_yaml}, indent=2, default=str)
    for folder in (file.parent, Path.cwd()):
        try:
            return None, write_atomic(folder / name, text), reason
        except OSError:
            continue
    return None, None, reason


def list_runs(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Runs in the store, newest first (without the result JSON)."""
    file = store_path(path)
    if not file.exists():
        return []
    with connect(file, read_only=True) as con:
        if not has_table(con, "runs"):
            return []
        rows = con.execute(
            "SELECT run_id, kind, created_utc, name, status, objective_usd FROM runs ORDER BY created_utc DESC"
        ).fetchall()
    keys = ("run_id", "kind", "created_utc", "name", "status", "objective_usd")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def run_kind(run_id: str, path: str | os.PathLike[str] | None = None) -> str:
    """The kind of a stored run (``plan``, ``power`` ...); ``""`` when the store does not hold it."""
    file = store_path(path)
    if not file.exists():
        return ""
    with connect(file, read_only=True) as con:
        if not has_table(con, "runs"):
            return ""
        row = con.execute("SELECT kind FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return str(row[0]) if row else ""


def has_table(con: Any, name: str) -> bool:
    """Whether the store open on ``con`` has table ``name`` (a store holding only plans has no sweep tables)."""
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def load_run(run_id: str, path: str | os.PathLike[str] | None = None, *, field: str = "--plan") -> dict[str, Any]:
    """The stored result of a run; unknown ids raise :class:`~gigafleet.errors.InputError` naming ``field`` and
    listing known ones."""
    from gigafleet.errors import InputError

    file = store_path(path)
    if not file.exists():
        raise InputError(field, run_id, f"a run id from a store; {file} does not exist (run gigafleet plan first)")
    with connect(file, read_only=True) as con:
        if not has_table(con, "runs"):
            row, known = None, []
        else:
            row = con.execute("SELECT result_json FROM runs WHERE run_id = ?", [run_id]).fetchone()
            known = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY created_utc DESC LIMIT 20").fetchall()]
    if row is None:
        raise InputError(field, run_id, known or ["(no runs stored)"])
    result: dict[str, Any] = json.loads(row[0])
    result.setdefault("run_id", run_id)
    return result

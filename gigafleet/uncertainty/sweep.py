"""Resumable sweeps on Dask distributed, with results in the DuckDB run store and Parquet.

* Every run has a stable id (hash of its values and replication); finished runs are inserted and committed by
  the client as soon as they arrive (in the batches Dask hands back), so a sweep killed at any point (Ctrl-C,
  SIGKILL, lost worker) loses only runs in flight. A committed run is released on the cluster at once, so a worker
  that dies costs only the runs it had not handed over yet: Dask re-runs those on the workers left.
  ``--resume`` re-expands the experiment, skips the ids already stored, and runs the rest: no run is redone,
  duplicated or lost.
* Runs execute on a Dask ``LocalCluster`` (processes, one thread each) by default, or on an existing scheduler
  (``tcp://host:8786``), so dask-jobqueue and Kubernetes deployments work unchanged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as _dt
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gigafleet.catalog import load_catalog
from gigafleet.errors import GigafleetError, InputError
from gigafleet.store import StoreCorruptError, connect, has_table, store_path

__all__ = ["StoreCorruptError", "completed_ids", "export_parquet", "load_results", "run_sweep"]
from gigafleet.uncertainty.experiment import Experiment, Run, expand_runs, sweep_id
from gigafleet.uncertainty.runs import check_plan_runs, execute_run, warm_up


class SweepRunError(GigafleetError):
    """A run failed inside a worker; the runs finished before it stay stored (resumable)."""


def completed_ids(path: Path, sweep: str) -> set[str]:
    """Run ids already stored for a sweep."""
    if not path.exists():
        return set()
    with connect(path) as con:
        return {r[0] for r in con.execute("SELECT run_id FROM sweep_runs WHERE sweep_id = ?", [sweep]).fetchall()}


def _client(scheduler: str | None, workers: int) -> Any:
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="5s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", scheduler, f"a reachable Dask scheduler address ({exc})") from None
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    return Client(cluster)  # type: ignore[no-untyped-call]


def validate_experiment(experiment: Experiment) -> int:
    """Check an experiment completely before anything runs or is stored; return its number of runs.

    Unknown paths, bad bounds, swept values that make an invalid scenario and unregistered functions are one clear
    :class:`~gigafleet.errors.InputError` here, never a failure inside a worker.
    """
    runs, _ = expand_runs(load_catalog(), experiment)
    if experiment.kind == "plan":
        check_plan_runs(str(experiment.base), runs)
    else:
        from gigafleet.uncertainty.registry import check_arguments

        values: dict[str, list[Any]] = {}
        for run in runs:
            for path, value in run.values.items():
                if path.startswith("function."):
                    values.setdefault(path.split(".", 1)[1], []).append(value)
        check_arguments(
            str(experiment.function), {k: list({repr(v): v for v in vs}.values()) for k, vs in values.items()}
        )
    return len(runs)


def list_sweeps(store: Path | str | None = None) -> list[dict[str, Any]]:
    """The sweeps in a store, newest first: ``sweep_id``, ``name``, ``created_utc``, ``total_runs``, ``completed``."""
    file = store_path(store)
    if not file.exists():
        return []
    with connect(file, read_only=True) as con:
        if not has_table(con, "sweeps"):
            return []
        rows = con.execute(
            "SELECT s.sweep_id, s.name, s.created_utc, s.total_runs, count(r.run_id) FROM sweeps s "
            "LEFT JOIN sweep_runs r ON r.sweep_id = s.sweep_id GROUP BY ALL ORDER BY s.created_utc DESC"
        ).fetchall()
    keys = ("sweep_id", "name", "created_utc", "total_runs", "completed")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _refuse_rerun(con: Any, sweep: str, flag: str) -> None:
    """Raise when ``sweep`` is already in the store ``con`` is open on (``flag`` names the way to resume it)."""
    row = con.execute(
        "SELECT s.total_runs, count(r.run_id) FROM sweeps s LEFT JOIN sweep_runs r ON r.sweep_id = s.sweep_id "
        "WHERE s.sweep_id = ? GROUP BY s.total_runs",
        [sweep],
    ).fetchone()
    if row is not None:
        total, stored = row
        raise InputError(
            flag,
            f"sweep {sweep} exists ({stored} of {total} runs stored)",
            f"{flag} to finish it (no stored run is redone), or a new experiment",
        )


def check_rerun(store: Path | str | None, experiment: Experiment, resume: bool, flag: str) -> None:
    """Refuse to start an experiment whose sweep is already stored unless ``resume`` is asked (``flag`` names it):
    the one rule of the CLI (``--resume``, checked again in :func:`run_sweep`) and the web API (``"resume": true``,
    checked before the job is queued)."""
    file = store_path(store)
    if resume or not file.exists():
        return
    with connect(file, read_only=True) as con:
        if has_table(con, "sweeps"):
            _refuse_rerun(con, sweep_id(experiment), flag)


def run_sweep(
    experiment: Experiment,
    text: str,
    *,
    store: Path,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    resume_flag: str = "--resume",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Run (or resume) a sweep; returns its id and counts. Finished runs are committed one by one."""
    catalog = load_catalog()
    if not text.strip():
        import yaml

        text = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False)
    validate_experiment(experiment)  # everything that can be checked fails here, before the store is touched
    runs, problem = expand_runs(catalog, experiment)
    sweep = sweep_id(experiment)
    target: str | Callable[..., Any]
    if experiment.kind == "plan":
        assert experiment.base is not None
        target = experiment.base
    else:
        from gigafleet.uncertainty.registry import get_function

        target = get_function(str(experiment.function))  # registered functions only; shipped to workers as objects
    with connect(store) as con:  # short operations only: readers of the store are never locked out for long
        if not resume:
            _refuse_rerun(con, sweep, resume_flag)
        exists = con.execute("SELECT count(*) FROM sweeps WHERE sweep_id = ?", [sweep]).fetchone()[0]
        if not exists:
            con.execute(
                "INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?)",
                [
                    sweep,
                    experiment.name,
                    _dt.datetime.now(_dt.UTC).replace(tzinfo=None),
                    text,
                    len(runs),
                    json.dumps(problem),
                ],
            )
        done = {r[0] for r in con.execute("SELECT run_id FROM sweep_runs WHERE sweep_id = ?", [sweep]).fetchall()}
    todo = [r for r in runs if r.run_id not in done]
    if progress:
        progress(len(done), len(runs))
    if todo:
        _execute(
            store,
            sweep,
            experiment,
            target,
            todo,
            len(done),
            len(runs),
            scheduler,
            workers or max(1, os.cpu_count() or 1),
            progress,
            cancelled,
        )
    with connect(store) as con:
        count = con.execute("SELECT count(*) FROM sweep_runs WHERE sweep_id = ?", [sweep]).fetchone()[0]
    return {"sweep_id": sweep, "runs": len(runs), "completed": int(count), "skipped_as_done": len(runs) - len(todo)}


def _execute(
    store: Path,
    sweep: str,
    experiment: Experiment,
    target: str | Callable[..., Any],
    todo: list[Run],
    done: int,
    total: int,
    scheduler: str | None,
    workers: int,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    from dask.distributed import as_completed

    client = _client(scheduler, workers)
    client.run(warm_up, experiment.kind)  # imports and catalogue on every worker at once
    stop = experiment.stop
    batch = len(todo) if stop is None else stop.batch
    if cancelled is not None:
        batch = min(batch, max(2 * workers, 4))  # small batches so a cancel takes effect quickly
    finished = done
    try:
        position = 0
        while position < len(todo) and not (cancelled is not None and cancelled()):
            chunk = todo[position : position + batch]
            position += len(chunk)
            futures = {
                client.submit(execute_run, experiment.kind, target, run.values, run.seed, pure=False): run
                for run in chunk
            }
            # Track the futures on their own client's event loop: left to itself, as_completed takes the loop of the
            # caller's current client (any ``with Client(...)`` around run_sweep), and a sweep could hang forever.
            completed = as_completed(  # type: ignore[no-untyped-call]
                futures, loop=client.loop, with_results=True, raise_errors=False
            )
            for finished_batch in completed.batches():  # type: ignore[no-untyped-call]
                # A run's outputs are a dict; an erred run comes back as (type, exception, traceback), a cancelled
                # one (scheduler lost) as the CancelledError. Judged by the outcome: a future's status may already
                # have moved on (a result lost with its worker after it was gathered is being recomputed).
                failed = [(futures[f], out) for f, out in finished_batch if not isinstance(out, dict)]
                finished_batch = [(f, out) for f, out in finished_batch if isinstance(out, dict)]
                rows = []
                for future, outputs in finished_batch:
                    run = futures[future]
                    rows.append(
                        [
                            sweep,
                            run.run_id,
                            run.index,
                            json.dumps(run.values),
                            json.dumps(outputs, default=float),
                            outputs.get("seconds", 0.0),
                            _dt.datetime.now(_dt.UTC).replace(tzinfo=None),
                        ]
                    )
                if rows:
                    with connect(store) as con:  # one short commit per batch
                        con.executemany("INSERT INTO sweep_runs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                for future, _ in finished_batch:  # committed: the cluster forgets the result, so a worker lost
                    del futures[future]  # later costs no recomputation (only the runs it was executing)
                    future.release()
                finished += len(rows)
                if progress:
                    progress(finished, total)
                if failed:
                    run, exc = failed[0]
                    for future in futures:
                        future.cancel()
                    raise SweepRunError(
                        f"sweep {sweep}: run {run.index} ({json.dumps(run.values)[:200]}) failed: "
                        f"{_failure(exc)}; {finished} finished runs are stored: "
                        + (
                            "the cluster lost it (workers died under it, or the scheduler went away): --resume "
                            "to retry the rest"
                            if _lost_to_the_cluster(exc)
                            else "fix the experiment, or --resume to retry the rest"
                        )
                    )
            if stop is not None and _converged(store, sweep, stop.output, stop.relative_halfwidth, stop.min_runs):
                break
    finally:
        client.close()
        if scheduler is None and client.cluster is not None:
            client.cluster.close()


def _error_of(outcome: Any) -> BaseException | Any:
    """The exception of a failed run: ``as_completed(raise_errors=False)`` hands (type, exception, traceback)."""
    if isinstance(outcome, tuple) and len(outcome) == 3 and isinstance(outcome[1], BaseException):
        return outcome[1]
    return outcome


def _failure(outcome: Any) -> str:
    """``Type: message`` of a failed run, on one line, the message cut to 200 characters."""
    error = _error_of(outcome)
    return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"


def _lost_to_the_cluster(outcome: Any) -> bool:
    """Whether the run failed for the cluster, not the model: Dask gave it up after its workers died under it
    (``KilledWorker``, see ``distributed.scheduler.allowed-failures``), or cancelled it (the scheduler was lost)."""
    from distributed import KilledWorker

    error = _error_of(outcome)
    return isinstance(error, (KilledWorker, asyncio.CancelledError, concurrent.futures.CancelledError))


def _converged(store: Path, sweep: str, output: str, halfwidth: float, min_runs: int) -> bool:
    with connect(store) as con:
        values = [
            json.loads(r[0]).get(output)
            for r in con.execute("SELECT outputs_json FROM sweep_runs WHERE sweep_id = ?", [sweep]).fetchall()
        ]
    data = np.array([v for v in values if isinstance(v, (int, float)) and math.isfinite(v)], dtype=float)
    if data.size < min_runs or data.mean() == 0:
        return False
    return bool(1.96 * data.std(ddof=1) / math.sqrt(data.size) <= halfwidth * abs(data.mean()))


def load_results(store: Path, sweep: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The sweep's record and its runs (values, outputs), ordered by run index."""
    if not store.exists():
        raise InputError("SWEEP_ID", sweep, f"a sweep in {store} (the file does not exist)")
    with connect(store, read_only=True) as con:
        if not has_table(con, "sweeps"):  # a run store without any sweep yet
            raise InputError("SWEEP_ID", sweep, f"a sweep in {store} (it holds none)")
        row = con.execute(
            "SELECT name, experiment_yaml, total_runs, problem_json FROM sweeps WHERE sweep_id = ?", [sweep]
        ).fetchone()
        known = [r[0] for r in con.execute("SELECT sweep_id FROM sweeps").fetchall()]
        if row is None:
            raise InputError("SWEEP_ID", sweep, known or ["(no sweeps stored)"])
        runs = [
            {"run_id": r[0], "index": r[1], "values": json.loads(r[2]), "outputs": json.loads(r[3])}
            for r in con.execute(
                "SELECT run_id, run_index, params_json, outputs_json FROM sweep_runs "
                "WHERE sweep_id = ? ORDER BY run_index",
                [sweep],
            ).fetchall()
        ]
    return {
        "sweep_id": sweep,
        "name": row[0],
        "experiment_yaml": row[1],
        "total_runs": row[2],
        "problem": json.loads(row[3]),
    }, runs


def export_parquet(store: Path, sweep: str, path: Path) -> Path:
    """Write the sweep as Parquet: run_id, run_index, one column per swept path (``param:<path>``) and per scalar
    output (``out:<name>``); by-year outputs are JSON strings (``series:<name>``). Atomic (temp file + rename)."""
    import pandas as pd

    _, runs = load_results(store, sweep)
    rows = []
    for run in runs:
        row: dict[str, Any] = {"run_id": run["run_id"], "run_index": run["index"]}
        row.update({f"param:{k}": v for k, v in run["values"].items()})
        for key, value in run["outputs"].items():
            if isinstance(value, list):
                row[f"series:{key}"] = json.dumps(value)
            else:
                row[f"out:{key}"] = value
        rows.append(row)
    from gigafleet.safeio import write_atomic

    return write_atomic(path, lambda temp: pd.DataFrame(rows).to_parquet(temp, index=False))

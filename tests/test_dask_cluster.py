"""A real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, sweeps through
``gigafleet sweep --scheduler``, one worker SIGKILLed mid-run: the sweep still completes, with exactly the rows of
an uninterrupted run (same run ids and values, no duplicates, no gaps), and the lost worker costs only the runs it
had not handed over yet."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gigafleet.catalog import load_catalog
from gigafleet.store import connect, has_table
from gigafleet.uncertainty.experiment import Experiment, expand_runs, sweep_id
from gigafleet.uncertainty.sweep import load_results

BIN = Path(sys.executable).parent
DASK = str(BIN / "dask") if (BIN / "dask").exists() else shutil.which("dask")
GIGAFLEET = str(BIN / "gigafleet") if (BIN / "gigafleet").exists() else shutil.which("gigafleet")
pytestmark = pytest.mark.skipif(
    DASK is None or GIGAFLEET is None,
    reason="the `dask` command line (package distributed) or the `gigafleet` entry point is not installed",
)

RUNS = 240  # 120 samples x 2 replications
DELAY_S = 0.05  # each run sleeps this long [s]: about 6 s of work on two workers
KILL_AFTER_ROWS = 80  # SIGKILL a worker once this many rows are committed (and it is executing a run)
RERUN_MAX = 15  # runs a lost worker may cost: those it was executing or had finished but not yet handed over
START_TIMEOUT_S = 60.0
SWEEP_TIMEOUT_S = 120.0

Processes = dict[str, "subprocess.Popen[bytes]"]


def _experiment() -> dict[str, Any]:
    """``linear`` (built in: y = 2x + seed after ``delay`` seconds), 120 random x values x 2 replications."""
    sample = {"method": "random", "n": RUNS // 2, "seed": 11, "parameters": {"function.x": {"low": 0, "high": 1}}}
    return {
        "name": "cluster",
        "kind": "function",
        "function": "linear",
        "sample": sample,
        "axes": {"function.delay": [DELAY_S]},
        "replications": 2,
        "outputs": ["y"],
    }


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` as its own OS process group, output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(command, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group of ``process`` if it still runs, and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, Processes]]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead), as processes."""
    assert DASK is not None
    processes: list[subprocess.Popen[bytes]] = []
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    scheduler += ["--scheduler-file", str(scheduler_file), "--idle-timeout", "300"]
    try:
        processes.append(_start(scheduler, tmp_path / "scheduler.log"))
        deadline = time.monotonic() + START_TIMEOUT_S
        while not scheduler_file.exists() and time.monotonic() < deadline and processes[0].poll() is None:
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written once; let the write finish
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        workers: Processes = {}
        for name in ("w1", "w2"):
            worker = [DASK, "worker", address, "--name", name, "--host", "127.0.0.1", "--nthreads", "1"]
            worker += ["--nworkers", "1", "--no-nanny", "--no-dashboard", "--death-timeout", "60"]
            worker += ["--local-directory", str(tmp_path / name)]
            workers[name] = _start(worker, tmp_path / f"{name}.log")
            processes.append(workers[name])
        yield address, workers
    finally:
        for process in reversed(processes):
            _stop(process)


def _sweep(experiment_file: Path, address: str, store: Path) -> list[str]:
    """The command a user types: ``gigafleet sweep FILE --scheduler tcp://... --store ...``."""
    assert GIGAFLEET is not None
    command = [GIGAFLEET, "sweep", str(experiment_file), "--scheduler", address, "--store", str(store)]
    return [*command, "--parquet", str(store.with_suffix(".parquet"))]


def _stored(store: Path, sweep: str) -> dict[str, int] | None:
    """Run id -> run index of the rows committed so far; ``None`` while the sweep's writer holds the file (one try,
    no waiting: the poll comes back 20 ms later)."""
    import duckdb

    if not store.exists():
        return {}
    try:
        con = duckdb.connect(str(store), read_only=True)
    except duckdb.Error:  # the writer has it (DuckDB locks the file per process), or it is being created
        return None
    try:
        if not has_table(con, "sweep_runs"):
            return {}
        rows = con.execute("SELECT run_id, run_index FROM sweep_runs WHERE sweep_id = ?", [sweep]).fetchall()
    finally:
        con.close()
    return {run_id: index for run_id, index in rows}


def _rows(store: Path, sweep: str) -> list[tuple[str, int, dict[str, Any], dict[str, Any]]]:
    """Every stored row (run id, index, values, outputs without the timing), by run index."""
    _, runs = load_results(store, sweep)
    return [
        (r["run_id"], r["index"], r["values"], {k: v for k, v in r["outputs"].items() if k != "seconds"}) for r in runs
    ]


def test_sweep_survives_a_worker_killed_mid_run(tmp_path: Path, cluster: tuple[str, Processes]) -> None:
    from dask.distributed import Client, get_task_stream

    address, workers = cluster
    data = _experiment()
    experiment = Experiment.model_validate(data)
    sweep = sweep_id(experiment)
    experiment_file = tmp_path / "cluster.yaml"
    experiment_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    clean_store, killed_store = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"

    with Client(address, timeout="30s") as observer:  # type: ignore[no-untyped-call]
        observer.wait_for_workers(2, timeout=START_TIMEOUT_S)
        by_name = {w["name"]: a for a, w in observer.scheduler_info(n_workers=-1)["workers"].items()}
        assert set(by_name) == {"w1", "w2"}

        # The uninterrupted run: both workers, into its own store.
        clean = subprocess.run(
            _sweep(experiment_file, address, clean_store), capture_output=True, text=True, timeout=SWEEP_TIMEOUT_S
        )
        assert clean.returncode == 0, clean.stderr[-3000:]

        # The same sweep again, into another store; w1 is SIGKILLed while it executes a run.
        task_stream = get_task_stream(client=observer, plot=False)  # every task finished on any worker
        with task_stream, (tmp_path / "sweep.log").open("w+") as log:
            process = subprocess.Popen(
                _sweep(experiment_file, address, killed_store),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + START_TIMEOUT_S
                before: dict[str, int] = {}
                while time.monotonic() < deadline and process.poll() is None:
                    before = _stored(killed_store, sweep) or before
                    if len(before) >= KILL_AFTER_ROWS and observer.processing(workers=[by_name["w1"]])[by_name["w1"]]:
                        os.kill(workers["w1"].pid, signal.SIGKILL)
                        break
                    time.sleep(0.02)
                assert workers["w1"].wait(timeout=10) == -signal.SIGKILL, "w1 was not killed mid-run"
                assert KILL_AFTER_ROWS <= len(before) < RUNS, len(before)
                deadline = time.monotonic() + 20
                while len(observer.nthreads()) != 1 and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert list(observer.nthreads()) == [by_name["w2"]]  # the scheduler saw w1 leave
                returncode = process.wait(timeout=SWEEP_TIMEOUT_S)
            finally:
                _stop(process)
            log.seek(0)
            output = log.read()
    assert returncode == 0, output[-3000:]
    assert f"{RUNS}/{RUNS} runs stored" in output, output[-3000:]
    executed = sum("execute_run" in task["key"] for task in task_stream.data)
    # A committed run is released by the client, so the lost worker's finished runs are not recomputed: only
    # those it was executing, or had finished but not yet handed over: measured 0 to 3 (without the release, every
    # run w1 had finished: 62 when killed at 104 rows).
    assert RUNS <= executed <= RUNS + RERUN_MAX, executed

    killed, reference = _rows(killed_store, sweep), _rows(clean_store, sweep)
    assert killed == reference  # same run ids, indices, values and outputs
    assert [index for _, index, _, _ in killed] == list(range(RUNS))  # no gap
    with connect(killed_store, read_only=True) as con:  # no duplicate
        counts = con.execute(
            "SELECT count(*), count(DISTINCT run_id) FROM sweep_runs WHERE sweep_id = ?", [sweep]
        ).fetchone()
    assert counts == (RUNS, RUNS)
    runs, _ = expand_runs(load_catalog(), experiment)
    closed_form = {run.run_id: 2.0 * run.values["function.x"] + run.seed for run in runs}  # y = 2x + seed
    assert {run_id: outputs["y"] for run_id, _, _, outputs in killed} == closed_form
    assert {run_id: index for run_id, index, _, _ in killed if run_id in before} == before  # committed rows kept

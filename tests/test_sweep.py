"""Sweeps: Sobol on Ishigami, resume after SIGKILL, identical results with 1 and 2 workers, bad input, plan sweeps."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from gigafleet.errors import GigafleetError, InputError
from gigafleet.uncertainty.experiment import Experiment, expand_runs, sweep_id
from gigafleet.uncertainty.sensitivity import sobol_indices, summarise_sweep
from gigafleet.uncertainty.sweep import StoreCorruptError, load_results, run_sweep

PI = math.pi


@pytest.fixture(autouse=True)
def _slow_linear_registered() -> None:
    """Tests run slow_linear (it writes marker files) through the Python API's registry, like a user's study."""
    from gigafleet.testing.functions import slow_linear
    from gigafleet.uncertainty.registry import register_function

    register_function("slow-linear", slow_linear, replace=True)


REGISTER_AND_RUN = (
    "import sys; from gigafleet.uncertainty.registry import register_function; "
    "from gigafleet.testing.functions import slow_linear; "
    "register_function('slow-linear', slow_linear); from gigafleet.cli import main; "
    "sys.argv = ['gigafleet', *sys.argv[1:]]; main()"
)


def _experiment(tmp_path: Path, data: dict[str, object], name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _ishigami(n: int) -> dict[str, object]:
    return {
        "name": "ishigami",
        "kind": "function",
        "function": "ishigami",
        "sample": {
            "method": "sobol",
            "n": n,
            "seed": 0,
            "parameters": {f"function.x{i}": {"low": -PI, "high": PI} for i in (1, 2, 3)},
        },
        "outputs": ["y"],
    }


def test_sobol_indices_of_ishigami_match_published_values() -> None:
    """Ishigami (a=7, b=0.1): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437) (Ishigami & Homma 1990)."""
    from SALib.sample import sobol as sobol_sample

    from gigafleet.uncertainty.demofunctions import ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    x = sobol_sample.sample(problem, 4096, calc_second_order=False, seed=0)
    y = np.array([ishigami(*row)["y"] for row in x])
    indices = {r["name"]: r for r in sobol_indices(problem, y)}
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert indices[name]["S1"] == pytest.approx(s1, abs=0.03)
        assert indices[name]["ST"] == pytest.approx(st, abs=0.03)


def test_sweep_end_to_end_sobol(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    experiment = Experiment.model_validate(_ishigami(128))
    outcome = run_sweep(experiment, "", store=store, workers=2)
    assert outcome["completed"] == outcome["runs"] == 128 * 5
    meta, runs = load_results(store, outcome["sweep_id"])
    summary = summarise_sweep(meta, runs)
    by_name = {r["name"]: r for r in summary["sensitivity"]["parameters"]}
    assert summary["sensitivity"]["method"] == "sobol"
    assert by_name["function.x2"]["S1"] == pytest.approx(0.4424, abs=0.12)
    assert by_name["function.x3"]["ST"] == pytest.approx(0.2437, abs=0.12)
    warnings = summary["sensitivity"]["warnings"]  # 128 base samples: flagged, and x3 (S1 = 0) is within its CI
    assert warnings[0].startswith("Sobol base sample 128") and "function.x3" in warnings[1]
    assert set(warnings) <= set(summary["notes"])


def test_sensitivity_warnings_flag_noise_and_stay_quiet_when_resolved() -> None:
    from gigafleet.uncertainty.sensitivity import sensitivity_warnings

    noisy = [
        {"name": "a", "S1": 0.93, "S1_conf": 1.06, "ST": 0.5, "ST_conf": 0.2},
        {"name": "b", "S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.05},
    ]
    warnings = sensitivity_warnings("sobol", noisy, 8)
    assert len(warnings) == 3 and "a" in warnings[1] and "S1 > ST" in warnings[2]
    resolved = [{"name": "a", "S1": 0.3, "S1_conf": 0.02, "ST": 0.55, "ST_conf": 0.03}]
    assert sensitivity_warnings("sobol", resolved, 4096) == []
    morris = [{"name": "x", "mu_star": 1.0, "mu_star_conf": 1.5, "sigma": 0.1}]
    assert "mu* within" in sensitivity_warnings("morris", morris, 10)[0]


def _slow(n: int, delay: float, marker_dir: str = "") -> dict[str, object]:
    return {
        "name": "slow",
        "kind": "function",
        "function": "slow-linear",
        "sample": {"method": "random", "n": n, "seed": 3, "parameters": {"function.x": {"low": 0.0, "high": 1.0}}},
        "axes": {"function.delay": [delay], "function.marker_dir": [marker_dir]},
        "replications": 2,
        "outputs": ["y"],
    }


def _rows(store: Path, sweep: str) -> dict[str, float]:
    _, runs = load_results(store, sweep)
    return {r["run_id"]: r["outputs"]["y"] for r in runs}


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    data = _slow(30, 0.1, str(markers))
    experiment_file = _experiment(tmp_path, data)
    killed_store, clean_store = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    command = [
        sys.executable,
        "-c",
        REGISTER_AND_RUN,
        "sweep",
        str(experiment_file),
        "--workers",
        "1",
        "--store",
        str(killed_store),
    ]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline and len(list(markers.iterdir())) < 12:
        time.sleep(0.05)
    time.sleep(0.3)  # let the client commit what has finished
    os.killpg(process.pid, signal.SIGKILL)  # kill -9 the sweep and its workers
    process.wait()
    sweep = sweep_id(Experiment.model_validate(data))
    interrupted = _rows(killed_store, sweep)
    assert 0 < len(interrupted) < 60
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    run_sweep(Experiment.model_validate(data), "", store=clean_store, workers=2)
    final, clean = _rows(killed_store, sweep), _rows(clean_store, sweep)
    assert len(final) == 60 and final == clean
    assert all(final[k] == v for k, v in interrupted.items())


def test_one_and_two_workers_give_identical_results(tmp_path: Path) -> None:
    experiment = Experiment.model_validate(_slow(8, 0.0))
    one = run_sweep(experiment, "", store=tmp_path / "one.duckdb", workers=1)
    two = run_sweep(experiment, "", store=tmp_path / "two.duckdb", workers=2)
    assert _rows(tmp_path / "one.duckdb", one["sweep_id"]) == _rows(tmp_path / "two.duckdb", two["sweep_id"])


def test_rerunning_without_resume_is_refused_and_resume_does_nothing_new(tmp_path: Path) -> None:
    experiment = Experiment.model_validate(_slow(3, 0.0))
    store = tmp_path / "s.duckdb"
    run_sweep(experiment, "", store=store, workers=1)
    with pytest.raises(InputError, match="--resume"):
        run_sweep(experiment, "", store=store, workers=1)
    again = run_sweep(experiment, "", store=store, workers=1, resume=True)
    assert again["completed"] == 6 and again["skipped_as_done"] == 6


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"sample": {"parameters": {"catalog.accelerators.gb200.price": {}}}}, "price"),
        ({"sample": {"parameters": {"weather.x": {"low": 0, "high": 1}}}}, "parameter path"),
        ({"sample": {"parameters": {"scenario.supply.buyer_share": {"low": 0.5, "high": 0.1}}}}, "below"),
        ({"sample": {"parameters": {"catalog.accelerators.h100.tdp_w": {}}}}, "range"),
    ],
)
def test_bad_experiments_are_clear_errors(tmp_path: Path, data: dict[str, object], expected: str) -> None:
    from gigafleet.catalog import load_catalog

    base = {"name": "bad", "kind": "plan", "base": "demo", **data}
    with pytest.raises((InputError, ValueError), match=expected):
        expand_runs(load_catalog(), Experiment.model_validate(base))


def test_unreachable_scheduler_and_corrupt_store(tmp_path: Path) -> None:
    experiment = Experiment.model_validate(_slow(2, 0.0))
    started = time.time()
    with pytest.raises(InputError, match=r"tcp://127\.0\.0\.1:9"):
        run_sweep(experiment, "", store=tmp_path / "s.duckdb", scheduler="tcp://127.0.0.1:9")
    assert time.time() - started < 30
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a duckdb file" * 100)
    before = corrupt.read_bytes()
    with pytest.raises(StoreCorruptError, match="untouched"):
        run_sweep(experiment, "", store=corrupt, workers=1)
    assert corrupt.read_bytes() == before


def test_plan_sweep_with_cross_layer_outputs(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "tiny",
                "years": {"start": 2026, "end": 2027},
                "targets": {"metric": "h100e", "values": {2026: 50_000, 2027: 100_000}},
                "chips": ["gb200"],
                "sites": [
                    {
                        "id": "a",
                        "region": "us-tx",
                        "cooling": "liquid",
                        "grid_gw": {2026: 1.0},
                        "existing_datacentre_gw": 0.5,
                    }
                ],
                "supply": {"buyer_share": 0.3},
            }
        ),
        encoding="utf-8",
    )
    experiment = Experiment.model_validate(
        {
            "name": "tiny-sweep",
            "kind": "plan",
            "base": str(scenario),
            "axes": {"scenario.supply.buyer_share": [0.2, 0.3]},
            "sample": {
                "method": "random",
                "n": 2,
                "seed": 0,
                "parameters": {"catalog.accelerators.gb200.unit_price_usd": {}},
            },
            "outputs": ["cost_usd", "effective_h100e_final"],
        }
    )
    store = tmp_path / "s.duckdb"
    outcome = run_sweep(experiment, "", store=store, workers=2)
    assert outcome["completed"] == 4
    meta, runs = load_results(store, outcome["sweep_id"])
    for run in runs:
        out = run["outputs"]
        assert 0 < out["effective_h100e_final"] <= out["h100e_final"]
        assert out["year_final_target_met"] == 2027
    costs = {run["values"]["catalog.accelerators.gb200.unit_price_usd"]: run["outputs"]["cost_usd"] for run in runs}
    prices = sorted(costs)
    assert costs[prices[0]] != costs[prices[-1]]
    summary = summarise_sweep(meta, runs)
    assert summary["series"]["effective_h100e_by_year"]["years"] == [2026, 2027]


@pytest.mark.parametrize(
    "function",
    [
        "builtins:dict",
        "os:system",
        "logging:basicConfig",
        "numpy:savez",
        "gigafleet.uncertainty.testfunctions:ishigami",
        "slow_linear",
        "",
        "ISHIGAMI",
    ],
)
def test_experiments_cannot_name_code_to_import(tmp_path: Path, function: str) -> None:
    """Only registered names run: a module:callable from a file or request is refused before anything runs."""
    from pydantic import ValidationError

    data = {"name": "evil", "kind": "function", "function": function, "outputs": ["y"]}
    with pytest.raises(ValidationError, match=r"registered|needs function"):
        Experiment.model_validate(data)
    from typer.testing import CliRunner

    from gigafleet.cli import app

    result = CliRunner().invoke(app, ["sweep", str(_experiment(tmp_path, data)), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and result.stderr.startswith("error:") and "Traceback" not in result.output
    assert not (tmp_path / "s.duckdb").exists()


def test_execute_run_looks_names_up_in_the_registry_only() -> None:
    from gigafleet.uncertainty.runs import execute_run

    assert execute_run("function", "ishigami", {"function.x1": 0.0}, 0)["y"] == pytest.approx(0.0)
    with pytest.raises(InputError, match="function"):
        execute_run("function", "os:system", {"function.command": "true"}, 0)


@pytest.mark.parametrize("name", ["../../../../evil", "a/b", ".hidden", "x" * 81, "", "a b"])
def test_experiment_names_cannot_leave_the_store_folder(name: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="name"):
        Experiment.model_validate({"name": name, "kind": "function", "function": "ishigami"})


def test_cli_sweep_and_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gigafleet.cli import app

    experiment = _experiment(tmp_path, _slow(4, 0.0))
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["sweep", str(experiment), "--store", str(store), "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    sweep = sweep_id(Experiment.model_validate(_slow(4, 0.0)))
    assert (tmp_path / "sweeps" / f"{sweep}.parquet").exists()
    import pandas as pd

    frame = pd.read_parquet(tmp_path / "sweeps" / f"{sweep}.parquet")
    assert len(frame) == 8 and {"run_id", "param:function.x", "out:y"} <= set(frame.columns)
    report = runner.invoke(app, ["report", sweep, "--store", str(store), "--json"])
    assert report.exit_code == 0, report.stderr
    assert json.loads(report.stdout)["completed"] == 8
    bad = runner.invoke(app, ["report", "nope", "--store", str(store)])
    assert bad.exit_code == 2 and "SWEEP_ID" in bad.stderr
    assert isinstance(GigafleetError("x"), Exception)


def test_function_arguments_are_checked_before_any_run(tmp_path: Path) -> None:
    """Unknown arguments and values outside a registered function's bounds fail before the store exists."""
    from typer.testing import CliRunner

    from gigafleet.cli import app

    for axes, expected in (
        ({"function.delay": [5]}, "function.delay"),
        ({"function.nope": [1]}, "function.nope"),
        ({"function.seed": [1]}, "function.seed"),
    ):
        data = {"name": "t", "kind": "function", "function": "linear", "axes": axes, "outputs": ["y"]}
        result = CliRunner().invoke(
            app, ["sweep", str(_experiment(tmp_path, data)), "--workers", "1", "--store", str(tmp_path / "s.duckdb")]
        )
        assert result.exit_code == 2 and expected in result.stderr and result.stderr.count("\n") == 1
        assert not (tmp_path / "s.duckdb").exists()


def test_a_run_failing_in_a_worker_is_one_clear_error_and_keeps_finished_runs(tmp_path: Path) -> None:
    from gigafleet.uncertainty.registry import register_function
    from gigafleet.uncertainty.sweep import SweepRunError

    def fragile(x: float = 0.0, seed: int = 0) -> dict[str, float]:
        if x > 2.5:
            raise ValueError("x too large for this model")
        return {"y": x}

    register_function("fragile", fragile, replace=True)
    experiment = Experiment.model_validate(
        {"name": "fragile", "kind": "function", "function": "fragile", "axes": {"function.x": [0.0, 1.0, 2.0, 3.0]}}
    )
    store = tmp_path / "s.duckdb"
    with pytest.raises(SweepRunError, match=r"failed: ValueError: x too large for this model; \d finished runs"):
        run_sweep(experiment, "", store=store, workers=1)
    assert 0 < len(_rows(store, sweep_id(experiment))) <= 3


def test_a_run_whose_workers_die_is_one_clear_error_that_says_resume(tmp_path: Path) -> None:
    """A run that kills every worker it lands on ends as KilledWorker (after allowed-failures deaths): one error
    naming it and --resume, not a traceback or the (type, exception, traceback) tuple Dask hands back."""
    import dask

    from gigafleet.uncertainty.registry import register_function
    from gigafleet.uncertainty.sweep import SweepRunError

    def fatal(x: float = 0.0, seed: int = 0) -> dict[str, float]:
        if x > 0.5:
            os._exit(1)  # the worker process dies under the run, as on a lost node
        return {"y": x}

    register_function("fatal", fatal, replace=True)
    experiment = Experiment.model_validate(
        {"name": "fatal", "kind": "function", "function": "fatal", "axes": {"function.x": [0.0, 1.0]}}
    )
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), pytest.raises(SweepRunError) as caught:
        run_sweep(experiment, "", store=tmp_path / "s.duckdb", workers=1)
    message = str(caught.value)
    assert "failed: KilledWorker: " in message and "workers died while running it" in message, message
    assert "--resume" in message and "tuple" not in message and "\n" not in message


def test_runs_lost_to_the_cluster_are_told_apart_from_model_errors() -> None:
    """A cancelled run (the scheduler went away) or a KilledWorker is the cluster's failure (--resume); a run's own
    exception, as the (type, exception, traceback) Dask hands back, is the model's. Messages stay on one line."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    from gigafleet.uncertainty.sweep import _failure, _lost_to_the_cluster

    cancelled = FutureCancelledError("execute_run-1", "scheduler-lost", "Client lost the connection")
    killed = KilledWorker("execute_run-2", None, 3)  # type: ignore[arg-type]
    assert _lost_to_the_cluster(cancelled) and _lost_to_the_cluster((KilledWorker, killed, None))
    assert not _lost_to_the_cluster((ValueError, ValueError("x too large"), None))
    assert _failure(cancelled) == (
        "FutureCancelledError: execute_run-1 cancelled for reason: scheduler-lost. Client lost the connection"
    )
    assert _failure((ValueError, ValueError("x\ntoo large"), None)) == "ValueError: x too large"


def _results_held_by_worker(x: float = 0.0, seed: int = 0) -> dict[str, float]:
    """y = x after 0.1 s, and how many task results the worker running it holds [count]."""
    from distributed import get_worker

    time.sleep(0.1)
    return {"y": x, "held": float(len(get_worker().data))}


def test_committed_runs_are_released_from_the_workers(tmp_path: Path) -> None:
    """Once a run's row is committed the cluster forgets its result: workers hold only runs not stored yet (not the
    whole sweep), so a worker lost mid-sweep costs only what it was running (tests/test_dask_cluster.py kills one)."""
    from gigafleet.uncertainty.registry import register_function

    register_function("held-results", _results_held_by_worker, replace=True)
    experiment = Experiment.model_validate(
        {"name": "held", "kind": "function", "function": "held-results", "axes": {"function.x": list(range(30))}}
    )
    store = tmp_path / "s.duckdb"
    assert run_sweep(experiment, "", store=store, workers=1)["completed"] == 30
    _, runs = load_results(store, sweep_id(experiment))
    held = [run["outputs"]["held"] for run in runs]
    assert len(held) == 30 and max(held) <= 15, held  # without the release: 0, 1, 2, ... 29


def test_a_sweep_inside_another_clients_context_tracks_its_futures_on_its_own_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``with Client(...)`` (another client current) the sweep still follows its futures on its own client's
    event loop: as_completed left to pick the current client's loop hung about one 1,000-run sweep in three."""
    import dask.distributed
    from dask.distributed import Client, LocalCluster

    loops: list[bool] = []
    as_completed = dask.distributed.as_completed

    def spy(futures: Any, *args: Any, **kwargs: Any) -> Any:
        loops.append(kwargs.get("loop") is next(iter(futures)).client.loop)
        return as_completed(futures, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(dask.distributed, "as_completed", spy)
    experiment = Experiment.model_validate(_slow(4, 0.0))
    other = LocalCluster(n_workers=0, processes=False, dashboard_address=":0")  # type: ignore[no-untyped-call]
    with other, Client(other):  # type: ignore[no-untyped-call]
        outcome = run_sweep(experiment, "", store=tmp_path / "s.duckdb", workers=1)
    assert outcome["completed"] == 8 and loops == [True]


def test_report_json_turns_nan_outputs_into_null(tmp_path: Path) -> None:
    """A sweep whose target is never met has NaN outputs; report --json prints null, not a traceback."""
    from typer.testing import CliRunner

    from gigafleet.cli import app
    from gigafleet.uncertainty.registry import register_function

    register_function("never-met", lambda x=0.0, seed=0: {"y": x, "year_met": math.nan}, replace=True)
    data = {"name": "nan", "kind": "function", "function": "never-met", "axes": {"function.x": [1.0, 2.0]}}
    store = tmp_path / "s.duckdb"
    run_sweep(Experiment.model_validate(data), "", store=store, workers=1)
    out = CliRunner().invoke(
        app,
        [
            "report",
            sweep_id(Experiment.model_validate(data)),
            "--store",
            str(store),
            "--json",
            "--html",
            str(tmp_path / "r.html"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["outputs"]["year_met"]["p50"] is None


def test_plan_outputs_report_gas_supply_shadow_prices() -> None:
    """A plan sweep can read what gas turbines and engines are worth: the largest shadow price of each limit
    (0 where it does not bind: with PJM-accredited firm credits turbines lose to engines and do not bind here)."""
    from gigafleet.buildout.scenario import load_plan_scenario
    from gigafleet.buildout.solve import plan
    from gigafleet.catalog import load_catalog
    from gigafleet.uncertainty.runs import plan_outputs

    catalog = load_catalog()
    base = load_plan_scenario("situational-awareness")
    scarce = base.model_copy(update={"supply": base.supply.model_copy(update={"gas_turbine_buyer_share": 0.1})})
    result = plan(catalog, scarce)
    out = plan_outputs(result, catalog)
    turbine = [b["shadow_price"] for b in result["binding"] if b["limit"] == "turbine_supply"]
    engine = [b["shadow_price"] for b in result["binding"] if b["limit"] == "engine_supply"]
    assert out["turbine_supply_usd_per_gw_max"] == (max(turbine) if turbine else 0.0)
    assert engine and out["engine_supply_usd_per_gw_max"] == max(engine) > 0 and out["onsite_gas_gw_final"] > 0

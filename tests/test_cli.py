"""The `gigafleet` command line: JSON contract, bad input as one line with exit 2, lazy imports, reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.formatting import scaled

runner = CliRunner()

QUANTITY_KEYS = (
    "accelerators",
    "chip_power_gw",
    "it_power_gw",
    "facility_power_gw",
    "energy_twh_per_year",
    "capex_usd",
    "tco_usd_per_year",
    "water_m3_per_year",
    "co2_mt_per_year",
    "h100e",
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_estimate_json_has_the_contract_keys() -> None:
    code, out, _ = invoke("estimate", "--accelerators", "100M", "--chip", "gb200", "--samples", "500", "--json")
    assert code == 0
    data = json.loads(out)
    for key in QUANTITY_KEYS:
        assert set(data[key]) == {"p10", "p50", "p90"}, key
        assert data[key]["p10"] <= data[key]["p50"] <= data[key]["p90"]
    assert data["accelerators"]["p50"] == 1e8
    assert data["chip_power_gw"]["p50"] == pytest.approx(120.0)  # 100M x 1,200 W
    assert data["comparisons"]
    for row in data["comparisons"]:
        assert {"name", "definition", "value", "unit", "ratio"} <= set(row)
    assert data["inputs"]["cooling"] == "liquid"  # auto: GB200 ships liquid-cooled only


@pytest.mark.parametrize("flag", ["--it-power-gw", "--facility-power-gw", "--budget-usd"])
def test_inverse_sizing_flags(flag: str) -> None:
    value = "1T" if flag == "--budget-usd" else "10"
    code, out, _ = invoke("estimate", flag, value, "--chip", "h100", "--samples", "300", "--json")
    assert code == 0
    data = json.loads(out)
    key = {"--it-power-gw": "it_power_gw", "--facility-power-gw": "facility_power_gw", "--budget-usd": "capex_usd"}[
        flag
    ]
    target = 1e12 if flag == "--budget-usd" else 10.0
    assert data[key]["p50"] == pytest.approx(target, rel=1e-9)
    assert data["accelerators"]["p10"] < data["accelerators"]["p90"]


def test_fleet_counts_and_mix() -> None:
    code, out, _ = invoke("estimate", "--fleet", "h100=40M,gb200=60M", "--samples", "200", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["accelerators"]["p50"] == pytest.approx(1e8)
    assert data["chip_power_gw"]["p50"] == pytest.approx(40e6 * 700 / 1e9 + 60e6 * 1200 / 1e9)
    code, out, _ = invoke("estimate", "--chip", "h100:0.4,gb200:0.6", "-n", "100M", "--samples", "200", "--json")
    assert json.loads(out)["chip_power_gw"]["p50"] == pytest.approx(data["chip_power_gw"]["p50"])


def test_estimate_table_output() -> None:
    code, out, _ = invoke("estimate", "--accelerators", "1M", "--chip", "h100", "--samples", "200")
    assert code == 0
    for heading in ("Fleet estimate", "Facility power", "Compute", "Capex stack", "uk-demand"):
        assert heading in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--accelerators", "1OOM", "--chip", "h100"], "--accelerators: '1OOM'"),
        (["--accelerators", "0", "--chip", "h100"], "--accelerators: '0'"),
        (["--accelerators", "-5", "--chip", "h100"], "from 1 to 1e+09"),
        (["--accelerators", "1M", "--chip", "h10O"], "did you mean 'h100'"),
        (["--accelerators", "1M", "--chip", "h100", "--region", "us-txx"], "did you mean 'us-tx'"),
        (["--accelerators", "1M", "--chip", "h100", "--cooling", "vapour"], "--cooling"),
        (["--accelerators", "1M", "--it-power-gw", "5", "--chip", "h100"], "exactly one of"),
        (["--chip", "h100"], "exactly one of"),
        (["--accelerators", "1M", "--chip", "gb200", "--cooling", "air"], "liquid-cooled only"),
        (["--accelerators", "1M", "--chip", "h100", "--samples", "1.5"], "--samples"),
        (["--accelerators", "1M", "--chip", "h100", "--utilisation", "1.7"], "--utilisation"),
        (["--accelerators", "1M", "--chip", "rubin-ultra", "--year", "2025"], "--year"),
        (["--fleet", "h100=1M", "--accelerators", "2M"], "--fleet"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], expected: str) -> None:
    code, out, err = invoke("estimate", *args)
    assert code == 2
    assert expected in err
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_check_press_claim_json() -> None:
    # the press figure (100M x $30k) priced H100s at 2023 prices; in 2023 it is the silicon alone
    code, out, _ = invoke(
        "check",
        "--accelerators",
        "100M",
        "--chip",
        "h100",
        "--claim-capex-usd",
        "3e12",
        "--claim-power-gw",
        "75",
        "--claim-share-of",
        "uk=0.75",
        "--samples",
        "1000",
        "--json",
        "--year",
        "2023",
    )
    assert code == 0
    data = json.loads(out)
    claims = {row["claim"]: row for row in data["claims"]}
    assert claims["capex_usd"]["matches"].startswith("accelerator silicon only")
    # H100 prices have fallen since (Epoch's price table): by 2026 the same $3T buys the servers too
    code, later, _ = invoke(
        "check",
        "--accelerators",
        "100M",
        "--chip",
        "h100",
        "--claim-capex-usd",
        "3e12",
        "--samples",
        "1000",
        "--json",
        "--year",
        "2026",
    )
    assert code == 0
    matched = {row["claim"]: row for row in json.loads(later)["claims"]}["capex_usd"]["matches"]
    assert matched.startswith("accelerators and servers")
    assert claims["capex_usd"]["percentile"] < 1
    assert claims["power_gw"]["matches"].startswith("chip-only power")
    assert claims["power_gw"]["percentile"] < 1
    share = claims["share_of"]
    assert share["baseline"] == "uk-demand"
    assert 2.0 <= share["claim_power_as_energy_ratio"] <= 2.5
    assert share["corrected"]["p50"] > 3 * 0.75
    assert "estimate" in data


def test_check_requires_a_claim_and_valid_share_key() -> None:
    code, _, err = invoke("check", "--accelerators", "1M", "--chip", "h100")
    assert code == 2 and "--claim" in err
    code, _, err = invoke("check", "--accelerators", "1M", "--chip", "h100", "--claim-share-of", "ukk=0.5")
    assert code == 2 and "did you mean 'uk'" in err


def test_check_table_output() -> None:
    code, out, _ = invoke("check", "-n", "100M", "--chip", "h100", "--claim-power-gw", "75", "--samples", "300")
    assert code == 0 and "chip-only" in out


def test_report_is_written(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    code, _, _ = invoke(
        "estimate", "-n", "1M", "--chip", "gb300", "--samples", "200", "--report", str(target), "--json"
    )
    assert code == 0
    html = target.read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") + html.count("Plotly.react") >= 3


def test_run_default_scenario_writes_json_and_report(tmp_path: Path) -> None:
    code, _, err = invoke("run", "--out", str(tmp_path))
    assert code == 0, err
    data = json.loads((tmp_path / "estimate.json").read_text(encoding="utf-8"))
    assert data["inputs"]["mix"] == {"h100": 1.0}
    assert {row["claim"] for row in data["claims"]} == {"capex_usd", "power_gw", "share_of"}
    assert (tmp_path / "report.html").stat().st_size > 1_000_000  # plotly.js embedded


def test_run_bad_scenario_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("fleet: {chip: h100, accelerators: 1OOM}\n", encoding="utf-8")
    code, _, err = invoke("run", str(bad), "--out", str(tmp_path))
    assert code == 2 and "fleet.accelerators" in err and "1OOM" in err
    bad.write_text("fleet: {chip: h100, accelerators: 1M}\ncolour: blue\n", encoding="utf-8")
    code, _, err = invoke("run", str(bad), "--out", str(tmp_path))
    assert code == 2 and "colour" in err and "unknown key" in err
    assert not (tmp_path / "estimate.json").exists()


def test_catalog_commands() -> None:
    code, out, _ = invoke("catalog", "list", "accelerators")
    assert code == 0 and "gb300" in out
    code, out, _ = invoke("catalog", "show", "gb200", "--json")
    assert code == 0
    data = json.loads(out)
    assert {p["parameter"] for p in data["parameters"]} >= {"tdp_w", "it_power_kw", "unit_price_usd"}
    code, _, err = invoke("catalog", "show", "gb2000")
    assert code == 2 and "did you mean" in err
    code, out, _ = invoke("catalog", "check")
    assert code == 0 and "no defects" in out


def test_catalog_check_exits_nonzero_on_defect(tmp_path: Path) -> None:
    import shutil

    from gigafleet.catalog import DATA_DIR

    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "cooling.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("air,Air cooling,bogus_ratio,ratio,2,1,3,P,EST,2024,low above mid\n")
    code, _, err = invoke("catalog", "check", "--path", str(folder))
    assert code == 1 and "DEFECT" in err


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, gigafleet.cli\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(gigafleet.cli.app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('numpy', 'pydantic', 'plotly', 'yaml', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_console_script_end_to_end() -> None:
    exe = Path(sys.executable).with_name("gigafleet")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    done = subprocess.run([str(exe), "estimate", "-n", "1OOM", "--chip", "h100"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_scenario_file_with_flag_overrides(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: t\nfleet: {chip: h100, accelerators: 1M}\nregion: us-tx\nsamples: 300\n", encoding="utf-8")
    code, out, err = invoke("estimate", "--scenario", str(path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["accelerators"]["p50"] == 1e6 and data["inputs"]["region"] == "us-tx"
    assert data["inputs"]["samples"] == 300
    code, out, err = invoke("estimate", "--scenario", str(path), "--accelerators", "2M", "--chip", "b200", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["accelerators"]["p50"] == 2e6 and data["inputs"]["mix"] == {"b200": 1.0}
    code, out, err = invoke("estimate", "--scenario", str(path), "--it-power-gw", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["it_power_gw"]["p50"] == pytest.approx(1.0)


def test_unknown_chip_in_fleet_counts_names_the_flag() -> None:
    code, _, err = invoke("estimate", "--fleet", "h100=1M,gb20=2M")
    assert code == 2 and err.startswith("error: --fleet") and "did you mean 'gb200'" in err


def test_plan_json_contract_store_and_report(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    report = tmp_path / "plan.html"
    code, out, err = invoke("plan", "demo", "--json", "--store", str(store), "--report", str(report))
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] in ("optimal", "shortfall", "infeasible")
    assert isinstance(data["objective_usd"], float)
    for year in data["years"]:
        assert {
            "year",
            "accelerators",
            "h100e",
            "facility_power_gw",
            "capex_usd",
            "opex_usd",
            "shortfall_h100e",
        } <= set(year)
    for row in data["binding"]:
        assert {"limit", "year", "where", "shadow_price", "unit"} <= set(row)
    from gigafleet.store import list_runs

    runs = list_runs(store)
    assert runs[0]["run_id"] == data["run_id"] and runs[0]["kind"] == "plan"
    assert report.read_text(encoding="utf-8").count("<script") >= 2


def test_plan_table_and_bad_scenario(tmp_path: Path) -> None:
    code, out, _ = invoke("plan", "demo", "--no-store")
    assert code == 0 and "Plan by year" in out and "What binds" in out
    code, _, err = invoke("plan", str(tmp_path / "missing.yaml"), "--no-store")
    assert code == 2 and "not found" in err
    code, _, err = invoke("plan", "demo", "--solver", "nosuchsolver", "--no-store")
    assert code == 2 and "nosuchsolver" in err


def test_power_command_json_table_report(tmp_path: Path) -> None:
    report = tmp_path / "power.html"
    code, out, err = invoke(
        "power",
        "--site",
        "abilene-tx",
        "--it-load-gw",
        "0.5",
        "--hours",
        "repdays",
        "--days",
        "6",
        "--json",
        "--report",
        str(report),
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "optimal" and data["lcoe_usd_per_mwh"] > 0
    assert {"summer", "winter"} <= set(data["weeks"]) and len(data["weeks"]["summer"]["load_mw"]) == 168
    assert sum(row["share_of_energy"] for row in data["capacity"]) == pytest.approx(1.0)
    assert report.stat().st_size > 1_000_000
    code, out, _ = invoke("power", "--site", "lulea-se", "--it-load-gw", "0.3", "--hours", "repdays", "--days", "4")
    assert code == 0 and "Capacity mix" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--site", "abilene", "--it-load-gw", "1"], "did you mean 'abilene-tx'"),
        (["--site", "abilene-tx", "--it-load-gw", "1", "--sources", "grid,fusion"], "--sources"),
        (["--site", "abilene-tx", "--it-load-gw", "1", "--availability", "1"], "--availability"),
        (["--site", "abilene-tx", "--it-load-gw", "1", "--availability", "0"], "--availability"),
        (["--site", "abilene-tx", "--it-load-gw", "1OO"], "--it-load-gw"),
        (["--site", "abilene-tx", "--it-load-gw", "5", "--sources", "grid", "--year", "2027"], "firm capacity"),
    ],
)
def test_power_bad_input(args: list[str], expected: str) -> None:
    code, _, err = invoke("power", *args)
    assert code == 2 and expected in err and "Traceback" not in err


def test_reliability_command_json_and_report(tmp_path: Path) -> None:
    report = tmp_path / "rel.html"
    code, out, err = invoke(
        "reliability",
        "--accelerators",
        "200k",
        "--chip",
        "gb200",
        "--days",
        "30",
        "--job-size",
        "50k",
        "--json",
        "--report",
        str(report),
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data["failures_per_day"]) == {"total", "by_cause"}
    assert {"gpu", "hbm", "software", "network"} <= set(data["failures_per_day"]["by_cause"])
    for key in ("job_mtbi_hours", "goodput", "spares_needed_p99"):
        assert isinstance(data[key], float)
    assert set(data["gpu_hours_lost"]) == {"recomputation", "restart", "waiting_for_spares", "checkpointing"}
    assert 0 < data["goodput"] < 1
    assert report.stat().st_size > 1_000_000
    code, out, _ = invoke("reliability", "--accelerators", "20k", "--days", "10", "--checkpoint-interval", "30")
    assert code == 0 and "Goodput vs job size" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--accelerators", "0"], "--accelerators"),
        (["--accelerators", "10k", "--job-size", "20k"], "--job-size"),
        (
            ["--accelerators", "10k", "--checkpoint-interval", "0.1", "--checkpoint-write-minutes", "1"],
            "--checkpoint-interval",
        ),
        (["--accelerators", "10k", "--days", "-3"], "--days"),
        (["--accelerators", "2B"], "from 1 to 1e+09"),
        (["--accelerators", "500M", "--max-memory-gb", "0.1"], "GiB"),
        (["--accelerators", "10k", "--chip", "h1OO"], "did you mean 'h100'"),
    ],
)
def test_reliability_bad_input(args: list[str], expected: str) -> None:
    code, _, err = invoke("reliability", *args)
    assert code == 2 and expected in err and "Traceback" not in err


def test_a_shortfall_plan_leads_with_what_it_reaches() -> None:
    """openai-100x falls short: the output says what is reached, labels the penalty, and splits the prices."""
    code, out, _ = invoke("plan", "openai-100x", "--no-store", "--json")
    assert code == 0
    data = json.loads(out)
    reach, years = data["reach"], data["years"]
    assert reach["year"] == years[-1]["year"] and reach["delivered"] == years[-1]["delivered_metric"]
    assert reach["short_years"] == [y["year"] for y in years if y["shortfall"] > 0.5] and reach["short_years"]
    short = set(reach["short_years"])
    assert {r["price_kind"] for r in data["binding"] if r["year"] in short} == {"toward_target"}
    assert {r["price_kind"] for r in data["binding"] if r["year"] not in short} <= {"cost"}
    wide = runner.invoke(app, ["plan", "openai-100x", "--no-store"], env={"COLUMNS": "200"})
    assert wide.exit_code == 0
    flat = " ".join(wide.stdout.split())
    assert f"Reaches {scaled(reach['delivered'])} accelerators" in flat and "not a cost" in flat
    assert "What blocks the target" in flat and "What binds the cost" in flat and "accelerators per GW" in flat


def test_plan_step_flag_overrides_the_scenario(tmp_path: Path) -> None:
    """``plan --step quarter`` plans quarter by quarter and stores a scenario text that says so."""
    import json

    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.safeio import load_yaml_text
    from gigafleet.store import load_run

    store = tmp_path / "runs.duckdb"
    result = CliRunner().invoke(app, ["plan", "demo", "--step", "quarter", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["quarters"]) == 16 and len(data["years"]) == 4
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        text = con.execute("SELECT scenario_yaml FROM runs").fetchone()[0]
    assert PlanScenario.model_validate(load_yaml_text(text)).step == "quarter"
    assert load_run(data["run_id"], store)["run_id"] == data["run_id"]
    bad = CliRunner().invoke(app, ["plan", "demo", "--step", "month", "--no-store"])
    assert bad.exit_code == 2 and "--step" in bad.stderr

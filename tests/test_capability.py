"""Capability: published training runs (C1-C4), compute-optimal table, limits, inference, properties, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gigafleet.capability import (
    CapabilitySpec,
    capability,
    decode_tokens_per_second,
    fleet_slice,
    implied_mfu,
    scaling_fit,
    training_energy_mwh,
    training_flop,
)
from gigafleet.catalog import load_catalog
from gigafleet.cli import app
from gigafleet.errors import InputError

CATALOG = load_catalog()
SECONDS_PER_DAY = 86_400


def run(accelerators: float, chip: str, **changes: object) -> dict:  # type: ignore[type-arg]
    spec = CapabilitySpec(**{"samples": 300, **changes})  # type: ignore[arg-type]
    return capability(CATALOG, [fleet_slice(CATALOG, {chip: accelerators}, accelerators)], spec)


def test_c1_gpt4_training_compute() -> None:
    """~25,000 A100 x 312 TFLOP/s x 34% MFU x 95 days ~ 2.18e25 FLOP (within 1.9-2.4e25)."""
    result = run(25_000, "a100", days=95, mfu=0.34, goodput=1.0, training_share=1.0)
    flop = result["years"][0]["limits_flop"]["hardware"]["p50"]
    assert 1.9e25 <= flop <= 2.4e25
    assert flop == pytest.approx(25_000 * 312e12 * 0.34 * 95 * SECONDS_PER_DAY, rel=1e-9)


def test_c2_llama31_405b() -> None:
    """6ND = 3.79e25 for 405B x 15.6T; 3.8e25 FLOP over 30.84M H100-hours is ~35% MFU (within 5%)."""
    assert training_flop(405e9, 15.6e12) == pytest.approx(3.79e25, rel=0.005)
    h100 = CATALOG.item("accelerators", "h100")["bf16_dense_tflops"].mid * 1e12
    assert implied_mfu(3.8e25, 30.84e6, h100) == pytest.approx(0.35, rel=0.05)


def test_c3_gpt3_energy() -> None:
    """10,000 V100 for 14.8 days at the catalogue's per-GPU system power and PUE 1.1: 1,287 MWh within 15%."""
    hours = 10_000 * 14.8 * 24
    power = CATALOG.item("accelerators", "v100")["server_power_kw"].mid
    assert training_energy_mwh(hours, power, 1.1) == pytest.approx(1287, rel=0.15)


@pytest.mark.parametrize(
    ("params", "flop", "tokens"),
    [
        (1e9, 1.21e20, 20.2e9),
        (10e9, 1.23e22, 205.1e9),
        (67e9, 5.76e23, 1.5e12),
        (175e9, 3.85e24, 3.7e12),
        (1e12, 1.27e26, 21.2e12),
    ],
)
def test_c4_compute_optimal_matches_hoffmann_table3(params: float, flop: float, tokens: float) -> None:
    fit = scaling_fit(CATALOG)
    assert float(fit.params(flop)) == pytest.approx(params, rel=0.05)
    assert float(fit.tokens(flop)) == pytest.approx(tokens, rel=0.05)
    assert float(fit.flop_for_tokens(fit.tokens(flop))) == pytest.approx(flop, rel=1e-9)


def test_limits_and_binding() -> None:
    small = run(1_000, "h100", days=30, goodput=0.9)
    assert small["binding_limit"] == "hardware"
    huge = run(1e9, "rubin-ultra", days=365, goodput=0.9, training_share=1.0)
    assert huge["binding_limit"] in ("data", "latency")
    row = huge["years"][0]
    assert row["largest_run_flop"]["p50"] <= min(v["p50"] for v in row["limits_flop"].values()) * 1.0001


def test_inference_decode_is_bandwidth_bound_and_scales() -> None:
    gb200 = CATALOG.item("accelerators", "gb200")
    args = dict(
        kv_bytes_per_token=516_096, context_tokens=8000, weights_share=0.5, bandwidth_efficiency=0.7, compute_mfu=0.45
    )
    rate = decode_tokens_per_second(
        405e9,
        2.0,
        gb200["hbm_gb"].mid * 1e9,
        gb200["hbm_bw_tbps"].mid * 1e12,
        gb200["bf16_dense_tflops"].mid * 1e12,
        **args,
    )
    assert 10 < rate < 10_000
    faster = decode_tokens_per_second(
        405e9,
        2.0,
        gb200["hbm_gb"].mid * 1e9,
        2 * gb200["hbm_bw_tbps"].mid * 1e12,
        gb200["bf16_dense_tflops"].mid * 1e12,
        **args,
    )
    assert faster > rate
    smaller = decode_tokens_per_second(
        70e9,
        2.0,
        gb200["hbm_gb"].mid * 1e9,
        gb200["hbm_bw_tbps"].mid * 1e12,
        gb200["bf16_dense_tflops"].mid * 1e12,
        **args,
    )
    assert smaller > rate


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.floats(1e3, 1e8), factor=st.floats(1.01, 10.0), chip=st.sampled_from(["h100", "gb200", "mi355x"]))
def test_more_accelerators_never_fewer_flop_and_quantiles_ordered(n: float, factor: float, chip: str) -> None:
    a = run(n, chip, goodput=0.8, seed=1)
    b = run(n * factor, chip, goodput=0.8, seed=1)
    for key in ("largest_run_flop", "inference_tokens_per_day", "compute_optimal_params"):
        q = a[key]
        assert q["p10"] <= q["p50"] <= q["p90"]
        assert b[key]["p50"] >= q["p50"] * (1 - 1e-9)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"training_share": 1.5}, "--training-share"),
        ({"days": 0}, "--days"),
        ({"precision": "fp16"}, "--precision"),
        ({"campus_share": 0}, "--campus-share"),
        ({"mfu": 2.0}, "--mfu"),
    ],
)
def test_bad_input(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        run(1000, "h100", goodput=0.9, **changes)


def test_cli_fleet_and_plan(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["capability", "--accelerators", "100k", "--chip", "gb200", "--days", "90", "--json"])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("largest_run_flop", "compute_optimal_params", "compute_optimal_tokens", "inference_tokens_per_day"):
        assert set(data[key]) == {"p10", "p50", "p90"}
    assert data["binding_limit"] in ("hardware", "data", "latency")
    store = tmp_path / "s.duckdb"
    planned = runner.invoke(app, ["plan", "demo", "--json", "--store", str(store)])
    run_id = json.loads(planned.stdout)["run_id"]
    report = tmp_path / "cap.html"
    out = runner.invoke(app, ["capability", "--plan", run_id, "--store", str(store), "--json", "--report", str(report)])
    assert out.exit_code == 0, out.stderr
    years = json.loads(out.stdout)["years"]
    assert [y["year"] for y in years] == [2026, 2027, 2028, 2029]
    assert years[-1]["largest_run_flop"]["p50"] > years[0]["largest_run_flop"]["p50"]
    assert report.stat().st_size > 1_000_000
    bad = runner.invoke(app, ["capability", "--plan", "nope", "--store", str(store)])
    assert bad.exit_code == 2 and "--plan" in bad.stderr
    bad = runner.invoke(app, ["capability", "--accelerators", "1M", "--training-share", "1.2"])
    assert bad.exit_code == 2 and "--training-share" in bad.stderr

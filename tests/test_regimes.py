"""Recovery regimes: storage-restart reproduces Llama 3, in-memory Gemini, elastic holds at 10^6; engine = closed
forms; the default regime for a year is the best available one; capability picks the goodput-optimal run."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog
from gigafleet.cli import app
from gigafleet.errors import InputError
from gigafleet.reliability.model import failure_model
from gigafleet.reliability.regimes import REGIMES, analytic_goodput, applicable, available_regimes, recovery_regime
from gigafleet.reliability.summary import ReliabilitySpec, simulate_reliability

CATALOG = load_catalog()


def study(chip: str, n: int, days: float, regime: str, year: int | None = None, seed: int = 0) -> dict:  # type: ignore[type-arg]
    return simulate_reliability(
        CATALOG, ReliabilitySpec(chip=chip, accelerators=n, days=days, job_size=n, regime=regime, year=year, seed=seed)
    )


def test_llama3_storage_restart_from_the_cli() -> None:
    """R1: 16,384 H100 x 54 days, storage-restart: unexpected interruptions within 379-461, goodput > 0.90."""
    out = CliRunner().invoke(
        app,
        [
            "reliability",
            "--accelerators",
            "16384",
            "--chip",
            "h100",
            "--days",
            "54",
            "--job-size",
            "16384",
            "--regime",
            "storage-restart",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["regime"] == "storage-restart"
    assert 379 <= data["job_interruptions"] <= 461 and data["goodput"] > 0.90
    assert {r["regime"] for r in data["regimes"]} == set(REGIMES)


def test_default_regime_holds_at_scale_and_storage_restart_still_collapses() -> None:
    """Default regime of its year: 100k GB200 >= 0.85 and 1M of a 2030 chip >= 0.7; storage-restart does not."""
    default = study("gb200", 100_000, 20, "auto", year=2026)
    assert default["regime"] == "elastic" and default["goodput"] >= 0.85
    assert study("gb200", 100_000, 20, "storage-restart")["goodput"] < 0.80
    big = study("rubin", 1_000_000, 4, "auto", year=2030)
    assert big["goodput"] >= 0.7
    collapsed = {r["regime"]: r["goodput"] for r in big["regimes"]}
    assert collapsed["storage-restart"] < 0.3 < collapsed["in-memory"] < collapsed["elastic"]


def test_r4_in_memory_recovery_at_tens_of_thousands() -> None:
    """R4 (Gemini): in-memory state at tens of thousands of accelerators gives goodput >= 0.95."""
    result = study("h100", 30_000, 30, "in-memory")
    assert result["goodput"] >= 0.95 and result["goodput_analytic"] >= 0.95


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize(("chip", "n"), [("h100", 20_000), ("gb200", 200_000)])
def test_engine_matches_the_closed_forms(regime: str, chip: str, n: int) -> None:
    """The event-by-event engine and the regime's closed form agree within 2 points of goodput."""
    result = study(chip, n, 30, regime)
    model = failure_model(CATALOG, chip)
    assert result["goodput"] == pytest.approx(
        analytic_goodput(model, recovery_regime(CATALOG, regime, model), n), abs=0.02
    )


def test_regimes_order_and_availability() -> None:
    model = failure_model(CATALOG, "gb200")
    options = {name: recovery_regime(CATALOG, name, model) for name in REGIMES}
    for n in (10_000, 100_000, 1_000_000):
        g = {name: analytic_goodput(model, r, n) for name, r in options.items()}
        assert g["storage-restart"] < g["in-memory"] < g["elastic"]
    assert available_regimes(CATALOG, 2020) == ["storage-restart"]
    assert "elastic" not in available_regimes(CATALOG, 2024) and "in-memory" in available_regimes(CATALOG, 2024)
    assert available_regimes(CATALOG, 2030) == list(REGIMES)
    assert not applicable(options["elastic"], 512) and applicable(options["elastic"], 1024)
    with pytest.raises(InputError, match="--regime"):
        study("h100", 600, 1, "elastic")
    assert study("h100", 600, 1, "auto")["regime"] in ("in-memory", "storage-restart")


@pytest.mark.parametrize("n", [1_000, 100_000, 1_000_000, 3_000_000, 10_000_000, 100_000_000])
def test_capability_json_names_the_run(n: int) -> None:
    out = CliRunner().invoke(
        app,
        [
            "capability",
            "--accelerators",
            str(n),
            "--chip",
            "gb300",
            "--days",
            "300",
            "--training-share",
            "1",
            "--samples",
            "50",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("job_size", "regime", "goodput", "run_power_gw", "regimes"):
        assert key in data and key in data["years"][0]
    assert 1 <= data["job_size"] <= n and data["regime"] in REGIMES and 0 < data["goodput"] <= 1
    elastic_possible = n >= 1024  # two replicas of 512
    assert data["run_power_gw"] > 0 and len(data["regimes"]) == (len(REGIMES) if elastic_possible else 2)
    assert data["binding_limit"] in ("hardware", "data", "latency", "reliability")


def test_capability_never_falls_as_the_fleet_grows() -> None:
    """1k to 100M accelerators, whole fleet training: the largest run never shrinks (the press paradox is gone)."""
    from gigafleet.capability import CapabilitySpec, capability, fleet_slice

    spec = CapabilitySpec(days=300, training_share=1.0, samples=200, seed=3)
    flop = [
        capability(CATALOG, [fleet_slice(CATALOG, {"gb300": n}, n)], spec)["largest_run_flop"]["p50"]
        for n in (1e3, 1e5, 1e6, 3e6, 1e7, 1e8)
    ]
    assert flop == sorted(flop)
    fifth = capability(
        CATALOG,
        [fleet_slice(CATALOG, {"gb300": 2.9e6}, 2.9e6)],
        CapabilitySpec(days=300, training_share=0.2, samples=200, seed=3),
    )["largest_run_flop"]["p50"]
    whole = capability(CATALOG, [fleet_slice(CATALOG, {"gb300": 2.9e6}, 2.9e6)], spec)["largest_run_flop"]["p50"]
    assert whole >= fifth


def test_capability_of_every_shipped_plan_grows_with_its_fleet() -> None:
    """capability --plan works for the four shipped plans; FLOP never falls in a year where H100e grow."""
    from gigafleet.buildout.scenario import load_plan_scenario
    from gigafleet.buildout.solve import plan
    from gigafleet.capability import CapabilitySpec, capability, plan_fleets

    for name in ("openai-100x", "situational-awareness", "ai-2027", "demo"):
        result = plan(CATALOG, load_plan_scenario(name))
        years = capability(CATALOG, plan_fleets(CATALOG, result), CapabilitySpec(samples=100, seed=1))["years"]
        assert years
        for before, after in itertools.pairwise(years):
            if after["h100e"] > before["h100e"] * 1.001:
                assert after["largest_run_flop"]["p50"] >= before["largest_run_flop"]["p50"] * (1 - 1e-9), name


@pytest.mark.parametrize("name", REGIMES)
def test_engine_matches_simpy_reference_for_every_regime(name: str) -> None:
    """Engine vs the independent SimPy model, every regime: means over seeds within 4 standard errors.

    The elastic case uses harsh settings (6-min stalls, 2-h rejoin, 2,048-accelerator replicas) so that its
    losses are large enough to compare.
    """
    import dataclasses
    import math

    import numpy as np

    from gigafleet.reliability.cohort import simulate_fleet_failures
    from gigafleet.reliability.job import simulate_job
    from gigafleet.reliability.regimes import simulate_elastic_job
    from gigafleet.testing.simpy_reference import run_reference

    model = failure_model(CATALOG, "h100")
    regime = recovery_regime(CATALOG, name, model)
    if name == "elastic":
        regime = dataclasses.replace(regime, pause_hours=0.1, rejoin_hours=2.0, replica_accelerators=2048)
    n, horizon, tau = 10_240, 20 * 24.0, 0.3
    engine_i, engine_g, ref_i, ref_g = [], [], [], []
    for seed in range(8):
        events = simulate_fleet_failures(model, n, horizon, seed=seed, track_devices=n)
        if regime.stops_on_device_failure:
            outcome = simulate_job(
                events.job_times,
                events.job_devices_needed,
                events.job_down,
                horizon_hours=horizon,
                interval_hours=tau,
                write_hours=regime.write_hours,
                restart_hours=regime.restart_hours,
                hot_spares=20,
            )
        else:
            outcome = simulate_elastic_job(
                events.job_times,
                events.job_causes,
                events.job_devices_needed,
                events.job_down,
                n_modes=len(model.modes),
                job_size=n,
                regime=regime,
                horizon_hours=horizon,
                interval_hours=tau,
            )
        engine_i.append(outcome.interruptions)
        engine_g.append(outcome.goodput)
        reference = run_reference(
            model,
            n,
            horizon,
            job_size=n,
            interval_hours=tau,
            write_hours=regime.write_hours,
            restart_hours=regime.restart_hours,
            hot_spares=20,
            seed=1000 + seed,
            regime=regime,
        )
        ref_i.append(reference.job_interruptions)
        ref_g.append(reference.goodput)
    assert np.mean(engine_g) < (0.95 if name == "elastic" else 1.0)  # the comparison has something to compare
    for a, b in ((engine_i, ref_i), (engine_g, ref_g)):
        se = math.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
        assert abs(np.mean(a) - np.mean(b)) <= 4 * se + 1e-9, (name, np.mean(a), np.mean(b), se)


def test_r5_a100_rates_reproduce_meta_research_clusters() -> None:
    """R5 (Kokolis et al. 2025): the A100 model's job MTTF at 16,384 and 131,072 GPUs is within x1.5 of the
    projections from RSC-2 (2.34 failures per 1,000 node-days, catalogue mid) and RSC-1 (6.50, catalogue high)."""
    from gigafleet.reliability.summary import job_rate_per_hour

    factor = CATALOG.item("failure_modes", "generation")["factor_a100"]
    mid = failure_model(CATALOG, "a100")
    high = failure_model(CATALOG, "a100", rate_factor=factor.high / factor.mid)
    for gpus in (16_384, 131_072):
        for model, per_node_day in ((mid, 2.34e-3), (high, 6.50e-3)):
            projected_hours = 24.0 / (gpus / 8 * per_node_day)
            assert 1 / job_rate_per_hour(model, gpus) == pytest.approx(projected_hours, rel=0.5)
    # Kokolis's own projections from RSC-1: 1.8 h at 16,384 GPUs and 0.23 h (~14 min) at 131,072
    assert 1 / job_rate_per_hour(high, 16_384) == pytest.approx(1.8, rel=0.5)
    assert 1 / job_rate_per_hour(high, 131_072) == pytest.approx(0.23, rel=0.5)


def test_goodput_comes_with_a_range() -> None:
    result = study("gb200", 100_000, 10, "auto", year=2026)
    q = result["goodput_range"]
    assert q["p10"] < q["p50"] < q["p90"] <= 1.0 and q["p10"] <= result["goodput"] <= q["p90"]
    out = CliRunner().invoke(
        app, ["capability", "--accelerators", "1M", "--chip", "gb200", "--samples", "300", "--json"]
    )
    year = json.loads(out.stdout)["years"][0]
    assert year["goodput_range"]["p10"] < year["goodput_range"]["p90"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.floats(1e3, 1e8),
    factor=st.floats(1.01, 20.0),
    chip=st.sampled_from(["h100", "gb200", "rubin"]),
    share=st.floats(0.05, 1.0),
)
def test_more_accelerators_never_fewer_flop_with_modelled_goodput(
    n: float, factor: float, chip: str, share: float
) -> None:
    """C5 with the reliability model in the loop (no fixed goodput): FLOP never falls; P10 <= P50 <= P90."""
    from gigafleet.capability import CapabilitySpec, capability, fleet_slice

    spec = CapabilitySpec(days=100, training_share=share, samples=200, seed=2)
    a = capability(CATALOG, [fleet_slice(CATALOG, {chip: n}, n)], spec)
    b = capability(CATALOG, [fleet_slice(CATALOG, {chip: n * factor}, n * factor)], spec)
    q = a["largest_run_flop"]
    assert q["p10"] <= q["p50"] <= q["p90"]
    assert b["largest_run_flop"]["p50"] >= q["p50"] * (1 - 1e-9)

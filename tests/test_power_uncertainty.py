"""P10/P50/P90 of a campus design: cost re-pricing (``cost_range``) and re-solved replications (weather seed + r,
sampled cost inputs)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog
from gigafleet.cli import app
from gigafleet.errors import InputError
from gigafleet.inputs import campus_spec
from gigafleet.power import uncertainty
from gigafleet.power.campus import (
    AUTO_REPLICATIONS_REPDAYS,
    REPLICATION_METRICS,
    CampusSpec,
    auto_replications,
    build_campus_inputs,
    design_campus,
    source_data,
)

CATALOG = load_catalog()
SPEC = CampusSpec(site="abilene-tx", it_load_gw=1.2, hours="repdays", n_days=4)
"""A small, fast design (4 representative days) that builds gas, grid and batteries."""
TIMING = ("solver",)


@pytest.fixture(scope="module")
def designs() -> dict[int, dict[str, Any]]:
    """The design with 1 and with 3 replications."""
    return {n: design_campus(CATALOG, dataclasses.replace(SPEC, replications=n, notes=[])) for n in (1, 3)}


def _without(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in keys}


def test_replication_zero_is_the_single_design(designs: dict[int, dict[str, Any]]) -> None:
    single, replicated = designs[1], designs[3]
    assert _without(single, *TIMING, "replications") == _without(replicated, *TIMING, "replications")
    block = single["replications"]
    assert block["count"] == 1 and block["seeds"] == [0] and "--replications N" in block["note"]
    for name in REPLICATION_METRICS:
        assert block["metrics"][name] == {"p10": single[name], "p50": single[name], "p90": single[name]}, name
    for row in single["capacity"]:
        value = row["capacity_gw"] + 0.0
        assert block["capacity_gw"][row["source"]] == {"p10": value, "p50": value, "p90": value}


def test_replicated_ranges_are_ordered_and_move(designs: dict[int, dict[str, Any]]) -> None:
    block = designs[3]["replications"]
    assert block["count"] == 3 and block["seeds"] == [0, 1, 2] and block["infeasible_seeds"] == []
    triples = [*block["metrics"].values(), *block["capacity_gw"].values(), *designs[3]["cost_range"].values()]
    for triple in (t for t in triples if isinstance(t, dict)):
        assert triple["p10"] <= triple["p50"] <= triple["p90"]
    assert block["metrics"]["lcoe_usd_per_mwh"]["p10"] < block["metrics"]["lcoe_usd_per_mwh"]["p90"]
    again = design_campus(CATALOG, dataclasses.replace(SPEC, replications=3, notes=[]))
    assert again["replications"] == block  # deterministic at a fixed seed
    assert again["cost_range"] == designs[3]["cost_range"]


def test_repricing_at_mid_costs_is_the_design(designs: dict[int, dict[str, Any]]) -> None:
    design = designs[1]
    region = design["site"]["region"]
    inputs = uncertainty.cost_inputs(CATALOG, region, [row["source"] for row in design["capacity"]])
    variable = {s: CATALOG.item("power_sources", s)["variable_om_usd_per_mwh"].mid for s in inputs_sources(design)}
    annual, lcoe = uncertainty.reprice(CATALOG, region, design, uncertainty.mid_costs(inputs), variable)
    assert annual == pytest.approx(design["annual_cost_usd"], rel=1e-12)
    assert lcoe == pytest.approx(design["lcoe_usd_per_mwh"], rel=1e-12)


def inputs_sources(design: dict[str, Any]) -> list[str]:
    return [row["source"] for row in design["capacity"] if row["source"] != "grid"]


def test_cost_range_median_is_the_design_lcoe_for_symmetric_ranges(designs: dict[int, dict[str, Any]]) -> None:
    design = designs[1]
    region = design["site"]["region"]
    mids = uncertainty.mid_costs(uncertainty.cost_inputs(CATALOG, region, [r["source"] for r in design["capacity"]]))
    symmetric = {key: (0.8 * mid, mid, 1.2 * mid) for key, mid in mids.items()}
    draws = uncertainty.sample_costs(symmetric, uncertainty.COST_SAMPLES, np.random.default_rng(0))
    variable = {s: CATALOG.item("power_sources", s)["variable_om_usd_per_mwh"].mid for s in inputs_sources(design)}
    annual, lcoe = uncertainty.reprice(CATALOG, region, design, draws, variable)
    assert float(np.median(lcoe)) == pytest.approx(design["lcoe_usd_per_mwh"], rel=0.03)
    assert float(np.median(annual)) == pytest.approx(design["annual_cost_usd"], rel=0.03)
    assert np.percentile(lcoe, 10) < design["lcoe_usd_per_mwh"] < np.percentile(lcoe, 90)
    # the shipped block: same draws' size, only ranged inputs listed, P50 near the design's LCOE
    block = design["cost_range"]
    assert block["samples"] == uncertainty.COST_SAMPLES
    assert all(row["low"] < row["high"] for row in block["inputs"])
    assert {row["input"] for row in block["inputs"]} >= {"wacc", "gas_price_usd_per_mmbtu"}
    assert block["lcoe_usd_per_mwh"]["p50"] == pytest.approx(design["lcoe_usd_per_mwh"], rel=0.1)


def test_source_costs_at_mid_values_match_the_catalogue_formula() -> None:
    """The LP's source data (via uncertainty.source_costs) is the annuity of capex plus fixed O&M, and a draw
    replaces exactly the inputs it names."""
    from gigafleet.fleet import capital_recovery_factor

    item = CATALOG.item("power_sources", "ccgt")
    data = source_data(CATALOG, "ccgt", 0.08, "us")
    capex = item["capex_usd_per_kw"].mid * 1000.0
    assert data.capex_usd_per_mw == capex
    life = max(item["lifetime_years"].mid, 1.0)
    expected = capex * float(capital_recovery_factor(0.08, life)) + item["fixed_om_usd_per_kw_year"].mid * 1000
    assert data.annual_fixed_usd_per_mw == expected
    dearer = source_data(CATALOG, "ccgt", 0.08, "us", {uncertainty.capex_key("ccgt"): 2 * item["capex_usd_per_kw"].mid})
    assert dearer.capex_usd_per_mw == 2 * capex and dearer.fixed_om_usd_per_mw == data.fixed_om_usd_per_mw
    priced = build_campus_inputs(CATALOG, dataclasses.replace(SPEC, notes=[]), {"electricity_price_usd_per_mwh": 1.0})
    assert priced.grid_price_usd_per_mwh == 1.0


def test_auto_rule_and_flag() -> None:
    assert auto_replications(CampusSpec(site="abilene-tx", it_load_gw=1, hours="repdays")) == AUTO_REPLICATIONS_REPDAYS
    assert auto_replications(CampusSpec(site="abilene-tx", it_load_gw=1, hours="full")) == 1
    assert campus_spec(site="abilene-tx", it_load_gw="1").replications is None  # the CLI's auto
    assert campus_spec(site="abilene-tx", it_load_gw="1", replications="2").replications == 2
    for bad in ("0", "x", "1000"):
        with pytest.raises(InputError, match="--replications"):
            campus_spec(site="abilene-tx", it_load_gw="1", replications=bad)


def test_cli_power_ranges() -> None:
    args = ["power", "--site", "abilene-tx", "--it-load-gw", "0.5", "--hours", "repdays", "--days", "4"]
    done = CliRunner().invoke(app, [*args, "--replications", "2", "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["replications"]["count"] == 2 and result["replications"]["auto"] is False
    assert set(result["cost_range"]["lcoe_usd_per_mwh"]) == {"p10", "p50", "p90"}
    table = CliRunner().invoke(app, [*args, "--replications", "2"])
    assert "re-priced under 2,000 cost draws" in table.stdout and "over 2 designs" in table.stdout

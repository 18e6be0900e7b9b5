"""Quarterly steps in the build-out planner (``step: quarter``): a hand-computed optimum, yearly rows that
aggregate the quarters, supply split per quarter, lead times in quarters, budgets per year, and the key's errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gigafleet.buildout.parameters import build_inputs
from gigafleet.buildout.scenario import PlanScenario, check_plan_scenario, load_plan_scenario
from gigafleet.buildout.solve import plan
from gigafleet.catalog import load_catalog
from gigafleet.errors import InputError
from gigafleet.fleet import IT_CAPEX_PARTS, FleetSpec, Sizing, capital_recovery_factor, per_accelerator, point_inputs
from gigafleet.scenario import ScenarioError
from tests.test_buildout import tiny as yearly_tiny

CATALOG = load_catalog()


def tiny(**changes: Any) -> PlanScenario:
    """test_buildout's tiny plan (1 site, 1 chip, grid only, 2 years, no existing capacity, no lead times) in
    quarters."""
    return yearly_tiny(**{"name": "tiny-quarters", "step": "quarter", **changes})


def _quarterly(name: str, **changes: Any) -> PlanScenario:
    data = load_plan_scenario(name).model_dump()
    data.update(step="quarter", **changes)
    return PlanScenario.model_validate(data)


def test_tiny_quarterly_plan_matches_hand_computed_optimum() -> None:
    """Each year's accelerators are bought in its last quarter (targets hold at the year's end, prices move per
    year); annuities are paid per quarter at the quarterly rate, opex and energy are a quarter of a year's, and
    every quarter is discounted from the start."""
    result = plan(CATALOG, tiny())
    assert result["status"] == "optimal"
    spec = FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1.0), "liquid", "us-tx", 2026)
    u = {k: float(v[0]) for k, v in per_accelerator(point_inputs(CATALOG, spec)).items()}
    finance = CATALOG.item("facility", "finance")
    r = finance["wacc"].mid
    quarterly_rate = (1 + r) ** 0.25 - 1
    crf_it = float(capital_recovery_factor(quarterly_rate, 4 * finance["it_life_years"].mid))
    crf_fac = float(capital_recovery_factor(quarterly_rate, 4 * finance["facility_life_years"].mid))

    def d(t: float) -> float:
        return float((1 + r) ** -(t - 2026))

    it_capex = sum(u[f"capex.{p}"] for p in IT_CAPEX_PARTS)
    facility_capex = u["capex_usd"] - it_capex
    decline = CATALOG.item("facility", "accelerator-prices")["decline_per_year"].mid
    it_capex_2027 = it_capex - decline * u["capex.accelerators"]
    quarters = [2026.75, 2027.0, 2027.25, 2027.5, 2027.75]
    capital = 1000 * (it_capex * crf_it + facility_capex * crf_fac) * sum(d(t) for t in quarters) + 1000 * (
        it_capex_2027 * crf_it + facility_capex * crf_fac
    ) * d(2027.75)
    price = CATALOG.item("regions", "us-tx")["electricity_price_usd_per_mwh"].mid
    per_year = (
        u["opex.it_maintenance"]
        + u["opex.staff"]
        + u["opex.water"]
        + u["opex.facility_maintenance"]
        + u["energy_twh_per_year"] * 1e6 * price
    )
    fleet = {2026.75: 1000, 2027.0: 1000, 2027.25: 1000, 2027.5: 1000, 2027.75: 2000}
    running = sum(n * 0.25 * per_year * d(t) for t, n in fleet.items())
    assert result["objective_usd"] == pytest.approx(capital + running, rel=1e-6)
    assert [(q["year"], q["quarter"], q["installed"]) for q in result["quarters"] if q["installed"] > 1e-6] == [
        (2026, 4, pytest.approx(1000)),
        (2027, 4, pytest.approx(1000)),
    ]


def test_quarterly_years_rows_aggregate_their_quarters() -> None:
    """One ``years`` row per year with the yearly keys (stocks at the year's end, flows summed), four ``quarters``
    rows per year; by_site and power stay per year; targets are met at each year's last quarter."""
    yearly = plan(CATALOG, load_plan_scenario("demo"))
    result = plan(CATALOG, _quarterly("demo"))
    assert "quarters" not in yearly and list(result)[:6] == list(yearly)[:6]
    assert list(result).index("quarters") == list(result).index("years") + 1
    assert [y["year"] for y in result["years"]] == [y["year"] for y in yearly["years"]]
    assert [list(y) for y in result["years"]] == [list(y) for y in yearly["years"]]
    assert [list(q) for q in result["quarters"]] == [["year", "quarter", *list(yearly["years"][0])[1:]]] * 16
    assert [(q["year"], q["quarter"]) for q in result["quarters"]][:5] == [
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
        (2027, 1),
    ]
    for year in result["years"]:
        mine = [q for q in result["quarters"] if q["year"] == year["year"]]
        for key in ("installed", "capex_usd", "opex_usd", "co2_mt", "energy_twh", "wafers_used", "wafers_available"):
            assert year[key] == pytest.approx(sum(q[key] for q in mine), rel=1e-9, abs=1e-6), key
        for key in ("accelerators", "h100e", "facility_power_gw", "delivered_metric"):
            assert year[key] == pytest.approx(mine[-1][key], rel=1e-12), key
        assert year["target"] == mine[-1]["target"] and all(q["target"] is None for q in mine[:-1])
        assert year["delivered_metric"] >= year["target"] * (1 - 1e-6)
    # supply split evenly per quarter: each quarter gets a quarter of the year's wafers
    for year, quarterly in zip(yearly["years"], result["years"], strict=True):
        assert quarterly["wafers_available"] == pytest.approx(year["wafers_available"], rel=1e-12)
    assert result["quarters"][0]["wafers_available"] == pytest.approx(yearly["years"][0]["wafers_available"] / 4)
    assert len(result["by_site"]) == len(yearly["by_site"])
    assert [(r["year"], r["site"]) for r in result["by_site"]] == [(r["year"], r["site"]) for r in yearly["by_site"]]
    assert any("step: quarter" in note for note in result["notes"])
    assert all(row.get("quarter") in (1, 2, 3, 4) for row in result["binding"] if row["limit"] != "budget")


def test_quarter_shares_split_each_years_supply() -> None:
    shares = [0.1, 0.2, 0.3, 0.4]
    inputs = build_inputs(
        CATALOG, _quarterly("demo", supply={**load_plan_scenario("demo").supply.model_dump(), "quarter_shares": shares})
    )
    yearly = build_inputs(CATALOG, load_plan_scenario("demo"))
    for index, share in enumerate(shares):
        assert float(inputs.wafers[index]) == pytest.approx(float(yearly.wafers[0]) * share, rel=1e-12)
        assert float(inputs.turbine_mw[4 + index]) == pytest.approx(float(yearly.turbine_mw[1]) * share, rel=1e-12)


def test_lead_times_count_in_quarters() -> None:
    """Capacity serves from the quarter its lead time ends in, for that quarter's remaining share."""
    site = {"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 0.0}, "onsite": ["recip"]}
    supply = {"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 0.5, "gas_turbine_buyer_share": 1.0}

    def inputs(lead: float) -> Any:
        return build_inputs(
            CATALOG, tiny(sites=[site], supply=supply, lead_times_years={"datacentre": 0.6, "recip": lead})
        )

    exact, partial = inputs(1.25), inputs(1.3)
    assert float(exact.source_first_year.sel(source="recip")) == 2027.25
    assert float(exact.source_share.sel(source="recip", year=2027.25)) == 1.0
    assert float(partial.source_first_year.sel(source="recip")) == 2027.25
    assert float(partial.source_share.sel(source="recip", year=2027.25)) == pytest.approx(0.8)
    assert exact.datacentre_first_year == 2026.75  # 0.6 years: the third quarter after the start


def test_quarterly_budget_is_per_calendar_year() -> None:
    """A year's budget covers the capex of all its quarters: one budget row per year, no quarter key."""
    result = plan(CATALOG, tiny(budget_usd_per_year={2026: 30e6}))
    capex_2026 = sum(q["capex_usd"] for q in result["quarters"] if q["year"] == 2026)
    assert capex_2026 <= 30e6 * (1 + 1e-9)
    budget = [row for row in result["binding"] if row["limit"] == "budget"]
    assert budget and all("quarter" not in row and isinstance(row["year"], int) for row in budget)
    assert result["status"] == "shortfall"


def test_step_key_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nyears: {start: 2026, end: 2027}\nstep: month\ntargets: {values: {2026: 1}}\nchips: [gb200]\n"
        "sites: [{id: a, region: us-tx}]\nsupply: {buyer_share: 0.5}\n"
    )
    with pytest.raises(ScenarioError, match=r"bad.yaml:3: step: 'month' is not allowed; .*'year' or 'quarter'"):
        load_plan_scenario(path)
    with pytest.raises(InputError, match=r"step.*power_model: hourly"):
        check_plan_scenario(CATALOG, _quarterly("demo-hourly"))
    with pytest.raises(InputError, match=r"step.*early_retirement"):
        check_plan_scenario(CATALOG, _quarterly("demo", early_retirement=True))
    shares = {"buyer_share": 0.5, "quarter_shares": [0.25, 0.25, 0.25, 0.25]}
    with pytest.raises(InputError, match=r"quarter_shares.*only with step: quarter"):
        check_plan_scenario(CATALOG, tiny(step="year", supply=shares))
    with pytest.raises(ValueError, match="sum to 1"):
        tiny(supply={"buyer_share": 0.5, "quarter_shares": [0.5, 0.5, 0.5, 0.5]})

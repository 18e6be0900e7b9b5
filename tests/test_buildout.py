"""The build-out planner: hand-computed optimum, one source of truth with `estimate`, monotonicity, shadow prices,
shortfall diagnosis (status and `unmet`), scenario errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gigafleet.buildout.scenario import PlanScenario, load_plan_scenario
from gigafleet.buildout.solve import plan
from gigafleet.catalog import load_catalog
from gigafleet.errors import InputError
from gigafleet.fleet import HOURS_PER_YEAR, IT_CAPEX_PARTS, FleetSpec, Sizing, per_accelerator, point_inputs
from gigafleet.scenario import ScenarioError

CATALOG = load_catalog()


def tiny(**changes: Any) -> PlanScenario:
    """1 site, 1 chip, grid only, 2 years, no existing capacity, no lead times."""
    data: dict[str, Any] = {
        "name": "tiny",
        "years": {"start": 2026, "end": 2027},
        "targets": {"metric": "accelerators", "values": {2026: 1000, 2027: 2000}},
        "chips": ["gb200"],
        "sites": [{"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 1.0}}],
        "supply": {"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 0.5},
        "lead_times_years": {"datacentre": 0},
    }
    data.update(changes)
    return PlanScenario.model_validate(data)


def per_unit(chip: str = "gb200", region: str = "us-tx", cooling: str = "liquid") -> dict[str, float]:
    spec = FleetSpec({chip: 1.0}, Sizing("accelerators", 1.0), cooling, region, 2026)
    return {k: float(v[0]) for k, v in per_accelerator(point_inputs(CATALOG, spec)).items()}


def test_tiny_scenario_matches_hand_computed_optimum() -> None:
    result = plan(CATALOG, tiny())
    assert result["status"] == "optimal"
    assert result["unmet"] == []
    u = per_unit()
    finance = CATALOG.item("facility", "finance")
    r = finance["wacc"].mid
    crf_it = r / (1 - (1 + r) ** -finance["it_life_years"].mid)
    crf_fac = r / (1 - (1 + r) ** -finance["facility_life_years"].mid)
    d = [1.0, 1 / (1 + r)]
    it_capex = sum(u[f"capex.{p}"] for p in IT_CAPEX_PARTS)
    facility_capex = u["capex_usd"] - it_capex
    price = CATALOG.item("regions", "us-tx")["electricity_price_usd_per_mwh"].mid
    energy_cost = u["energy_twh_per_year"] * 1e6 * price
    it_opex = u["opex.it_maintenance"] + u["opex.staff"] + u["opex.water"]
    facility_opex = u["opex.facility_maintenance"]
    # buy 1,000 in each year; data-centre capacity built alongside (lead time 0); the second year's accelerators
    # cost (1 - decline) of the first year's (the catalogue price path)
    decline = CATALOG.item("facility", "accelerator-prices")["decline_per_year"].mid
    it_capex_2027 = it_capex - decline * u["capex.accelerators"]
    capital = (
        1000 * (it_capex * crf_it + facility_capex * crf_fac) * (d[0] + d[1])
        + 1000 * (it_capex_2027 * crf_it + facility_capex * crf_fac) * d[1]
    )
    running = sum(d[i] * n * (it_opex + facility_opex + energy_cost) for i, n in enumerate((1000, 2000)))
    assert result["objective_usd"] == pytest.approx(capital + running, rel=1e-6)
    assert [y["installed"] for y in result["years"]] == pytest.approx([1000, 1000])


def test_plan_year_power_and_capex_equal_estimate_of_that_fleet() -> None:
    """One source of truth: the planner's per-accelerator power and cost are the fleet model's."""
    result = plan(CATALOG, tiny())
    first = result["years"][0]
    u = per_unit()
    assert first["facility_power_gw"] == pytest.approx(1000 * u["facility_power_gw"], rel=1e-9)
    assert first["it_power_gw"] == pytest.approx(1000 * u["it_power_gw"], rel=1e-9)
    assert first["capex_usd"] == pytest.approx(1000 * u["capex_usd"], rel=1e-6)
    assert first["energy_twh"] == pytest.approx(1000 * u["energy_twh_per_year"], rel=1e-9)


def _demo() -> PlanScenario:
    return load_plan_scenario("demo")


def _with(scenario: PlanScenario, **changes: Any) -> PlanScenario:
    data = scenario.model_dump()
    data.update(changes)
    return PlanScenario.model_validate(data)


@pytest.mark.parametrize("limit", ["budget", "share", "grid", "site"])
def test_adding_a_limit_never_lowers_cost(limit: str) -> None:
    base = _demo()
    base_cost = plan(CATALOG, base)["objective_usd"]
    data = base.model_dump()
    if limit == "budget":
        data["budget_usd_per_year"] = {y: 8e9 for y in range(base.years.start, base.years.end + 1)}
    elif limit == "share":
        data["supply"]["buyer_share"] = base.supply.buyer_share / 20
    elif limit == "grid":
        for site in data["sites"]:
            site["grid_gw"] = {k: v / 4 for k, v in site["grid_gw"].items()}
    else:
        for site in data["sites"]:
            site["max_facility_gw"] = 1.0
    tighter = plan(CATALOG, PlanScenario.model_validate(data))["objective_usd"]
    assert tighter >= base_cost * (1 - 1e-9)


def test_relaxing_a_binding_limit_moves_objective_by_its_shadow_price() -> None:
    # target only in 2027; CoWoS supply caps purchases each year, so some must be bought (dearer) in 2026
    def scenario(wafers_2027: float) -> PlanScenario:
        return tiny(
            targets={"metric": "accelerators", "values": {2027: 2000}},
            supply={"cowos_wafers_per_year": {2026: 100.0, 2027: wafers_2027}, "buyer_share": 1.0},
        )

    result = plan(CATALOG, scenario(100.0))
    assert result["status"] == "optimal"
    rows = [b for b in result["binding"] if b["limit"] == "cowos_supply" and b["year"] == 2027]
    assert rows, result["binding"]
    shadow = rows[0]["shadow_price"]  # USD per 1,000 wafers
    assert shadow > 0
    step = 2.0  # wafers
    change = result["objective_usd"] - plan(CATALOG, scenario(100.0 + step))["objective_usd"]
    assert change == pytest.approx(shadow * step / 1000, rel=0.01)


def cowos_starved() -> PlanScenario:
    """A target of millions of accelerators with only 1,000 CoWoS wafers a year (and ample grid)."""
    return tiny(
        targets={"metric": "accelerators", "values": {2026: 1e6, 2027: 2e6}},
        supply={"cowos_wafers_per_year": {2026: 1000}, "buyer_share": 0.5},
        sites=[{"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 100}}],
    )


def test_impossible_target_returns_shortfall_naming_supply() -> None:
    result = plan(CATALOG, cowos_starved())
    assert result["status"] == "shortfall"
    assert result["years"][0]["shortfall"] > 0
    limits = {b["limit"] for b in result["binding"]}
    assert "cowos_supply" in limits
    supply = next(b for b in result["binding"] if b["limit"] == "cowos_supply")
    assert supply["shortfall_relief"] > 0


def test_impossible_target_names_grid_when_power_binds() -> None:
    scenario = tiny(
        targets={"metric": "accelerators", "values": {2026: 1e6, 2027: 2e6}},
        sites=[{"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 0.1}}],
        supply={"cowos_wafers_per_year": {2026: 1e7}, "buyer_share": 1.0},
    )
    result = plan(CATALOG, scenario)
    assert result["status"] == "shortfall"
    assert "firm_power" in {b["limit"] for b in result["binding"]}
    assert {u["requirement"] for u in result["unmet"]} == {"target"}
    assert all("firm_power" in u["limited_by"] for u in result["unmet"])


def test_unmet_target_is_a_shortfall_naming_the_target() -> None:
    result = plan(CATALOG, cowos_starved())
    assert result["status"] == "shortfall"
    assert [(u["requirement"], u["where"], u["year"], u["unit"]) for u in result["unmet"]] == [
        ("target", "fleet", 2026, "accelerators"),
        ("target", "fleet", 2027, "accelerators"),
    ]
    for item, year in zip(result["unmet"], result["years"], strict=True):
        assert item["required"] == year["target"]
        assert item["delivered"] == pytest.approx(year["delivered_metric"])
        assert item["short"] == pytest.approx(item["required"] - item["delivered"])
        assert item["short"] == pytest.approx(year["shortfall"], rel=1e-6)
        # wafers limit the fleet: all of them, or the share a chip in its second volume year may take
        assert {"cowos_supply", "production_ramp"} & set(item["limited_by"])
    assert any(n.startswith("Requirement not met: target 2026:") for n in result["notes"])


def test_unmet_campus_size_is_a_shortfall_not_optimal() -> None:
    """Review finding: Texas min_facility_gw {2028: 6} under a 4 GW site cap was reported 'optimal'."""
    data = _demo().model_dump()
    texas = next(s for s in data["sites"] if s["id"] == "texas")
    assert texas["max_facility_gw"] == 4
    texas["min_facility_gw"] = {2028: 6}
    result = plan(CATALOG, PlanScenario.model_validate(data))
    assert result["status"] == "shortfall"
    assert all(y["shortfall"] == pytest.approx(0, abs=1e-6) for y in result["years"])  # targets are met
    assert len(result["unmet"]) == 1
    item = result["unmet"][0]
    assert (item["requirement"], item["where"], item["year"], item["unit"]) == ("min_facility_gw", "texas", 2028, "GW")
    assert item["required"] == 6
    assert item["delivered"] == pytest.approx(4, rel=1e-6)
    assert item["short"] == pytest.approx(2, rel=1e-6)
    assert item["limited_by"][0] == "site_limit"
    note = next(n for n in result["notes"] if n.startswith("Requirement not met: texas min_facility_gw 2028"))
    assert "6 GW required" in note and "4 GW delivered" in note and "max_facility_gw 4 GW" in note


def test_met_requirements_are_optimal_with_nothing_unmet() -> None:
    result = plan(
        CATALOG,
        tiny(
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "min_facility_gw": {2027: 0.05},
                }
            ]
        ),
    )
    assert result["status"] == "optimal"
    assert result["unmet"] == []
    assert not any(n.startswith("Requirement not met") for n in result["notes"])


def test_max_h100e_spends_the_budget() -> None:
    scenario = tiny(objective="max_h100e", targets=None, budget_usd_per_year={2026: 1e9, 2027: 1e9})
    result = plan(CATALOG, scenario)
    assert result["status"] == "optimal"
    for year in result["years"]:
        assert year["capex_usd"] == pytest.approx(1e9, rel=1e-4)
    assert result["years"][1]["h100e"] > result["years"][0]["h100e"] > 0


def test_lead_time_delays_datacentre_capacity() -> None:
    scenario = tiny(
        lead_times_years={"datacentre": 1},
        sites=[
            {"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 1.0}, "existing_datacentre_gw": 0.0}
        ],
    )
    result = plan(CATALOG, scenario)
    assert result["status"] == "shortfall"  # nothing can be housed in 2026
    assert result["years"][0]["accelerators"] == pytest.approx(0, abs=1e-6)
    assert any(b["limit"] == "datacentre_lead_time" for b in result["binding"])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"chips": ["gb2000"]}, "did you mean 'gb200'"),
        (
            {
                "chips": ["rubin-ultra"],
                "years": {"start": 2025, "end": 2026},
                "targets": {"metric": "h100e", "values": {2025: 10}},
            },
            "no listed chip is available",
        ),
        ({"objective": "max_h100e"}, "budget"),
        ({"sites": [{"id": "a", "region": "us-tx", "cooling": "air", "grid_gw": {2026: 1}}]}, "liquid-cooled only"),
        ({"sites": [{"id": "a", "region": "us-tx", "onsite": ["fusion"]}]}, "onsite"),
    ],
)
def test_inconsistent_scenarios_rejected_before_solving(changes: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        plan(CATALOG, tiny(**changes))


def test_scenario_file_errors_name_file_line_key_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nyears: {start: 2026, end: 2027}\nchips: [gb200]\nsites:\n"
        "  - id: a\n    region: us-tx\n    grid_gw: {2026: 1OOM}\nsupply: {buyer_share: 0.5}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_plan_scenario(path)
    message = str(info.value)
    assert str(path) in message and ":7" in message and "grid_gw" in message and "1OOM" in message
    path.write_text("name: x\nyears: {start: 2026, end: 2027}\ncolour: red\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown key"):
        load_plan_scenario(path)


def test_a_scenario_file_error_names_every_other_wrong_key_too(tmp_path: Path) -> None:
    """One run names all that is wrong: the first error in full, then every other error's key path (one line)."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nyears: {start: 2026, end: 2029}\nchips: [gb200]\nobjective: cheapest\nsites:\n"
        "  - {id: a, region: us-tx, grid_gw: {2026: lots}, colour: red}\nsupply: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_plan_scenario(path)
    message = str(info.value)
    assert "\n" not in message and len(message) < 1000
    head, more = message.split("; 3 more errors: ")
    assert "sites.0.colour: unknown key" in head  # typos first
    for path_text in (
        "objective (Input should be",
        "sites.0.grid_gw.2026 (expected a number",
        "supply.buyer_share (missing)",
    ):
        assert path_text in more, message
    path.write_text(
        "name: x\nyears: {start: 2026, end: 2029}\nchips: [gb200]\nsupply: {buyer_share: 0.5}\nsites:\n"
        + "".join(f"  - {{id: s{i}, region: us-tx, colour: red}}\n" for i in range(12)),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"11 more errors: .* and 3 more$"):
        load_plan_scenario(path)


def test_shipped_scenarios_validate() -> None:
    from gigafleet.buildout.scenario import check_plan_scenario
    from gigafleet.scenario import SCENARIO_DIR

    names = {p.stem for p in SCENARIO_DIR.glob("*.yaml")} - {"default"}
    assert {"demo", "openai-100x", "situational-awareness", "ai-2027"} <= names
    for name in names:
        check_plan_scenario(CATALOG, load_plan_scenario(name), name)


def test_energy_per_accelerator_hours() -> None:
    u = per_unit()
    assert u["energy_twh_per_year"] * 1e6 == pytest.approx(u["average_facility_power_gw"] * 1e3 * HOURS_PER_YEAR)


def test_flops_target_metric() -> None:
    fp8 = CATALOG.item("accelerators", "gb200")["fp8_dense_tflops"].mid * 1e12
    result = plan(CATALOG, tiny(targets={"metric": "flops_fp8", "values": {2026: 1000 * fp8, 2027: 2000 * fp8}}))
    assert result["status"] == "optimal"
    assert [y["accelerators"] for y in result["years"]] == pytest.approx([1000, 2000])
    assert result["years"][1]["delivered_metric"] == pytest.approx(2000 * fp8)


def test_hbm_supply_can_bind_and_is_named() -> None:
    stacks = CATALOG.item("accelerators", "gb200")["hbm_stacks"].mid
    result = plan(
        CATALOG,
        tiny(
            supply={
                "cowos_wafers_per_year": {2026: 1e6},
                "buyer_share": 0.5,
                "hbm_stacks_per_year": {2026: 500 * stacks},
                "hbm_buyer_share": 1.0,
            }
        ),
    )
    assert result["status"] == "shortfall"
    hbm = [b for b in result["binding"] if b["limit"] == "hbm_supply"]
    assert hbm and hbm[0]["steps_to_close"] > 0


def test_growth_limit_and_campus_size() -> None:
    result = plan(
        CATALOG,
        tiny(
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "max_build_gw_per_year": 0.002,
                }
            ]
        ),
    )
    assert result["status"] == "shortfall"
    assert "growth" in {b["limit"] for b in result["binding"]}
    campus = plan(
        CATALOG,
        tiny(
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "min_facility_gw": {2027: 0.05},
                }
            ]
        ),
    )
    assert campus["status"] == "optimal"
    assert campus["years"][1]["facility_power_gw"] >= 0.05 * (1 - 1e-6)
    assert "campus_size" in {b["limit"] for b in campus["binding"]}


def test_finance_overrides_change_the_objective() -> None:
    base = plan(CATALOG, tiny())["objective_usd"]
    cheaper_money = plan(CATALOG, tiny(finance={"wacc": 0.02}))["objective_usd"]
    longer_life = plan(CATALOG, tiny(finance={"it_life_years": 8}))["objective_usd"]
    assert cheaper_money < base and longer_life < base


def test_existing_fleet_beyond_the_grid_idles_and_its_capital_cost_is_reported() -> None:
    result = plan(
        CATALOG,
        tiny(
            existing=[{"chip": "gb200", "site": "a", "count": 1e6, "year": 2025}],
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 0.01},
                    "existing_datacentre_gw": 5,
                }
            ],
        ),
    )
    assert result["status"] == "shortfall"
    owned_gw = 1e6 * per_unit()["facility_power_gw"]
    year = result["years"][0]
    assert year["idle_gw"] == pytest.approx(owned_gw - 0.01, rel=1e-6)  # all but what 10 MW of grid powers
    assert year["idle_capital_usd"] > 0 and result["idle_capital_usd"] == pytest.approx(
        sum(y["idle_capital_usd"] for y in result["years"])
    )
    unmet = {(u["requirement"], u["where"], u["year"]) for u in result["unmet"]}
    assert ("power_existing", "a", 2026) in unmet
    assert any("idle capital" in n for n in result["notes"])


def test_existing_fleet_beyond_the_datacentres_is_reported_infeasible() -> None:
    result = plan(
        CATALOG,
        tiny(
            existing=[{"chip": "gb200", "site": "a", "count": 1e6, "year": 2025}],
            sites=[{"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 5.0}}],
            lead_times_years={"datacentre": 5},
        ),
    )
    assert result["status"] == "infeasible"
    assert result["years"] == [] and result["notes"] and result["unmet"] == []
    assert any(c["limit"] == "datacentre" and c["where"] == "a" for c in result["conflict"])
    assert any("datacentre at a 2026" in n for n in result["notes"])


def test_water_limit_and_climate_override() -> None:
    water_each = per_unit()["water_m3_per_year"]
    assert water_each > 0
    limited = plan(
        CATALOG,
        tiny(
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "max_water_m3_per_year": 1500 * water_each,
                }
            ]
        ),
    )
    assert limited["status"] == "shortfall"
    assert "water" in {b["limit"] for b in limited["binding"]}
    hot = plan(
        CATALOG,
        tiny(
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "climate": {"pue": 1.3, "peak_pue": 1.6},
                }
            ]
        ),
    )
    base = plan(CATALOG, tiny())
    assert hot["years"][0]["facility_power_gw"] > base["years"][0]["facility_power_gw"]
    assert hot["years"][0]["facility_power_gw"] == pytest.approx(1000 * per_unit()["it_power_gw"] * 1.6, rel=1e-9)
    assert hot["cost_usd"] > base["cost_usd"]


def test_early_retirement_frees_power_for_newer_chips() -> None:
    """A grid-capped site full of H100s meets a growing H100e target only by refreshing them with GB300s."""
    u_h100 = per_unit("h100")
    grid_gw = 1.05 * 100_000 * u_h100["facility_power_gw"]
    base: dict[str, Any] = {
        "years": {"start": 2026, "end": 2027},
        "chips": ["h100", "gb300"],
        "targets": {"metric": "h100e", "values": {2027: 150_000}},
        "sites": [
            {
                "id": "a",
                "region": "us-tx",
                "cooling": "liquid",
                "grid_gw": {2026: grid_gw},
                "existing_datacentre_gw": 1.0,
            }
        ],
        "existing": [{"chip": "h100", "site": "a", "count": 100_000, "year": 2025}],
        "supply": {"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 1.0},
        "sales_windows": {"h100": {"last": 2025}},
    }
    stuck = plan(CATALOG, tiny(**base))
    assert stuck["status"] == "shortfall"
    refreshed = plan(CATALOG, tiny(**base, early_retirement=True))
    assert refreshed["status"] == "optimal"
    assert sum(y["retired_early"] for y in refreshed["years"]) > 0
    assert refreshed["years"][1]["facility_power_gw"] <= grid_gw * (1 + 1e-6)


def test_hourly_power_model_needs_grid_in_calm_hours() -> None:
    """With hourly coupling, on-site wind cannot stand in for grid energy in calm hours (the annual balance can)."""
    sites = [
        {
            "id": "a",
            "region": "se",
            "cooling": "liquid",
            "grid_gw": {2026: 0.01},
            "onsite": ["wind-onshore"],
            "weather": "lulea-se",
        }
    ]
    # no minimum take: the grid's energy is dispatched on price alone, which is what the two balances differ on
    common: dict[str, Any] = {
        "sites": sites,
        "lead_times_years": {"datacentre": 0, "wind-onshore": 0},
        "grid_minimum_take": 0.0,
    }
    firm = plan(CATALOG, tiny(**common))
    hourly = plan(CATALOG, tiny(**common, power_model="hourly", power_days=4))
    assert firm["status"] == hourly["status"] == "optimal"

    def grid_twh(result: dict[str, Any]) -> float:
        return sum(r["energy_twh"] for r in result["power"] if r["source"] == "grid" and r["year"] == 2027)

    load_twh = hourly["years"][1]["energy_twh"]
    # the annual balance lets cheap wind energy replace grid energy; hour by hour the calm hours need the grid
    assert grid_twh(firm) < 0.05 * load_twh
    assert grid_twh(hourly) > 0.2 * load_twh
    assert hourly["cost_usd"] > firm["cost_usd"]


def test_hourly_power_model_requires_weather_site() -> None:
    with pytest.raises(InputError, match="weather"):
        plan(CATALOG, tiny(power_model="hourly"))


@pytest.mark.parametrize(
    ("onsite", "limit", "unit", "field"),
    [
        (["ccgt"], "turbine_supply", "USD per GW of turbines", "gas_turbine_gw_per_year"),
        (["recip"], "engine_supply", "USD per GW of engines", "gas_engine_gw_per_year"),
    ],
)
def test_gas_turbine_and_engine_supply_bind_with_a_shadow_price(
    onsite: list[str], limit: str, unit: str, field: str
) -> None:
    """Turbines and engines are supply chains like CoWoS: world GW/yr x the buyer's share caps what a plan builds;
    relaxing it by 1 GW is worth its shadow price (in USD per GW)."""
    site = {"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 0.0}, "onsite": onsite}
    targets = {"metric": "accelerators", "values": {2026: 0, 2027: 20_000}}
    supply = {"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 0.5, "gas_turbine_buyer_share": 1.0}
    leads = {"datacentre": 0, onsite[0]: 0}
    loose = plan(CATALOG, tiny(sites=[site], targets=targets, supply=supply, lead_times_years=leads))
    built = sum(r["capacity_gw"] for r in loose["power"] if r["source"] in onsite and r["year"] == 2027)
    assert loose["status"] == "optimal" and built > 0
    tight = plan(
        CATALOG,
        tiny(sites=[site], targets=targets, lead_times_years=leads, supply={**supply, field: {2026: built * 0.25}}),
    )  # 2 years x 25%
    rows = [b for b in tight["binding"] if b["limit"] == limit]
    assert tight["status"] == "shortfall" and rows and rows[0]["unit"] == unit and rows[0]["shadow_price"] > 0
    assert sum(
        r["capacity_gw"] for r in tight["power"] if r["source"] in onsite and r["year"] == 2027
    ) <= built * 0.5 * (1 + 1e-6)  # both years' deliveries


def test_a_shipped_plan_is_bound_by_gas_engine_supply() -> None:
    from gigafleet.buildout.scenario import load_plan_scenario

    result = plan(CATALOG, load_plan_scenario("situational-awareness"))
    assert any(b["limit"] == "engine_supply" and b["shadow_price"] > 0 for b in result["binding"])


def test_lead_times_in_months_count_the_remaining_share_of_their_year() -> None:
    """A 15-month lead time (recip's catalogue 1.25 years) generates for 75% of its second year, instead of nothing
    until the third; whole-year leads behave as before; a 12-month lead serves nothing in the first year."""
    from gigafleet.buildout.parameters import build_inputs

    site = {"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 0.0}, "onsite": ["recip"]}
    supply = {"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 0.5, "gas_turbine_buyer_share": 1.0}

    def scenario(lead: float) -> PlanScenario:
        return tiny(sites=[site], supply=supply, lead_times_years={"datacentre": 0, "recip": lead})

    def served(lead: float, year: int) -> float:
        inputs = build_inputs(CATALOG, scenario(lead))
        assert float(inputs.source_active.sel(source="recip", year=year, vintage=year)) == 1.0  # in place at year end
        return float(inputs.source_share.sel(source="recip", year=year))

    assert served(0.0, 2026) == 1.0 and served(0.5, 2026) == pytest.approx(0.5)
    assert served(1.25, 2027) == pytest.approx(0.75)
    assert int(build_inputs(CATALOG, scenario(1.25)).source_first_year.sel(source="recip")) == 2027
    assert int(build_inputs(CATALOG, scenario(2.0)).source_first_year.sel(source="recip")) == 2028
    assert plan(CATALOG, scenario(0.5))["status"] == "optimal"
    assert plan(CATALOG, scenario(1.0))["status"] == "shortfall"  # nothing can serve the 2026 target


@pytest.fixture(scope="module")
def mission_plans() -> dict[str, tuple[Any, dict[str, Any]]]:
    """ai-2027 and situational-awareness solved once, with their model inputs."""
    from gigafleet.buildout.parameters import build_inputs

    out = {}
    for name in ("ai-2027", "situational-awareness"):
        scenario = load_plan_scenario(name)
        out[name] = (build_inputs(CATALOG, scenario), plan(CATALOG, scenario))
    return out


@pytest.mark.parametrize("name", ["ai-2027", "situational-awareness"])
def test_mission_plans_never_idle_grid_that_is_cheaper_than_running_their_gas(
    name: str, mission_plans: dict[str, tuple[Any, dict[str, Any]]]
) -> None:
    """Where a site has on-site gas and grid it did not subscribe, the grid must cost more than that gas costs
    to run (fuel + variable O&M); and the grid it subscribed serves its slice of the load in full first."""
    inputs, result = mission_plans[name]
    gas = {
        (r["year"], r["site"]): r["source"]
        for r in result["power"]
        if r["source"] in ("ccgt", "ocgt", "recip", "bridge") and r["capacity_gw"] > 1e-6
    }
    assert gas, "the check needs plans with on-site gas"
    grid_twh = {(r["year"], r["site"]): r["energy_twh"] for r in result["power"] if r["source"] == "grid"}
    for row in result["by_site"]:
        key = (row["year"], row["site"])
        subscribed = row["grid_gw_contracted"]
        slice_twh = subscribed * float(inputs.grid_load_factor.sel(site=row["site"])) * HOURS_PER_YEAR / 1000.0
        assert grid_twh[key] >= inputs.grid_minimum_take * slice_twh * (1 - 1e-6) - 1e-9
        if key in gas and row["grid_gw_available"] - subscribed > 1e-6:
            running = float(inputs.source_variable_usd_per_mwh.sel(site=row["site"], source=gas[key]))
            assert float(inputs.grid_price_usd_per_mwh.sel(site=row["site"])) > running, key
    assert any(" on site" in n for n in result["notes"]) and any(n.startswith("Power mix") for n in result["notes"])


def test_batteries_give_firm_power_but_no_energy_in_the_annual_balance() -> None:
    result = plan(CATALOG, load_plan_scenario("openai-100x"))
    batteries = [r for r in result["power"] if r["source"] == "battery-4h"]
    assert batteries and all(r["energy_twh"] == pytest.approx(0.0, abs=1e-9) for r in batteries)


def test_a_site_pays_its_own_regions_gas_price() -> None:
    from gigafleet.buildout.parameters import build_inputs

    sites = [
        {"id": "a", "region": "us-tx", "grid_gw": {2026: 1.0}, "onsite": ["recip"]},
        {"id": "b", "region": "de", "grid_gw": {2026: 1.0}, "onsite": ["recip"]},
    ]
    inputs = build_inputs(CATALOG, tiny(sites=sites))
    heat_rate = CATALOG.item("power_sources", "recip")["heat_rate_btu_per_kwh"].mid / 1000.0
    fuel = (
        inputs.source_variable_usd_per_mwh.sel(source="recip")
        - CATALOG.item("power_sources", "recip")["variable_om_usd_per_mwh"].mid
    )
    for site, region in (("a", "us-tx"), ("b", "de")):
        price = CATALOG.item("regions", region)["gas_price_usd_per_mmbtu"].mid
        assert float(fuel.sel(site=site)) == pytest.approx(heat_rate * price)
    assert float(fuel.sel(site="b")) > 2 * float(fuel.sel(site="a"))  # TTF-linked gas vs Henry Hub


def test_colossus_bridge_power_carries_the_campus_until_the_grid_and_waiting_hardware_costs_capital() -> None:
    """Validation case F9: 100k H100 bought before power exists; rented turbines arrive after ~3 months and carry
    the campus until the 2025 substation; the months of waiting are idle capital."""
    result = plan(CATALOG, load_plan_scenario("colossus"))
    power = {(r["year"], r["source"]): r for r in result["power"]}
    first = result["years"][0]
    assert power[(2024, "grid")]["capacity_gw"] == 0.0
    assert power[(2024, "bridge")]["energy_twh"] == pytest.approx(
        first["energy_twh"] - 0.25 * first["energy_twh"], rel=1e-6
    )  # all energy after the turbines arrive
    assert power[(2024, "bridge")]["capacity_gw"] * 0.9 >= first["facility_power_gw"] * (1 - 1e-6)
    assert first["idle_gw"] == pytest.approx(0.25 * first["facility_power_gw"], rel=1e-6)  # 3 of 12 months
    assert first["idle_capital_usd"] > 1e8 and result["idle_capital_usd"] == pytest.approx(first["idle_capital_usd"])
    assert power[(2025, "grid")]["subscribed_gw"] == pytest.approx(0.15)
    assert any(n.startswith("memphis 2024") and "bridge" in n for n in result["notes"])
    assert [y["shortfall"] for y in result["years"]] == [0.0, 0.0, 0.0]


def test_plan_opex_is_the_whole_fleets_as_estimate_reports() -> None:
    """Issue 15: an existing fleet's IT maintenance, staff and water count in plan opex; a grid-only plan year's
    opex equals the fleet model's opex for the same fleet within 2%."""
    count = 10_000
    result = plan(
        CATALOG,
        tiny(
            existing=[{"chip": "gb200", "site": "a", "count": count, "year": 2026}],
            targets={"metric": "accelerators", "values": {2026: count}},
            sites=[
                {
                    "id": "a",
                    "region": "us-tx",
                    "cooling": "liquid",
                    "grid_gw": {2026: 1.0},
                    "existing_datacentre_gw": 0.1,
                }
            ],
            grid_minimum_take=0.0,
        ),
    )
    year = result["years"][0]
    assert year["installed"] == 0 and year["accelerators"] == count
    each = per_unit()
    hall_mw = 0.1 * 1000
    expected = count * (each["opex_usd_per_year"] - each["opex.facility_maintenance"]) + hall_mw * each[
        "opex.facility_maintenance"
    ] / (each["it_power_gw"] * 1000)
    assert year["opex_usd"] == pytest.approx(expected, rel=0.02)


def test_shortfall_h100e_is_h100e_when_targets_count_accelerators() -> None:
    result = plan(CATALOG, tiny(supply={"cowos_wafers_per_year": {2026: 10.0}, "buyer_share": 0.5}))
    year = result["years"][0]
    assert year["shortfall"] > 0
    per_accelerator_h100e = year["h100e"] / year["accelerators"]
    assert year["shortfall_h100e"] == pytest.approx(year["shortfall"] * per_accelerator_h100e)


def test_a_chip_bought_later_pays_the_price_path() -> None:
    """Issue 15 (year matters): the plan's accelerator capex per unit falls along the catalogue price path."""
    from gigafleet.buildout.parameters import build_inputs

    scenario = load_plan_scenario("demo")
    p = build_inputs(CATALOG, scenario)
    d = CATALOG.item("facility", "accelerator-prices")["decline_per_year"].mid
    chip = str(p.chips[0])
    site = str(p.sites[0])
    first, last = int(p.years[0]), int(p.years[-1])
    capex = p.it_capex_usd.sel(site=site, chip=chip)
    drop = float(capex.sel(year=first) - capex.sel(year=last))
    accelerator = CATALOG.item("accelerators", chip)["unit_price_usd"].mid
    from gigafleet.fleet import price_factor

    start_price = accelerator * price_factor(
        CATALOG, chip, max(first, int(CATALOG.item("accelerators", chip)["launch_year"].mid))
    )
    assert drop == pytest.approx(start_price * (1 - (1 - d) ** (last - first)), rel=1e-9)


def test_a_new_chip_ramps_up_over_two_years() -> None:
    """Issue 15: in its volume year a chip takes at most the catalogue's first-year share of the year's wafers
    (Epoch's shipments: 24-81% of its vendor's output), the year after its second-year share; the limit binds
    and is reported with the chip."""
    scenario = tiny(
        chips=["rubin"],
        years={"start": 2026, "end": 2027},
        targets={"metric": "accelerators", "values": {2026: 1e6, 2027: 2e6}},
        supply={"cowos_wafers_per_year": {2026: 1e6}, "buyer_share": 0.3},
        sites=[{"id": "a", "region": "us-tx", "cooling": "liquid", "grid_gw": {2026: 100.0}}],
    )
    result = plan(CATALOG, scenario)
    ramp = CATALOG.item("supply", "production-ramp")
    first, second = result["years"]
    assert first["wafers_used"] == pytest.approx(ramp["first_year_share"].mid * first["wafers_available"], rel=1e-6)
    assert second["wafers_used"] <= ramp["second_year_share"].mid * second["wafers_available"] * (1 + 1e-6)
    binding = [b for b in result["binding"] if b["limit"] == "production_ramp"]
    assert binding and binding[0]["where"] == "rubin" and binding[0]["year"] == 2026
    free = plan(
        CATALOG,
        _with(
            scenario,
            supply={
                "cowos_wafers_per_year": {2026: 1e6},
                "buyer_share": 0.3,
                "ramp_first_year_share": 1.0,
                "ramp_second_year_share": 1.0,
            },
        ),
    )
    assert free["years"][0]["accelerators"] > first["accelerators"]

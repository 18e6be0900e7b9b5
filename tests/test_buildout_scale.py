"""The build-out planner at scale: vectorised model building (``define_*`` over whole arrays, :class:`Terms`),
vectorised result extraction, the plan JSON held to closed numbers, and the synthetic world scenario."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xarray as xr

from gigafleet.buildout.model import build_model
from gigafleet.buildout.parameters import build_inputs
from gigafleet.buildout.scenario import TARGET_CEILINGS, load_plan_scenario
from gigafleet.buildout.solve import plan
from gigafleet.buildout.synthetic import world_scenario
from gigafleet.buildout.terms import Terms, add_constraint
from gigafleet.catalog import load_catalog

CATALOG = load_catalog()

# ``gigafleet plan demo --json`` as computed by the planner before its model building and result extraction were
# vectorised (issue 18): the vectorised planner must give the same plan. If the catalogue or the model changes on
# purpose, print the new values (the comprehension in ``_demo_numbers``) and update them here, saying why.
DEMO: dict[str, Any] = {
    "status": "optimal",
    "objective_usd": 32250412138.424995,
    "cost_usd": 32490601622.614838,
    "years": [
        (2026, 59251.534614746524, 59251.534614746524, 500000.0, 7299954968.833693, 210002850.81647667),
        (2027, 118503.06922949306, 177754.60384423958, 1500000.0, 13817789680.752731, 509820297.97206867),
        (2028, 177754.60384423958, 355509.20768847916, 3000000.0, 21545716930.85583, 973304943.3088387),
        (2029, 237006.1384589861, 592515.3461474653, 5000000.0, 32836427117.479507, 1599877217.93408),
    ],
    "by_site": [
        (2026, "texas", 0.0, 0.0, 0.0),
        (2026, "louisiana", 0.22813262863508169, 0.0, 0.22813262863508169),
        (2027, "texas", 0.300397885905245, 0.0, 0.300397885905245),
        (2027, "louisiana", 0.38400000000000006, 0.0, 0.38400000000000006),
        (2028, "texas", 0.7680000000000002, 0.0, 0.7680000000000002),
        (2028, "louisiana", 0.6007957718104899, 0.16937169672694521, 0.6007957718104899),
        (2029, "texas", 0.7813262863508169, 0.010411161211575546, 0.7813262863508169),
        (2029, "louisiana", 1.5, 0.7025033032730547, 1.5),
    ],
    "power": [
        (2026, "texas", "grid", 1.0, 0.0),
        (2026, "louisiana", "grid", 0.5, 1.4698608076221178),
        (2027, "texas", "grid", 1.5, 1.935466582866353),
        (2027, "louisiana", "grid", 0.5, 2.474115840000001),
        (2028, "texas", "grid", 2.5, 4.948231680000003),
        (2028, "texas", "recip", 0.0, 0.0),
        (2028, "louisiana", "grid", 1.0, 3.870933165732705),
        (2029, "texas", "grid", 2.5, 5.034093076221177),
        (2029, "texas", "battery-4h", 0.0, 0.0),
        (2029, "louisiana", "grid", 1.5, 9.664515000000002),
    ],
    "binding": [
        ("target", 2026, "fleet", 4447.174383570668),
        ("firm_power", 2027, "texas", 180873486.2375),
        ("firm_power", 2027, "louisiana", 137920086.2375),
        ("grid_minimum_take", 2027, "texas", -28072.824074074073),
        ("grid_minimum_take", 2027, "louisiana", -21406.157407407405),
        ("target", 2027, "fleet", 3773.4174529437164),
        ("firm_power", 2028, "texas", 167475450.2199074),
        ("firm_power", 2028, "louisiana", 127703783.55324069),
        ("grid_minimum_take", 2028, "texas", -25993.355624142656),
        ("grid_minimum_take", 2028, "louisiana", -19820.51611796981),
        ("target", 2028, "fleet", 3613.214246557213),
        ("firm_power", 2029, "texas", 202265265.88821742),
        ("firm_power", 2029, "louisiana", 202265265.88821742),
        ("grid_contract", 2029, "louisiana", 4690330.5372330565),
        ("grid_minimum_take", 2029, "texas", -31392.97717809182),
        ("grid_minimum_take", 2029, "louisiana", -30665.00523062735),
        ("target", 2029, "fleet", 3115.788131412639),
    ],
}
YEAR_KEYS = [
    "year",
    "accelerators",
    "installed",
    "retired_early",
    "h100e",
    "target",
    "target_metric",
    "delivered_metric",
    "shortfall",
    "shortfall_h100e",
    "it_power_gw",
    "facility_power_gw",
    "energy_twh",
    "capex_usd",
    "opex_usd",
    "co2_mt",
    "wafers_used",
    "wafers_available",
    "idle_gw",
    "idle_capital_usd",
]
SITE_KEYS = [
    "year",
    "site",
    "accelerators",
    "h100e",
    "facility_power_gw",
    "datacentre_gw",
    "datacentre_built_gw",
    "grid_gw_used",
    "grid_gw_available",
    "grid_gw_contracted",
    "idle_gw",
    "weather",
]


def _close(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return isinstance(actual, float) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return bool(actual == expected)


def _demo_numbers(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": result["status"],
        "objective_usd": result["objective_usd"],
        "cost_usd": result["cost_usd"],
        "years": [
            (y["year"], y["installed"], y["accelerators"], y["h100e"], y["capex_usd"], y["opex_usd"])
            for y in result["years"]
        ],
        "by_site": [
            (s["year"], s["site"], s["facility_power_gw"], s["datacentre_built_gw"], s["grid_gw_contracted"])
            for s in result["by_site"]
        ],
        "power": [(r["year"], r["site"], r["source"], r["capacity_gw"], r["energy_twh"]) for r in result["power"]],
        "binding": [(b["limit"], b["year"], b["where"], b["shadow_price"]) for b in result["binding"]],
    }


def test_demo_plan_json_is_held_to_closed_numbers() -> None:
    """Same keys, same rows in the same order, same numbers (1e-9) as the planner before vectorisation."""
    result = plan(CATALOG, load_plan_scenario("demo"))
    numbers = _demo_numbers(result)
    for key, expected in DEMO.items():
        actual = numbers[key]
        if isinstance(expected, list):
            assert len(actual) == len(expected), key
            for got, want in zip(actual, expected, strict=True):
                assert all(_close(a, b) for a, b in zip(got, want, strict=True)), (key, got, want)
        else:
            assert _close(actual, expected), (key, actual, expected)
    assert [list(y) for y in result["years"]] == [YEAR_KEYS] * 4
    assert [list(s) for s in result["by_site"]] == [SITE_KEYS] * 8
    assert {s["site"]: s["weather"] for s in result["by_site"]} == {
        "texas": "abilene-tx",
        "louisiana": "richland-parish-la",
    }
    grid_keys = ["year", "site", "source", "capacity_gw", "subscribed_gw", "energy_twh"]
    assert [list(r) for r in result["power"] if r["source"] == "grid"] == [grid_keys] * 8
    assert all("subscribed_gw" not in r for r in result["power"] if r["source"] != "grid")
    assert [list(b)[:7] for b in result["binding"]] == [
        ["limit", "year", "where", "shadow_price", "unit", "meaning", "price_kind"]
    ] * len(result["binding"])
    assert all(isinstance(y["year"], int) and isinstance(y["installed"], float) for y in result["years"])
    assert "quarters" not in result  # only with step: quarter


def _matrix(model: Any, name: str) -> sp.csr_array:
    """Rows of one constraint as a canonical sparse matrix over variable labels."""
    con = model.constraints[name]
    labels = con.vars.values.reshape(-1, con.vars.shape[-1])
    coeffs = con.coeffs.values.reshape(labels.shape)
    rows = np.repeat(np.arange(labels.shape[0]), labels.shape[1])
    keep = (labels.ravel() >= 0) & (coeffs.ravel() != 0)
    matrix = sp.coo_array(
        (coeffs.ravel()[keep], (rows[keep], labels.ravel()[keep])), shape=(labels.shape[0], model._xCounter)
    ).tocsr()
    matrix.sum_duplicates()
    return matrix


def test_terms_build_the_rows_linopy_arithmetic_builds() -> None:
    """Scale, sum, add, select, mask, roll and rename give the rows linopy's own operators give, cell by cell."""
    import linopy

    years = pd.Index([2026, 2027, 2028], name="year")
    vintages = years.rename("vintage")
    sites = pd.Index(["a", "b"], name="site")
    chips = pd.Index(["x", "y", "z"], name="chip")
    hours = pd.RangeIndex(4, name="hour")
    rng = np.random.default_rng(7)
    active = xr.DataArray(np.tril(rng.uniform(0.5, 1.5, (3, 3))), coords={"year": years, "vintage": vintages})
    weight = xr.DataArray(rng.uniform(1, 2, (2, 3)), coords={"site": sites, "chip": chips})
    allowed = xr.DataArray([[True, False, True], [True, True, False]], coords={"site": sites, "chip": chips})
    shape = xr.DataArray(rng.uniform(0, 1, 4), coords={"hour": hours})
    m = linopy.Model()
    mask = allowed.expand_dims(vintage=vintages)
    buy = m.add_variables(lower=0, coords=[vintages, sites, chips], name="buy", mask=mask)
    grid = m.add_variables(lower=0, coords=[years, sites], name="grid")
    hourly = m.add_variables(lower=0, coords=[years, sites, hours], name="hourly")

    stock = (buy.fillna(0) * active).sum("vintage")
    reference = (stock * weight).where(allowed).sum("chip") - grid + (buy.fillna(0) * weight).sum(["site", "chip"])
    m.add_constraints(reference <= 10.0, name="reference")
    flow = hourly - hourly.roll(hour=1) + grid * shape
    m.add_constraints(flow >= 0, name="reference_hourly")
    m.add_constraints(buy.fillna(0).sel(chip=["x", "z"]).sum("site").rename({"vintage": "year"}) <= 1, name="ref_sel")

    t_buy, t_grid, t_hourly = Terms.of(buy), Terms.of(grid), Terms.of(hourly)
    t_stock = (t_buy * active).sum("vintage")
    mine = (t_stock * weight).where(allowed).sum("chip") - t_grid + (t_buy * weight).sum(["site", "chip"])
    add_constraint(m, "mine", mine, "<=", 10.0)
    add_constraint(m, "mine_hourly", t_hourly - t_hourly.roll(hour=1) + t_grid * shape, ">=", 0.0)
    add_constraint(m, "mine_sel", t_buy.sel(chip=["x", "z"]).sum("site").rename({"vintage": "year"}), "<=", 1.0)
    for ref, new in (("reference", "mine"), ("reference_hourly", "mine_hourly"), ("ref_sel", "mine_sel")):
        assert m.constraints[ref].labels.dims == m.constraints[new].labels.dims, ref
        a, b = _matrix(m, ref), _matrix(m, new)
        assert (a != b).nnz == 0 or np.allclose((a - b).toarray(), 0.0, atol=1e-12), ref
        assert np.array_equal(m.constraints[ref].rhs.values, m.constraints[new].rhs.values)
    # the expression's value at a solution is Σ coefficient x value
    solution = np.arange(m._xCounter, dtype=float)
    value = t_stock.value(solution)
    label = int(buy.labels.sel(vintage=2026, site="a", chip="x"))
    assert float(value.sel(year=2027, site="a", chip="x")) == pytest.approx(
        float(active.sel(year=2027, vintage=2026)) * label
        + float(active.sel(year=2027, vintage=2027)) * int(buy.labels.sel(vintage=2027, site="a", chip="x"))
    )


def test_terms_refuse_misaligned_coordinates() -> None:
    """Shared dimensions must carry the same labels: no silent alignment."""
    import linopy

    m = linopy.Model()
    years = pd.Index([2026, 2027], name="year")
    x = Terms.of(m.add_variables(lower=0, coords=[years], name="x"))
    other = xr.DataArray([1.0, 2.0], coords={"year": [2027, 2028]}, dims="year")
    with pytest.raises(ValueError, match="coordinates differ"):
        _ = x * other


def _count_calls(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> list[int]:
    calls = [0]
    original = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls


def test_build_and_extraction_call_counts_do_not_grow_with_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """One row family per constraint and no per-element ``.sel`` in extraction, at 2 sites as at 8."""
    from gigafleet.buildout.lp import PlanLP
    from gigafleet.buildout.solve import SolverError, _binding, _results, _unmet
    from gigafleet.solver import solve_quietly

    counts = []
    for sites in (2, 8):
        scenario = world_scenario(CATALOG, sites, end=2030, early_retirement=False)
        inputs = build_inputs(CATALOG, scenario)
        adds = _count_calls(monkeypatch, PlanLP, "add_rows")
        built = build_model(inputs)
        monkeypatch.undo()
        solve_quietly(built.model, "highs", error=SolverError)
        sels = _count_calls(monkeypatch, xr.DataArray, "sel")
        results = _results(built, scenario)
        _unmet(built, scenario, results, _binding(built, True))
        monkeypatch.undo()
        assert len(results["by_site"]) == sites * 6
        counts.append((adds[0], sels[0]))
    assert counts[0] == counts[1], counts
    assert counts[0][1] <= 2 and counts[0][0] > 10, counts


def test_synthetic_world_scenario_has_every_chip_and_source_at_each_site() -> None:
    scenario = world_scenario(CATALOG, 40)
    assert len(scenario.sites) == 40 and len({s.id for s in scenario.sites}) == 40
    assert scenario.chips == CATALOG.ids("accelerators")
    assert scenario.years.start == 2025 and scenario.years.end == 2040
    sources = {s for site in scenario.sites for s in site.onsite}
    assert sources == set(CATALOG.ids("power_sources")) - {"grid", "natural-gas"}
    built = build_model(build_inputs(CATALOG, world_scenario(CATALOG, 8)))
    assert built.model.nvars > 10_000


def test_synthetic_world_past_the_target_ceiling_is_a_valid_scenario() -> None:
    """200 campuses (the benchmark's yearly world past 10^5 variables): the geometric targets would pass the
    scenario ceiling of 10^10 accelerators by 2040, so they stop at it and the scenario still validates."""
    scenario = world_scenario(CATALOG, 200, early_retirement=False)
    assert scenario.targets is not None
    values = scenario.targets.values
    assert max(values.values()) == TARGET_CEILINGS["accelerators"]
    assert values[2025] == pytest.approx(25e6) and values[2030] < TARGET_CEILINGS["accelerators"]
    assert list(values.values()) == sorted(values.values())
    built = build_model(build_inputs(CATALOG, scenario))
    assert built.model.nvars > 100_000


@pytest.mark.benchmark
def test_model_build_time_grows_linearly_with_the_plan() -> None:
    """Build seconds per variable at 80 quarterly sites (~180,000 variables) within 1.5x of those at 20 sites."""
    import time

    per_variable = []
    build_model(build_inputs(CATALOG, world_scenario(CATALOG, 2, step="quarter", early_retirement=False)))  # warm
    for sites in (20, 80):
        scenario = world_scenario(CATALOG, sites, step="quarter", early_retirement=False)
        started = time.perf_counter()
        built = build_model(build_inputs(CATALOG, scenario))
        per_variable.append((time.perf_counter() - started) / built.model.nvars)
    assert per_variable[1] < 1.5 * per_variable[0], per_variable

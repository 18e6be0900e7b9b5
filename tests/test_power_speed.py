"""The fast campus path: the numpy-built LP (gigafleet.power.lp) against linopy's, the per-site clear-sky cache,
and warm-started replications. A speed-up must not change answers."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gigafleet.catalog import load_catalog
from gigafleet.errors import InputError
from gigafleet.power import weather
from gigafleet.power.campus import (
    DISPATCHABLE,
    USD_SCALE,
    VALUE_OF_LOST_LOAD_USD_PER_MWH,
    VARIABLE,
    CampusInputs,
    CampusSpec,
    build_campus_inputs,
    build_campus_model,
    design_campus,
    solve_campus,
)
from gigafleet.power.lp import LinearProgram
from gigafleet.power.uncertainty import cost_inputs, one_draw

CATALOG = load_catalog()
SITE = "abilene-tx"


def test_a_small_programme_solves_to_its_closed_form() -> None:
    """min x + 2y  s.t.  x + y >= 1,  x <= 0.3 (a row),  y <= 5 (a bound): x = 0.3, y = 0.7, cost 1.7; the duals
    carry HiGHS's (and linopy's) signs: >= rows >= 0, binding <= rows <= 0 in a minimisation."""
    lp = LinearProgram()
    x = lp.add_variables("x")
    y = lp.add_variables("y", upper=5.0)
    lp.add_constraints("cover", (), [(np.array([x.index, y.index]), np.array([1.0, 1.0]))], ">=", 1.0)
    lp.add_constraints("cap", (), [(x.index, 1.0)], "<=", 0.3)
    lp.add_objective([(x.index, 1.0), (y.index, 2.0)])
    assert lp.solve() == ("ok", "optimal")
    assert float(lp.variables["x"].solution) == pytest.approx(0.3)
    assert float(lp.variables["y"].solution) == pytest.approx(0.7)
    assert lp.objective.value == pytest.approx(1.7)
    assert float(lp.constraints["cover"].dual.sum()) == pytest.approx(2.0)  # type: ignore[union-attr]
    assert float(lp.constraints["cap"].dual.sum()) == pytest.approx(-1.0)  # type: ignore[union-attr]
    assert (lp.nvars, lp.ncons) == (2, 2)


def test_an_infeasible_programme_says_so() -> None:
    lp = LinearProgram()
    x = lp.add_variables("x", upper=1.0)
    lp.add_constraints("too_much", (), [(x.index, 1.0)], ">=", 2.0)
    lp.add_objective([(x.index, 1.0)])
    status, termination = lp.solve()
    assert status == "warning" and termination in ("infeasible", "infeasible_or_unbounded")
    assert lp.variables["x"].solution is None


def _xr(array: Any) -> xr.DataArray:
    """A :class:`gigafleet.power.labelled.Labelled` as the xarray it stands for (for linopy)."""
    return xr.DataArray(
        array.to_numpy(), coords={a.name: pd.Index(list(a), name=a.name) for a in array.axes}, dims=array.dims
    )


def _reference_linopy_model(inputs: CampusInputs) -> Any:
    """The campus LP as gigafleet built it through linopy before the numpy build (commit 78ee082), kept here as
    the reference the fast build must match."""
    import linopy

    spec = inputs.spec
    m = linopy.Model()
    load, w = _xr(inputs.load_mw), _xr(inputs.weight)
    periods, hours = load.indexes["period"], load.indexes["hour"]
    capacity_factor = {g: _xr(v) for g, v in inputs.capacity_factor.items()}
    gens = [s for s in inputs.sources if s in DISPATCHABLE or s in VARIABLE]
    total_load = float((load.sum("hour") * w).sum())
    peak_load = float(inputs.hourly["load"].max())
    blocks = [inputs.data[g].unit_size_mw for g in gens if g in DISPATCHABLE and 0 < inputs.data[g].unit_size_mw]
    firm_required = peak_load * (1 + spec.reserve_margin) + max([b for b in blocks if b <= peak_load] or [0.0])
    gen_index = pd.Index(gens, name="source")
    capacity = m.add_variables(lower=0, coords=[gen_index], name="capacity_mw")
    dispatch = m.add_variables(lower=0, coords=[gen_index, periods, hours], name="dispatch_mw")
    avail = xr.concat(
        [capacity_factor[g] if g in VARIABLE else xr.full_like(load, inputs.data[g].availability) for g in gens],
        dim=gen_index,
    )
    m.add_constraints(dispatch - capacity * avail <= 0, name="generation")
    firm_gens = [g for g in gens if g in DISPATCHABLE]
    ceiling = xr.DataArray(
        [inputs.data[g].max_capacity_factor for g in firm_gens],
        coords={"source": pd.Index(firm_gens, name="source")},
        dims="source",
    )
    hours_total = float((xr.ones_like(load).sum("hour") * w).sum())
    m.add_constraints(
        (dispatch.sel(source=firm_gens).sum("hour") * w).sum("period")
        - capacity.sel(source=firm_gens) * (ceiling * hours_total)
        <= 0,
        name="capacity_factor_ceiling",
    )

    def per_source(values: list[float]) -> xr.DataArray:
        return xr.DataArray(values, coords={"source": gen_index}, dims="source")

    marginal = per_source([inputs.data[g].variable_usd_per_mwh + inputs.data[g].fuel_usd_per_mwh for g in gens])
    variable_cost = ((dispatch * (marginal / USD_SCALE)).sum("source").sum("hour") * w).sum()
    fixed_cost = (capacity * (per_source([inputs.data[g].annual_fixed_usd_per_mw for g in gens]) / USD_SCALE)).sum()
    emissions = (
        (dispatch * per_source([inputs.data[g].co2_t_per_mwh for g in gens])).sum("source").sum("hour") * w
    ).sum()
    firm = (capacity * per_source([inputs.data[g].firm_credit for g in gens])).sum()
    subscribed = m.add_variables(lower=0, upper=inputs.grid_cap_mw, name="grid_subscribed_mw")
    grid = m.add_variables(lower=0, coords=[periods, hours], name="grid_mw")
    m.add_constraints(grid - subscribed <= 0, name="grid_import")
    m.add_constraints(
        grid - subscribed * (inputs.grid_minimum_take * load / firm_required) >= 0, name="grid_minimum_take"
    )
    variable_cost = variable_cost + ((grid * (inputs.grid_price_usd_per_mwh / USD_SCALE)).sum("hour") * w).sum()
    emissions = emissions + ((grid * inputs.grid_co2_t_per_mwh).sum("hour") * w).sum()
    battery = inputs.data["battery-4h"]
    power = m.add_variables(lower=0, name="battery_mw")
    charge = m.add_variables(lower=0, coords=[periods, hours], name="charge_mw")
    discharge = m.add_variables(lower=0, coords=[periods, hours], name="discharge_mw")
    soc = m.add_variables(lower=0, coords=[periods, hours], name="soc_mwh")
    eta = math.sqrt(inputs.battery_efficiency)
    m.add_constraints(soc - soc.roll(hour=1) - eta * charge + (1.0 / eta) * discharge == 0, name="state_of_charge")
    m.add_constraints(soc - inputs.battery_duration_h * power <= 0, name="storage_energy")
    m.add_constraints(charge - power <= 0, name="charge_limit")
    m.add_constraints(discharge - power <= 0, name="discharge_limit")
    m.add_constraints(power >= spec.training_swing * spec.it_load_gw * 1000.0, name="training_buffer")
    supply = dispatch.sum("source") + grid + discharge - charge
    fixed_cost = fixed_cost + power * (battery.annual_fixed_usd_per_mw / USD_SCALE)
    variable_cost = variable_cost + ((discharge * (battery.variable_usd_per_mwh / USD_SCALE)).sum("hour") * w).sum()
    firm = firm + subscribed + battery.firm_credit * power
    unserved = m.add_variables(lower=0, coords=[periods, hours], name="unserved_mw")
    m.add_constraints(supply + unserved >= load, name="balance")
    m.add_constraints((unserved.sum("hour") * w).sum() <= (1 - spec.availability) * total_load, name="availability")
    m.add_constraints(firm >= firm_required, name="firm_capacity")
    penalty = (unserved.sum("hour") * w).sum() * (VALUE_OF_LOST_LOAD_USD_PER_MWH / USD_SCALE)
    assert spec.carbon_cap_g_per_kwh is not None
    cap_t = spec.carbon_cap_g_per_kwh / 1000.0 * (total_load - (unserved.sum("hour") * w).sum())
    m.add_constraints(emissions <= cap_t, name="carbon_cap")
    m.add_objective(fixed_cost + variable_cost + penalty)
    return m


def _two_days(spec: CampusSpec) -> CampusInputs:
    """Two days of the year, each hour standing for 182.5 (a fast full-year-shaped programme)."""
    full = build_campus_inputs(CATALOG, spec)

    def cut(array: Any) -> Any:
        return array.isel(hour=slice(4000, 4048))

    return dataclasses.replace(
        full,
        load_mw=cut(full.load_mw),
        capacity_factor={k: cut(v) for k, v in full.capacity_factor.items()},
        weight=full.weight * (8760 / 48),
    )


@pytest.mark.parametrize("hours", ["full", "repdays"])
def test_numpy_build_is_linopys_programme(hours: str) -> None:
    """Same variables, rows, optimum, capacities and binding duals as the linopy formulation it replaced, with every
    family present (gas, solar, wind, grid with minimum take, battery with a training buffer, a carbon cap)."""
    from gigafleet.solver import solve_quietly

    spec = CampusSpec(
        site=SITE,
        it_load_gw=0.3,
        sources=("grid", "ccgt", "ocgt", "recip", "solar", "wind", "battery"),
        year=2031,
        grid_gw=0.2,
        carbon_cap_g_per_kwh=150.0,
        training_swing=0.1,
        hours=hours,
        n_days=4,
    )
    inputs = _two_days(spec) if hours == "full" else build_campus_inputs(CATALOG, spec)
    ours = build_campus_model(inputs)
    reference = _reference_linopy_model(inputs)
    assert (ours.nvars, ours.ncons) == (reference.nvars, reference.ncons)
    assert ours.solve() == ("ok", "optimal")
    solve_quietly(reference, "highs", error=RuntimeError)
    assert ours.objective.value == pytest.approx(float(reference.objective.value), rel=1e-7)
    for name in ("capacity_mw", "battery_mw", "grid_subscribed_mw"):
        np.testing.assert_allclose(
            ours.variables[name].solution.to_numpy(), reference.variables[name].solution.to_numpy(), atol=1e-3
        )
    for name in ("carbon_cap", "firm_capacity", "availability", "training_buffer"):
        assert float(np.sum(ours.constraints[name].dual)) == pytest.approx(
            float(np.asarray(reference.constraints[name].dual).sum()), rel=1e-5, abs=1e-9
        ), name


def test_clear_sky_cache_keeps_the_weather() -> None:
    """The cached clear sky (per place, seed-independent) is pvlib's, read-only; same seed, same weather; another
    seed, other weather; a cold cache gives the same weather as a warm one."""
    site = weather.site_climate(CATALOG, SITE)
    times = weather.hourly_index()
    cached = weather.clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m, times)
    fresh = weather._clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m, times)
    for got, want in zip(cached, fresh, strict=True):
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable
    assert weather.clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m, times)[0] is cached[0]
    warm = weather.site_weather(CATALOG, SITE, seed=5)
    weather._reference_clear_sky.cache_clear()
    cold = weather.site_weather(CATALOG, SITE, seed=5)
    pd.testing.assert_frame_equal(warm, cold)
    assert not warm["solar_cf"].equals(weather.site_weather(CATALOG, SITE, seed=6)["solar_cf"])
    # a shorter index is computed for those hours, not served from the reference year's cache
    week = times[:168]
    np.testing.assert_array_equal(
        weather.clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m, week)[0], fresh[0][:168]
    )


def test_a_warm_started_replication_has_the_cold_optimum() -> None:
    spec = CampusSpec(site=SITE, it_load_gw=1.2, hours="repdays", n_days=6, carbon_cap_g_per_kwh=120.0)
    first = solve_campus(CATALOG, spec)
    region = weather.site_climate(CATALOG, SITE).region
    costs = one_draw(cost_inputs(CATALOG, region, first.inputs.sources), np.random.default_rng((0, 1)))
    spec_1 = dataclasses.replace(spec, seed=1, notes=[])
    inputs_1 = build_campus_inputs(CATALOG, spec_1, costs)
    cold = solve_campus(CATALOG, spec_1, inputs=inputs_1)
    warm = solve_campus(CATALOG, spec_1, inputs=inputs_1, warm_start=first.model)
    assert warm.termination == cold.termination == "optimal"
    assert warm.model.objective.value == pytest.approx(cold.model.objective.value, rel=1e-9)
    assert warm.model.iterations < cold.model.iterations
    np.testing.assert_allclose(
        warm.model.variables["capacity_mw"].solution, cold.model.variables["capacity_mw"].solution, atol=1e-3
    )


def test_only_highs_solves_the_campus() -> None:
    with pytest.raises(InputError, match="--solver"):
        design_campus(CATALOG, CampusSpec(site=SITE, it_load_gw=0.5, hours="repdays", n_days=4), solver="glpk")


def _hourly(site: str, seed: int) -> dict[str, np.ndarray]:
    """The load, solar and wind series the campus clusters (1.2 GW IT, liquid cooling)."""
    from gigafleet.power.facility import campus_load_mw, cooling_physics, hourly_pue

    w = weather.weather_arrays(CATALOG, site, seed)
    pue = hourly_pue(w["temp_c"], cooling_physics(CATALOG, "liquid"))
    load = campus_load_mw(1200.0, pue, 0.0, np.random.default_rng(seed + 1))
    return {"load": load, "solar": w["solar_cf"], "wind": w["wind_cf"]}


@pytest.mark.parametrize(("site", "seed", "n_days"), [(SITE, 0, 12), (SITE, 3, 6), ("lulea-se", 1, 24)])
def test_numpy_representative_days_are_tsams(site: str, seed: int, n_days: int) -> None:
    """gigafleet.power.repdays re-does tsam's aggregation (Ward, medoids, appended extremes, column-mean
    rescaling): the same days, weights and typical profiles, bit for bit."""
    tsam = pytest.importorskip("tsam")
    from gigafleet.power.repdays import representative_days

    hourly = _hourly(site, seed)
    data = pd.DataFrame(hourly, index=pd.date_range("2023-01-01", periods=8760, freq="h"))
    extremes = tsam.ExtremeConfig(method="append", max_value=["load"], min_period=["solar", "wind"])
    ref = tsam.aggregate(data, n_clusters=n_days, period_duration=24, extremes=extremes, preserve_column_means=True)
    periods = sorted(set(ref.cluster_representatives.index.get_level_values(0)))
    ours = representative_days(hourly, n_days)
    assert periods == list(range(len(ours.weights)))
    np.testing.assert_array_equal(ours.weights, pd.Series(ref.cluster_counts).reindex(periods).to_numpy())
    np.testing.assert_array_equal(ours.assignments, np.asarray(ref.cluster_assignments))
    for column in hourly:
        want = ref.cluster_representatives[column].unstack().reindex(periods).to_numpy()
        np.testing.assert_array_equal(ours.profiles[column], want)


def test_numpy_irradiance_is_pvlibs() -> None:
    """Erbs, the isotropic plane of array and the calendar in numpy equal pvlib's and pandas' (1e-12)."""
    pvlib = pytest.importorskip("pvlib")
    site = weather.site_climate(CATALOG, SITE)
    times = weather.hourly_index()
    ghi, zenith, azimuth = weather.clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m)
    ghi = ghi * 0.7
    day, _ = weather.reference_calendar()
    dni, dhi = weather.erbs(ghi, zenith, day)
    ref = pvlib.irradiance.erbs(ghi, zenith, times)
    np.testing.assert_allclose(dni, ref["dni"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(dhi, ref["dhi"], rtol=1e-12, atol=1e-9)
    poa = weather.plane_of_array(32.0, 180.0, zenith, azimuth, dni, ghi, dhi)
    want = pvlib.irradiance.get_total_irradiance(32.0, 180.0, zenith, azimuth, dni, ghi, dhi)["poa_global"]
    np.testing.assert_allclose(np.nan_to_num(poa), np.nan_to_num(np.asarray(want)), rtol=1e-12, atol=1e-9)
    for offset in (-6.0, 5.5, 4.0, 0.0):
        local = times + pd.Timedelta(hours=offset)
        got_day, got_hour = weather.reference_calendar(offset)
        np.testing.assert_array_equal(got_day, np.asarray(local.dayofyear))
        np.testing.assert_array_equal(got_hour, np.asarray(local.hour))


def test_clear_sky_is_kept_on_disk(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed-independent clear sky is written once per place and read back bit for bit (no pvlib needed then);
    an unreadable file is recomputed, not an error."""
    monkeypatch.setenv("GIGAFLEET_CACHE_DIR", str(tmp_path))
    site = weather.site_climate(CATALOG, SITE)
    place = (site.latitude_deg, site.longitude_deg, site.elevation_m)
    weather._reference_clear_sky.cache_clear()
    first = weather.clear_sky(*place)
    (path,) = list((tmp_path / "clear-sky").glob("*.npy"))
    weather._reference_clear_sky.cache_clear()
    again = weather.clear_sky(*place)
    for got, want in zip(again, first, strict=True):
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable
    path.write_bytes(b"not an array")
    weather._reference_clear_sky.cache_clear()
    np.testing.assert_array_equal(weather.clear_sky(*place)[0], first[0])
    weather._reference_clear_sky.cache_clear()


def test_the_repdays_design_imports_no_heavy_library(tmp_path: Any) -> None:
    """A representative-days design (clear sky on disk) imports neither tsam, scikit-learn, pvlib, linopy, pandas,
    xarray nor dask; only the first run at a place imports pvlib (to compute the clear sky)."""
    import os
    import subprocess
    import sys

    heavy = ("tsam", "sklearn", "pvlib", "linopy", "pandas", "xarray", "dask")
    code = (
        "import sys; from gigafleet.catalog import load_catalog; from gigafleet.power.campus import CampusSpec, "
        "design_campus; design_campus(load_catalog(), CampusSpec(site='abilene-tx', it_load_gw=1.2, "
        f"hours='repdays', n_days=6, replications=2)); print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "GIGAFLEET_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True) for _ in "ab"
    ]
    assert "pvlib" in runs[0].stdout  # the first computes the clear sky
    assert runs[1].stdout.strip() == "[]"


@pytest.mark.parametrize("cap", [100.0, None])
def test_the_compact_programme_has_the_full_optimum(cap: float | None) -> None:
    """The compact programme of capped full years (renewables at their capacity factor, grid = take + extra) has
    fewer rows and columns and the full programme's optimum; its expanded solution is feasible for the full one."""
    from gigafleet.power.campus import _solve, expand_compact

    spec = CampusSpec(site=SITE, it_load_gw=1.2, hours="repdays", n_days=6, carbon_cap_g_per_kwh=cap)
    inputs = build_campus_inputs(CATALOG, spec)
    full, compact = build_campus_model(inputs), build_campus_model(inputs, compact=True)
    assert compact.nvars < full.nvars and compact.ncons < full.ncons
    assert _solve(full, "highs") == _solve(compact, "highs") == ("ok", "optimal")
    assert compact.objective.value == pytest.approx(full.objective.value, rel=1e-9)
    expand_compact(inputs, compact)
    dispatch = compact.variables["dispatch_mw"].solution
    capacity = compact.variables["capacity_mw"].solution
    for g in ("solar-pv", "wind-onshore"):
        np.testing.assert_allclose(dispatch.sel(source=g), inputs.capacity_factor[g] * float(capacity.sel(source=g)))
    grid = compact.variables["grid_mw"].solution.to_numpy()
    subscribed = float(compact.variables["grid_subscribed_mw"].solution)
    assert (grid <= subscribed + 1e-6).all()
    supply = dispatch.sum("source").to_numpy() + grid + compact.variables["discharge_mw"].solution.to_numpy()
    supply -= compact.variables["charge_mw"].solution.to_numpy()
    assert (supply + compact.variables["unserved_mw"].solution.to_numpy() >= inputs.load_mw.to_numpy() - 1e-6).all()

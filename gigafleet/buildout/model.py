"""The build-out linear programme (linopy), built from :class:`~gigafleet.buildout.parameters.PlanInputs`.

Money in the model is in millions of USD (``USD_SCALE``) to keep coefficients well scaled; results are
converted back. Variables are indexed by ``vintage`` (the year capacity enters service); stocks in service
in each ``year`` are sums over vintages still within their life.

Constraint names (used for shadow prices): ``datacentre``, ``datacentre_lead_time``, ``firm_power``,
``site_limit``, ``water``, ``growth``, ``campus_size``, ``energy_balance``, ``grid_energy``, ``grid_contract``,
``grid_minimum_take``, ``generation``, ``power_lead_time``, ``supply``, ``turbine_supply``, ``engine_supply``,
``bridge_supply``, ``hbm_supply``, ``budget``, ``target``.

Grid supply is a contract: each site and year the model chooses the grid capacity it subscribes (at most what
the site's ``grid_gw`` makes available); the subscription counts as firm power and, as in large-load tariffs
(AEP Ohio's data-centre tariff: 85 % of subscribed use paid whether used or not), its minimum take is paid for
whether drawn or not, so subscribed grid is used before any on-site plant runs on it.

Existing accelerators (``existing``) that no power can reach in a year idle: their facility power leaves the
power and energy balances, their output leaves the target, and each idle MW costs the year's capital charge of
the hardware it stands for (reported as ``idle_capital_usd``). Capacity whose lead time ends mid-year is in place
at the year's end (firm power) but generates for the rest of the year only; until the earliest such source
arrives, existing hardware beyond the year-round supply waits (``wait_mw``, a year-average, costed the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from gigafleet.buildout.parameters import BRIDGE_SOURCES, ENGINE_SOURCES, TURBINE_SOURCES, PlanInputs
from gigafleet.fleet import HOURS_PER_YEAR

STORAGE_SOURCES = ("battery-4h",)
"""Sources that store energy: in the annual balance (``power_model: firm``) they give firm capacity, no energy."""

USD_SCALE = 1e6
"""Money unit inside the model [USD]: objective and cost coefficients are in USD millions."""

PENALTY_FACTOR = 10.0
"""Shortfall penalty as a multiple of the most expensive all-in capex per unit of the target metric."""


@dataclass
class BuiltModel:
    """A linopy model with the expressions needed to read results back."""

    model: Any  # linopy.Model
    inputs: PlanInputs
    objective: str
    penalty_usd_per_unit: float
    expressions: dict[str, Any]


def _vintage(array: xr.DataArray) -> xr.DataArray:
    return array.rename({"year": "vintage"})


def shortfall_penalty(p: PlanInputs) -> float:
    """Penalty per unit of target shortfall [USD/unit]: ``PENALTY_FACTOR`` × the dearest capex per unit.

    The unit is the model's target unit (H100e, accelerators, or PFLOP/s for ``flops_fp8``).
    """
    per_unit = (p.it_capex_usd + p.facility_capex_usd_per_mw * p.it_mw) / p.metric
    return float(PENALTY_FACTOR * per_unit.max())


def campus_shortfall_penalty(p: PlanInputs) -> float:
    """Penalty per MW of campus-size (``min_facility_gw``) shortfall [USD/MW].

    The target penalty (:func:`shortfall_penalty`) times the most target units a MW of facility power can hold,
    so a campus is never left short to save cost elsewhere while any limit allows building it.
    """
    return shortfall_penalty(p) * float((p.metric / p.facility_mw).max())


def build_model(p: PlanInputs, objective: str = "min_cost") -> BuiltModel:
    """Build the linear programme.

    Parameters
    ----------
    p
        Coefficients from :func:`~gigafleet.buildout.parameters.build_inputs`.
    objective
        ``min_cost``: meet targets at least discounted cost (shortfall penalised);
        ``max_h100e``: most H100e-years within the budget.

    Returns
    -------
    BuiltModel
        The model and the expressions used to report results.
    """
    import linopy

    m = linopy.Model()
    vintages = p.years.rename("vintage")
    active = p.active_chip  # (year, vintage)

    vintage_years = _vintage(xr.DataArray(p.years, coords={"year": p.years}, dims="year"))
    available = (vintage_years >= p.launch_year) & (vintage_years <= p.last_sale_year)
    buy = m.add_variables(
        lower=0,
        coords=[vintages, p.sites, p.chips],
        name="buy",
        mask=available.transpose("vintage", "chip")
        .broadcast_like(xr.DataArray(np.ones(len(p.sites)), coords={"site": p.sites}, dims="site"))
        .transpose("vintage", "site", "chip"),
    ).fillna(0)
    dc = m.add_variables(lower=0, coords=[vintages, p.sites], name="datacentre_mw")
    # masked slots (sources not allowed at a site) contribute nothing to sums: fillna(0) makes that explicit
    cap = m.add_variables(
        lower=0,
        coords=[vintages, p.sites, p.sources],
        name="capacity_mw",
        mask=p.source_allowed.expand_dims(vintage=vintages),
    ).fillna(0)
    gen = m.add_variables(
        lower=0,
        coords=[p.years, p.sites, p.sources],
        name="generation_mwh",
        mask=p.source_allowed.expand_dims(year=p.years),
    ).fillna(0)
    grid = m.add_variables(lower=0, coords=[p.years, p.sites], name="grid_mwh")
    contract = m.add_variables(lower=0, coords=[p.years, p.sites], name="grid_contract_mw")
    has_target = p.target.notnull()
    shortfall = m.add_variables(lower=0, coords=[p.years], name="shortfall", mask=has_target).fillna(0)

    stock = (buy * active).sum("vintage")  # (site, chip, year) new accelerators in service
    existing = p.existing_stock
    retired_new = retired_old = None
    if p.early_retirement:
        # retire[r, ...]: taken out of service from year r on (before the end of life); no salvage value
        retire_years = p.years.rename("retire_year")
        upto = xr.DataArray(
            (p.years.values[:, None] >= p.years.values[None, :]).astype(float),
            coords={"year": p.years, "retire_year": retire_years},
            dims=("year", "retire_year"),
        )
        r_year = xr.DataArray(p.years.values, coords={"retire_year": retire_years}, dims="retire_year")
        v_year = xr.DataArray(p.years.values, coords={"vintage": vintages}, dims="vintage")
        template = xr.ones_like(p.it_mw).expand_dims(vintage=vintages)  # (vintage, site, chip)
        can_retire = ((r_year > v_year) & (r_year - v_year < p.chip_life_years)).broadcast_like(template)
        retired_new = m.add_variables(
            lower=0,
            coords=[retire_years, vintages, p.sites, p.chips],
            name="retire_new",
            mask=can_retire.transpose("retire_year", "vintage", "site", "chip"),
        ).fillna(0)
        m.add_constraints(retired_new.sum("retire_year") - buy <= 0, name="retire_new_limit")
        retired_old = m.add_variables(lower=0, coords=[retire_years, p.sites, p.chips], name="retire_existing")
        cumulative_old = (retired_old * upto).sum("retire_year")
        m.add_constraints(cumulative_old <= existing, name="retire_existing_limit")
        stock = stock - ((retired_new * upto).sum("retire_year") * active).sum("vintage") - cumulative_old
    facility_active = (active.vintage <= active.year) & (active.year - active.vintage < p.facility_life_years)
    dc_stock = (dc * facility_active.astype(float)).sum("vintage")
    cap_stock = (cap * p.source_active).sum("vintage")

    it_load = (stock * p.it_mw).sum("chip")
    existing_it = (existing * p.it_mw).sum("chip")
    m.add_constraints(it_load - dc_stock <= p.existing_dc_mw - existing_it, name="datacentre")
    early = _vintage(xr.DataArray(p.years < p.datacentre_first_year, coords={"year": p.years}, dims="year"))
    if bool(early.any()):
        m.add_constraints(dc <= 0, name="datacentre_lead_time", mask=early.broadcast_like(dc.lower))

    facility_load = (stock * p.facility_mw).sum("chip")
    existing_facility = (existing * p.facility_mw).sum("chip")
    has_existing = existing_facility > 0
    idle = m.add_variables(
        lower=0, upper=existing_facility, coords=[p.years, p.sites], name="idle_mw", mask=has_existing
    ).fillna(0)
    existing_energy_per_mw = _per_existing_mw(existing, p.energy_mwh, p)
    existing_metric_per_mw = _per_existing_mw(existing, p.metric, p)
    m.add_constraints(contract <= p.grid_mw, name="grid_contract")
    m.add_constraints(
        facility_load - (cap_stock * p.source_firm_credit).sum("source") - contract - idle <= -existing_facility,
        name="firm_power",
    )
    partial = (p.source_share < 1.0 - 1e-9) & p.source_allowed  # (year, site, source) arriving mid-year
    waits = partial.any("source") & has_existing
    wait = m.add_variables(
        lower=0, upper=existing_facility, coords=[p.years, p.sites], name="wait_mw", mask=waits
    ).fillna(0)
    if bool(waits.any()):  # before the earliest of them arrives, existing hardware beyond year-round supply waits
        share = p.source_share.where(partial).max("source").fillna(1.0)
        full_firm = (cap_stock * (p.source_firm_credit * (~partial).astype(float))).sum("source")
        m.add_constraints(
            wait + (1.0 - share) * (contract + full_firm + idle) >= (1.0 - share) * existing_facility,
            name="power_arrival",
            mask=waits,
        )
    unpowered = idle + wait  # year-average MW of existing facility power without supply
    if p.grid_minimum_take > 0:
        m.add_constraints(
            grid - contract * (p.grid_minimum_take * p.grid_load_factor * HOURS_PER_YEAR) >= 0, name="grid_minimum_take"
        )
    finite_site = xr.apply_ufunc(np.isfinite, p.max_facility_mw)
    if bool(finite_site.any()):
        m.add_constraints(
            facility_load <= p.max_facility_mw.where(finite_site, 0.0) - existing_facility,
            name="site_limit",
            mask=finite_site.broadcast_like(p.grid_mw),
        )

    finite_water = xr.apply_ufunc(np.isfinite, p.max_water_m3)
    if bool(finite_water.any()):
        water = (stock * p.water_m3).sum("chip")
        m.add_constraints(
            water <= (p.max_water_m3 - (existing * p.water_m3).sum("chip")).where(finite_water, 0.0),
            name="water",
            mask=finite_water.broadcast_like(p.grid_mw),
        )

    if p.hourly is None:
        energy = (stock * p.energy_mwh).sum("chip")
        existing_energy = (existing * p.energy_mwh).sum("chip")
        m.add_constraints(
            grid + gen.sum("source") - energy + unpowered * existing_energy_per_mw >= existing_energy,
            name="energy_balance",
        )
        m.add_constraints(
            gen - cap_stock * (p.source_share * p.source_capacity_factor * HOURS_PER_YEAR) <= 0,
            name="generation",
            mask=p.source_allowed.expand_dims(year=p.years),
        )
        storage = [s for s in STORAGE_SOURCES if s in p.sources.values]
        if storage:  # a battery stores energy, it makes none: over a year its net output is zero (losses aside)
            m.add_constraints(
                gen.sel(source=storage) <= 0,
                name="storage_energy",
                mask=p.source_allowed.sel(source=storage).expand_dims(year=p.years),
            )
    else:
        _add_hourly_supply(m, p, stock, existing, grid, gen, cap_stock, unpowered, contract)
    m.add_constraints(grid - contract * HOURS_PER_YEAR <= 0, name="grid_energy")
    too_early = _vintage(xr.DataArray(p.years, coords={"year": p.years}, dims="year")) < p.source_first_year
    lead_mask = too_early & p.source_allowed
    if bool(lead_mask.any()):
        m.add_constraints(cap <= 0, name="power_lead_time", mask=lead_mask.transpose("vintage", "site", "source"))

    finite_hbm = xr.apply_ufunc(np.isfinite, p.hbm_stacks)
    if bool(finite_hbm.any()):
        stacks_used = _vintage_to_year((buy * p.hbm_per_accelerator).sum(["site", "chip"]))
        m.add_constraints(stacks_used <= p.hbm_stacks.where(finite_hbm, 0.0), name="hbm_supply", mask=finite_hbm)

    finite_build = xr.apply_ufunc(np.isfinite, p.max_build_mw)
    if bool(finite_build.any()):
        pue_peak = (p.facility_mw / p.it_mw).isel(chip=0, drop=True)
        m.add_constraints(
            dc * pue_peak <= p.max_build_mw.where(finite_build, 0.0),
            name="growth",
            mask=finite_build.broadcast_like(dc.lower),
        )

    needs_campus = p.min_facility_mw.notnull()
    campus_shortfall = None
    if bool(needs_campus.any()):
        campus_shortfall = m.add_variables(
            lower=0, coords=[p.years, p.sites], name="campus_shortfall_mw", mask=needs_campus
        ).fillna(0)
        m.add_constraints(
            facility_load + campus_shortfall >= (p.min_facility_mw - existing_facility).where(needs_campus, 0.0),
            name="campus_size",
            mask=needs_campus,
        )

    wafers_used = _vintage_to_year((buy * p.wafers_per_accelerator).sum(["site", "chip"]))
    m.add_constraints(wafers_used <= p.wafers, name="supply")
    ramped = p.ramp_share < 1.0
    if bool(ramped.any()):  # a new chip takes only part of the year's wafers in its first two years
        chip_wafers = _vintage_to_year((buy * p.wafers_per_accelerator).sum("site"))
        m.add_constraints(chip_wafers <= (p.ramp_share * p.wafers).where(ramped, 0.0), name="ramp", mask=ramped)
    turbine_sources = [s for s in TURBINE_SOURCES if s in p.sources.values]
    if turbine_sources:  # gas turbines are a supply chain like CoWoS: world output x this buyer's share per year
        turbines_built = _vintage_to_year(cap.sel(source=turbine_sources).sum(["site", "source"]))
        m.add_constraints(turbines_built <= p.turbine_mw, name="turbine_supply")
    engine_sources = [s for s in ENGINE_SOURCES if s in p.sources.values]
    if engine_sources:
        engines_built = _vintage_to_year(cap.sel(source=engine_sources).sum(["site", "source"]))
        m.add_constraints(engines_built <= p.engine_mw, name="engine_supply")
    bridge_sources = [s for s in BRIDGE_SOURCES if s in p.sources.values]
    if bridge_sources:  # rented: the rental fleet limits what is in service each year, not what is built
        m.add_constraints(
            cap_stock.sel(source=bridge_sources).sum(["site", "source"]) <= p.bridge_mw, name="bridge_supply"
        )

    capex_by_year = _vintage_to_year(
        (buy * (_vintage(p.it_capex_usd) / USD_SCALE)).sum(["site", "chip"])
        + (dc * (p.facility_capex_usd_per_mw / USD_SCALE)).sum("site")
        + (cap * (p.source_capex_usd_per_mw / USD_SCALE)).where(p.source_allowed).sum(["site", "source"])
    )
    finite_budget = xr.apply_ufunc(np.isfinite, p.budget_usd)
    if bool(finite_budget.any()):
        m.add_constraints(
            capex_by_year <= (p.budget_usd / USD_SCALE).where(finite_budget, 0.0), name="budget", mask=finite_budget
        )

    delivered = (stock * p.metric).sum(["site", "chip"]) - (unpowered * existing_metric_per_mw).sum("site")
    existing_metric = (existing * p.metric).sum(["site", "chip"])
    if bool(has_target.any()):
        m.add_constraints(
            delivered + shortfall >= (p.target - existing_metric).where(has_target, 0.0), name="target", mask=has_target
        )

    capital = (
        (buy * (_vintage(p.it_capex_usd) / USD_SCALE) * _vintage(p.annuity_chip)).sum()
        + (dc * (p.facility_capex_usd_per_mw / USD_SCALE) * _vintage(p.annuity_facility)).sum()
        + (cap * (p.source_capex_usd_per_mw / USD_SCALE) * p.source_annuity.rename({"year": "vintage"}))
        .where(p.source_allowed)
        .sum()
    )
    # the existing fleet's IT maintenance, staff and water and its halls' maintenance are paid too: a constant
    # (linopy objectives take none, and it changes no decision), added to the reported opex and cost
    existing_opex = (existing * p.it_opex_usd).sum(["site", "chip"]) + (
        p.existing_dc_mw * p.facility_opex_usd_per_mw
    ).sum("site")
    running = (
        (stock * (p.it_opex_usd / USD_SCALE)).sum(["site", "chip"])
        + (dc_stock * (p.facility_opex_usd_per_mw / USD_SCALE)).sum("site")
        + (grid * (p.grid_price_usd_per_mwh / USD_SCALE)).sum("site")
        + (gen * (p.source_variable_usd_per_mwh / USD_SCALE)).sum(["site", "source"])
        + (cap_stock * (p.source_fixed_usd_per_mw_year / USD_SCALE)).where(p.source_allowed).sum(["site", "source"])
        + (unpowered * (p.idle_capital_usd_per_mw_year / USD_SCALE)).sum("site")
    )
    opex_discounted = (running * p.discount).sum()
    penalty = shortfall_penalty(p)
    cost = capital + opex_discounted
    if bool(has_target.any()):
        cost = cost + (shortfall * (penalty / USD_SCALE)).sum()
    if campus_shortfall is not None:
        cost = cost + (campus_shortfall * (campus_shortfall_penalty(p) / USD_SCALE)).sum()
    if objective == "max_h100e":
        h100e_years = (stock * p.h100e).sum()
        m.add_objective(-1.0 * h100e_years + 1e-9 * cost)
    else:
        m.add_objective(cost)
    expressions = {
        "stock": stock,
        "retired_new": retired_new,
        "retired_old": retired_old,
        "dc_stock": dc_stock,
        "cap_stock": cap_stock,
        "capex_by_year": capex_by_year,
        "running": running,
        "wafers_used": wafers_used,
        "capital": capital,
        "idle": unpowered,
        "idle_capital": (unpowered * p.idle_capital_usd_per_mw_year).sum("site"),
        "contract": contract,
        "existing_opex_usd": existing_opex,
    }
    return BuiltModel(model=m, inputs=p, objective=objective, penalty_usd_per_unit=penalty, expressions=expressions)


def _add_hourly_supply(
    m: Any,
    p: PlanInputs,
    stock: Any,
    existing: xr.DataArray,
    grid: Any,
    gen: Any,
    cap_stock: Any,
    idle: Any,
    contract: Any,
) -> None:
    """Hourly supply on each site's representative days, linked to the annual grid and generation variables.

    Per year, site, typical day and hour: Σ generation + grid import + battery discharge − charge ≥ IT draw × PUE(t);
    generation ≤ availability(t) × capacity in service; grid import ≤ the site's subscribed grid capacity; battery
    state of charge cyclic over each day, ≤ 4 h × battery capacity. Annual grid and generation energy (priced in the
    objective) are the weighted sums of the hourly values.
    """
    h = p.hourly
    assert h is not None
    allowed = p.source_allowed
    dispatchable = allowed & (p.sources != "battery-4h")
    gen_h = m.add_variables(
        lower=0,
        coords=[p.years, p.sites, p.sources, h.pue.indexes["period"], h.pue.indexes["hour"]],
        name="generation_hourly_mw",
        mask=dispatchable.expand_dims(
            year=p.years, period=h.pue.indexes["period"], hour=h.pue.indexes["hour"]
        ).transpose("year", "site", "source", "period", "hour"),
    ).fillna(0)
    grid_h = m.add_variables(
        lower=0, coords=[p.years, p.sites, h.pue.indexes["period"], h.pue.indexes["hour"]], name="grid_hourly_mw"
    )
    m.add_constraints(grid_h - contract <= 0, name="grid_import_hourly")
    m.add_constraints(
        gen_h - cap_stock * (h.availability * p.source_share) <= 0,
        name="generation_hourly",
        mask=dispatchable.expand_dims(
            year=p.years, period=h.pue.indexes["period"], hour=h.pue.indexes["hour"]
        ).transpose("year", "site", "source", "period", "hour"),
    )
    draw = (stock * p.it_mw).sum("chip") * h.it_draw_fraction  # (year, site) average IT MW drawn
    existing_draw = (existing * p.it_mw).sum("chip") * h.it_draw_fraction
    # an idle MW of existing facility power draws nothing: its IT share at the hour's PUE leaves the balance
    idle_draw_per_mw = _per_existing_mw(existing, p.it_mw, p) * h.it_draw_fraction
    supply = gen_h.sum("source") + grid_h
    battery_here = allowed.sel(source="battery-4h") if "battery-4h" in p.sources else None
    if battery_here is not None and bool(battery_here.any()):
        coords = [p.years, p.sites, h.pue.indexes["period"], h.pue.indexes["hour"]]
        site_mask = battery_here.expand_dims(
            year=p.years, period=h.pue.indexes["period"], hour=h.pue.indexes["hour"]
        ).transpose("year", "site", "period", "hour")
        charge = m.add_variables(lower=0, coords=coords, name="battery_charge_mw", mask=site_mask).fillna(0)
        discharge = m.add_variables(lower=0, coords=coords, name="battery_discharge_mw", mask=site_mask).fillna(0)
        soc = m.add_variables(lower=0, coords=coords, name="battery_soc_mwh", mask=site_mask).fillna(0)
        eta = float(np.sqrt(h.battery_efficiency))
        battery_mw = cap_stock.sel(source="battery-4h")
        m.add_constraints(
            soc - soc.roll(hour=1) - eta * charge + (1.0 / eta) * discharge == 0,
            name="battery_state_of_charge",
            mask=site_mask,
        )
        m.add_constraints(soc - h.battery_duration_h * battery_mw <= 0, name="battery_energy", mask=site_mask)
        m.add_constraints(charge - battery_mw <= 0, name="battery_charge_limit", mask=site_mask)
        m.add_constraints(discharge - battery_mw <= 0, name="battery_discharge_limit", mask=site_mask)
        supply = supply + discharge - charge
        battery_energy = (discharge.sum("hour") * h.weight).sum("period")
        m.add_constraints(
            gen.sel(source="battery-4h") - battery_energy == 0,
            name="battery_energy_link",
            mask=battery_here.expand_dims(year=p.years),
        )
    m.add_constraints(
        supply - draw * h.pue + idle * (idle_draw_per_mw * h.pue) >= existing_draw * h.pue, name="hourly_balance"
    )
    m.add_constraints(grid - (grid_h.sum("hour") * h.weight).sum("period") == 0, name="grid_energy_link")
    m.add_constraints(
        gen - (gen_h.sum("hour") * h.weight).sum("period") == 0,
        name="generation_link",
        mask=dispatchable.expand_dims(year=p.years),
    )


def _per_existing_mw(existing: xr.DataArray, per_accelerator: xr.DataArray, p: PlanInputs) -> xr.DataArray:
    """Σ existing × ``per_accelerator`` per MW of the existing fleet's facility power, (year, site); 0 where none."""
    facility = (existing * p.facility_mw).sum("chip")
    has = facility > 0
    return ((existing * per_accelerator).sum("chip") / facility.where(has, 1.0)).where(has, 0.0)


def _vintage_to_year(expression: Any) -> Any:
    """Rename the vintage dimension of an expression to year (capacity entering service in that year)."""
    return expression.rename({"vintage": "year"})

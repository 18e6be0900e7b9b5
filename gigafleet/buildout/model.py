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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from gigafleet.buildout.lp import PlanLP
from gigafleet.buildout.parameters import BRIDGE_SOURCES, ENGINE_SOURCES, TURBINE_SOURCES, PlanInputs
from gigafleet.buildout.terms import Terms, add_constraint, filled_like, finite, set_objective
from gigafleet.fleet import HOURS_PER_YEAR

STORAGE_SOURCES = ("battery-4h",)
"""Sources that store energy: in the annual balance (``power_model: firm``) they give firm capacity, no energy."""

USD_SCALE = 1e6
"""Money unit inside the model [USD]: objective and cost coefficients are in USD millions."""

PENALTY_FACTOR = 10.0
"""Shortfall penalty as a multiple of the most expensive all-in capex per unit of the target metric."""


@dataclass
class BuiltModel:
    """A linopy model with the expressions needed to read results back.

    ``expressions`` holds :class:`~gigafleet.buildout.terms.Terms` (evaluated at the solution by :meth:`value`)
    and, for ``existing_opex_usd``, a constant array [USD/yr].
    """

    model: Any  # PlanLP (solver highs) or linopy.Model
    inputs: PlanInputs
    objective: str
    penalty_usd_per_unit: float
    expressions: dict[str, Any]
    _solution: np.ndarray | None = field(default=None, repr=False)

    def solution_vector(self) -> np.ndarray:
        """Primal solution indexed by variable label (0 for masked labels), read once from every variable."""
        if self._solution is None:
            solution = np.zeros(int(self.model._xCounter))
            for name in self.model.variables:
                variable = self.model.variables[name]
                labels = variable.labels.values
                present = labels >= 0
                solution[labels[present]] = np.nan_to_num(variable.solution.values[present])
            self._solution = solution
        return self._solution

    def value(self, name: str) -> xr.DataArray:
        """An expression (``stock``, ``cap_stock``, ...) at the solution, as a labelled array (0 where empty)."""
        return self.expressions[name].value(self.solution_vector())  # type: ignore[no-any-return]


@dataclass
class PlanVariables:
    """The model's variables, created in a fixed order (their labels are the LP's column order)."""

    buy: Any
    datacentre: Any
    capacity: Any
    generation: Any
    grid: Any
    contract: Any
    shortfall: Any
    retire_new: Any
    retire_existing: Any
    idle: Any
    wait: Any
    hourly: dict[str, Any]
    campus_shortfall: Any


@dataclass
class Stocks:
    """Linear expressions shared by several constraint families (all :class:`Terms`)."""

    stock: Terms  # (site, chip, year) new accelerators in service
    retired_new: Terms | None
    retired_old: Terms | None
    dc_stock: Terms  # (site, year) data-centre MW in service
    cap_stock: Terms  # (site, source, year) on-site MW in service
    facility_load: Terms  # (site, year) facility MW of new accelerators at peak
    unpowered: Terms  # (year, site) existing facility MW without supply (idle + wait)


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


def build_model(p: PlanInputs, objective: str = "min_cost", solver: str = "highs") -> BuiltModel:
    """Build the linear programme: the variables, then one ``define_*`` function per constraint family.

    Parameters
    ----------
    p
        Coefficients from :func:`~gigafleet.buildout.parameters.build_inputs`.
    objective
        ``min_cost``: meet targets at least discounted cost (shortfall penalised);
        ``max_h100e``: most H100e-years within the budget.
    solver
        ``highs``: the programme is a :class:`~gigafleet.buildout.lp.PlanLP` (numpy arrays handed to highspy, no
        linopy); any other linopy solver name: a ``linopy.Model`` (the same programme).

    Returns
    -------
    BuiltModel
        The model and the expressions used to report results.
    """
    if solver == "highs":
        m: Any = PlanLP()
    else:
        import linopy

        m = linopy.Model()
    v = define_variables(m, p)
    stocks = define_stocks(m, p, v)
    define_datacentre(m, p, v, stocks)
    define_firm_power(m, p, v, stocks)
    define_site_limits(m, p, stocks)
    if p.hourly is None:
        define_annual_energy(m, p, v, stocks)
    else:
        define_hourly_supply(m, p, v, stocks)
    define_grid_energy(m, p, v)
    define_power_lead_time(m, p, v)
    define_hbm_supply(m, p, v)
    define_growth(m, p, v)
    define_campus_size(m, p, v, stocks)
    wafers_used = define_chip_supply(m, p, v)
    define_power_supply(m, p, v, stocks)
    capex_by_year = define_budget(m, p, v)
    define_target(m, p, v, stocks)
    expressions = define_objective(m, p, v, stocks, objective)
    expressions.update(capex_by_year=capex_by_year, wafers_used=wafers_used)
    return BuiltModel(
        model=m, inputs=p, objective=objective, penalty_usd_per_unit=shortfall_penalty(p), expressions=expressions
    )


def existing_facility_mw(p: PlanInputs) -> xr.DataArray:
    """Facility power of the existing fleet at peak, (year, site) [MW]."""
    return (p.existing_stock * p.facility_mw).sum("chip")


def _waits(p: PlanInputs) -> tuple[xr.DataArray, xr.DataArray]:
    """(partial, waits): sources arriving mid-year (year, source, site), and site-years whose existing hardware
    waits for them (year, site)."""
    partial = (p.source_share < 1.0 - 1e-9) & p.source_allowed
    return partial, partial.any("source") & (existing_facility_mw(p) > 0)


def define_variables(m: Any, p: PlanInputs) -> PlanVariables:
    """Every variable, in label order: purchases, halls, plants, energy, grid, slacks, retirements, idle hardware,
    hourly dispatch, campus shortfall."""
    vintages = p.years.rename("vintage")
    vintage_years = _vintage(xr.DataArray(p.years, coords={"year": p.years}, dims="year"))
    available = (vintage_years >= p.launch_year) & (np.floor(vintage_years) <= p.last_sale_year)
    buy = m.add_variables(
        lower=0,
        coords=[vintages, p.sites, p.chips],
        name="buy",
        mask=available.transpose("vintage", "chip")
        .broadcast_like(xr.DataArray(np.ones(len(p.sites)), coords={"site": p.sites}, dims="site"))
        .transpose("vintage", "site", "chip"),
    )
    dc = m.add_variables(lower=0, coords=[vintages, p.sites], name="datacentre_mw")
    cap = m.add_variables(
        lower=0,
        coords=[vintages, p.sites, p.sources],
        name="capacity_mw",
        mask=p.source_allowed.expand_dims(vintage=vintages),
    )
    gen = m.add_variables(
        lower=0,
        coords=[p.years, p.sites, p.sources],
        name="generation_mwh",
        mask=p.source_allowed.expand_dims(year=p.years),
    )
    grid = m.add_variables(lower=0, coords=[p.years, p.sites], name="grid_mwh")
    contract = m.add_variables(lower=0, coords=[p.years, p.sites], name="grid_contract_mw")
    shortfall = m.add_variables(lower=0, coords=[p.years], name="shortfall", mask=p.target.notnull())
    retire_new = retire_existing = None
    if p.early_retirement:
        # retire[r, ...]: taken out of service from year r on (before the end of life); no salvage value
        retire_years = p.years.rename("retire_year")
        r_year = xr.DataArray(p.years.values, coords={"retire_year": retire_years}, dims="retire_year")
        v_year = xr.DataArray(p.years.values, coords={"vintage": vintages}, dims="vintage")
        template = filled_like(p.it_mw, 1).expand_dims(vintage=vintages)  # (vintage, site, chip)
        can_retire = ((r_year > v_year) & (r_year - v_year < p.chip_life_years)).broadcast_like(template)
        retire_new = m.add_variables(
            lower=0,
            coords=[retire_years, vintages, p.sites, p.chips],
            name="retire_new",
            mask=can_retire.transpose("retire_year", "vintage", "site", "chip"),
        )
        retire_existing = m.add_variables(lower=0, coords=[retire_years, p.sites, p.chips], name="retire_existing")
    existing_facility = existing_facility_mw(p)
    idle = m.add_variables(
        lower=0, upper=existing_facility, coords=[p.years, p.sites], name="idle_mw", mask=existing_facility > 0
    )
    _, waits = _waits(p)
    wait = m.add_variables(lower=0, upper=existing_facility, coords=[p.years, p.sites], name="wait_mw", mask=waits)
    hourly: dict[str, Any] = {}
    if p.hourly is not None:
        h = p.hourly
        periods, hours = h.pue.indexes["period"], h.pue.indexes["hour"]
        dispatchable = p.source_allowed & (p.sources != "battery-4h")
        hourly["generation"] = m.add_variables(
            lower=0,
            coords=[p.years, p.sites, p.sources, periods, hours],
            name="generation_hourly_mw",
            mask=dispatchable.expand_dims(year=p.years, period=periods, hour=hours).transpose(
                "year", "site", "source", "period", "hour"
            ),
        )
        hourly["grid"] = m.add_variables(lower=0, coords=[p.years, p.sites, periods, hours], name="grid_hourly_mw")
        battery_here = p.source_allowed.sel(source="battery-4h") if "battery-4h" in p.sources else None
        if battery_here is not None and bool(battery_here.any()):
            coords = [p.years, p.sites, periods, hours]
            site_mask = battery_here.expand_dims(year=p.years, period=periods, hour=hours).transpose(
                "year", "site", "period", "hour"
            )
            for key, name in (("charge", "battery_charge_mw"), ("discharge", "battery_discharge_mw")):
                hourly[key] = m.add_variables(lower=0, coords=coords, name=name, mask=site_mask)
            hourly["soc"] = m.add_variables(lower=0, coords=coords, name="battery_soc_mwh", mask=site_mask)
    campus_shortfall = None
    needs_campus = p.min_facility_mw.notnull()
    if bool(needs_campus.any()):
        campus_shortfall = m.add_variables(
            lower=0, coords=[p.years, p.sites], name="campus_shortfall_mw", mask=needs_campus
        )
    return PlanVariables(
        buy=Terms.of(buy),
        datacentre=Terms.of(dc),
        capacity=Terms.of(cap),
        generation=Terms.of(gen),
        grid=Terms.of(grid),
        contract=Terms.of(contract),
        shortfall=Terms.of(shortfall),
        retire_new=Terms.of(retire_new) if retire_new is not None else None,
        retire_existing=Terms.of(retire_existing) if retire_existing is not None else None,
        idle=Terms.of(idle),
        wait=Terms.of(wait),
        hourly={key: Terms.of(var) for key, var in hourly.items()},
        campus_shortfall=Terms.of(campus_shortfall) if campus_shortfall is not None else None,
    )


def define_stocks(m: Any, p: PlanInputs, v: PlanVariables) -> Stocks:
    """Stocks in service from the vintages still within their lives; early retirement's limits
    (``retire_new_limit``, ``retire_existing_limit``)."""
    active = p.active_chip  # (year, vintage)
    stock = (v.buy * active).sum("vintage")  # (site, chip, year)
    retired_new = retired_old = None
    if v.retire_new is not None and v.retire_existing is not None:
        retire_years = p.years.rename("retire_year")
        upto = xr.DataArray(
            (p.years.values[:, None] >= p.years.values[None, :]).astype(float),
            coords={"year": p.years, "retire_year": retire_years},
            dims=("year", "retire_year"),
        )
        retired_new, retired_old = v.retire_new, v.retire_existing
        add_constraint(m, "retire_new_limit", retired_new.sum("retire_year") - v.buy, "<=", 0.0)
        cumulative_old = (retired_old * upto).sum("retire_year")
        add_constraint(m, "retire_existing_limit", cumulative_old, "<=", p.existing_stock)
        stock = stock - ((retired_new * upto).sum("retire_year") * active).sum("vintage") - cumulative_old
    facility_active = (active.vintage <= active.year) & (active.year - active.vintage < p.facility_life_years)
    unpowered = v.idle + v.wait  # year-average MW of existing facility power without supply
    return Stocks(
        stock=stock,
        retired_new=retired_new,
        retired_old=retired_old,
        dc_stock=(v.datacentre * facility_active.astype(float)).sum("vintage"),
        cap_stock=(v.capacity * p.source_active).sum("vintage"),
        facility_load=(stock * p.facility_mw).sum("chip"),
        unpowered=unpowered,
    )


def define_datacentre(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``datacentre``: IT load ≤ halls in service; ``datacentre_lead_time``: no new halls before the lead time."""
    existing_it = (p.existing_stock * p.it_mw).sum("chip")
    add_constraint(m, "datacentre", (s.stock * p.it_mw).sum("chip") - s.dc_stock, "<=", p.existing_dc_mw - existing_it)
    early = _vintage(xr.DataArray(p.years < p.datacentre_first_year, coords={"year": p.years}, dims="year"))
    if bool(early.any()):
        mask = early.broadcast_like(xr.DataArray(np.zeros(len(p.sites)), coords={"site": p.sites}, dims="site"))
        add_constraint(m, "datacentre_lead_time", v.datacentre, "<=", 0.0, mask=mask.transpose("vintage", "site"))


def define_firm_power(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``grid_contract`` (subscribed ≤ available grid), ``firm_power`` (peak facility power ≤ firm supply),
    ``power_arrival`` (existing hardware waits for mid-year sources), ``grid_minimum_take``."""
    existing_facility = existing_facility_mw(p)
    add_constraint(m, "grid_contract", v.contract, "<=", p.grid_mw)
    firm = (s.cap_stock * p.source_firm_credit).sum("source")
    add_constraint(m, "firm_power", s.facility_load - firm - v.contract - v.idle, "<=", -existing_facility)
    partial, waits = _waits(p)
    if bool(waits.any()):  # before the earliest of them arrives, existing hardware beyond year-round supply waits
        share = p.source_share.where(partial).max("source").fillna(1.0)
        full_firm = (s.cap_stock * (p.source_firm_credit * (~partial).astype(float))).sum("source")
        add_constraint(
            m,
            "power_arrival",
            v.wait + (v.contract + full_firm + v.idle) * (1.0 - share),
            ">=",
            (1.0 - share) * existing_facility,
            mask=waits,
        )
    if p.grid_minimum_take > 0:
        add_constraint(
            m,
            "grid_minimum_take",
            v.grid - v.contract * (p.grid_minimum_take * p.grid_load_factor * (HOURS_PER_YEAR * p.step_years)),
            ">=",
            0.0,
        )


def define_site_limits(m: Any, p: PlanInputs, s: Stocks) -> None:
    """``site_limit`` (facility power ≤ the site's cap) and ``water`` (water use ≤ the site's limit)."""
    existing_facility = existing_facility_mw(p)
    finite_site = finite(p.max_facility_mw)
    if bool(finite_site.any()):
        add_constraint(
            m,
            "site_limit",
            s.facility_load,
            "<=",
            p.max_facility_mw.where(finite_site, 0.0) - existing_facility,
            mask=finite_site.broadcast_like(p.grid_mw),
        )
    finite_water = finite(p.max_water_m3)
    if bool(finite_water.any()):
        add_constraint(
            m,
            "water",
            (s.stock * p.water_m3).sum("chip"),
            "<=",
            (p.max_water_m3 - (p.existing_stock * p.water_m3).sum("chip")).where(finite_water, 0.0),
            mask=finite_water.broadcast_like(p.grid_mw),
        )


def define_annual_energy(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``energy_balance`` (grid + generation ≥ the fleet's energy), ``generation`` (≤ capacity × capacity factor ×
    hours in service), ``storage_energy`` (batteries make no net energy): ``power_model: firm``."""
    step = p.step_years  # energy per step: the yearly energy x the step's length
    existing_energy = (p.existing_stock * p.energy_mwh).sum("chip") * step
    energy = (s.stock * (p.energy_mwh * step)).sum("chip")
    add_constraint(
        m,
        "energy_balance",
        v.grid + v.generation.sum("source") - energy + s.unpowered * (_per_existing_mw(p, p.energy_mwh) * step),
        ">=",
        existing_energy,
    )
    add_constraint(
        m,
        "generation",
        v.generation - s.cap_stock * (p.source_share * p.source_capacity_factor * (HOURS_PER_YEAR * step)),
        "<=",
        0.0,
        mask=p.source_allowed.expand_dims(year=p.years),
    )
    storage = [source for source in STORAGE_SOURCES if source in p.sources.values]
    if storage:  # a battery stores energy, it makes none: over a year its net output is zero (losses aside)
        add_constraint(
            m,
            "storage_energy",
            v.generation.sel(source=storage),
            "<=",
            0.0,
            mask=p.source_allowed.sel(source=storage).expand_dims(year=p.years),
        )


def define_hourly_supply(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """Hourly supply on each site's representative days, linked to the annual grid and generation variables.

    Per year, site, typical day and hour: Σ generation + grid import + battery discharge − charge ≥ IT draw × PUE(t);
    generation ≤ availability(t) × capacity in service; grid import ≤ the site's subscribed grid capacity; battery
    state of charge cyclic over each day, ≤ 4 h × battery capacity. Annual grid and generation energy (priced in the
    objective) are the weighted sums of the hourly values.
    """
    h = p.hourly
    assert h is not None
    periods, hours = h.pue.indexes["period"], h.pue.indexes["hour"]
    dispatchable = p.source_allowed & (p.sources != "battery-4h")
    gen_h, grid_h = v.hourly["generation"], v.hourly["grid"]
    add_constraint(m, "grid_import_hourly", grid_h - v.contract, "<=", 0.0)
    add_constraint(
        m,
        "generation_hourly",
        gen_h - s.cap_stock * (h.availability * p.source_share),
        "<=",
        0.0,
        mask=dispatchable.expand_dims(year=p.years, period=periods, hour=hours).transpose(
            "year", "site", "source", "period", "hour"
        ),
    )
    draw = (s.stock * p.it_mw).sum("chip") * h.it_draw_fraction  # (site, year) average IT MW drawn
    existing_draw = (p.existing_stock * p.it_mw).sum("chip") * h.it_draw_fraction
    # an idle MW of existing facility power draws nothing: its IT share at the hour's PUE leaves the balance
    idle_draw_per_mw = _per_existing_mw(p, p.it_mw) * h.it_draw_fraction
    supply = gen_h.sum("source") + grid_h
    if "soc" in v.hourly:
        battery_here = p.source_allowed.sel(source="battery-4h")
        site_mask = battery_here.expand_dims(year=p.years, period=periods, hour=hours).transpose(
            "year", "site", "period", "hour"
        )
        charge, discharge, soc = v.hourly["charge"], v.hourly["discharge"], v.hourly["soc"]
        eta = float(np.sqrt(h.battery_efficiency))
        battery_mw = s.cap_stock.sel(source="battery-4h")
        add_constraint(
            m,
            "battery_state_of_charge",
            soc - soc.roll(hour=1) - charge * eta + discharge * (1.0 / eta),
            "=",
            0.0,
            mask=site_mask,
        )
        add_constraint(m, "battery_energy", soc - battery_mw * h.battery_duration_h, "<=", 0.0, mask=site_mask)
        add_constraint(m, "battery_charge_limit", charge - battery_mw, "<=", 0.0, mask=site_mask)
        add_constraint(m, "battery_discharge_limit", discharge - battery_mw, "<=", 0.0, mask=site_mask)
        supply = supply + discharge - charge
        add_constraint(
            m,
            "battery_energy_link",
            v.generation.sel(source="battery-4h") - (discharge.sum("hour") * h.weight).sum("period"),
            "=",
            0.0,
            mask=battery_here.expand_dims(year=p.years),
        )
    add_constraint(
        m,
        "hourly_balance",
        supply - draw * h.pue + s.unpowered * (idle_draw_per_mw * h.pue),
        ">=",
        existing_draw * h.pue,
    )
    add_constraint(m, "grid_energy_link", v.grid - (grid_h.sum("hour") * h.weight).sum("period"), "=", 0.0)
    add_constraint(
        m,
        "generation_link",
        v.generation - (gen_h.sum("hour") * h.weight).sum("period"),
        "=",
        0.0,
        mask=dispatchable.expand_dims(year=p.years),
    )


def define_grid_energy(m: Any, p: PlanInputs, v: PlanVariables) -> None:
    """``grid_energy``: grid energy ≤ subscribed capacity × hours (of the step)."""
    add_constraint(m, "grid_energy", v.grid - v.contract * (HOURS_PER_YEAR * p.step_years), "<=", 0.0)


def define_power_lead_time(m: Any, p: PlanInputs, v: PlanVariables) -> None:
    """``power_lead_time``: no on-site capacity before each source's lead time."""
    too_early = _vintage(xr.DataArray(p.years, coords={"year": p.years}, dims="year")) < p.source_first_year
    lead_mask = too_early & p.source_allowed
    if bool(lead_mask.any()):
        add_constraint(
            m, "power_lead_time", v.capacity, "<=", 0.0, mask=lead_mask.transpose("vintage", "site", "source")
        )


def define_hbm_supply(m: Any, p: PlanInputs, v: PlanVariables) -> None:
    """``hbm_supply``: HBM stacks of the year's purchases ≤ the stacks this buyer obtains."""
    finite_hbm = finite(p.hbm_stacks)
    if bool(finite_hbm.any()):
        stacks_used = _vintage_to_year((v.buy * p.hbm_per_accelerator).sum(["site", "chip"]))
        add_constraint(m, "hbm_supply", stacks_used, "<=", p.hbm_stacks.where(finite_hbm, 0.0), mask=finite_hbm)


def define_growth(m: Any, p: PlanInputs, v: PlanVariables) -> None:
    """``growth``: facility power added per year ≤ the site's build rate."""
    finite_build = finite(p.max_build_mw)
    if bool(finite_build.any()):
        pue_peak = (p.facility_mw / p.it_mw).isel(chip=0, drop=True)
        mask = finite_build.expand_dims(vintage=p.years.rename("vintage")).transpose("vintage", "site")
        add_constraint(m, "growth", v.datacentre * pue_peak, "<=", p.max_build_mw.where(finite_build, 0.0), mask=mask)


def define_campus_size(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``campus_size``: facility power ≥ the campus size required in listed years (elastic)."""
    if v.campus_shortfall is None:
        return
    needs_campus = p.min_facility_mw.notnull()
    add_constraint(
        m,
        "campus_size",
        s.facility_load + v.campus_shortfall,
        ">=",
        (p.min_facility_mw - existing_facility_mw(p)).where(needs_campus, 0.0),
        mask=needs_campus,
    )


def define_chip_supply(m: Any, p: PlanInputs, v: PlanVariables) -> Terms:
    """``supply`` (CoWoS wafers of the year's purchases ≤ this buyer's wafers) and ``ramp`` (a new chip's share
    of them in its first two years); returns the wafers used per year."""
    wafers_used = _vintage_to_year((v.buy * p.wafers_per_accelerator).sum(["site", "chip"]))
    add_constraint(m, "supply", wafers_used, "<=", p.wafers)
    ramped = p.ramp_share < 1.0
    if bool(ramped.any()):  # a new chip takes only part of the year's wafers in its first two years
        chip_wafers = _vintage_to_year((v.buy * p.wafers_per_accelerator).sum("site"))
        add_constraint(m, "ramp", chip_wafers, "<=", (p.ramp_share * p.wafers).where(ramped, 0.0), mask=ramped)
    return wafers_used


def define_power_supply(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``turbine_supply``, ``engine_supply`` (gas plant built per year ≤ this buyer's share of world output) and
    ``bridge_supply`` (rented bridge power in service ≤ the rental fleet)."""
    for name, sources, limit in (
        ("turbine_supply", TURBINE_SOURCES, p.turbine_mw),
        ("engine_supply", ENGINE_SOURCES, p.engine_mw),
    ):
        present = [source for source in sources if source in p.sources.values]
        if present:  # gas turbines are a supply chain like CoWoS: world output x this buyer's share per year
            built = _vintage_to_year(v.capacity.sel(source=present).sum(["site", "source"]))
            add_constraint(m, name, built, "<=", limit)
    bridge = [source for source in BRIDGE_SOURCES if source in p.sources.values]
    if bridge:  # rented: the rental fleet limits what is in service each year, not what is built
        add_constraint(m, "bridge_supply", s.cap_stock.sel(source=bridge).sum(["site", "source"]), "<=", p.bridge_mw)


def define_budget(m: Any, p: PlanInputs, v: PlanVariables) -> Terms:
    """``budget``: capex booked in a year ≤ its budget; returns the capex per year [USD M]."""
    capex_by_year = _vintage_to_year(
        (v.buy * (_vintage(p.it_capex_usd) / USD_SCALE)).sum(["site", "chip"])
        + (v.datacentre * (p.facility_capex_usd_per_mw / USD_SCALE)).sum("site")
        + (v.capacity * (p.source_capex_usd_per_mw / USD_SCALE)).where(p.source_allowed).sum(["site", "source"])
    )
    finite_budget = finite(p.budget_usd)
    if bool(finite_budget.any()):
        spent = capex_by_year
        if p.step_years != 1.0:  # budgets are per calendar year: the capex of its steps together
            spent = (capex_by_year.rename({"year": "step"}) * _steps_of_years(p)).sum("step")
        add_constraint(
            m, "budget", spent, "<=", (p.budget_usd / USD_SCALE).where(finite_budget, 0.0), mask=finite_budget
        )
    return capex_by_year


def _steps_of_years(p: PlanInputs) -> xr.DataArray:
    """1 where a step (``step``) falls in a calendar year (``year``), else 0."""
    assert p.calendar_years is not None
    steps = p.years.to_numpy(dtype=float)
    member = np.floor(steps)[:, None] == p.calendar_years.to_numpy()[None, :]
    return xr.DataArray(
        member.astype(float), coords={"step": p.years.rename("step"), "year": p.calendar_years}, dims=("step", "year")
    )


def define_target(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks) -> None:
    """``target``: the fleet's metric delivered + shortfall ≥ the year's target."""
    has_target = p.target.notnull()
    if not bool(has_target.any()):
        return
    delivered = (s.stock * p.metric).sum(["site", "chip"]) - (s.unpowered * _per_existing_mw(p, p.metric)).sum("site")
    existing_metric = (p.existing_stock * p.metric).sum(["site", "chip"])
    add_constraint(
        m, "target", delivered + v.shortfall, ">=", (p.target - existing_metric).where(has_target, 0.0), mask=has_target
    )


def define_objective(m: Any, p: PlanInputs, v: PlanVariables, s: Stocks, objective: str) -> dict[str, Any]:
    """Discounted cost (annuitised capex within the horizon + discounted opex + shortfall penalties), or most
    H100e-years (``max_h100e``); returns the cost expressions reported with the plan."""
    capital = (
        (v.buy * (_vintage(p.it_capex_usd) / USD_SCALE) * _vintage(p.annuity_chip)).sum()
        + (v.datacentre * (p.facility_capex_usd_per_mw / USD_SCALE) * _vintage(p.annuity_facility)).sum()
        + (v.capacity * (p.source_capex_usd_per_mw / USD_SCALE) * p.source_annuity.rename({"year": "vintage"}))
        .where(p.source_allowed)
        .sum()
    )
    # the existing fleet's IT maintenance, staff and water and its halls' maintenance are paid too: a constant
    # (linopy objectives take none, and it changes no decision), added to the reported opex and cost
    # opex per step: yearly rates x the step's length; grid and generation are energies of the step already
    step = p.step_years
    existing_opex = (
        (p.existing_stock * p.it_opex_usd).sum(["site", "chip"])
        + (p.existing_dc_mw * p.facility_opex_usd_per_mw).sum("site")
    ) * step
    running = (
        (s.stock * (p.it_opex_usd * step / USD_SCALE)).sum(["site", "chip"])
        + (s.dc_stock * (p.facility_opex_usd_per_mw * step / USD_SCALE)).sum("site")
        + (v.grid * (p.grid_price_usd_per_mwh / USD_SCALE)).sum("site")
        + (v.generation * (p.source_variable_usd_per_mwh / USD_SCALE)).sum(["site", "source"])
        + (s.cap_stock * (p.source_fixed_usd_per_mw_year * step / USD_SCALE))
        .where(p.source_allowed)
        .sum(["site", "source"])
        + (s.unpowered * (p.idle_capital_usd_per_mw_year * step / USD_SCALE)).sum("site")
    )
    cost = capital + (running * p.discount).sum()
    if bool(p.target.notnull().any()):
        cost = cost + (v.shortfall * (shortfall_penalty(p) / USD_SCALE)).sum()
    if v.campus_shortfall is not None:
        cost = cost + (v.campus_shortfall * (campus_shortfall_penalty(p) / USD_SCALE)).sum()
    if objective == "max_h100e":
        h100e_years = (s.stock * p.h100e).sum()
        set_objective(m, h100e_years * -1.0 + cost * 1e-9)
    else:
        set_objective(m, cost)
    return {
        "stock": s.stock,
        "retired_new": s.retired_new,
        "retired_old": s.retired_old,
        "dc_stock": s.dc_stock,
        "cap_stock": s.cap_stock,
        "running": running,
        "capital": capital,
        "idle": s.unpowered,
        "idle_capital": (s.unpowered * (p.idle_capital_usd_per_mw_year * step)).sum("site"),
        "contract": v.contract,
        "existing_opex_usd": existing_opex,
    }


def _per_existing_mw(p: PlanInputs, per_accelerator: xr.DataArray) -> xr.DataArray:
    """Σ existing × ``per_accelerator`` per MW of the existing fleet's facility power, (year, site); 0 where none."""
    facility = existing_facility_mw(p)
    has = facility > 0
    return ((p.existing_stock * per_accelerator).sum("chip") / facility.where(has, 1.0)).where(has, 0.0)


def _vintage_to_year(expression: Terms) -> Terms:
    """Rename the vintage dimension of an expression to year (capacity entering service in that year)."""
    return expression.rename({"vintage": "year"})

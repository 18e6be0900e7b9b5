"""Hourly least-cost power supply for an AI campus (linopy + HiGHS).

The load is IT × PUE(t) (facility physics from the site's hourly temperature). Candidate supplies: grid import
(capped, at the regional industrial price and grid CO2), gas CCGT, simple-cycle turbines, reciprocating engines,
nuclear (large, SMR, restart — where their lead time allows by the year asked), solar PV and onshore wind (hourly
capacity factors), and 4-hour batteries. The linear programme chooses capacities and hourly dispatch to minimise
annual cost (annualised capex + fixed O&M + fuel and variable O&M + grid energy) subject to:

* hourly energy balance (surplus = curtailment); unserved energy allowed only up to (1 − availability) of the
  annual load, and priced at the value of lost load;
* firm capacity: Σ firm credit × capacity + grid import cap ≥ peak load × (1 + reserve margin) + the largest
  dispatchable block (N+1);
* battery state of charge, cyclic over the year (full) or over each representative day (repdays);
* optional carbon cap on supplied energy [g/kWh]; optional battery buffer ≥ training swing × IT load.

With ``hours="repdays"`` the year is replaced by tsam representative days (weights = days represented) that keep
the peak-load, least-solar and least-wind days.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gigafleet.catalog import Catalog
from gigafleet.errors import GigafleetError, InputError
from gigafleet.power.facility import campus_load_mw, cooling_physics, hourly_pue
from gigafleet.power.regional import grid_co2_g_per_kwh
from gigafleet.power.repdays import representative_days
from gigafleet.power.weather import REFERENCE_YEAR, site_climate, site_weather
from gigafleet.solver import solve_quietly

USD_SCALE = 1e6
VALUE_OF_LOST_LOAD_USD_PER_MWH = 10_000.0
"""Price of unserved energy [USD/MWh] (order of magnitude of US VOLL studies); only used within the availability
allowance."""
BUILD_START_YEAR = 2026
"""Year new plants can be ordered; a source is available from BUILD_START_YEAR + its lead time."""
DISPATCHABLE = ("ccgt", "ocgt", "recip", "nuclear-large", "nuclear-smr", "nuclear-restart", "bridge")
VARIABLE = {"solar-pv": "solar_cf", "wind-onshore": "wind_cf"}
STORAGE = ("battery-4h",)
ALIASES = {
    "solar": "solar-pv",
    "pv": "solar-pv",
    "wind": "wind-onshore",
    "battery": "battery-4h",
    "smr": "nuclear-smr",
    "nuclear": "nuclear-large",
    "gas": "ccgt",
    "engines": "recip",
    "rental": "bridge",
}
ALL_SOURCES = ("grid", *DISPATCHABLE, *VARIABLE, *STORAGE)


class PowerModelError(GigafleetError):
    """The campus model could not be solved."""


@dataclass(frozen=True)
class CampusSpec:
    """A campus supply problem.

    Attributes
    ----------
    site
        Site id (``sites.csv``).
    it_load_gw
        Average IT load [GW].
    year
        Year of operation (default 2030): a source ordered at the start of ``BUILD_START_YEAR`` counts if its lead
        time (in months, not rounded years) ends by mid-year, i.e. it serves at least half of ``year``.
    sources
        Candidate sources (ids or aliases: grid, ccgt, ocgt, recip, nuclear-*, solar, wind, battery).
    carbon_cap_g_per_kwh
        Cap on CO2 per kWh supplied [g/kWh]; ``None`` for none.
    availability
        Share of annual load that must be served [fraction, 0 < a < 1].
    hours
        ``full`` (8,760 h) or ``repdays``.
    n_days
        Typical days for ``repdays`` (extreme days are added).
    cooling
        Cooling type for the PUE model.
    reserve_margin
        Firm capacity above peak load [fraction].
    training_swing
        Battery buffer as a share of IT load for synchronous-training power swings [fraction]; 0 for none.
    grid_gw
        Grid import cap [GW]; ``None`` uses the site's ``grid_import_gw``.
    seed
        Weather seed.
    replications
        Designs behind the P10/P50/P90 (``replications`` in the result): replication 0 is this design, r >= 1
        re-solves with weather seed + r and sampled cost inputs; ``None``: :func:`auto_replications` (the CLI's
        default).
    """

    site: str
    it_load_gw: float
    year: int = BUILD_START_YEAR + 4
    sources: tuple[str, ...] = ("grid", "ccgt", "ocgt", "recip", "solar-pv", "wind-onshore", "battery-4h", "bridge")
    carbon_cap_g_per_kwh: float | None = None
    availability: float = 0.999
    hours: str = "full"
    n_days: int = 12
    cooling: str = "liquid"
    reserve_margin: float = 0.15
    training_swing: float = 0.0
    grid_gw: float | None = None
    seed: int = 0
    notes: list[str] = field(default_factory=list)
    replications: int | None = 1


AUTO_REPLICATIONS_REPDAYS = 4
"""Replications of ``--replications auto`` with ``--hours repdays`` (one more design costs ~1.5 s here)."""
MAX_REPLICATIONS = 100
"""Most replications one design may ask for."""
AUTO_RULE = (
    f"auto: {AUTO_REPLICATIONS_REPDAYS} with --hours repdays (~1.5 s per extra design), 1 with --hours full "
    "(each extra design re-solves a full year, ~1 min; ask with --replications N)"
)
"""The ``auto`` rule in words (help text and JSON)."""


def auto_replications(spec: CampusSpec) -> int:
    """Replications of ``--replications auto``: :data:`AUTO_REPLICATIONS_REPDAYS` for representative days, 1 for
    the full year (see :data:`AUTO_RULE`)."""
    return AUTO_REPLICATIONS_REPDAYS if spec.hours == "repdays" else 1


@dataclass
class SourceData:
    """Cost and performance of one candidate source (catalogue mid values)."""

    id: str
    annual_fixed_usd_per_mw: float  # annualised capex + fixed O&M
    capex_usd_per_mw: float
    fixed_om_usd_per_mw: float
    variable_usd_per_mwh: float  # variable O&M (+ fuel, below)
    fuel_usd_per_mwh: float
    co2_t_per_mwh: float
    firm_credit: float
    availability: float  # 1 - forced outage rate (dispatchable)
    max_capacity_factor: float  # catalogue high of the capacity factor: annual energy <= this x capacity
    unit_size_mw: float
    land_km2_per_mw: float
    water_m3_per_mwh: float
    lead_time_years: float


def normalise_sources(
    catalog: Catalog, names: tuple[str, ...] | list[str], field: str = "--sources"
) -> tuple[str, ...]:
    """Map aliases to ids and check every source exists."""
    out: list[str] = []
    for name in names:
        key = ALIASES.get(name.strip().lower(), name.strip().lower())
        if key not in ALL_SOURCES:
            raise InputError(field, name, sorted(set(ALL_SOURCES) | set(ALIASES)))
        catalog.item("power_sources", key, field_name=field)
        if key not in out:
            out.append(key)
    if not out:
        raise InputError(field, ",".join(names), "at least one source")
    return tuple(out)


def source_data(
    catalog: Catalog, source: str, wacc: float, region: str = "us", costs: Mapping[str, float] | None = None
) -> SourceData:
    """Costs of a source built in ``region``, annualised at ``wacc`` over its life.

    Capex is the catalogue (US) capex times the region's factor and fuel is priced at the region's gas price
    (:mod:`gigafleet.power.regional`); ``costs`` (keys of :func:`gigafleet.power.uncertainty.cost_inputs`)
    replaces catalogue mid values, e.g. by a draw of a replication.
    """
    from gigafleet.power.uncertainty import cost_inputs, mid_costs, source_costs

    item = catalog.item("power_sources", source)
    values = {**mid_costs(cost_inputs(catalog, region, (source,))), "wacc": wacc, **(costs or {})}
    priced = source_costs(catalog, source, region, values)
    return SourceData(
        id=source,
        annual_fixed_usd_per_mw=float(priced.annual_fixed_usd_per_mw),
        capex_usd_per_mw=float(priced.capex_usd_per_mw),
        fixed_om_usd_per_mw=float(priced.fixed_om_usd_per_mw),
        variable_usd_per_mwh=item["variable_om_usd_per_mwh"].mid,
        fuel_usd_per_mwh=float(priced.fuel_usd_per_mwh),
        co2_t_per_mwh=item["co2_g_per_kwh"].mid / 1000.0,
        firm_credit=item["firm_capacity_credit"].mid,
        availability=1.0 - item["forced_outage_rate"].mid,
        max_capacity_factor=item["capacity_factor"].high,
        unit_size_mw=item["unit_size_mw"].mid,
        land_km2_per_mw=item["land_km2_per_gw"].mid / 1000.0,
        water_m3_per_mwh=item["water_m3_per_mwh"].mid,
        lead_time_years=item["lead_time_years"].mid,
    )


def validate_campus(catalog: Catalog, spec: CampusSpec) -> tuple[str, ...]:
    """Check the spec; return the sources usable in ``spec.year`` (raises :class:`InputError`)."""
    site_climate(catalog, spec.site)
    catalog.item("cooling", spec.cooling, field_name="--cooling")
    if not 1e-3 <= spec.it_load_gw <= 100:
        raise InputError("--it-load-gw", spec.it_load_gw, "an IT load from 0.001 to 100 GW, e.g. 1.2")
    if spec.grid_gw is not None and not 0 <= spec.grid_gw <= 1000:
        raise InputError("--grid-gw", spec.grid_gw, "a grid import cap from 0 to 1,000 GW")
    if not 2015 <= spec.year <= 2100:
        raise InputError("--year", spec.year, "a year from 2015 to 2100")
    if not 0 < spec.availability < 1:
        raise InputError("--availability", spec.availability, "a fraction strictly between 0 and 1, e.g. 0.999")
    if spec.carbon_cap_g_per_kwh is not None and not 0 <= spec.carbon_cap_g_per_kwh <= 2000:
        raise InputError("--carbon-cap-g-per-kwh", spec.carbon_cap_g_per_kwh, "a cap from 0 to 2,000 g/kWh")
    if spec.hours not in ("full", "repdays"):
        raise InputError("--hours", spec.hours, ["full", "repdays"])
    if not 0 <= spec.reserve_margin <= 1:
        raise InputError("--reserve-margin", spec.reserve_margin, "a fraction in [0, 1]")
    if not 0 <= spec.training_swing < 1:
        raise InputError("--training-swing", spec.training_swing, "a fraction in [0, 1)")
    if not 2 <= spec.n_days <= 60:
        raise InputError("--days", spec.n_days, "2 to 60 typical days")
    sources = normalise_sources(catalog, spec.sources)
    usable = []
    for source in sources:
        lead = catalog.item("power_sources", source)["lead_time_years"].mid if source != "grid" else 0.0
        if BUILD_START_YEAR + lead <= spec.year + 0.5:  # in service by mid-year: serves at least half of it
            usable.append(source)
        else:
            ready = BUILD_START_YEAR + lead
            spec.notes.append(
                f"{source} excluded: with a {lead * 12:.0f}-month lead time from the start of "
                f"{BUILD_START_YEAR} it is in service from {_month(ready)}, after mid-{spec.year}."
            )
    if not usable:
        raise InputError("--sources", ",".join(sources), f"at least one source available by {spec.year}")
    return tuple(usable)


def _month(year: float) -> str:
    """``2027.25`` -> ``'Apr 2027'`` (the month a fractional year falls in)."""
    whole = math.floor(year + 1e-9)
    month = min(11, round((year - whole) * 12))
    return f"{('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')[month]} {whole}"


@dataclass
class CampusInputs:
    """Time series (dims period × hour) and source data for the LP."""

    spec: CampusSpec
    sources: tuple[str, ...]
    load_mw: xr.DataArray
    capacity_factor: dict[str, xr.DataArray]
    weight: xr.DataArray  # (period) real days (or hours/24) each period stands for
    data: dict[str, SourceData]
    grid_cap_mw: float
    grid_price_usd_per_mwh: float
    grid_co2_t_per_mwh: float
    grid_water_m3_per_mwh: float
    grid_minimum_take: float  # share of the subscribed slice of the load the grid serves first
    battery_duration_h: float
    battery_efficiency: float
    hourly: pd.DataFrame  # full-year hourly weather, pue and load
    assignments: np.ndarray  # real day -> period (repdays), or zeros (full)
    mean_pue: float


def build_campus_inputs(catalog: Catalog, spec: CampusSpec, costs: Mapping[str, float] | None = None) -> CampusInputs:
    """Weather, facility load and source costs for a spec (validated first); ``costs`` replaces catalogue mid
    cost inputs (keys of :func:`gigafleet.power.uncertainty.cost_inputs`: capex, fixed O&M, gas and grid
    prices, WACC)."""
    sources = validate_campus(catalog, spec)
    site = site_climate(catalog, spec.site)
    weather = site_weather(catalog, spec.site, spec.seed)
    physics = cooling_physics(catalog, spec.cooling)
    pue = hourly_pue(weather["temp_c"].to_numpy(), physics)
    load = campus_load_mw(spec.it_load_gw * 1000.0, pue, spec.training_swing, np.random.default_rng(spec.seed + 1))
    hourly = weather.assign(pue=pue, load=load)
    hourly.attrs["latitude"] = site.latitude_deg
    hourly.attrs["wue_l_per_kwh"] = physics.wue_l_per_kwh
    if spec.hours == "repdays":
        reps = representative_days(
            hourly.rename(columns={"solar_cf": "solar", "wind_cf": "wind"})[["load", "solar", "wind"]], spec.n_days
        )
        series = reps.series
        periods = pd.Index(sorted(set(series.index.get_level_values("period"))), name="period")

        def grid(column: str) -> xr.DataArray:
            values = np.array([series.loc[p][column].to_numpy() for p in periods])
            return xr.DataArray(
                values, coords={"period": periods, "hour": pd.RangeIndex(24, name="hour")}, dims=("period", "hour")
            )

        load_da = grid("load")
        cf = {"solar-pv": grid("solar").clip(0, 1), "wind-onshore": grid("wind").clip(0, 1)}
        weight = xr.DataArray(reps.weights.reindex(periods).to_numpy(), coords={"period": periods}, dims="period")
        assignments = reps.assignments
    else:
        coords = {"period": pd.RangeIndex(1, name="period"), "hour": pd.RangeIndex(len(hourly), name="hour")}
        load_da = xr.DataArray(hourly["load"].to_numpy()[None, :], coords=coords, dims=("period", "hour"))
        cf = {
            "solar-pv": xr.DataArray(hourly["solar_cf"].to_numpy()[None, :], coords=coords, dims=("period", "hour")),
            "wind-onshore": xr.DataArray(hourly["wind_cf"].to_numpy()[None, :], coords=coords, dims=("period", "hour")),
        }
        weight = xr.DataArray([1.0], coords={"period": coords["period"]}, dims="period")
        assignments = np.zeros(365, dtype=int)
    region = catalog.item("regions", site.region)
    wacc = catalog.item("facility", "finance")["wacc"].mid
    if costs is not None:
        wacc = costs.get("wacc", wacc)
    data = {s: source_data(catalog, s, wacc, site.region, costs) for s in sources if s != "grid"}
    battery = catalog.item("power_sources", "battery-4h")
    grid_cap = (spec.grid_gw if spec.grid_gw is not None else site.grid_import_gw) * 1000.0
    return CampusInputs(
        spec=spec,
        sources=sources,
        load_mw=load_da,
        capacity_factor=cf,
        weight=weight,
        data=data,
        grid_cap_mw=grid_cap if "grid" in sources else 0.0,
        grid_price_usd_per_mwh=(costs or {}).get(
            "electricity_price_usd_per_mwh", region["electricity_price_usd_per_mwh"].mid
        ),
        grid_co2_t_per_mwh=grid_co2_g_per_kwh(catalog, site.region, spec.year) / 1000.0,
        grid_water_m3_per_mwh=catalog.item("power_sources", "grid")["water_m3_per_mwh"].mid,
        grid_minimum_take=catalog.item("power_sources", "grid")["minimum_take_fraction"].mid,
        battery_duration_h=battery["duration_h"].mid,
        battery_efficiency=battery["round_trip_efficiency"].mid,
        hourly=hourly,
        assignments=assignments,
        mean_pue=float(np.mean(pue)),
    )


def _hour_weight(inputs: CampusInputs) -> xr.DataArray:
    """Hours of the real year each modelled hour stands for (1 for the full year; days represented for repdays)."""
    return inputs.weight


def build_campus_model(inputs: CampusInputs, *, carbon_slack: bool = False) -> Any:
    """The linopy model (see module docstring). ``carbon_slack`` adds a penalised slack on the carbon cap."""
    import linopy

    spec = inputs.spec
    m = linopy.Model()
    periods, hours = inputs.load_mw.indexes["period"], inputs.load_mw.indexes["hour"]
    w = _hour_weight(inputs)
    gens = [s for s in inputs.sources if s in DISPATCHABLE or s in VARIABLE]
    total_load = float((inputs.load_mw.sum("hour") * w).sum())
    peak_load = float(inputs.hourly["load"].max())
    blocks = [inputs.data[g].unit_size_mw for g in gens if g in DISPATCHABLE and 0 < inputs.data[g].unit_size_mw]
    n_plus_one = max([b for b in blocks if b <= peak_load] or [0.0])
    firm_required = peak_load * (1 + spec.reserve_margin) + n_plus_one
    # linear expressions built up term by term (plain numbers until a variable joins them)
    supply: Any = 0
    variable_cost: Any = 0
    fixed_cost: Any = 0
    emissions: Any = 0
    firm: Any = 0
    if gens:
        gen_index = pd.Index(gens, name="source")
        capacity = m.add_variables(lower=0, coords=[gen_index], name="capacity_mw")
        dispatch = m.add_variables(lower=0, coords=[gen_index, periods, hours], name="dispatch_mw")
        avail = xr.concat(
            [
                inputs.capacity_factor[g]
                if g in VARIABLE
                else xr.full_like(inputs.load_mw, inputs.data[g].availability)
                for g in gens
            ],
            dim=gen_index,
        )
        m.add_constraints(dispatch - capacity * avail <= 0, name="generation")
        firm_gens = [g for g in gens if g in DISPATCHABLE]
        if firm_gens:  # dispatch honesty: no source runs above its catalogue capacity-factor high over the year
            ceiling = xr.DataArray(
                [inputs.data[g].max_capacity_factor for g in firm_gens],
                coords={"source": pd.Index(firm_gens, name="source")},
                dims="source",
            )
            hours_total = float((xr.ones_like(inputs.load_mw).sum("hour") * w).sum())
            m.add_constraints(
                (dispatch.sel(source=firm_gens).sum("hour") * w).sum("period")
                - capacity.sel(source=firm_gens) * (ceiling * hours_total)
                <= 0,
                name="capacity_factor_ceiling",
            )
        supply = dispatch.sum("source")
        marginal = xr.DataArray(
            [inputs.data[g].variable_usd_per_mwh + inputs.data[g].fuel_usd_per_mwh for g in gens],
            coords={"source": gen_index},
            dims="source",
        )
        annual_fixed = xr.DataArray(
            [inputs.data[g].annual_fixed_usd_per_mw for g in gens], coords={"source": gen_index}, dims="source"
        )
        co2 = xr.DataArray([inputs.data[g].co2_t_per_mwh for g in gens], coords={"source": gen_index}, dims="source")
        credit = xr.DataArray([inputs.data[g].firm_credit for g in gens], coords={"source": gen_index}, dims="source")
        variable_cost = ((dispatch * (marginal / USD_SCALE)).sum("source").sum("hour") * w).sum()
        fixed_cost = (capacity * (annual_fixed / USD_SCALE)).sum()
        emissions = ((dispatch * co2).sum("source").sum("hour") * w).sum()
        firm = (capacity * credit).sum()
    if "grid" in inputs.sources and inputs.grid_cap_mw > 0:
        # the grid is a subscription (at most the connection): it counts as firm capacity and serves its slice of
        # the load (its share of the firm requirement x load, times the minimum take) before on-site plant runs
        subscribed = m.add_variables(lower=0, upper=inputs.grid_cap_mw, name="grid_subscribed_mw")
        grid = m.add_variables(lower=0, coords=[periods, hours], name="grid_mw")
        m.add_constraints(grid - subscribed <= 0, name="grid_import")
        if inputs.grid_minimum_take > 0:
            m.add_constraints(
                grid - subscribed * (inputs.grid_minimum_take * inputs.load_mw / firm_required) >= 0,
                name="grid_minimum_take",
            )
        supply = supply + grid
        variable_cost = variable_cost + ((grid * (inputs.grid_price_usd_per_mwh / USD_SCALE)).sum("hour") * w).sum()
        emissions = emissions + ((grid * inputs.grid_co2_t_per_mwh).sum("hour") * w).sum()
        firm = firm + subscribed
    if "battery-4h" in inputs.sources:
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
        supply = supply + discharge - charge
        fixed_cost = fixed_cost + power * (battery.annual_fixed_usd_per_mw / USD_SCALE)
        variable_cost = variable_cost + ((discharge * (battery.variable_usd_per_mwh / USD_SCALE)).sum("hour") * w).sum()
        firm = firm + battery.firm_credit * power
        if spec.training_swing > 0:
            m.add_constraints(power >= spec.training_swing * spec.it_load_gw * 1000.0, name="training_buffer")
    unserved = m.add_variables(lower=0, coords=[periods, hours], name="unserved_mw")
    m.add_constraints(supply + unserved >= inputs.load_mw, name="balance")
    m.add_constraints(((unserved.sum("hour")) * w).sum() <= (1 - spec.availability) * total_load, name="availability")
    onsite_firm = any(g in DISPATCHABLE for g in gens) or "battery-4h" in inputs.sources
    if not onsite_firm:  # only the grid can be firm: say so plainly instead of an infeasible model
        if inputs.grid_cap_mw < firm_required:
            raise InputError(
                "--sources",
                ",".join(inputs.sources),
                f"sources that can provide firm capacity for the {peak_load / 1000:.2f} GW peak load: "
                f"only {inputs.grid_cap_mw / 1000:.2f} GW of grid import is available by {spec.year} "
                "(add a dispatchable source, a later --year, or raise --grid-gw)",
            )
    if not isinstance(firm, (int, float)):
        m.add_constraints(firm >= firm_required, name="firm_capacity")
    penalty = ((unserved.sum("hour") * w).sum()) * (VALUE_OF_LOST_LOAD_USD_PER_MWH / USD_SCALE)
    objective = fixed_cost + variable_cost + penalty
    if spec.carbon_cap_g_per_kwh is not None:
        # the cap is on the intensity of the energy served (as reported): unserved load earns no allowance
        cap_t = spec.carbon_cap_g_per_kwh / 1000.0 * (total_load - (unserved.sum("hour") * w).sum())
        if carbon_slack:
            slack = m.add_variables(lower=0, name="carbon_slack_t")
            m.add_constraints(emissions - slack <= cap_t, name="carbon_cap")
            objective = objective + slack * 1e6
        elif isinstance(emissions, (int, float)):  # nothing emits: only a zero cap with no load could fail
            if emissions > spec.carbon_cap_g_per_kwh / 1000.0 * total_load:
                raise InputError("--carbon-cap-g-per-kwh", spec.carbon_cap_g_per_kwh, "a cap above 0 g/kWh")
        else:
            m.add_constraints(emissions <= cap_t, name="carbon_cap")
    m.add_objective(objective)
    return m


def _solve(model: Any, solver: str, interior_point: bool = False) -> tuple[str, str]:
    # HiGHS IPX: ~1.5x faster than dual simplex on carbon-capped full years
    options = {"solver": "ipm"} if interior_point else None
    status, termination = solve_quietly(model, solver, error=PowerModelError, highs_options=options)
    return str(status), str(termination)


def _week(inputs: CampusInputs, model: Any, start_day: int) -> dict[str, Any]:
    """Hourly dispatch of the 7 days from ``start_day`` (0-based), mapped from representative days if needed."""
    days = range(start_day, start_day + 7)
    index = inputs.hourly.index

    def series(values: xr.DataArray) -> list[float]:
        out: list[float] = []
        for day in days:
            if inputs.spec.hours == "repdays":
                period = int(inputs.assignments[day])
                out.extend(float(v) for v in values.sel(period=period).to_numpy())
            else:
                out.extend(float(v) for v in values.isel(period=0).to_numpy()[day * 24 : (day + 1) * 24])
        return out

    dispatch: dict[str, list[float]] = {}
    if "dispatch_mw" in model.variables:
        solution = model.variables["dispatch_mw"].solution
        for source in solution.indexes["source"]:
            dispatch[str(source)] = series(solution.sel(source=source))
    if "grid_mw" in model.variables:
        dispatch["grid"] = series(model.variables["grid_mw"].solution)
    week: dict[str, Any] = {
        "start": str(index[start_day * 24].date()),
        "time": [str(t) for t in index[start_day * 24 : (start_day + 7) * 24]],
        "load_mw": series(inputs.load_mw),
        "dispatch_mw": dispatch,
        "pue": [float(v) for v in inputs.hourly["pue"].to_numpy()[start_day * 24 : (start_day + 7) * 24]],
        "temp_c": [float(v) for v in inputs.hourly["temp_c"].to_numpy()[start_day * 24 : (start_day + 7) * 24]],
    }
    if "discharge_mw" in model.variables:
        dispatch["battery"] = series(model.variables["discharge_mw"].solution)
        week["battery_charge_mw"] = series(model.variables["charge_mw"].solution)
        week["battery_soc_mwh"] = series(model.variables["soc_mwh"].solution)
    supply = np.sum([np.asarray(v) for v in dispatch.values()], axis=0) if dispatch else np.zeros(168)
    charge = np.asarray(week.get("battery_charge_mw", np.zeros(len(supply))))
    week["curtailment_mw"] = [float(x) for x in np.maximum(0.0, supply - charge - np.asarray(week["load_mw"]))]
    return week


def _dual(model: Any, name: str) -> float | None:
    if name not in model.constraints:
        return None
    dual = model.constraints[name].dual
    try:
        return float(np.asarray(dual).sum())
    except (TypeError, ValueError):
        return None


@dataclass
class SolvedCampus:
    """A solved (or infeasible) campus model with its inputs, for reporting and tests."""

    inputs: CampusInputs
    model: Any
    status: str
    termination: str
    build_seconds: float
    seconds: float


def solve_campus(
    catalog: Catalog,
    spec: CampusSpec,
    solver: str = "highs",
    inputs: CampusInputs | None = None,
    progress: Callable[[str], None] | None = None,
) -> SolvedCampus:
    """Build and solve the campus LP (``inputs`` may be given, e.g. a truncated horizon in tests); ``progress`` is
    told each stage as it starts (weather and load, the LP, the solve)."""
    say = progress or (lambda _stage: None)
    started = time.perf_counter()
    hours = "every hour of the year" if spec.hours == "full" else f"{spec.n_days} representative days"
    say(f"weather, PUE and load of {spec.site} ({hours})")
    prepared = inputs or build_campus_inputs(catalog, spec)
    say("building the LP")
    model = build_campus_model(prepared)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    say(f"solving {model.nvars:,} variables x {model.ncons:,} constraints ({solver})")
    status, termination = _solve(
        model, solver, interior_point=spec.hours == "full" and spec.carbon_cap_g_per_kwh is not None
    )
    return SolvedCampus(prepared, model, status, termination, build_seconds, time.perf_counter() - started)


def design_campus(
    catalog: Catalog, spec: CampusSpec, solver: str = "highs", progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Build and solve the campus supply problem; return the JSON-ready design (see ``gigafleet power --json``).

    ``progress`` is told each stage as it starts (``solve_campus``'s, then reading the solution)."""
    solved = solve_campus(catalog, spec, solver, progress=progress)
    if progress is not None:
        progress("reading the solution")
    inputs, model, status, termination = solved.inputs, solved.model, solved.status, solved.termination
    site = site_climate(catalog, spec.site)
    head: dict[str, Any] = {
        "schema_version": 1,
        "site": {
            "id": site.id,
            "label": site.label,
            "latitude_deg": site.latitude_deg,
            "longitude_deg": site.longitude_deg,
            "region": site.region,
            "campus": site.campus,
        },
        "inputs": {
            "it_load_gw": spec.it_load_gw,
            "year": spec.year,
            "carbon_cap_g_per_kwh": spec.carbon_cap_g_per_kwh,
            "availability": spec.availability,
            "sources": list(inputs.sources),
            "hours": spec.hours,
            "n_days": spec.n_days if spec.hours == "repdays" else None,
            "cooling": spec.cooling,
            "reserve_margin": spec.reserve_margin,
            "training_swing": spec.training_swing,
            "grid_gw": inputs.grid_cap_mw / 1000.0,
            "seed": spec.seed,
            "weather_year": REFERENCE_YEAR,
        },
        "solver": {
            "name": solver,
            "status": status,
            "termination": termination,
            "seconds": solved.seconds,
            "build_seconds": solved.build_seconds,
            "variables": int(model.nvars),
            "constraints": int(model.ncons),
        },
    }
    if termination in ("infeasible", "infeasible_or_unbounded"):
        explanation = _explain_infeasible(catalog, inputs, solver)
        return {**head, "status": "infeasible", "notes": [*spec.notes, explanation], "binding": []}
    if status != "ok" or termination != "optimal":
        raise PowerModelError(f"solver {solver!r} stopped with status {status!r}, termination {termination!r}")
    design = {**head, **_report(inputs, model), "status": "optimal"}
    from gigafleet.power.uncertainty import cost_range

    variable = {s: d.variable_usd_per_mwh for s, d in inputs.data.items()}
    design["cost_range"] = cost_range(catalog, site.region, design, variable, spec.seed)
    design["replications"] = _replications(catalog, spec, solver, inputs, design, progress)
    return design


REPLICATION_METRICS = ("lcoe_usd_per_mwh", "annual_cost_usd", "capex_usd", "co2_g_per_kwh", "energy_twh")
"""Design metrics summarised over replications."""


def _replications(
    catalog: Catalog,
    spec: CampusSpec,
    solver: str,
    inputs: CampusInputs,
    design: dict[str, Any],
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    """The ``replications`` block: replication 0 is ``design``; replication r >= 1 re-solves with weather seed
    + r and one draw of the ranged cost inputs (:func:`gigafleet.power.uncertainty.one_draw`, generator
    ``(seed, r)``)."""
    from gigafleet.power.uncertainty import cost_inputs, one_draw, percentiles

    count = spec.replications if spec.replications is not None else auto_replications(spec)
    if not 1 <= count <= MAX_REPLICATIONS:
        raise InputError("--replications", count, f"auto or a whole number from 1 to {MAX_REPLICATIONS}")
    region = site_climate(catalog, spec.site).region
    ranges = cost_inputs(catalog, region, inputs.sources)
    runs = [design]
    infeasible = []
    for r in range(1, count):
        if progress is not None:
            progress(f"replication {r + 1} of {count}: weather seed {spec.seed + r}, sampled costs")
        spec_r = dataclasses.replace(spec, seed=spec.seed + r, notes=[], replications=1)
        inputs_r = build_campus_inputs(catalog, spec_r, one_draw(ranges, np.random.default_rng((spec.seed, r))))
        solved = solve_campus(catalog, spec_r, solver, inputs=inputs_r)
        if solved.status == "ok" and solved.termination == "optimal":
            runs.append(_report(inputs_r, solved.model, weeks=False))
        else:
            infeasible.append(spec.seed + r)
    sources = [row["source"] for row in design["capacity"]]
    capacity = {
        source: percentiles(
            [next((row["capacity_gw"] for row in run["capacity"] if row["source"] == source), 0.0) for run in runs]
        )
        for source in sources
    }
    metrics = {
        name: percentiles([run[name] for run in runs if run[name] is not None] or [float("nan")])
        for name in REPLICATION_METRICS
    }
    if count == 1:
        note = (
            "One design (this seed at catalogue mid costs): each P10/P50/P90 is that single value; ask for more "
            "with --replications N (each re-solves the LP"
            + (", ~1 min for a full year)." if spec.hours == "full" else ").")
        )
    else:
        note = (
            f"P10/P50/P90 over {len(runs)} designs: design 0 is the one above; design r >= 1 re-solves with "
            "weather seed + r and one PERT draw of each ranged cost input (capex and fixed O&M of each source, "
            "gas and grid prices, cost of capital)."
            + (f" {len(infeasible)} infeasible replication(s) left out." if infeasible else "")
        )
    return {
        "count": count,
        "auto": spec.replications is None,
        "rule": AUTO_RULE,
        "seeds": [spec.seed + r for r in range(count)],
        "infeasible_seeds": infeasible,
        "metrics": metrics,
        "capacity_gw": capacity,
        "note": note,
    }


def _explain_infeasible(catalog: Catalog, inputs: CampusInputs, solver: str) -> str:
    """Name the binding limit of an infeasible design (re-solve with a penalised carbon slack if a cap is set)."""
    spec = inputs.spec
    if spec.carbon_cap_g_per_kwh is not None:
        model = build_campus_model(inputs, carbon_slack=True)
        status, termination = _solve(model, solver)
        if status == "ok" and termination == "optimal":
            total = float((inputs.load_mw.sum("hour") * inputs.weight).sum())
            emitted = spec.carbon_cap_g_per_kwh / 1000.0 * total + float(model.variables["carbon_slack_t"].solution)
            lowest = emitted / total * 1000.0
            return (
                f"infeasible: the carbon cap of {spec.carbon_cap_g_per_kwh:g} g/kWh binds; the cleanest mix of "
                f"{', '.join(inputs.sources)} available by {spec.year} emits {lowest:.0f} g/kWh at availability "
                f"{spec.availability:g}. Allow a zero-carbon firm source (nuclear, more storage) or raise the cap."
            )
    return (
        f"infeasible: the sources {', '.join(inputs.sources)} cannot serve {spec.availability:.4%} of the load "
        "with the firm-capacity and availability limits; add a dispatchable source or raise the grid cap."
    )


def _report(inputs: CampusInputs, model: Any, *, weeks: bool = True) -> dict[str, Any]:
    """The design of a solved model (``weeks``: with the summer and winter weeks' hourly dispatch)."""
    spec = inputs.spec
    w = inputs.weight
    total_load_mwh = float((inputs.load_mw.sum("hour") * w).sum())
    energy: dict[str, float] = {}
    hours_served: dict[str, float] = {}
    capacity_mw: dict[str, float] = {}
    load = inputs.load_mw
    hours_total = float((xr.ones_like(load).sum("hour") * w).sum())

    def served_share(dispatch: xr.DataArray) -> float:
        return float(((dispatch > 0.01 * load).sum("hour") * w).sum()) / hours_total

    if "dispatch_mw" in model.variables:
        dispatch = model.variables["dispatch_mw"].solution
        for source in dispatch.indexes["source"]:
            d = dispatch.sel(source=source)
            energy[str(source)] = float((d.sum("hour") * w).sum())
            hours_served[str(source)] = served_share(d)
        capacity = model.variables["capacity_mw"].solution
        capacity_mw.update({str(s): float(capacity.sel(source=s)) for s in capacity.indexes["source"]})
    if "grid_mw" in model.variables:
        g = model.variables["grid_mw"].solution
        energy["grid"] = float((g.sum("hour") * w).sum())
        hours_served["grid"] = served_share(g)
        capacity_mw["grid"] = float(g.max())
    if "battery_mw" in model.variables:
        discharge = model.variables["discharge_mw"].solution
        energy["battery-4h"] = float((discharge.sum("hour") * w).sum())
        hours_served["battery-4h"] = served_share(discharge)
        capacity_mw["battery-4h"] = float(model.variables["battery_mw"].solution)
    unserved = float((model.variables["unserved_mw"].solution.sum("hour") * w).sum())
    supplied = sum(energy.values())
    charge = (
        float((model.variables["charge_mw"].solution.sum("hour") * w).sum()) if "charge_mw" in model.variables else 0.0
    )
    curtailment = max(0.0, supplied - charge - (total_load_mwh - unserved))
    rows, stack = [], []
    annual_cost = capex = co2 = water = land = 0.0
    for source, raw_mw in capacity_mw.items():
        mw = max(raw_mw, 0.0)  # solver noise (-0.0)
        e = max(energy.get(source, 0.0), 0.0)
        if source == "grid":
            cost = e * inputs.grid_price_usd_per_mwh
            capital = fixed = fuel = 0.0
            variable = cost
            source_co2 = e * inputs.grid_co2_t_per_mwh
            source_water = e * inputs.grid_water_m3_per_mwh
            source_capex = source_land = 0.0
        else:
            d = inputs.data[source]
            capital = mw * (d.annual_fixed_usd_per_mw - d.fixed_om_usd_per_mw)
            fixed = mw * d.fixed_om_usd_per_mw
            variable = e * d.variable_usd_per_mwh
            fuel = e * d.fuel_usd_per_mwh
            cost = capital + fixed + variable + fuel
            source_co2 = e * d.co2_t_per_mwh
            source_water = e * d.water_m3_per_mwh
            source_capex = mw * d.capex_usd_per_mw
            source_land = mw * d.land_km2_per_mw
        annual_cost += cost
        capex += source_capex
        co2 += source_co2
        water += source_water
        land += source_land
        rows.append(
            {
                "source": source,
                "capacity_gw": mw / 1000.0,
                "energy_twh": e / 1e6,
                "share_of_energy": e / supplied if supplied else 0.0,
                "share_of_hours_served": hours_served.get(source, 0.0),
                "capacity_factor": e / (mw * 8760.0) if mw > 0 else 0.0,
                "capex_usd": source_capex,
                "annual_cost_usd": cost,
                "co2_mt": source_co2 / 1e6,
            }
        )
        stack.append(
            {
                "source": source,
                "capital_usd": capital,
                "fixed_om_usd": fixed,
                "variable_usd": variable,
                "fuel_usd": fuel,
            }
        )
    served = total_load_mwh - unserved
    binding = []
    for name, unit, scale, meaning in (
        ("carbon_cap", "USD per tCO2", -USD_SCALE, "cost of cutting one more tonne of CO2 under the cap"),
        ("firm_capacity", "USD per MW-yr", USD_SCALE, "cost of one more MW of required firm capacity"),
        ("availability", "USD per MWh", -USD_SCALE, "saving from allowing one more MWh unserved"),
        ("training_buffer", "USD per MW-yr", USD_SCALE, "cost of one more MW of battery buffer"),
    ):
        dual = _dual(model, name)
        if dual is not None and abs(dual) > 1e-9:
            binding.append({"limit": name, "shadow_price": dual * scale, "unit": unit, "meaning": meaning})
    if "grid_mw" in model.variables:
        upper = model.variables["grid_mw"].solution >= inputs.grid_cap_mw - 1e-6
        if bool(upper.any()):
            binding.append(
                {
                    "limit": "grid_cap",
                    "shadow_price": float(upper.sum()),
                    "unit": "hours at the cap",
                    "meaning": "hours in which grid import sits at its cap",
                }
            )
    hourly_load = inputs.hourly["load"]
    summer, winter = (189, 14) if site_is_north(inputs) else (14, 189)
    return {
        "lcoe_usd_per_mwh": annual_cost / served if served else None,
        "annual_cost_usd": annual_cost,
        "capex_usd": capex,
        "energy_twh": served / 1e6,
        "co2_mt": co2 / 1e6,
        "co2_g_per_kwh": co2 / served * 1000.0 if served else None,
        "water_m3": water,
        "facility_water_m3": float(total_load_mwh / inputs.mean_pue * 1000.0 * cooling_physics_wue(inputs) / 1000.0),
        "land_km2": land,
        "curtailment_twh": curtailment / 1e6,
        "unserved_mwh": unserved,
        "peak_load_gw": float(hourly_load.max()) / 1000.0,
        "mean_load_gw": float(hourly_load.mean()) / 1000.0,
        "mean_pue": inputs.mean_pue,
        "capacity": rows,
        "cost_stack": stack,
        "binding": binding,
        "weeks": {"summer": _week(inputs, model, summer), "winter": _week(inputs, model, winter)} if weeks else {},
        "notes": [
            *spec.notes,
            "Costs are annual: capex annualised at the catalogue cost of capital over each plant's life, plus "
            "fixed O&M, fuel and variable O&M, and grid energy at the regional industrial price.",
            "Firm capacity = peak load x (1 + reserve margin) + the largest dispatchable block (N+1); "
            "unserved energy is allowed up to (1 - availability) of annual load.",
            "Weather is a seeded synthetic year calibrated to the site's shipped solar and wind capacity "
            "factors and climate normals, not a measured year.",
        ],
    }


def site_is_north(inputs: CampusInputs) -> bool:
    """True when the site is in the northern hemisphere (for choosing summer and winter weeks)."""
    return bool(inputs.hourly.attrs.get("latitude", 1.0) >= 0)


def cooling_physics_wue(inputs: CampusInputs) -> float:
    """On-site water use of the campus cooling [L/kWh of IT energy] (stored on the hourly frame)."""
    return float(inputs.hourly.attrs.get("wue_l_per_kwh", 0.0))

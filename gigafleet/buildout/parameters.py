"""Coefficients of the build-out model, from the catalogue and the fleet model (one source of truth).

Per-accelerator power and cost come from :func:`gigafleet.fleet.per_accelerator` evaluated at catalogue mid
values for each (site, chip) pair, i.e. exactly what ``gigafleet estimate`` computes per accelerator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gigafleet.buildout.lazydask import defer_dask_probe
from gigafleet.buildout.scenario import STEP_YEARS, PlanScenario, existing_rows, step_value
from gigafleet.buildout.terms import filled_like
from gigafleet.catalog import Catalog
from gigafleet.errors import InputError
from gigafleet.fleet import (
    CAPEX_PARTS,
    HOURS_PER_YEAR,
    IT_CAPEX_PARTS,
    FleetSpec,
    Sizing,
    capital_recovery_factor,
    per_accelerator,
    point_inputs,
    price_factor,
)
from gigafleet.power.regional import grid_co2_g_per_kwh, region_capex_factor, region_gas_price

defer_dask_probe()  # xarray would import dask.array (~0.4 s) to check arrays we create

MW_PER_GW = 1000.0


MW_PER_GW_TURBINES = 1000.0
TURBINE_SOURCES = ("ccgt", "ocgt")
"""Power sources built from large gas turbines (the turbine-supply limit)."""
ENGINE_SOURCES = ("recip",)
"""Power sources built from gas engines (the engine-supply limit; the buyer's share is the turbine share)."""
BRIDGE_SOURCES = ("bridge",)
"""Rented bridge power (mobile turbines, batteries): limited by the rental fleet a buyer can hire each year."""


@dataclass
class PlanInputs:
    """Every coefficient the model needs, as labelled arrays.

    Dimensions: ``year``, ``site``, ``chip``, ``source`` (on-site power sources), ``vintage`` (install year).
    With ``step: quarter`` the ``year`` and ``vintage`` coordinates are the quarters' start times in years
    (2026.0, 2026.25, ...); quantities per step (supply, wafers, budgets per calendar year aside) are per quarter,
    rates (power, costs per year, build rates per year) stay per year and the model scales them by ``step_years``.
    Units are in the attribute names' suffixes: ``_mw`` per accelerator [MW], ``_usd`` [USD],
    ``_usd_per_mw`` [USD/MW], ``_mwh`` [MWh/yr], ``_t_per_mwh`` [t CO2/MWh].
    """

    years: pd.Index
    sites: pd.Index
    chips: pd.Index
    sources: pd.Index
    discount: xr.DataArray  # (year) discount factor to the start year
    it_mw: xr.DataArray  # (site, chip) IT power per accelerator
    facility_mw: xr.DataArray  # (site, chip) facility power at peak per accelerator
    energy_mwh: xr.DataArray  # (site, chip) facility energy per accelerator-year
    water_m3: xr.DataArray  # (site, chip) on-site water per accelerator-year [m3/yr]
    max_water_m3: xr.DataArray  # (site) water limit per year; inf when unlimited
    it_capex_usd: xr.DataArray  # (year, site, chip) accelerator (on its price path) + server + network + storage
    it_opex_usd: xr.DataArray  # (site, chip) per accelerator-year: IT maintenance, staff, water
    facility_capex_usd_per_mw: xr.DataArray  # (site) per MW of IT capacity
    facility_opex_usd_per_mw: xr.DataArray  # (site) per MW of IT capacity per year
    metric: xr.DataArray  # (chip) target metric per accelerator (H100e or 1)
    h100e: xr.DataArray  # (chip)
    launch_year: xr.DataArray  # (chip) first year it can be bought (volume year or sales window)
    last_sale_year: xr.DataArray  # (chip) last year it can be bought
    chip_life_years: int
    facility_life_years: int
    wacc: float
    active_chip: xr.DataArray  # (year, vintage) 1 if a vintage is in service in a year
    annuity_chip: xr.DataArray  # (year) discounted annuity sum per USD of IT capex installed that year
    annuity_facility: xr.DataArray  # (year)
    grid_mw: xr.DataArray  # (year, site) firm grid import available
    grid_price_usd_per_mwh: xr.DataArray  # (site)
    grid_co2_t_per_mwh: xr.DataArray  # (year, site) on the region's trajectory
    grid_minimum_take: float  # share of contracted grid energy paid for whether drawn or not
    grid_load_factor: xr.DataArray  # (site) least energy / (peak facility power x hours) of the site's chips
    max_facility_mw: xr.DataArray  # (site) inf when unlimited
    existing_dc_mw: xr.DataArray  # (site)
    existing_stock: xr.DataArray  # (year, site, chip) accelerators already in service
    idle_capital_usd_per_mw_year: xr.DataArray  # (year, site) capital charge of existing hardware per facility MW-yr
    source_allowed: xr.DataArray  # (site, source) bool
    source_capex_usd_per_mw: xr.DataArray  # (site, source) US capex x the region's capex factor
    source_fixed_usd_per_mw_year: xr.DataArray  # (source)
    source_variable_usd_per_mwh: xr.DataArray  # (site, source) variable O&M + fuel at the region's gas price
    source_capacity_factor: xr.DataArray  # (source)
    source_firm_credit: xr.DataArray  # (source)
    source_co2_t_per_mwh: xr.DataArray  # (source)
    source_life_years: xr.DataArray  # (source) catalogue life [years]
    source_first_year: xr.DataArray  # (source) first year new capacity can serve
    source_active: xr.DataArray  # (year, vintage, source)
    source_share: xr.DataArray  # (year, source) share of the year new capacity serves (first year)
    source_annuity: xr.DataArray  # (year, source)
    datacentre_first_year: float  # first year (step) new halls can serve
    wafers: xr.DataArray  # (year) CoWoS wafers obtainable by this buyer
    ramp_share: xr.DataArray  # (year, chip) largest share of the year's wafers a chip can take (1 = no limit)
    turbine_mw: xr.DataArray  # (year) gas-turbine capacity (CCGT, OCGT) obtainable by this buyer [MW]
    engine_mw: xr.DataArray  # (year) gas-engine capacity (recip) obtainable by this buyer [MW]
    bridge_mw: xr.DataArray  # (year) bridge power this buyer can rent [MW]
    wafers_per_accelerator: xr.DataArray  # (chip)
    hbm_stacks: xr.DataArray  # (year) HBM stacks obtainable by this buyer; inf when unlimited
    hbm_per_accelerator: xr.DataArray  # (chip) HBM stacks per package
    max_build_mw: xr.DataArray  # (site) facility power that can be added per year; inf when unlimited
    min_facility_mw: xr.DataArray  # (year, site) campus size required; NaN when none
    metric_scale: float  # target metric unit inside the model (1 = as given; 1e15 for FLOP/s)
    budget_usd: xr.DataArray  # (year) inf when unlimited
    target: xr.DataArray  # (year) NaN when no target that year
    target_metric: str
    early_retirement: bool = False
    hourly: HourlyProfiles | None = None
    step_years: float = 1.0  # length of a step [years]: 1 (step: year) or 0.25 (step: quarter)
    calendar_years: pd.Index | None = None  # the horizon's years (``years`` holds the steps' start times)


@dataclass
class HourlyProfiles:
    """Representative days per site for ``power_model: hourly`` (dims site × period × hour).

    Periods are each site's own typical and extreme days (tsam), padded with zero-weight days so every site has
    the same count.
    """

    weight: xr.DataArray  # (site, period) real days each typical day stands for
    pue: xr.DataArray  # (site, period, hour) facility/IT power ratio from the site's temperature
    availability: xr.DataArray  # (site, source, period, hour) available share of capacity
    it_draw_fraction: float  # average IT draw as a share of peak IT power
    battery_duration_h: float
    battery_efficiency: float


def _typical_days(reps: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Weights [days] (period,) and each column's typical days (period, 24) of representative days, whether they
    hold numpy ``profiles`` or a (period, hour) ``series`` frame with a ``weights`` series."""
    if hasattr(reps, "profiles"):
        return np.asarray(reps.weights, dtype=float), {c: np.asarray(v, dtype=float) for c, v in reps.profiles.items()}
    periods = list(reps.weights.index)
    days = {c: np.array([reps.series.loc[q][c].to_numpy() for q in periods]) for c in reps.series.columns}
    return reps.weights.loc[periods].to_numpy(dtype=float), days


def build_hourly_profiles(
    catalog: Catalog, scenario: PlanScenario, sites: pd.Index, sources: pd.Index
) -> HourlyProfiles:
    """Weather, hourly PUE and representative days for every site (``power_model: hourly``)."""
    from gigafleet.power.facility import cooling_physics, hourly_pue
    from gigafleet.power.repdays import representative_days
    from gigafleet.power.weather import site_weather

    per_site = []
    for site in scenario.sites:
        weather = site_weather(catalog, site.weather or "")
        pue = hourly_pue(weather["temp_c"].to_numpy(), cooling_physics(catalog, site.cooling))
        frame = pd.DataFrame(
            {"load": pue, "solar": weather["solar_cf"].to_numpy(), "wind": weather["wind_cf"].to_numpy()},
            index=weather.index,
        )
        per_site.append(representative_days(frame, scenario.power_days))
    n_periods = max(len(r.weights) for r in per_site)
    periods = pd.RangeIndex(n_periods, name="period")
    hours = pd.RangeIndex(24, name="hour")
    weight = np.zeros((len(sites), n_periods))
    pue_profile = np.ones((len(sites), n_periods, 24))
    avail = np.ones((len(sites), len(sources), n_periods, 24))
    for i, reps in enumerate(per_site):
        weights, days = _typical_days(reps)
        for j in range(len(weights)):
            weight[i, j] = weights[j]
            pue_profile[i, j] = days["load"][j]
            for k, source in enumerate(sources):
                if source == "solar-pv":
                    avail[i, k, j] = np.clip(days["solar"][j], 0, 1)
                elif source == "wind-onshore":
                    avail[i, k, j] = np.clip(days["wind"][j], 0, 1)
                elif source in ("none", "battery-4h"):
                    avail[i, k, j] = 0.0
                else:
                    avail[i, k, j] = 1.0 - catalog.item("power_sources", source)["forced_outage_rate"].mid
    operations = catalog.item("facility", "operations")
    idle = operations["idle_power_fraction"].mid
    battery = catalog.item("power_sources", "battery-4h")
    return HourlyProfiles(
        weight=xr.DataArray(weight, coords={"site": sites, "period": periods}, dims=("site", "period")),
        pue=xr.DataArray(
            pue_profile, coords={"site": sites, "period": periods, "hour": hours}, dims=("site", "period", "hour")
        ),
        availability=xr.DataArray(
            avail,
            coords={"site": sites, "source": sources, "period": periods, "hour": hours},
            dims=("site", "source", "period", "hour"),
        ),
        it_draw_fraction=idle + (1 - idle) * operations["utilisation"].mid,
        battery_duration_h=battery["duration_h"].mid,
        battery_efficiency=battery["round_trip_efficiency"].mid,
    )


def _annuity(wacc: float, life: float, years: pd.Index, discount: xr.DataArray, step: float = 1.0) -> xr.DataArray:
    """Discounted sum, within the horizon, of the annuity of 1 USD of capex installed in each step [USD/USD].

    With quarterly steps the annuity is paid each quarter at the quarterly rate ``(1 + wacc)^(1/4) - 1`` over
    ``4 x life`` quarters (the same present value as the yearly annuity over ``life`` years).
    """
    if step == 1.0:
        crf = float(capital_recovery_factor(wacc, life))
    else:
        crf = float(capital_recovery_factor((1.0 + wacc) ** step - 1.0, life / step))
    start = years.to_numpy(dtype=float)
    factors = discount.to_numpy()
    served = (start[None, :] >= start[:, None]) & (start[None, :] < start[:, None] + life)  # (vintage, year)
    values = [crf * float(factors[row].sum()) for row in served]
    return xr.DataArray(values, coords={"year": years}, dims="year")


def _stack(arrays: list[xr.DataArray], index: pd.Index) -> xr.DataArray:
    """Arrays of equal dimensions and coordinates stacked along a new first dimension ``index`` (as ``xr.concat``
    along a new dimension, without its alignment of every operand)."""
    first = arrays[0]
    coords = {str(index.name): index, **{str(d): first.indexes[d] for d in first.dims}}
    return xr.DataArray(np.stack([a.values for a in arrays]), coords=coords, dims=(str(index.name), *first.dims))


def _active(years: pd.Index, life: float) -> xr.DataArray:
    grid = np.array([[1.0 if 0 <= y - v < life else 0.0 for v in years] for y in years])
    return xr.DataArray(grid, coords={"year": years, "vintage": years.rename("vintage")}, dims=("year", "vintage"))


def build_inputs(catalog: Catalog, scenario: PlanScenario) -> PlanInputs:
    """Assemble all coefficients for a validated scenario (see :func:`check_plan_scenario`)."""
    start, end = scenario.years.start, scenario.years.end
    step = STEP_YEARS[scenario.step]
    calendar = pd.Index(range(start, end + 1), name="year")
    years = calendar if step == 1.0 else pd.Index(start + step * np.arange(round(len(calendar) / step)), name="year")
    calendar_of = np.floor(years.to_numpy(dtype=float)).astype(int)  # the calendar year of each step
    quarter_of = np.rint((years.to_numpy(dtype=float) - calendar_of) / step).astype(int)  # 0-based step in its year
    year_end = years.to_numpy(dtype=float) + step > calendar_of + 1 - 1e-9  # the last step of each year
    # supply per step: a year's supply split evenly (or by supply.quarter_shares) over its steps
    quarter_shares = scenario.supply.quarter_shares or [step] * round(1 / step)
    supply_share = np.ones(len(years)) if step == 1.0 else np.array([quarter_shares[q] for q in quarter_of])
    sites = pd.Index([s.id for s in scenario.sites], name="site")
    chips = pd.Index(scenario.chips, name="chip")
    sources = pd.Index(sorted({p for s in scenario.sites for p in s.onsite}) or ["none"], name="source")
    finance = catalog.item("facility", "finance")
    wacc = scenario.finance.wacc if scenario.finance.wacc is not None else finance["wacc"].mid
    chip_life = scenario.finance.it_life_years or round(finance["it_life_years"].mid)
    facility_life = scenario.finance.facility_life_years or round(finance["facility_life_years"].mid)
    discount = xr.DataArray([(1 + wacc) ** -(y - start) for y in years], coords={"year": years}, dims="year")

    per_site_chip: dict[str, dict[str, dict[str, float]]] = {}
    per_kind: dict[tuple[object, ...], dict[str, float]] = {}  # sites alike in region, cooling and climate share
    for site in scenario.sites:
        per_site_chip[site.id] = {}
        for chip in scenario.chips:
            kind = (chip, site.region, site.cooling, site.climate)
            if kind in per_kind:
                per_site_chip[site.id][chip] = per_kind[kind]
                continue
            spec = FleetSpec(
                {chip: 1.0},
                Sizing("accelerators", 1.0),
                site.cooling,
                site.region,
                max(start, int(catalog.item("accelerators", chip)["launch_year"].mid)),
            )
            inputs = point_inputs(catalog, spec)
            if site.climate is not None:
                for name in ("pue", "peak_pue", "wue_l_per_kwh"):
                    value = getattr(site.climate, name)
                    if value is not None:
                        inputs.scalars[name] = np.array([float(value)])
                inputs.scalars["peak_pue"] = np.maximum(inputs.scalars["peak_pue"], inputs.scalars["pue"])
            out = per_accelerator(inputs)
            values = {k: float(v[0]) for k, v in out.items()}
            it_mw = values["it_power_gw"] * MW_PER_GW
            it_capex = sum(values[f"capex.{p}"] for p in IT_CAPEX_PARTS)
            facility_capex = sum(values[f"capex.{p}"] for p in CAPEX_PARTS if p not in IT_CAPEX_PARTS)
            per_site_chip[site.id][chip] = {
                "accelerator_capex": values["capex.accelerators"],
                "price_year": float(spec.year),
                "it_mw": it_mw,
                "facility_mw": values["facility_power_gw"] * MW_PER_GW,
                "energy_mwh": values["energy_twh_per_year"] * 1e6,
                "it_capex": it_capex,
                "it_opex": values["opex.it_maintenance"] + values["opex.staff"] + values["opex.water"],
                "facility_capex_per_mw": facility_capex / it_mw,
                "facility_opex_per_mw": values["opex.facility_maintenance"] / it_mw,
                "water_m3": values["water_m3_per_year"],
            }
            per_kind[kind] = per_site_chip[site.id][chip]

    def site_chip(key: str) -> xr.DataArray:
        data = [[per_site_chip[s][c][key] for c in chips] for s in sites]
        return xr.DataArray(data, coords={"site": sites, "chip": chips}, dims=("site", "chip"))

    def site_only(key: str) -> xr.DataArray:
        return xr.DataArray([per_site_chip[s][chips[0]][key] for s in sites], coords={"site": sites}, dims="site")

    # accelerator prices follow the catalogue price path over the horizon (fleet.price_factor): a chip bought in
    # a later year costs that year's share of its first-year price; servers and network do not move
    factors: dict[tuple[str, int], float] = {}

    def factor(chip: str, year: int) -> float:
        if (chip, year) not in factors:
            factors[chip, year] = price_factor(catalog, chip, year)
        return factors[chip, year]

    def later_price(chip: str, year: int, first_year: float) -> float:
        return factor(chip, year) / factor(chip, int(first_year))

    it_capex_by_year = xr.DataArray(
        [
            [
                [
                    per_site_chip[s][c]["it_capex"]
                    + per_site_chip[s][c]["accelerator_capex"]
                    * (later_price(c, int(calendar_of[i]), per_site_chip[s][c]["price_year"]) - 1.0)
                    for c in chips
                ]
                for s in sites
            ]
            for i in range(len(years))
        ],
        coords={"year": years, "site": sites, "chip": chips},
        dims=("year", "site", "chip"),
    )

    def chip_param(name: str) -> xr.DataArray:
        return xr.DataArray(
            [catalog.item("accelerators", c)[name].mid for c in chips], coords={"chip": chips}, dims="chip"
        )

    h100e = chip_param("h100e_factor")
    metric_name = scenario.targets.metric if scenario.targets is not None else "h100e"
    metric_scale = 1e15 if metric_name == "flops_fp8" else 1.0  # FLOP/s targets are handled in PFLOP/s
    if metric_name == "h100e":
        metric = h100e
    elif metric_name == "flops_fp8":
        metric = chip_param("fp8_dense_tflops") * 1e12 / metric_scale
    else:
        metric = filled_like(h100e, 1)

    grid = [[(step_value(s.grid_gw, y) or 0.0) * MW_PER_GW for s in scenario.sites] for y in years]
    regions = [catalog.item("regions", s.region) for s in scenario.sites]
    max_facility = [s.max_facility_gw * MW_PER_GW if s.max_facility_gw is not None else np.inf for s in scenario.sites]

    stock = np.zeros((len(years), len(sites), len(chips)))
    year_values = years.to_numpy()
    for row in existing_rows(catalog, scenario):
        if row.chip not in chips:
            raise InputError("existing.chip", row.chip, f"one of the scenario's chips ({', '.join(chips)})")
        in_service = (year_values - row.year >= 0) & (year_values - row.year < chip_life)
        stock[in_service, sites.get_loc(row.site), chips.get_loc(row.chip)] += row.count
    existing = xr.DataArray(stock, coords={"year": years, "site": sites, "chip": chips}, dims=("year", "site", "chip"))

    source_rows: dict[str, dict[str, float]] = {}
    for source in sources:
        if source == "none":
            source_rows[source] = {
                "capex": 0.0,
                "fixed": 0.0,
                "vom": 0.0,
                "heat_rate": 0.0,
                "cf": 0.0,
                "credit": 0.0,
                "co2": 0.0,
                "life": 1.0,
                "lead": 0.0,
            }
            continue
        item = catalog.item("power_sources", source)
        lead = scenario.lead_times_years.get(source, item["lead_time_years"].mid)
        source_rows[source] = {
            "capex": item["capex_usd_per_kw"].mid * 1000.0,
            "fixed": item["fixed_om_usd_per_kw_year"].mid * 1000.0,
            "vom": item["variable_om_usd_per_mwh"].mid,
            "heat_rate": item["heat_rate_btu_per_kwh"].mid,
            # an on-site plant never runs above its catalogue capacity-factor high; the mid is its design point
            "cf": item["capacity_factor"].mid,
            "credit": item["firm_capacity_credit"].mid,
            "co2": item["co2_g_per_kwh"].mid / 1000.0,
            "life": max(1.0, item["lifetime_years"].mid),
            "lead": float(lead),
        }

    def source_param(key: str) -> xr.DataArray:
        return xr.DataArray([source_rows[p][key] for p in sources], coords={"source": sources}, dims="source")

    # regions set fuel prices and generation capex (US ATB/EIA costs x the region's cited factor)
    gas_price = xr.DataArray(
        [region_gas_price(catalog, s.region) for s in scenario.sites], coords={"site": sites}, dims="site"
    )
    capex_factor = xr.DataArray(
        [[region_capex_factor(catalog, s.region, p) for p in sources] for s in scenario.sites],
        coords={"site": sites, "source": sources},
        dims=("site", "source"),
    )
    source_capex = source_param("capex") * capex_factor
    source_variable = source_param("vom") + source_param("heat_rate") / 1000.0 * gas_price

    # lead times in months, not rounded years: capacity ordered at the start of the horizon serves from
    # start + lead; in the year that lead time ends it counts for that year's remaining share
    # (with quarterly steps: from the quarter in which the lead time ends, for that quarter's remaining share)
    def first_step(lead: float) -> float:
        return start + int(np.floor(lead + 1e-9)) if step == 1.0 else start + step * np.floor(lead / step + 1e-9)

    source_first = xr.DataArray(
        [first_step(source_rows[p]["lead"]) for p in sources], coords={"source": sources}, dims="source"
    )
    source_active = _stack([_active(years, source_rows[p]["life"]) for p in sources], sources)
    # capacity arriving mid-year is in place at the year's end (firm power, fixed costs) but generates only for
    # the share of the year it is in service; hardware already bought waits for it (see model: idle_mw)
    source_share = xr.DataArray(
        np.ones((len(years), len(sources))), coords={"year": years, "source": sources}, dims=("year", "source")
    )
    for index, source in enumerate(sources):
        first_year = source_first.values[index]
        lead_steps = source_rows[source]["lead"] / step
        served = 1.0 - (lead_steps - np.floor(lead_steps + 1e-9))
        if first_year in years and served < 1.0 - 1e-9:
            source_share.loc[{"source": source, "year": first_year}] = served
    source_annuity = _stack([_annuity(wacc, source_rows[p]["life"], years, discount, step) for p in sources], sources)
    allowed = xr.DataArray(
        [[p in s.onsite for p in sources] for s in scenario.sites],
        coords={"site": sites, "source": sources},
        dims=("site", "source"),
    )

    construction_lead = catalog.item("facility", "construction")["lead_time_years"].mid
    dc_lead = scenario.lead_times_years.get("datacentre", construction_lead)

    package_yield = scenario.supply.package_yield or catalog.item("supply", "cowos-yield")["package_yield"].mid
    wafers = []
    for y in years:
        value = step_value(scenario.supply.cowos_wafers_per_year, y)
        if value is None:
            known = [int(i.split("-")[1]) for i in catalog.ids("supply") if i.startswith("cowos-20")]
            catalogue_year = max([k for k in known if k <= y] or [min(known)])
            value = catalog.item("supply", f"cowos-{catalogue_year}")["wafers_per_month"].mid * 12
        wafers.append(value * scenario.supply.buyer_share)
    wafers = list(np.array(wafers) * supply_share)
    wafers_per_accelerator = 1.0 / (chip_param("packages_per_cowos_wafer") * package_yield)
    # production ramp: a chip takes at most this share of the year's wafers in its volume year and the year after
    ramp = catalog.item("supply", "production-ramp")
    first_share = scenario.supply.ramp_first_year_share or ramp["first_year_share"].mid
    second_share = scenario.supply.ramp_second_year_share or ramp["second_year_share"].mid
    launch = {c: int(catalog.item("accelerators", c)["launch_year"].mid) for c in chips}
    ramp_share = xr.DataArray(
        [
            [first_share if y == launch[c] else second_share if y == launch[c] + 1 else 1.0 for c in chips]
            for y in calendar_of
        ],
        coords={"year": years, "chip": chips},
        dims=("year", "chip"),
    )
    turbine_share = (
        scenario.supply.gas_turbine_buyer_share or catalog.item("supply", "gas-turbines-share")["buyer_share"].mid
    )

    def world_output(prefix: str, schedule: dict[int, float], year: int) -> float:
        """World output [GW/yr]: the scenario's schedule, else the catalogue's, held from the last year listed."""
        value = step_value(schedule, year)
        if value is None:
            listed = sorted(int(i.rsplit("-", 1)[1]) for i in catalog.ids("supply") if i.startswith(f"{prefix}-20"))
            value = catalog.item("supply", f"{prefix}-{max([k for k in listed if k <= year] or [listed[0]])}")[
                "gw_per_year"
            ].mid
        return float(value)

    turbines = [
        world_output("gas-turbines", scenario.supply.gas_turbine_gw_per_year, y) * turbine_share * MW_PER_GW_TURBINES
        for y in years
    ] * supply_share
    engines = [
        world_output("gas-engines", scenario.supply.gas_engine_gw_per_year, y) * turbine_share * MW_PER_GW_TURBINES
        for y in years
    ] * supply_share

    bridge_default = catalog.item("supply", "bridge-fleet")["gw"].mid
    bridge = []
    for y in years:
        rented = step_value(scenario.supply.bridge_gw, y)
        bridge.append((rented if rented is not None else bridge_default) * MW_PER_GW)

    # existing hardware that cannot be powered idles: each MW of its facility power costs the year's capital charge
    # (annuity at the cost of capital over the IT life) of the hardware it stands for
    it_crf = float(capital_recovery_factor(wacc, chip_life))
    existing_mw = (existing * site_chip("facility_mw")).sum("chip")
    idle_charge = (it_crf * (existing * site_chip("it_capex")).sum("chip") / existing_mw.where(existing_mw > 0)).fillna(
        0.0
    )

    def window(chip: str, attr: str, default: float) -> float:
        limits = scenario.sales_windows.get(chip)
        value = getattr(limits, attr) if limits is not None else None
        return float(value) if value is not None else default

    first_sale = xr.DataArray(
        [max(catalog.item("accelerators", c)["launch_year"].mid, window(c, "first", -np.inf)) for c in chips],
        coords={"chip": chips},
        dims="chip",
    )
    last_sale = xr.DataArray([window(c, "last", np.inf) for c in chips], coords={"chip": chips}, dims="chip")

    hbm_share = scenario.supply.hbm_buyer_share or scenario.supply.buyer_share
    hbm = [step_value(scenario.supply.hbm_stacks_per_year, y) for y in years]
    max_build = [  # per step: the yearly rate x the step's length
        s.max_build_gw_per_year * MW_PER_GW * step if s.max_build_gw_per_year is not None else np.inf
        for s in scenario.sites
    ]
    min_facility = [  # campus sizes and targets hold at each year's end (its last step)
        [s.min_facility_gw[y] * MW_PER_GW if end_of_year and y in s.min_facility_gw else np.nan for s in scenario.sites]
        for y, end_of_year in zip(calendar_of, year_end, strict=True)
    ]
    budget = [step_value(scenario.budget_usd_per_year, y) for y in calendar]  # per calendar year
    target_values = scenario.targets.values if scenario.targets is not None else {}
    return PlanInputs(
        years=years,
        sites=sites,
        chips=chips,
        sources=sources,
        discount=discount,
        it_mw=site_chip("it_mw"),
        facility_mw=site_chip("facility_mw"),
        energy_mwh=site_chip("energy_mwh"),
        water_m3=site_chip("water_m3"),
        max_water_m3=xr.DataArray(
            [s.max_water_m3_per_year if s.max_water_m3_per_year is not None else np.inf for s in scenario.sites],
            coords={"site": sites},
            dims="site",
        ),
        it_capex_usd=it_capex_by_year,
        it_opex_usd=site_chip("it_opex"),
        facility_capex_usd_per_mw=site_only("facility_capex_per_mw"),
        facility_opex_usd_per_mw=site_only("facility_opex_per_mw"),
        metric=metric,
        h100e=h100e,
        launch_year=first_sale,
        last_sale_year=last_sale,
        chip_life_years=chip_life,
        facility_life_years=facility_life,
        wacc=wacc,
        active_chip=_active(years, chip_life),
        annuity_chip=_annuity(wacc, chip_life, years, discount, step),
        annuity_facility=_annuity(wacc, facility_life, years, discount, step),
        grid_mw=xr.DataArray(grid, coords={"year": years, "site": sites}, dims=("year", "site")),
        grid_price_usd_per_mwh=xr.DataArray(
            [r["electricity_price_usd_per_mwh"].mid for r in regions], coords={"site": sites}, dims="site"
        ),
        grid_co2_t_per_mwh=xr.DataArray(
            [[grid_co2_g_per_kwh(catalog, s.region, int(y)) / 1000.0 for s in scenario.sites] for y in calendar_of],
            coords={"year": years, "site": sites},
            dims=("year", "site"),
        ),
        grid_minimum_take=float(
            scenario.grid_minimum_take
            if scenario.grid_minimum_take is not None
            else catalog.item("power_sources", "grid")["minimum_take_fraction"].mid
        ),
        grid_load_factor=xr.DataArray(
            [
                min(
                    per_site_chip[s][c]["energy_mwh"] / (per_site_chip[s][c]["facility_mw"] * HOURS_PER_YEAR)
                    for c in chips
                )
                for s in sites
            ],
            coords={"site": sites},
            dims="site",
        ),
        max_facility_mw=xr.DataArray(max_facility, coords={"site": sites}, dims="site"),
        existing_dc_mw=xr.DataArray(
            [s.existing_datacentre_gw * MW_PER_GW for s in scenario.sites], coords={"site": sites}, dims="site"
        ),
        existing_stock=existing,
        source_allowed=allowed,
        idle_capital_usd_per_mw_year=idle_charge,
        source_capex_usd_per_mw=source_capex,
        source_fixed_usd_per_mw_year=source_param("fixed"),
        source_variable_usd_per_mwh=source_variable,
        source_capacity_factor=source_param("cf"),
        source_firm_credit=source_param("credit"),
        source_co2_t_per_mwh=source_param("co2"),
        source_life_years=source_param("life"),
        source_first_year=source_first,
        source_active=source_active,
        source_share=source_share,
        source_annuity=source_annuity,
        datacentre_first_year=start + int(np.ceil(dc_lead))
        if step == 1.0
        else start + step * float(np.ceil(dc_lead / step - 1e-9)),
        wafers=xr.DataArray(wafers, coords={"year": years}, dims="year"),
        ramp_share=ramp_share,
        turbine_mw=xr.DataArray(turbines, coords={"year": years}, dims="year"),
        engine_mw=xr.DataArray(engines, coords={"year": years}, dims="year"),
        bridge_mw=xr.DataArray(bridge, coords={"year": years}, dims="year"),
        wafers_per_accelerator=wafers_per_accelerator,
        budget_usd=xr.DataArray(
            [b if b is not None else np.inf for b in budget], coords={"year": calendar}, dims="year"
        ),
        hbm_stacks=xr.DataArray(
            [h * hbm_share * f if h is not None else np.inf for h, f in zip(hbm, supply_share, strict=True)],
            coords={"year": years},
            dims="year",
        ),
        hbm_per_accelerator=chip_param("hbm_stacks"),
        max_build_mw=xr.DataArray(max_build, coords={"site": sites}, dims="site"),
        min_facility_mw=xr.DataArray(min_facility, coords={"year": years, "site": sites}, dims=("year", "site")),
        metric_scale=metric_scale,
        target=xr.DataArray(
            [
                target_values.get(y, np.nan) / metric_scale if end_of_year else np.nan
                for y, end_of_year in zip(calendar_of, year_end, strict=True)
            ],
            coords={"year": years},
            dims="year",
        ),
        target_metric=metric_name,
        early_retirement=scenario.early_retirement,
        hourly=build_hourly_profiles(catalog, scenario, sites, sources) if scenario.power_model == "hourly" else None,
        step_years=step,
        calendar_years=calendar,
    )


HOURS = HOURS_PER_YEAR

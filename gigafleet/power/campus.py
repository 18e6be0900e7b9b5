"""Hourly least-cost power supply for an AI campus (a sparse LP built from numpy arrays, solved by HiGHS).

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

With ``hours="repdays"`` the year is replaced by representative days (tsam's clustering, re-done in numpy; weights =
days represented) that keep the peak-load, least-solar and least-wind days.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gigafleet.catalog import Catalog
from gigafleet.errors import GigafleetError, InputError
from gigafleet.power.facility import campus_load_mw, cooling_physics, hourly_pue
from gigafleet.power.labelled import Axis, Labelled, axis_range
from gigafleet.power.lp import LinearProgram
from gigafleet.power.regional import grid_co2_g_per_kwh
from gigafleet.power.repdays import representative_days
from gigafleet.power.weather import REFERENCE_YEAR, site_climate, weather_arrays

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
    optimality_gap
        Carbon-capped full years only: instead of the exact solve, stop at this relative gap between a certified
        lower bound on the least cost and a feasible hourly plan (cutting planes on the capacities,
        :mod:`gigafleet.power.decomposition`) [fraction, 1e-4 to 0.1]; ``None``: exact.
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
    optimality_gap: float | None = None


AUTO_REPLICATIONS_REPDAYS = 4
"""Replications of ``--replications auto`` with ``--hours repdays`` (one more design costs ~0.2 s here: weather
from the cached clear sky, the numpy clustering, a warm-started simplex)."""
MAX_REPLICATIONS = 100
"""Most replications one design may ask for."""
AUTO_RULE = (
    f"auto: {AUTO_REPLICATIONS_REPDAYS} with --hours repdays (~0.2 s per extra design), 1 with --hours full "
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
    if spec.optimality_gap is not None:
        if not (isinstance(spec.optimality_gap, float | int) and 1e-4 <= spec.optimality_gap <= 0.1):
            raise InputError("--optimality-gap", spec.optimality_gap, "a fraction from 0.0001 to 0.1, e.g. 0.005")
        if spec.hours != "full" or spec.carbon_cap_g_per_kwh is None:
            raise InputError(
                "--optimality-gap",
                spec.optimality_gap,
                "only with --hours full and --carbon-cap-g-per-kwh (other designs are solved exactly in seconds)",
            )
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


class HourlyTable(dict[str, np.ndarray]):
    """The year's hourly columns (weather, ``pue``, ``load``; 8,760 values each) with ``attrs`` (site latitude,
    cooling water use): what a pandas ``DataFrame`` held here, without pandas."""

    def __init__(self, columns: Mapping[str, Any], attrs: Mapping[str, Any] | None = None) -> None:
        super().__init__({name: np.asarray(values) for name, values in columns.items()})
        self.attrs: dict[str, Any] = dict(attrs or {})

    def head(self, hours: int) -> HourlyTable:
        """The first ``hours`` hours of every column (same attrs)."""
        return HourlyTable({name: values[:hours] for name, values in self.items()}, self.attrs)


def hour_stamps(start: int, stop: int) -> list[str]:
    """Hours ``start`` .. ``stop`` - 1 of the reference year as pandas writes a UTC timestamp
    (``2023-07-09 00:00:00+00:00``)."""
    first = np.datetime64(f"{REFERENCE_YEAR}-01-01T00", "h")
    return [f"{str(t)[:10]} {str(t)[11:13]}:00:00+00:00" for t in first + np.arange(start, stop)]


@dataclass
class CampusInputs:
    """Time series (dims period × hour) and source data for the LP."""

    spec: CampusSpec
    sources: tuple[str, ...]
    load_mw: Labelled  # (period, hour) [MW]
    capacity_factor: dict[str, Labelled]  # (period, hour) [fraction]
    weight: Labelled  # (period) real days (or hours/24) each period stands for
    data: dict[str, SourceData]
    grid_cap_mw: float
    grid_price_usd_per_mwh: float
    grid_co2_t_per_mwh: float
    grid_water_m3_per_mwh: float
    grid_minimum_take: float  # share of the subscribed slice of the load the grid serves first
    battery_duration_h: float
    battery_efficiency: float
    hourly: HourlyTable  # full-year hourly weather, pue and load
    assignments: np.ndarray  # real day -> period (repdays), or zeros (full)
    mean_pue: float
    step_h: float = 1.0  # hours each modelled step lasts [h]: 1, or more for a time-averaged year (a relaxation)


def build_campus_inputs(catalog: Catalog, spec: CampusSpec, costs: Mapping[str, float] | None = None) -> CampusInputs:
    """Weather, facility load and source costs for a spec (validated first); ``costs`` replaces catalogue mid
    cost inputs (keys of :func:`gigafleet.power.uncertainty.cost_inputs`: capex, fixed O&M, gas and grid
    prices, WACC)."""
    sources = validate_campus(catalog, spec)
    site = site_climate(catalog, spec.site)
    weather = weather_arrays(catalog, spec.site, spec.seed)
    physics = cooling_physics(catalog, spec.cooling)
    pue = hourly_pue(weather["temp_c"], physics)
    load = campus_load_mw(spec.it_load_gw * 1000.0, pue, spec.training_swing, np.random.default_rng(spec.seed + 1))
    hourly = HourlyTable(
        {**weather, "pue": pue, "load": load},
        attrs={"latitude": site.latitude_deg, "wue_l_per_kwh": physics.wue_l_per_kwh},
    )
    if spec.hours == "repdays":
        reps = representative_days(
            {"load": load, "solar": weather["solar_cf"], "wind": weather["wind_cf"]}, spec.n_days
        )
        periods = axis_range("period", len(reps.weights))
        day = (periods, axis_range("hour", 24))

        def grid(column: str) -> Labelled:
            return Labelled(reps.profiles[column], day)

        load_da = grid("load")
        cf = {"solar-pv": grid("solar").clip(0, 1), "wind-onshore": grid("wind").clip(0, 1)}
        weight = Labelled(reps.weights, (periods,))
        assignments = reps.assignments
    else:
        year = (axis_range("period", 1), axis_range("hour", len(hourly["load"])))
        load_da = Labelled(hourly["load"][None, :], year)
        cf = {
            "solar-pv": Labelled(hourly["solar_cf"][None, :], year),
            "wind-onshore": Labelled(hourly["wind_cf"][None, :], year),
        }
        weight = Labelled([1.0], year[:1])
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


def time_averaged_inputs(inputs: CampusInputs, step_h: int) -> CampusInputs:
    """A year's inputs averaged over consecutive blocks of ``step_h`` hours: load and capacity factors are block
    means, each step weighs ``step_h`` times an hour, and the battery moves ``step_h`` hours of charge per step
    (:attr:`CampusInputs.step_h`); a partial last block is dropped.

    Every feasible hourly plan averages to a feasible block plan of the same cost (each row is linear, and
    capacities are the same in every hour), so the averaged programme is a relaxation: its optimum is a lower bound
    on the hourly one [USD/yr]. Its capacities alone are not a feasible hourly plan. The cutting planes' master
    holds one (``power --optimality-gap``, :data:`CUT_RELAXATION_STEP_H`)."""
    if not isinstance(step_h, int) or step_h < 1 or step_h > inputs.load_mw.sizes["hour"]:
        raise InputError("step_h", step_h, f"a whole number of hours from 1 to {inputs.load_mw.sizes['hour']}")
    steps = inputs.load_mw.sizes["hour"] // step_h

    def mean(series: Labelled) -> Labelled:
        values = np.asarray(series.to_numpy(), dtype=float)[:, : steps * step_h]
        blocks = values.reshape(values.shape[0], steps, step_h).mean(axis=2)
        return Labelled(blocks, (series.axes[0], axis_range("hour", steps)))

    weight = Labelled(np.asarray(inputs.weight.to_numpy(), dtype=float) * step_h, inputs.weight.axes)
    factors = {k: mean(v) for k, v in inputs.capacity_factor.items()}
    return dataclasses.replace(
        inputs, load_mw=mean(inputs.load_mw), capacity_factor=factors, weight=weight, step_h=inputs.step_h * step_h
    )


def _hour_weight(inputs: CampusInputs) -> Labelled:
    """Hours of the real year each modelled hour stands for (1 for the full year; days represented for repdays)."""
    return inputs.weight


def build_campus_model(inputs: CampusInputs, *, carbon_slack: bool = False, compact: bool = False) -> LinearProgram:
    """The linear programme (see module docstring), one array operation per constraint family.
    ``carbon_slack`` adds a penalised slack on the carbon cap.

    ``compact`` (capped full years): the same optimum from fewer rows and columns. Solar and wind with no running
    cost and no CO2 run at capacity x capacity factor every hour (surplus is free curtailment, so some optimum
    always does: their dispatch columns and capacity rows go); the grid is its minimum take (a share of the
    subscription) plus a non-negative extra bounded by the rest of the subscription (one row an hour instead of
    two). :func:`expand_compact` puts the dropped dispatch back after the solve (renewables at capacity x capacity
    factor, grid = take + extra), a solution of the full programme at the same cost."""
    spec = inputs.spec
    m = LinearProgram()
    periods, hours = inputs.load_mw.indexes["period"], inputs.load_mw.indexes["hour"]
    grid_shape = (len(periods), len(hours))
    w = np.asarray(_hour_weight(inputs).to_numpy(), dtype=float)  # (period)
    w_ph = np.broadcast_to(w[:, None], grid_shape)
    load = np.asarray(inputs.load_mw.to_numpy(), dtype=float)  # (period, hour)
    gens = [s for s in inputs.sources if s in DISPATCHABLE or s in VARIABLE]
    total_load = float((load.sum(axis=1) * w).sum())
    hours_total = float(w.sum() * len(hours))
    peak_load = float(inputs.hourly["load"].max())
    blocks = [inputs.data[g].unit_size_mw for g in gens if g in DISPATCHABLE and 0 < inputs.data[g].unit_size_mw]
    n_plus_one = max([b for b in blocks if b <= peak_load] or [0.0])
    firm_required = peak_load * (1 + spec.reserve_margin) + n_plus_one
    # objective, emission and firm-capacity terms: (columns, coefficients) pairs, summed
    objective: list[tuple[Any, Any]] = []
    emissions: list[tuple[Any, Any]] = []
    firm: list[tuple[Any, Any]] = []
    supply: list[tuple[Any, Any]] = []  # terms of the (period, hour) balance rows
    if gens:
        gen_index = Axis("source", gens)
        marginal_all = {g: inputs.data[g].variable_usd_per_mwh + inputs.data[g].fuel_usd_per_mwh for g in gens}
        fixed = [
            g
            for g in gens
            if compact and g in VARIABLE and marginal_all[g] == 0.0 and inputs.data[g].co2_t_per_mwh == 0.0
        ]  # run at their capacity factor (compact)
        run = [g for g in gens if g not in fixed]
        m.notes["fixed_sources"] = fixed
        capacity = m.add_variables("capacity_mw", [gen_index])
        annual_fixed = np.array([inputs.data[g].annual_fixed_usd_per_mw for g in gens])
        credit = np.array([inputs.data[g].firm_credit for g in gens])
        objective.append((capacity.index, annual_fixed / USD_SCALE))
        firm.append((capacity.index, credit))
        for g in fixed:
            cf_g = np.asarray(inputs.capacity_factor[g].to_numpy(), dtype=float)
            supply.append((capacity.sel("source", [g])[0], cf_g))
    if gens and run:
        run_index = Axis("source", run)
        dispatch = m.add_variables("dispatch_mw", [run_index, periods, hours])
        avail = np.stack(
            [
                np.asarray(inputs.capacity_factor[g].to_numpy(), dtype=float)
                if g in VARIABLE
                else np.full(grid_shape, inputs.data[g].availability)
                for g in run
            ]
        )  # (source, period, hour)
        shape = (len(run), *grid_shape)
        m.add_constraints(
            "generation",
            shape,
            [(dispatch.index, 1.0), (capacity.sel("source", run)[:, None, None], -avail)],
            "<=",
            0.0,
        )
        firm_gens = [g for g in run if g in DISPATCHABLE]
        if firm_gens:  # dispatch honesty: no source runs above its catalogue capacity-factor high over the year
            ceiling = np.array([inputs.data[g].max_capacity_factor for g in firm_gens])
            flat = dispatch.sel("source", firm_gens).reshape(len(firm_gens), -1)
            m.add_constraints(
                "capacity_factor_ceiling",
                (len(firm_gens),),
                [
                    (flat, np.broadcast_to(w_ph.ravel(), flat.shape)),
                    (capacity.sel("source", firm_gens), -ceiling * hours_total),
                ],
                "<=",
                0.0,
            )
        marginal = np.array([marginal_all[g] for g in run])
        co2 = np.array([inputs.data[g].co2_t_per_mwh for g in run])
        objective.append((dispatch.index, (marginal / USD_SCALE)[:, None, None] * w_ph))
        emissions.append((dispatch.index, co2[:, None, None] * w_ph))
        supply.append((np.moveaxis(dispatch.index, 0, -1), 1.0))
    if "grid" in inputs.sources and inputs.grid_cap_mw > 0:
        # the grid is a subscription (at most the connection): it counts as firm capacity and serves its slice of
        # the load (its share of the firm requirement x load, times the minimum take) before on-site plant runs
        subscribed = m.add_variables("grid_subscribed_mw", upper=inputs.grid_cap_mw)
        price = inputs.grid_price_usd_per_mwh / USD_SCALE * w_ph
        if compact and inputs.grid_minimum_take > 0:  # grid = take x subscribed + extra, extra >= 0
            take = inputs.grid_minimum_take * load / firm_required  # (period, hour)
            m.notes["grid_take"] = take
            extra = m.add_variables("grid_extra_mw", [periods, hours])
            m.add_constraints(
                "grid_import", grid_shape, [(extra.index, 1.0), (subscribed.index, take - 1.0)], "<=", 0.0
            )
            supply += [(extra.index, 1.0), (subscribed.index, take)]
            objective += [(extra.index, price), (subscribed.index, float((price * take).sum()))]
            emissions += [
                (extra.index, inputs.grid_co2_t_per_mwh * w_ph),
                (subscribed.index, float((inputs.grid_co2_t_per_mwh * w_ph * take).sum())),
            ]
        else:
            grid = m.add_variables("grid_mw", [periods, hours])
            m.add_constraints("grid_import", grid_shape, [(grid.index, 1.0), (subscribed.index, -1.0)], "<=", 0.0)
            if inputs.grid_minimum_take > 0:
                m.add_constraints(
                    "grid_minimum_take",
                    grid_shape,
                    [(grid.index, 1.0), (subscribed.index, -(inputs.grid_minimum_take * load / firm_required))],
                    ">=",
                    0.0,
                )
            supply.append((grid.index, 1.0))
            objective.append((grid.index, price))
            emissions.append((grid.index, inputs.grid_co2_t_per_mwh * w_ph))
        firm.append((subscribed.index, 1.0))
    if "battery-4h" in inputs.sources:
        battery = inputs.data["battery-4h"]
        power = m.add_variables("battery_mw")
        charge = m.add_variables("charge_mw", [periods, hours])
        discharge = m.add_variables("discharge_mw", [periods, hours])
        soc = m.add_variables("soc_mwh", [periods, hours])
        eta = math.sqrt(inputs.battery_efficiency)
        m.add_constraints(
            "state_of_charge",
            grid_shape,
            [
                (soc.index, 1.0),
                (np.roll(soc.index, 1, axis=1), -1.0),  # the previous hour, cyclic within each period
                (charge.index, -eta * inputs.step_h),
                (discharge.index, inputs.step_h / eta),
            ],
            "==",
            0.0,
        )
        m.add_constraints(
            "storage_energy", grid_shape, [(soc.index, 1.0), (power.index, -inputs.battery_duration_h)], "<=", 0.0
        )
        m.add_constraints("charge_limit", grid_shape, [(charge.index, 1.0), (power.index, -1.0)], "<=", 0.0)
        m.add_constraints("discharge_limit", grid_shape, [(discharge.index, 1.0), (power.index, -1.0)], "<=", 0.0)
        supply += [(discharge.index, 1.0), (charge.index, -1.0)]
        objective += [
            (power.index, battery.annual_fixed_usd_per_mw / USD_SCALE),
            (discharge.index, battery.variable_usd_per_mwh / USD_SCALE * w_ph),
        ]
        firm.append((power.index, battery.firm_credit))
        if spec.training_swing > 0:
            m.add_constraints(
                "training_buffer", (), [(power.index, 1.0)], ">=", spec.training_swing * spec.it_load_gw * 1000.0
            )
    unserved = m.add_variables("unserved_mw", [periods, hours])
    m.add_constraints("balance", grid_shape, [*supply, (unserved.index, 1.0)], ">=", load)
    unserved_weighted = (unserved.index.ravel(), w_ph.ravel())
    m.add_constraints("availability", (), [unserved_weighted], "<=", (1 - spec.availability) * total_load)
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
    if firm:
        m.add_constraints("firm_capacity", (), [_flat(term) for term in firm], ">=", firm_required)
    objective.append((unserved.index, w_ph * (VALUE_OF_LOST_LOAD_USD_PER_MWH / USD_SCALE)))
    if spec.carbon_cap_g_per_kwh is not None:
        # the cap is on the intensity of the energy served (as reported): unserved load earns no allowance
        rate = spec.carbon_cap_g_per_kwh / 1000.0
        cap_terms = [*(_flat(term) for term in emissions), (unserved_weighted[0], rate * unserved_weighted[1])]
        if carbon_slack:
            slack = m.add_variables("carbon_slack_t")
            m.add_constraints("carbon_cap", (), [*cap_terms, (slack.index, -1.0)], "<=", rate * total_load)
            objective.append((slack.index, 1e6))
        elif not emissions:  # nothing emits: only a zero cap with no load could fail
            if 0.0 > rate * total_load:
                raise InputError("--carbon-cap-g-per-kwh", spec.carbon_cap_g_per_kwh, "a cap above 0 g/kWh")
        else:
            m.add_constraints("carbon_cap", (), cap_terms, "<=", rate * total_load)
    m.add_objective(objective)
    return m


def expand_compact(inputs: CampusInputs, model: LinearProgram) -> None:
    """Give a solved compact programme (:func:`build_campus_model`) the full programme's ``dispatch_mw`` (every
    generator) and ``grid_mw`` solutions: grid = minimum take + extra; solar and wind at capacity x capacity
    factor, all they can give (the vertex of the full programme where each of their capacity rows binds, so the
    report's curtailment is the energy they could give and the load did not take). A no-op for a programme built
    without ``compact``."""
    from gigafleet.power.lp import Block

    periods, hours = inputs.load_mw.indexes["period"], inputs.load_mw.indexes["hour"]

    def values(name: str) -> np.ndarray:
        return np.asarray(model.variables[name].solution.to_numpy(), dtype=float)

    if "grid_extra_mw" in model.variables:
        grid = model.notes["grid_take"] * float(model.variables["grid_subscribed_mw"].solution) + values(
            "grid_extra_mw"
        )
        block = Block("grid_mw", np.full(grid.shape, -1, dtype=np.int64), (periods, hours))
        block.solution = Labelled(grid, (periods, hours))
        model.variables["grid_mw"] = block
    fixed = model.notes.get("fixed_sources") or []
    if not fixed:
        return
    capacity = model.variables["capacity_mw"].solution
    gens = [str(s) for s in capacity.indexes["source"]]
    ran = model.variables.get("dispatch_mw")
    dispatched = {str(g): values("dispatch_mw")[i] for i, g in enumerate(ran.solution.indexes["source"])} if ran else {}
    dispatch = np.stack(
        [
            dispatched[g]
            if g in dispatched
            else np.asarray(inputs.capacity_factor[g].to_numpy(), dtype=float) * float(capacity.sel(source=g))
            for g in gens
        ]
    )
    source = Axis("source", gens)
    block = Block("dispatch_mw", np.full(dispatch.shape, -1, dtype=np.int64), (source, periods, hours))
    block.solution = Labelled(dispatch, (source, periods, hours))
    model.variables["dispatch_mw"] = block


def _flat(term: tuple[Any, Any]) -> tuple[Any, Any]:
    """A (columns, coefficients) term as one flat list of terms (for a single row)."""
    columns = np.asarray(term[0])
    return columns.ravel(), np.broadcast_to(np.asarray(term[1], dtype=float), columns.shape).ravel()


INTERIOR_POINT_OPTIONS: dict[str, Any] = {"solver": "ipx", "ipx_dualize_strategy": 1}
"""HiGHS options of carbon-capped full years (8,760 h): interior point (IPX) on the dual programme, then crossover
to a basic optimum. On the 1.2 GW Abilene year capped at 100 g/kWh (2-core machine, loaded): 61 CPU-s against 128
for IPX on the primal (HiGHS's default choice) and 162 for dual simplex, and 54 against 134 on a 0.2 GW campus;
crossover costs under 1 s of it, so it stays on (exact duals, a vertex). Uncapped full years stay on dual
simplex: IPX won on the default Abilene year (125 against 206 CPU-s) but lost 57 to 24 and 4.7 to 1.5 CPU-s on
smaller campuses. Representative days stay on dual simplex (3,600 columns; replications warm-start from its
basis). ``run_crossover: off``, ``ipm_optimality_tolerance`` 1e-4, ``user_bound_scale`` -1, PDLP and a simplex
start from the representative-days solution (``setSolution``) were measured and lost
(benchmarks/bench_power.py, docs/power.md). ``ipx`` by name, not ``ipm``: with the optional ``highspy-extras``
installed, ``ipm`` means HiPO, which was measured faster on three capped years of four, slower on the fourth, and
lands on another optimal vertex (docs/power.md, "HiPO, measured")."""


def _solve(
    model: LinearProgram, solver: str, interior_point: bool = False, warm_start: LinearProgram | None = None
) -> tuple[str, str]:
    """Solve with HiGHS: dual simplex (from ``warm_start``'s basis where given), or interior point."""
    _check_solver(solver)
    options = INTERIOR_POINT_OPTIONS if interior_point else None
    return model.solve(options, warm_start=None if interior_point else warm_start, error=PowerModelError)


def _check_solver(solver: str) -> None:
    """The campus programme is solved by HiGHS (highspy) directly; any other name is a one-line error."""
    if solver != "highs":
        raise InputError("--solver", solver, ["highs"])


def _week(inputs: CampusInputs, model: Any, start_day: int) -> dict[str, Any]:
    """Hourly dispatch of the 7 days from ``start_day`` (0-based), mapped from representative days if needed."""
    days = range(start_day, start_day + 7)

    def series(values: Labelled) -> list[float]:
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
        "start": hour_stamps(start_day * 24, start_day * 24 + 1)[0][:10],
        "time": hour_stamps(start_day * 24, (start_day + 7) * 24),
        "load_mw": series(inputs.load_mw),
        "dispatch_mw": dispatch,
        "pue": [float(v) for v in inputs.hourly["pue"][start_day * 24 : (start_day + 7) * 24]],
        "temp_c": [float(v) for v in inputs.hourly["temp_c"][start_day * 24 : (start_day + 7) * 24]],
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
    warm_start: LinearProgram | None = None,
) -> SolvedCampus:
    """Build and solve the campus LP (``inputs`` may be given, e.g. a truncated horizon in tests); ``progress`` is
    told each stage as it starts (weather and load, the LP, the solve); ``warm_start``, a solved programme of the
    same shape (another replication's), starts the simplex from its basis (same optimum, fewer iterations)."""
    _check_solver(solver)
    say = progress or (lambda _stage: None)
    started = time.perf_counter()
    hours = "every hour of the year" if spec.hours == "full" else f"{spec.n_days} representative days"
    say(f"weather, PUE and load of {spec.site} ({hours})")
    prepared = inputs or build_campus_inputs(catalog, spec)
    say("building the LP")
    interior_point = spec.hours == "full" and spec.carbon_cap_g_per_kwh is not None
    if interior_point and spec.optimality_gap is not None:
        branch = time.perf_counter()
        model, status, termination, cut_build = _solve_by_cuts(catalog, spec, prepared, say)
        build_seconds, started = branch - started + cut_build, branch + cut_build  # cut_build: repdays + programmes
    else:
        model = build_campus_model(prepared, compact=interior_point)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        say(f"solving {model.nvars:,} variables x {model.ncons:,} constraints ({solver})")
        status, termination = _solve(model, solver, interior_point=interior_point, warm_start=warm_start)
    if status == "ok" and model.objective.value is not None:
        expand_compact(prepared, model)
    return SolvedCampus(prepared, model, status, termination, build_seconds, time.perf_counter() - started)


CUT_CAPACITIES = ("capacity_mw", "grid_subscribed_mw", "battery_mw")
"""The campus programme's capacity blocks: the master's decisions in :func:`_solve_by_cuts`."""
CUT_RELAXATION_STEP_H = 24
"""Hours per step of the time-averaged year that the cutting planes' master holds (a relaxation: its cost is a
lower bound beside the cuts; 1 for none)."""


def _capacity_columns(model: LinearProgram) -> np.ndarray:
    """Column numbers of :data:`CUT_CAPACITIES` in ``model``, in that order."""
    parts = [np.atleast_1d(model.variables[n].index).ravel() for n in CUT_CAPACITIES if n in model.variables]
    return np.concatenate(parts).astype(np.int32)


def _capacity_values(model: LinearProgram) -> np.ndarray:
    """Solved values [MW] of :data:`CUT_CAPACITIES` in ``model``, in :func:`_capacity_columns`' order."""
    parts = [
        np.atleast_1d(np.asarray(model.variables[n].solution.to_numpy(), dtype=float))
        for n in CUT_CAPACITIES
        if n in model.variables
    ]
    return np.concatenate(parts)


def _solve_by_cuts(
    catalog: Catalog, spec: CampusSpec, inputs: CampusInputs, say: Callable[[str], None]
) -> tuple[LinearProgram, str, str, float]:
    """A capped full year to ``spec.optimality_gap`` (:func:`gigafleet.power.decomposition.solve_by_cuts`), started
    from the representative-days design's capacities; the exact interior-point solve if the cuts stop short.
    ``model.notes["bounds"]`` says which, with both bounds [USD/yr]. Also returns the seconds spent before the
    cuts (the representative-days design and building the programmes)."""
    from gigafleet.power import decomposition

    gap = float(spec.optimality_gap or 0.0)
    started = time.perf_counter()
    say(f"representative days of {spec.site}: the first plan")
    first = solve_campus(
        catalog, dataclasses.replace(spec, hours="repdays", optimality_gap=None, replications=1, notes=[])
    )
    model = build_campus_model(inputs, compact=True, carbon_slack=True)
    columns = _capacity_columns(model)
    step_h = CUT_RELAXATION_STEP_H
    relaxation = None
    if step_h > 1 and inputs.load_mw.sizes["hour"] >= 2 * step_h:
        relaxation = build_campus_model(time_averaged_inputs(inputs, step_h), compact=True)
    solved_first = first.status == "ok" and first.termination == "optimal"
    start = _capacity_values(first.model) if solved_first else np.zeros(len(columns))
    build_seconds = time.perf_counter() - started
    say(f"cutting planes on {len(columns)} capacities, each plan {model.nvars:,} variables (to a {gap:.2%} gap)")
    result = decomposition.solve_by_cuts(
        model,
        columns,
        int(model.variables["carbon_slack_t"].index),
        start,
        float(inputs.hourly["load"].max()),
        gap,
        USD_SCALE,
        max_iterations=decomposition.MAX_ITERATIONS,
        progress=say,
        availability_row=int(model.constraints["availability"].rows),
        relaxation=(relaxation, _capacity_columns(relaxation)) if relaxation is not None else None,
    )
    bounds: dict[str, Any] = {
        "method": "cutting planes",
        "bounds_of": "the programme's objective: annual cost plus unserved energy at the value of lost load "
        f"({VALUE_OF_LOST_LOAD_USD_PER_MWH:,.0f} USD/MWh)",
        "shadow_prices": "of the hourly dispatch with these capacities fixed (short-run); the exact solve (no "
        "--optimality-gap) gives the long-run ones",
        "requested_gap": gap,
        "iterations": result.iterations,
        "lower_bound_usd": result.lower * USD_SCALE if math.isfinite(result.lower) else None,
        "upper_bound_usd": result.upper * USD_SCALE if math.isfinite(result.upper) else None,
        "gap": result.gap if math.isfinite(result.gap) else None,
    }
    if result.converged and result.column_values is not None and result.row_duals is not None:
        model.load_solution(result.column_values, result.row_duals, objective=result.upper)
        model.notes["bounds"] = bounds
        return model, "ok", "optimal", build_seconds
    say(f"cutting planes stopped at a {result.gap:.2%} gap after {result.iterations} plans: the exact solve")
    exact = build_campus_model(inputs, compact=True)
    status, termination = _solve(exact, "highs", interior_point=True)
    bounds.update(
        method="exact (cutting planes stopped short)",
        shadow_prices="of the exact solve (long-run)",
        note=f"the cuts reached a {result.gap:.3%} gap in {result.iterations} plans "
        f"(limit {decomposition.MAX_ITERATIONS})",
    )
    if exact.objective.value is not None:
        bounds.update(
            lower_bound_usd=exact.objective.value * USD_SCALE,
            upper_bound_usd=exact.objective.value * USD_SCALE,
            gap=0.0,
        )
    exact.notes["bounds"] = bounds
    return exact, status, termination, build_seconds


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
            "optimality_gap": spec.optimality_gap,
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
    if "bounds" in model.notes:  # --optimality-gap: how the year was solved, and its certified bounds
        head["solver"]["bounds"] = dict(model.notes["bounds"])
    if termination in ("infeasible", "infeasible_or_unbounded"):
        explanation = _explain_infeasible(catalog, inputs, solver)
        return {**head, "status": "infeasible", "notes": [*spec.notes, explanation], "binding": []}
    if status != "ok" or termination != "optimal":
        raise PowerModelError(f"solver {solver!r} stopped with status {status!r}, termination {termination!r}")
    design = {**head, **_report(inputs, model), "status": "optimal"}
    from gigafleet.power.uncertainty import cost_range

    variable = {s: d.variable_usd_per_mwh for s, d in inputs.data.items()}
    design["cost_range"] = cost_range(catalog, site.region, design, variable, spec.seed)
    design["replications"] = _replications(catalog, spec, solver, inputs, design, progress, model)
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
    design_model: LinearProgram | None = None,
) -> dict[str, Any]:
    """The ``replications`` block: replication 0 is ``design``; replication r >= 1 re-solves with weather seed
    + r and one draw of the ranged cost inputs (:func:`gigafleet.power.uncertainty.one_draw`, generator
    ``(seed, r)``). Each replication's simplex starts from ``design_model``'s final basis (same programme shape,
    new coefficients): the same optima in a fraction of the iterations."""
    from gigafleet.power.uncertainty import cost_inputs, one_draw, percentiles

    count = spec.replications if spec.replications is not None else auto_replications(spec)
    if not 1 <= count <= MAX_REPLICATIONS:
        raise InputError("--replications", count, f"auto or a whole number from 1 to {MAX_REPLICATIONS}")
    region = site_climate(catalog, spec.site).region
    ranges = cost_inputs(catalog, region, inputs.sources)
    runs = [design]
    infeasible = []
    model = design_model
    for r in range(1, count):
        if progress is not None:
            progress(f"replication {r + 1} of {count}: weather seed {spec.seed + r}, sampled costs")
        spec_r = dataclasses.replace(spec, seed=spec.seed + r, notes=[], replications=1)
        inputs_r = build_campus_inputs(catalog, spec_r, one_draw(ranges, np.random.default_rng((spec.seed, r))))
        solved = solve_campus(catalog, spec_r, solver, inputs=inputs_r, warm_start=model)
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
        model = build_campus_model(inputs, carbon_slack=True, compact=spec.hours == "full")
        status, termination = _solve(model, solver, interior_point=spec.hours == "full")  # capped, as the design
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
    w = np.asarray(inputs.weight.to_numpy(), dtype=float)  # (period)
    load = np.asarray(inputs.load_mw.to_numpy(), dtype=float)  # (period, hour)
    energy: dict[str, float] = {}
    hours_served: dict[str, float] = {}
    capacity_mw: dict[str, float] = {}
    hours_total = float(w.sum() * load.shape[-1])

    def weighted(values: np.ndarray) -> float:
        """Sum over hours of the real year of a (..., period, hour) array [its unit x h]."""
        return float((values.sum(axis=-1) * w).sum(axis=-1))

    def served_share(dispatch: np.ndarray) -> float:
        return weighted((dispatch > 0.01 * load).astype(float)) / hours_total

    def solution(name: str) -> np.ndarray:
        return np.asarray(model.variables[name].solution.to_numpy(), dtype=float)

    total_load_mwh = weighted(load)
    if "dispatch_mw" in model.variables:
        dispatch = solution("dispatch_mw")
        sources = [str(source) for source in model.variables["dispatch_mw"].solution.indexes["source"]]
        for i, source in enumerate(sources):
            energy[source] = weighted(dispatch[i])
            hours_served[source] = served_share(dispatch[i])
        capacity = model.variables["capacity_mw"].solution
        capacity_mw.update({str(s): float(capacity.sel(source=s)) for s in capacity.indexes["source"]})
    if "grid_mw" in model.variables:
        g = solution("grid_mw")
        energy["grid"] = weighted(g)
        hours_served["grid"] = served_share(g)
        capacity_mw["grid"] = float(g.max())
    if "battery_mw" in model.variables:
        discharge = solution("discharge_mw")
        energy["battery-4h"] = weighted(discharge)
        hours_served["battery-4h"] = served_share(discharge)
        capacity_mw["battery-4h"] = float(model.variables["battery_mw"].solution)
    unserved = weighted(solution("unserved_mw"))
    supplied = sum(energy.values())
    charge = weighted(solution("charge_mw")) if "charge_mw" in model.variables else 0.0
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

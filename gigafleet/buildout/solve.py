"""Solve a build-out model and report the plan, the binding limits and their shadow prices in user units."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gigafleet.buildout.model import USD_SCALE, BuiltModel, build_model, campus_shortfall_penalty
from gigafleet.buildout.parameters import MW_PER_GW, PlanInputs, build_inputs
from gigafleet.buildout.scenario import PlanScenario, check_plan_scenario
from gigafleet.buildout.terms import filled_like
from gigafleet.catalog import Catalog
from gigafleet.errors import GigafleetError
from gigafleet.power.lcoe import lcoe_usd_per_mwh
from gigafleet.solver import solve_quietly

SCHEMA_VERSION = 1
SHORTFALL_TOLERANCE = 1e-6
"""Relative shortfall (of the requirement) below which a plan counts as meeting it."""
UNMET_ABS_TOLERANCE = 1e-6
"""Absolute shortfall below which a requirement counts as met, in model units (GW; H100e, accelerators or
PFLOP/s for targets): the floor under :data:`SHORTFALL_TOLERANCE` for small or zero requirements."""
TARGET_UNITS = {"h100e": "H100e", "accelerators": "accelerators", "flops_fp8": "FLOP/s"}
"""Unit of each target metric as reported in ``unmet``."""
DUAL_TOLERANCE = 1e-7
"""Shadow prices smaller than this (model units) are treated as zero (limit not binding)."""


class SolverError(GigafleetError):
    """The solver failed or returned no usable solution."""


@dataclass(frozen=True)
class LimitSpec:
    """How to report the shadow price of one constraint family."""

    limit: str
    unit: str
    scale: float  # model dual -> user unit (USD per user step, or H100e per step)
    meaning: str
    where_dim: str | None


# Dual of a model constraint is d(objective [USD M]) / d(rhs [model unit]).
LIMITS: dict[str, LimitSpec] = {
    "supply": LimitSpec(
        "cowos_supply",
        "USD per 1,000 wafers",
        USD_SCALE * 1000.0,
        "saving from 1,000 more CoWoS wafers obtainable that year",
        None,
    ),
    "ramp": LimitSpec(
        "production_ramp",
        "USD per 1,000 wafers",
        USD_SCALE * 1000.0,
        "saving from letting a new chip take 1,000 more of the year's wafers in its first two years",
        None,
    ),
    "firm_power": LimitSpec(
        "firm_power",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more firm grid import at the site that year",
        "site",
    ),
    "grid_energy": LimitSpec(
        "grid_energy",
        "USD per GWh",
        USD_SCALE * 1000.0,
        "saving from 1 GWh more grid energy at the site that year",
        "site",
    ),
    "grid_contract": LimitSpec(
        "grid_contract",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more grid capacity available to subscribe at the site that year",
        "site",
    ),
    "grid_minimum_take": LimitSpec(
        "grid_minimum_take",
        "USD per GWh",
        USD_SCALE * 1000.0,
        "saving from 1 GWh less subscribed grid energy paid for whether used or not",
        "site",
    ),
    "bridge_supply": LimitSpec(
        "bridge_supply",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more bridge power (rented turbines, batteries) that year",
        None,
    ),
    "site_limit": LimitSpec(
        "site_limit",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more permitted facility power at the site",
        "site",
    ),
    "turbine_supply": LimitSpec(
        "turbine_supply",
        "USD per GW of turbines",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more large gas turbines (CCGT/OCGT) obtainable that year",
        None,
    ),
    "engine_supply": LimitSpec(
        "engine_supply",
        "USD per GW of engines",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW more gas engines (recip) obtainable that year",
        None,
    ),
    "hbm_supply": LimitSpec(
        "hbm_supply",
        "USD per 1M HBM stacks",
        USD_SCALE * 1e6,
        "saving from 1 million more HBM stacks obtainable that year",
        None,
    ),
    "water": LimitSpec(
        "water", "USD per 1M m3/yr", USD_SCALE * 1e6, "saving from 1 million m3 more water per year at the site", "site"
    ),
    "growth": LimitSpec(
        "growth",
        "USD per GW/yr",
        USD_SCALE * MW_PER_GW,
        "saving from building 1 GW/yr faster at the site that year",
        "site",
    ),
    "campus_size": LimitSpec(
        "campus_size",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "cost of requiring 1 GW more facility power at the campus that year",
        "site",
    ),
    "budget": LimitSpec(
        "budget",
        "USD per USD 1B of budget",
        1e9,
        "saving (in objective USD) from USD 1B more capex budget that year",
        None,
    ),
    "datacentre_lead_time": LimitSpec(
        "datacentre_lead_time",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW of data-centre capacity in service a year earlier",
        "site",
    ),
    "power_lead_time": LimitSpec(
        "power_lead_time",
        "USD per GW",
        USD_SCALE * MW_PER_GW,
        "saving from 1 GW of on-site generation in service that year despite its lead time",
        "site/source",
    ),
    "target": LimitSpec(
        "target", "USD per unit of target", USD_SCALE, "cost of one more unit of the target metric that year", None
    ),
}


def _dual(model: Any, name: str) -> xr.DataArray | None:
    if name not in model.constraints:
        return None
    dual = model.constraints[name].dual
    return dual if isinstance(dual, xr.DataArray) else None


BINDING_KEYS = ("limit", "year", "where", "shadow_price", "unit", "meaning", "price_kind")
"""Keys of every ``binding`` row, in order; ``shortfall_relief`` and ``steps_to_close`` follow where they apply."""


def _where_labels(cells: dict[str, np.ndarray], count: int) -> np.ndarray:
    """``where`` of each dual row: ``site/source``, ``site``, ``chip`` or ``fleet`` (by the constraint's dims);
    ``cells`` holds each dimension's label per row."""
    if "source" in cells and "site" in cells:
        return np.array([f"{a}/{b}" for a, b in zip(cells["site"], cells["source"], strict=True)], dtype=object)
    for dim in ("site", "chip"):
        if dim in cells:
            return np.array([str(label) for label in cells[dim]], dtype=object)
    return np.full(count, "fleet", dtype=object)


def _binding(built: BuiltModel, shortfall: bool) -> list[dict[str, Any]]:
    """Every limit with a non-zero shadow price, in user units (positive = value of relaxing it).

    In a shortfall, each limit also gets ``shortfall_relief`` (target units one more step buys) and, in years with
    a shortfall, ``steps_to_close`` (steps of that limit alone that would close the year's gap: a linear estimate).
    Each constraint family's duals are filtered and converted as whole numpy columns (cells in the duals' order),
    then all families sorted at once. With quarterly steps, rows of per-quarter limits also carry ``quarter`` (1-4,
    after ``year``).
    """
    model = built.model
    quarterly = built.inputs.step_years != 1.0
    shortfall_by_year = pd.Series(dtype=float)
    if "shortfall" in model.variables:
        shortfall_by_year = model.variables["shortfall"].solution.fillna(0.0).to_series()
        if quarterly:  # targets hold at each year's last step: the year's gap is the sum over its steps
            shortfall_by_year = shortfall_by_year.groupby(np.floor(shortfall_by_year.index.to_numpy(float))).sum()
        shortfall_by_year.index = shortfall_by_year.index.astype(int)
    gap_by_year = {int(year): float(gap) for year, gap in shortfall_by_year.items()}
    penalty = built.penalty_usd_per_unit
    parts: dict[str, list[np.ndarray]] = {key: [] for key in (*BINDING_KEYS, "quarter", "relief", "steps")}
    for name, spec in LIMITS.items():
        dual = _dual(model, name)
        if dual is None:
            continue
        values = dual.to_numpy()
        keep = np.isfinite(values) & (np.abs(values) >= DUAL_TOLERANCE)
        if not keep.any():
            continue
        cells = np.nonzero(keep)  # C order: the order of dual.to_dataframe()'s rows
        value = values[keep].astype(float)
        labels = {str(d): dual.indexes[d].to_numpy()[i] for d, i in zip(dual.dims, cells, strict=True)}
        count = len(value)
        year_column = "year" if "year" in labels else "vintage" if "vintage" in labels else None
        times = labels[year_column].astype(float) if year_column else np.zeros(count)
        years = np.floor(times).astype(int)
        per_step = quarterly and year_column is not None and dual.indexes[year_column].equals(built.inputs.years)
        quarter = np.rint((times - years) / built.inputs.step_years).astype(int) + 1 if per_step else None
        if name in ("target", "campus_size"):
            shadow = value * spec.scale / (built.inputs.metric_scale if name == "target" else 1.0)
        else:
            shadow = -value * spec.scale  # <= limits: relaxing lowers cost
        # in a year short of its target the price is set by the shortfall penalty: it says how much one more
        # step moves the plan toward the target, not what the step is worth in money
        gap = np.array([gap_by_year.get(year, 0.0) for year in years.tolist()], dtype=float)
        relief = steps_to_close = np.full(count, np.nan)
        if shortfall and name not in ("target", "campus_size") and penalty > 0:
            per_step_relief = shadow / penalty  # target units (model) bought by one more step of this limit
            relief = per_step_relief * built.inputs.metric_scale
            with np.errstate(divide="ignore", invalid="ignore"):
                # linear estimate, valid near the optimum
                steps_to_close = np.where((gap > 0) & (per_step_relief > 0), gap / per_step_relief, np.nan)
        parts["limit"].append(np.full(count, spec.limit, dtype=object))
        parts["year"].append(years)
        parts["where"].append(_where_labels(labels, count))
        parts["shadow_price"].append(shadow)
        parts["unit"].append(np.full(count, spec.unit, dtype=object))
        parts["meaning"].append(np.full(count, spec.meaning, dtype=object))
        parts["price_kind"].append(np.where(gap > SHORT_TOLERANCE, "toward_target", "cost").astype(object))
        parts["quarter"].append(quarter if quarter is not None else np.zeros(count, dtype=int))
        parts["relief"].append(relief)
        parts["steps"].append(steps_to_close)
    if not parts["limit"]:
        return []
    table = {key: np.concatenate(arrays) for key, arrays in parts.items()}
    within = table["quarter"] if quarterly else np.zeros(len(table["year"]))  # per-year limits first
    order = np.lexsort((-np.abs(table["shadow_price"]), within, table["year"]))  # stable
    columns = {key: table[key][order].tolist() for key in table}
    rows = []
    for i in range(len(order)):
        row = {key: columns[key][i] for key in BINDING_KEYS}
        if quarterly and columns["quarter"][i]:
            row = {"limit": row.pop("limit"), "year": row.pop("year"), "quarter": columns["quarter"][i], **row}
        relief_value = columns["relief"][i]
        if not math.isnan(relief_value):
            row["shortfall_relief"] = relief_value
            steps_value = columns["steps"][i]
            if not math.isnan(steps_value):
                row["steps_to_close"] = steps_value
        rows.append(row)
    return rows


SHORT_TOLERANCE = 1e-6
"""A year's shortfall [model target units] above which the year counts as short of its target."""


def plan_reach(years: list[dict[str, Any]]) -> dict[str, Any]:
    """What a plan reaches: the last year's fleet against its target, and the years short of their targets.

    Parameters
    ----------
    years : list of dict
        The plan's ``years`` rows (``year``, ``accelerators``, ``h100e``, ``target``, ``target_metric``,
        ``delivered_metric``, ``shortfall``).

    Returns
    -------
    dict
        ``year`` (the last), ``accelerators``, ``h100e``, ``target`` and ``delivered`` [in ``target_metric``],
        ``short_years`` (every year with a shortfall of more than half a unit) and ``first_short_year``.
    """
    if not years:
        return {
            "year": None,
            "accelerators": None,
            "h100e": None,
            "target": None,
            "delivered": None,
            "target_metric": None,
            "short_years": [],
            "first_short_year": None,
        }
    last = years[-1]
    short = [int(y["year"]) for y in years if (y.get("shortfall") or 0.0) > 0.5]
    return {
        "year": int(last["year"]),
        "accelerators": last.get("accelerators"),
        "h100e": last.get("h100e"),
        "target": last.get("target"),
        "delivered": last.get("delivered_metric"),
        "target_metric": last.get("target_metric"),
        "short_years": short,
        "first_short_year": short[0] if short else None,
    }


def _is_short(required: float, delivered: float, floor: float) -> bool:
    """Whether ``delivered`` falls short of ``required`` by more than the tolerance (relative, with ``floor``)."""
    return required - delivered > max(SHORTFALL_TOLERANCE * abs(required), floor)


class _LimitIndex:
    """The binding rows as arrays, to answer :meth:`limited_by` for many (year, site) pairs without a scan each."""

    def __init__(self, binding: list[dict[str, Any]]) -> None:
        rows = [row for row in binding if row["limit"] not in ("target", "campus_size")]
        self.names = list(dict.fromkeys(str(row["limit"]) for row in rows))
        code = {name: index for index, name in enumerate(self.names)}
        self.codes = np.array([code[str(row["limit"])] for row in rows], dtype=int)
        self.years = np.array([int(row["year"]) for row in rows], dtype=int)
        self.fleet = np.array([str(row["where"]) == "fleet" for row in rows], dtype=bool)
        self.sites = np.array([str(row["where"]).split("/")[0] for row in rows], dtype=object)
        self.strength = np.array([abs(float(row["shadow_price"])) for row in rows], dtype=float)

    def limited_by(self, year: int, site: str | None) -> list[str]:
        """See :func:`_limited_by`."""
        mask = self.years <= year
        if site is not None:
            mask &= self.fleet | (self.sites == site)
        index = np.flatnonzero(mask)
        if not len(index):
            return []
        codes, count = self.codes[index], len(self.names)
        strongest = np.zeros(count)
        np.maximum.at(strongest, codes, self.strength[index])
        first = np.full(count, len(self.codes))
        np.minimum.at(first, codes, index)  # binding's order breaks ties, as a dict of first appearances would
        this_year = np.zeros(count, dtype=bool)
        this_year[codes[self.years[index] == year]] = True
        present = np.unique(codes)
        ranked = sorted(present, key=lambda c: (not this_year[c], -strongest[c], first[c]))
        return [self.names[c] for c in ranked]


def _limited_by(binding: list[dict[str, Any]], year: int, site: str | None) -> list[str]:
    """Binding limits that can explain a shortfall in ``year`` at ``site`` (``None``: anywhere).

    Limits of that year or earlier (capacity built earlier serves later) at the site, or fleet-wide; the
    requirement's own constraints (``target``, ``campus_size``) are left out. Limits binding in ``year`` itself
    come first, each group by largest shadow price.
    """
    return _LimitIndex(binding).limited_by(year, site)


def _unmet(
    built: BuiltModel, scenario: PlanScenario, results: dict[str, Any], binding: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every requirement the solved plan does not meet, from the solution itself (not from the slack variables).

    Requirements: each listed year's ``target`` (fleet-wide), each site's ``min_facility_gw`` in its listed years,
    ``power_existing`` (accelerators already bought, ``existing``, idle for want of power: facility GW owned vs
    powered) and ``firm_power`` (facility power at peak ≤ grid import + firm credit × on-site capacity; a hard
    constraint, checked so that no solver or model change can let it slip unreported).

    Returns
    -------
    list of dict
        ``{"requirement", "where", "year", "required", "delivered", "short", "unit", "limited_by"}``, ``short =
        required - delivered`` > tolerance (:data:`SHORTFALL_TOLERANCE` relative, :data:`UNMET_ABS_TOLERANCE`
        absolute); ``limited_by`` lists the limits binding there (see :func:`_limited_by`).
    """
    p: PlanInputs = built.inputs
    unmet: list[dict[str, Any]] = []
    limits = _LimitIndex(binding)

    def add(
        requirement: str, where: str, year: int, required: float, delivered: float, unit: str, quarter: int = 0
    ) -> None:
        unmet.append(
            {
                "requirement": requirement,
                "where": where,
                "year": year,
                **({"quarter": quarter} if quarter else {}),
                "required": required,
                "delivered": delivered,
                "short": required - delivered,
                "unit": unit,
                "limited_by": limits.limited_by(year, None if where == "fleet" else where),
            }
        )

    target_unit = TARGET_UNITS.get(p.target_metric, p.target_metric)
    for row in results["years"]:
        if row["target"] is not None and _is_short(
            row["target"], row["delivered_metric"], UNMET_ABS_TOLERANCE * p.metric_scale
        ):
            add("target", "fleet", row["year"], row["target"], row["delivered_metric"], target_unit)
    facility_gw = {(row["year"], row["site"]): row["facility_power_gw"] for row in results["by_site"]}
    for site in scenario.sites:
        for year, required in sorted(site.min_facility_gw.items()):
            delivered = facility_gw.get((year, site.id), 0.0)
            if _is_short(required, delivered, UNMET_ABS_TOLERANCE):
                add("min_facility_gw", site.id, year, required, delivered, "GW")
                cap = site.max_facility_gw
                if cap is not None and delivered >= cap * (1 - 1e-6):  # at its cap: the cap is why, whatever
                    reasons = unmet[-1]["limited_by"]  # the (degenerate) duals say
                    unmet[-1]["limited_by"] = ["site_limit", *[x for x in reasons if x != "site_limit"]]
    # firm power and idle existing hardware, per site-year: whole (year, site) arrays, then only the short cells
    dims = ("year", "site")
    stock = built.value("stock") + p.existing_stock
    idle_mw = built.value("idle").transpose(*dims).to_numpy()
    idle_var = built.model.variables["idle_mw"].solution.fillna(0.0).transpose(*dims).to_numpy()
    peak_gw = ((stock * p.facility_mw).sum("chip").transpose(*dims).to_numpy() - idle_var) / MW_PER_GW
    firm_onsite = built.value("cap_stock").where(p.source_allowed, 0.0) * p.source_firm_credit
    firm_gw = ((p.grid_mw + firm_onsite.sum("source")) / MW_PER_GW).transpose(*dims).to_numpy()
    owned_gw = ((p.existing_stock * p.facility_mw).sum("chip") / MW_PER_GW).transpose(*dims).to_numpy()
    powered_gw = owned_gw - idle_mw / MW_PER_GW
    floor = UNMET_ABS_TOLERANCE
    firm_short = peak_gw - firm_gw > np.maximum(SHORTFALL_TOLERANCE * np.abs(peak_gw), floor)
    idle_short = owned_gw - powered_gw > np.maximum(SHORTFALL_TOLERANCE * np.abs(owned_gw), floor)
    sites = [str(s) for s in p.sites]
    times = p.years.to_numpy(dtype=float)
    years = np.floor(times).astype(int)  # with quarterly steps these rows also name the quarter (1-4)
    quarters = np.rint((times - years) / p.step_years).astype(int) + 1 if p.step_years != 1.0 else np.zeros(len(times))
    for i, j in zip(*np.nonzero(firm_short | idle_short), strict=True):
        year, quarter = int(years[i]), int(quarters[i])
        if firm_short[i, j]:
            add("firm_power", sites[j], year, float(peak_gw[i, j]), float(firm_gw[i, j]), "GW", quarter)
        if idle_short[i, j]:  # hardware already bought waits for power
            add("power_existing", sites[j], year, float(owned_gw[i, j]), float(powered_gw[i, j]), "GW", quarter)
    unmet.sort(key=lambda u: (u["year"], u["requirement"], u["where"], u.get("quarter", 0)))
    return unmet


def _unmet_note(item: dict[str, Any], scenario: PlanScenario) -> str:
    """One line naming an unmet requirement, e.g. ``Requirement not met: texas min_facility_gw 2028: ...``."""
    from gigafleet.formatting import flops, scaled, sig

    def amount(value: float) -> str:
        return flops(value) if item["unit"] == "FLOP/s" else f"{scaled(value)} {item['unit']}"

    where = "" if item["where"] == "fleet" else f"{item['where']} "
    caps = {s.id: s.max_facility_gw for s in scenario.sites}
    reasons = []
    for limit in item["limited_by"][:4]:
        cap = caps.get(item["where"])
        reasons.append(
            f"site_limit (site cap max_facility_gw {sig(cap)} GW)"
            if limit == "site_limit" and cap is not None
            else limit
        )
    because = f"; binding: {', '.join(reasons)}" if reasons else ""
    return (
        f"Requirement not met: {where}{item['requirement']} {item['year']}: {amount(item['required'])} "
        f"required, {amount(item['delivered'])} delivered (short {amount(item['short'])}){because}."
    )


def _conflict(built: BuiltModel) -> list[dict[str, Any]]:
    """Constraints that cannot hold together in an infeasible model: an irreducible infeasible subset (IIS).

    Uses the solver's IIS (HiGHS, Gurobi, Xpress through linopy); empty when the solver cannot compute one.

    Returns
    -------
    list of dict
        ``{"limit", "constraint", "where", "year"}``: ``limit`` is the reported limit name (as in ``binding``),
        ``constraint`` the model constraint name (see :mod:`gigafleet.buildout.model`), ``year`` ``None`` for
        constraints without a year.
    """
    from gigafleet.solver import silence_stdout

    model = built.model
    try:
        with silence_stdout():
            labels = model.compute_infeasibilities()
    except Exception:  # solvers without IIS support raise several types
        return []
    rows: list[dict[str, Any]] = []
    for label in labels:
        name, coords = model.constraints.get_label_position(int(label))
        if name is None:
            continue
        coords = dict(coords or {})
        year = coords.get("year", coords.get("vintage"))
        where = "fleet"
        if "site" in coords:
            where = str(coords["site"]) + (f"/{coords['source']}" if "source" in coords else "")
        spec = LIMITS.get(str(name))
        rows.append(
            {
                "limit": spec.limit if spec is not None else str(name),
                "constraint": str(name),
                "where": where,
                "year": int(year) if year is not None else None,
            }
        )
    return rows


def _records(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """JSON rows from equal-length columns (arrays or lists; a single string or number is repeated), in column
    order; numbers as Python floats/ints."""
    lengths = [len(c) for c in columns.values() if not isinstance(c, (str, int, float))]
    count = lengths[0] if lengths else 1
    values = []
    for column in columns.values():
        if isinstance(column, (str, int, float)):
            values.append([column] * count)
        else:
            values.append([v.item() if isinstance(v, np.generic) else v for v in np.asarray(column).tolist()])
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


def _on(array: xr.DataArray, *dims: str) -> np.ndarray:
    """Values of a labelled array in the given dimension order."""
    return array.transpose(*dims).to_numpy()


def _per_year(p: PlanInputs, array: xr.DataArray, how: str) -> xr.DataArray:
    """A per-step array as per calendar year: ``sum`` (flows), ``last`` (stocks at the year's end) or ``mean``
    (year averages); the array itself with yearly steps."""
    if p.step_years == 1.0:
        return array
    steps = round(1 / p.step_years)
    if how == "last":
        out = array.isel(year=slice(steps - 1, None, steps))
    else:
        out = getattr(array.coarsen(year=steps), how)()
    return out.assign_coords(year=p.calendar_years)


def _results(built: BuiltModel, scenario: PlanScenario) -> dict[str, Any]:
    """The solved plan as JSON rows (``years``, ``by_chip``, ``by_site``, ``power``; ``quarters`` with quarterly
    steps) and cost totals.

    Every quantity is computed once over whole arrays (year, site, chip, source) from the solution; the rows are
    the arrays' cells in year, then site/chip/source order. With quarterly steps, yearly rows hold stocks at the
    year's end (its last quarter), flows summed over its quarters and idle power averaged over them.
    """
    p: PlanInputs = built.inputs
    m = built.model
    e = built.expressions
    stock = built.value("stock") + p.existing_stock
    buy = m.variables["buy"].solution.fillna(0.0).rename({"vintage": "year"})
    dc = m.variables["datacentre_mw"].solution.fillna(0.0).rename({"vintage": "year"})
    cap_stock = built.value("cap_stock").where(p.source_allowed, 0.0)
    gen = m.variables["generation_mwh"].solution.fillna(0.0)
    grid = m.variables["grid_mwh"].solution.fillna(0.0)
    contract = m.variables["grid_contract_mw"].solution.fillna(0.0)
    idle_mw = built.value("idle")
    idle_capital = built.value("idle_capital")
    capex = built.value("capex_by_year") * USD_SCALE
    running = built.value("running") * USD_SCALE + e["existing_opex_usd"]  # + the existing fleet's fixed opex
    retired = filled_like(p.target, 0)
    if "retire_new" in m.variables:
        retired = (
            m.variables["retire_new"].solution.fillna(0.0).sum(["vintage", "site", "chip"])
            + m.variables["retire_existing"].solution.fillna(0.0).sum(["site", "chip"])
        ).rename({"retire_year": "year"})
    shortfall = (
        m.variables["shortfall"].solution.fillna(0.0) * p.metric_scale
        if "shortfall" in m.variables
        else filled_like(p.target, 0)
    )
    co2_mt = ((grid * p.grid_co2_t_per_mwh).sum("site") + (gen * p.source_co2_t_per_mwh).sum(["site", "source"])) / 1e6
    fallback = float((p.h100e / (p.metric * p.metric_scale)).mean())

    def columns(per: Any) -> dict[str, Any]:
        """The ``years`` columns, each step array taken per year (``per = _per_year``) or per step."""
        at_end = per(stock, "last")
        h100e = _on((at_end * p.h100e).sum(["site", "chip"]), "year")
        metric = _on((at_end * p.metric).sum(["site", "chip"]) * p.metric_scale, "year")
        short = _on(per(shortfall, "last"), "year")
        if p.target_metric == "h100e":
            per_metric = np.ones(len(short))
        else:  # H100e in every target mode: the year's fleet mix (H100e per unit of the target metric) prices the gap
            with np.errstate(divide="ignore", invalid="ignore"):
                per_metric = np.where(metric > 0, h100e / metric, fallback)
        target = _on(per(p.target, "last"), "year")
        return {
            "accelerators": _on(at_end.sum(["site", "chip"]), "year"),
            "installed": _on(per(buy.sum(["site", "chip"]), "sum"), "year"),
            "retired_early": _on(per(retired, "sum"), "year"),
            "h100e": h100e,
            "target": np.array([None if math.isnan(t) else float(t) * p.metric_scale for t in target], dtype=object),
            "target_metric": p.target_metric,
            "delivered_metric": metric,
            "shortfall": short,
            "shortfall_h100e": short * per_metric,
            "it_power_gw": _on((at_end * p.it_mw).sum(["site", "chip"]) / MW_PER_GW, "year"),
            "facility_power_gw": _on(((at_end * p.facility_mw).sum("chip") / MW_PER_GW).sum("site"), "year"),
            "energy_twh": _on(per((stock * (p.energy_mwh * p.step_years)).sum(["site", "chip"]) / 1e6, "sum"), "year"),
            "capex_usd": _on(per(capex, "sum"), "year"),
            "opex_usd": _on(per(running, "sum"), "year"),
            "co2_mt": _on(per(co2_mt, "sum"), "year"),
            "wafers_used": _on(per(built.value("wafers_used"), "sum"), "year"),
            "wafers_available": _on(per(p.wafers, "sum"), "year"),
            "idle_gw": _on(per(idle_mw.sum("site"), "mean"), "year") / MW_PER_GW,
            "idle_capital_usd": _on(per(idle_capital, "sum"), "year"),
        }

    def per_year(array: xr.DataArray, how: str) -> xr.DataArray:
        return _per_year(p, array, how)

    calendar = p.calendar_years if p.calendar_years is not None else p.years
    years = _records({"year": calendar.to_numpy(dtype=int), **columns(per_year)})
    quarters = None
    if p.step_years != 1.0:
        times = p.years.to_numpy(dtype=float)
        step_years = np.floor(times).astype(int)
        quarters = _records(
            {
                "year": step_years,
                "quarter": np.rint((times - step_years) / p.step_years).astype(int) + 1,
                **columns(lambda array, how: array),
            }
        )
    stock = per_year(stock, "last")  # from here on: per calendar year
    n_years, n_sites, n_chips = len(calendar), len(p.sites), len(p.chips)
    year_of = np.repeat(calendar.to_numpy(dtype=int), n_sites)  # (year, site) cells, year-major
    site_of = np.tile(np.array([str(s) for s in p.sites], dtype=object), n_years)

    in_service = _on(stock.sum("site"), "year", "chip").ravel()
    installed = _on(per_year(buy.sum("site"), "sum"), "year", "chip").ravel()
    listed = (in_service != 0) | (installed != 0)
    by_chip = _records(
        {
            "year": np.repeat(calendar.to_numpy(dtype=int), n_chips)[listed],
            "chip": np.tile(np.array([str(c) for c in p.chips], dtype=object), n_years)[listed],
            "installed": installed[listed],
            "in_service": in_service[listed],
            "h100e": (in_service * np.tile(p.h100e.to_numpy(), n_years))[listed],
        }
    )
    weather = {site.id: site.weather for site in scenario.sites}  # the catalogue site each plan site stands at
    grid_available = per_year(p.grid_mw, "last")
    grid_energy = per_year(grid, "sum")
    contracted_gw = np.maximum(0.0, _on(per_year(contract, "last"), "year", "site").ravel()) / MW_PER_GW
    by_site = _records(
        {
            "year": year_of,
            "site": site_of,
            "accelerators": _on(stock.sum("chip"), "year", "site").ravel(),
            "h100e": _on((stock * p.h100e).sum("chip"), "year", "site").ravel(),
            "facility_power_gw": _on((stock * p.facility_mw).sum("chip") / MW_PER_GW, "year", "site").ravel(),
            "datacentre_gw": _on(per_year(built.value("dc_stock") + p.existing_dc_mw, "last"), "year", "site").ravel()
            / MW_PER_GW,
            "datacentre_built_gw": _on(per_year(dc, "sum"), "year", "site").ravel() / MW_PER_GW,
            "grid_gw_used": _on(grid_energy, "year", "site").ravel() / 8766.0 / MW_PER_GW,
            "grid_gw_available": _on(grid_available, "year", "site").ravel() / MW_PER_GW,
            "grid_gw_contracted": contracted_gw,
            "idle_gw": _on(per_year(idle_mw, "mean"), "year", "site").ravel() / MW_PER_GW,
            "weather": [weather.get(site) for site in site_of],
        }
    )
    # power rows: per site-year the grid first, then each allowed on-site source with capacity or energy
    grid_rows = _records(
        {
            "year": year_of,
            "site": site_of,
            "source": "grid",
            "capacity_gw": _on(grid_available, "year", "site").ravel() / MW_PER_GW,
            "subscribed_gw": contracted_gw,
            "energy_twh": _on(grid_energy, "year", "site").ravel() / 1e6,
        }
    )
    n_sources = len(p.sources)
    capacity = _on(per_year(cap_stock, "last"), "year", "site", "source").ravel()
    energy = _on(per_year(gen, "sum"), "year", "site", "source").ravel()
    allowed = np.tile(_on(p.source_allowed, "site", "source").ravel(), n_years)
    shown = allowed & ((capacity != 0) | (energy != 0))
    source_rows = _records(
        {
            "year": np.repeat(year_of, n_sources)[shown],
            "site": np.repeat(site_of, n_sources)[shown],
            "source": np.tile(np.array([str(s) for s in p.sources], dtype=object), n_years * n_sites)[shown],
            "capacity_gw": capacity[shown] / MW_PER_GW,
            "energy_twh": energy[shown] / 1e6,
        }
    )
    cell = np.flatnonzero(shown) // n_sources  # the site-year of each source row
    order = np.lexsort(
        (
            np.concatenate([np.zeros(len(grid_rows)), np.ones(len(source_rows))]),
            np.concatenate([np.arange(len(grid_rows)), cell]),
        )
    )
    combined = grid_rows + source_rows
    power = [combined[i] for i in order]
    objective = float(m.objective.value) * USD_SCALE
    penalty_usd = 0.0
    if "shortfall" in m.variables:
        penalty_usd += float(m.variables["shortfall"].solution.fillna(0.0).sum()) * built.penalty_usd_per_unit
    if "campus_shortfall_mw" in m.variables:
        penalty_usd += float(m.variables["campus_shortfall_mw"].solution.fillna(0.0).sum()) * campus_shortfall_penalty(
            built.inputs
        )
    cost = float(built.value("capital") * USD_SCALE) + float(((running / USD_SCALE) * p.discount).sum()) * USD_SCALE
    return {
        "years": years,
        **({"quarters": quarters} if quarters is not None else {}),
        "by_chip": by_chip,
        "by_site": by_site,
        "power": power,
        "objective_usd": objective,
        "cost_usd": cost,
        "penalty_usd": penalty_usd,
        "idle_capital_usd": float(idle_capital.sum()),
    }


GAS_SOURCES = ("ccgt", "ocgt", "recip", "bridge")
"""On-site sources burning gas: the power-mix notes explain each site-year that has them."""


def onsite_lcoe_usd_per_mwh(p: PlanInputs, site: str, source: str) -> float:
    """LCOE of an on-site source at a site [USD/MWh] from the plan's own coefficients (the site's capex, the
    catalogue capacity factor and life, variable O&M and fuel at the site's gas price): :func:`lcoe_usd_per_mwh`."""
    at = {"site": site, "source": source}
    return lcoe_usd_per_mwh(
        float(p.source_capex_usd_per_mw.sel(at)) / 1000.0,
        float(p.source_fixed_usd_per_mw_year.sel(source=source)) / 1000.0,
        float(p.source_variable_usd_per_mwh.sel(at)),
        0.0,
        float(p.source_capacity_factor.sel(source=source)),
        float(p.source_life_years.sel(source=source)),
        0.0,
        p.wacc,
    )


def power_mix_notes(p: PlanInputs, results: dict[str, Any]) -> list[str]:
    """Notes that state each year's power mix and explain every site-year with on-site gas.

    For such a site-year the note says whether the site subscribed all the grid it could (its load is beyond the
    grid) or why it did not (the grid price against the cheapest on-site gas LCOE there).
    """
    from gigafleet.formatting import scaled

    notes: list[str] = []
    by_year: dict[int, dict[str, list[float]]] = {}
    for row in results["power"]:
        entry = by_year.setdefault(row["year"], {}).setdefault(row["source"], [0.0, 0.0, 0.0])
        entry[0] += row["capacity_gw"]
        entry[1] += row["energy_twh"]
        entry[2] += row.get("subscribed_gw", row["capacity_gw"])
    for year, mix in sorted(by_year.items()):
        total = sum(v[1] for v in mix.values()) or 1.0

        def amount(source: str, gw: float, subscribed: float) -> str:
            return (
                f"grid {scaled(subscribed)} of {scaled(gw)} GW subscribed"
                if source == "grid"
                else f"{source} {scaled(gw)} GW"
            )

        parts = [
            f"{amount(source, gw, sub)} ({100 * twh / total:.0f}% of energy)"
            for source, (gw, twh, sub) in sorted(mix.items(), key=lambda kv: -kv[1][1])
            if gw > 1e-6 or twh > 1e-6
        ]
        notes.append(f"Power mix {year}: " + ", ".join(parts) + ".")
    gas: dict[tuple[int, str], dict[str, float]] = {}
    for row in results["power"]:
        if row["source"] in GAS_SOURCES and row["capacity_gw"] > 1e-6:
            gas.setdefault((row["year"], row["site"]), {})[row["source"]] = row["capacity_gw"]
    prices = {str(k): float(v) for k, v in p.grid_price_usd_per_mwh.to_series().items()}
    variable_usd = p.source_variable_usd_per_mwh.transpose("site", "source").to_series()
    variable = {(str(s), str(src)): float(v) for (s, src), v in variable_usd.items()}
    lcoe: dict[tuple[str, str], float] = {}  # per site and source, computed once
    for row in results["by_site"]:
        found = gas.get((row["year"], row["site"]))
        if not found:
            continue
        what = " + ".join(f"{scaled(gw)} GW {src}" for src, gw in sorted(found.items()))
        available, subscribed = row["grid_gw_available"], row["grid_gw_contracted"]
        price = prices[row["site"]]
        for src in found:
            if (row["site"], src) not in lcoe:
                lcoe[row["site"], src] = onsite_lcoe_usd_per_mwh(p, row["site"], src)
        cheapest = min(lcoe[row["site"], src] for src in found)
        running = min(variable[row["site"], src] for src in found)
        head = f"{row['site']} {row['year']}: {what} on site"
        peak = f"the site's {scaled(row['facility_power_gw'])} GW peak"
        if available <= 1e-9:
            notes.append(f"{head}: no grid available there that year; {peak} is carried on site.")
        elif available - subscribed <= 1e-6 * max(1.0, available):
            notes.append(
                f"{head}: all {scaled(available)} GW of grid subscribed and serving its share first; "
                f"{peak} needs more firm power."
            )
        else:
            if price > cheapest:
                reason = f"grid at ${price:.0f}/MWh costs more than on-site gas at ${cheapest:.0f}/MWh (LCOE)"
            elif price > running:
                reason = (
                    f"the gas plant, built for firm power this year or later, runs at ${running:.0f}/MWh "
                    f"(fuel and variable O&M), below the grid's ${price:.0f}/MWh, so more grid would only "
                    "add dearer energy"
                )
            else:
                reason = (
                    f"subscribed grid must serve its slice of the load at ${price:.0f}/MWh while cheaper "
                    "on-site energy serves the rest and batteries or gas give firm power"
                )
            notes.append(f"{head} with {scaled(subscribed)} of {scaled(available)} GW of grid subscribed: {reason}.")
    return notes


def plan(
    catalog: Catalog,
    scenario: PlanScenario,
    *,
    solver: str = "highs",
    source: str = "scenario",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Check, build and solve a build-out scenario; return the JSON-ready plan.

    Parameters
    ----------
    catalog
        Loaded catalogue.
    scenario
        Validated scenario.
    solver
        Any linopy solver name (``highs`` by default).
    source
        Name of the scenario file, for messages and the result.
    progress
        Called with a short message at each stage (building, solving, reporting).

    Returns
    -------
    dict
        ``status``, ``objective_usd``, ``years``, ``by_chip``, ``by_site``, ``power``, ``binding``, ``unmet``,
        ``solver``, ``scenario``, ``notes`` (and ``conflict`` when infeasible). ``status`` is ``optimal`` only when
        every requirement (targets, ``min_facility_gw``, firm power) is met; ``shortfall`` when a plan exists but
        some requirement is not met (each one listed in ``unmet`` and named in ``notes``); ``infeasible`` when
        the hard limits cannot all hold (``conflict`` names the constraints that clash, where the solver can
        tell).
    """
    say = progress or (lambda _message: None)
    check_plan_scenario(catalog, scenario, source)
    say("building model")
    started = time.perf_counter()
    inputs = build_inputs(catalog, scenario)
    built = build_model(inputs, scenario.objective, solver)
    build_seconds = time.perf_counter() - started
    say(f"solving with {solver} ({built.model.nvars:,} variables, {built.model.ncons:,} constraints)")
    started = time.perf_counter()
    status, termination = solve_quietly(built.model, solver, error=SolverError)
    solve_seconds = time.perf_counter() - started
    head: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "objective": scenario.objective,
        "scenario": {"name": scenario.name, "description": scenario.description, "file": source},
        "solver": {
            "name": solver,
            "status": str(status),
            "termination": str(termination),
            "seconds": solve_seconds,
            "build_seconds": build_seconds,
            "variables": int(built.model.nvars),
            "constraints": int(built.model.ncons),
        },
    }
    if str(termination) in ("infeasible", "infeasible_or_unbounded"):
        conflict = _conflict(built)
        notes = [
            "The limits cannot all hold even with unmet targets allowed: check existing fleets "
            "against grid, site and data-centre limits."
        ]
        if conflict:
            named = [
                f"{c['limit']} at {c['where']}" + (f" {c['year']}" if c["year"] is not None else "")
                for c in conflict[:10]
            ]
            more = f" and {len(conflict) - 10} more" if len(conflict) > 10 else ""
            notes.append(f"Constraints that cannot hold together: {', '.join(named)}{more}.")
        return {
            **head,
            "status": "infeasible",
            "objective_usd": None,
            "cost_usd": None,
            "idle_capital_usd": None,
            "years": [],
            "by_chip": [],
            "by_site": [],
            "power": [],
            "binding": [],
            "unmet": [],
            "conflict": conflict,
            "notes": notes,
        }
    if str(status) != "ok" or str(termination) != "optimal":
        raise SolverError(f"solver {solver!r} stopped with status {status!r}, termination {termination!r}")
    say("reporting")
    results = _results(built, scenario)
    worst = max((y["shortfall"] / y["target"] for y in results["years"] if y["target"]), default=0.0)
    binding = _binding(built, worst > SHORTFALL_TOLERANCE)
    unmet = _unmet(built, scenario, results, binding)
    target_short = any(u["requirement"] == "target" for u in unmet)
    status_word = "shortfall" if unmet else "optimal"  # optimal only when every requirement is met
    notes = [
        "Per-accelerator power and cost are the fleet model's at catalogue mid values (as gigafleet estimate).",
        "Capex is booked in the year capacity enters service; the objective counts capex as annuities at the cost "
        "of capital over asset lives, within the horizon, plus discounted opex.",
        "Firm power: facility power at peak <= grid import + firm credit x on-site capacity.",
    ]
    if scenario.power_model == "hourly":
        notes.append(
            f"Hourly supply: each site's load (IT draw x hourly PUE from its weather) is balanced hour by "
            f"hour on {scenario.power_days} typical days plus extreme days (tsam) with on-site generation, "
            "grid import and batteries; energy_twh reports the fleet model's annual energy."
        )
    elif scenario.step == "quarter":
        notes.append(
            "Steps are quarters (step: quarter): purchases, halls and plants are decided, supply is limited "
            "(each year's supply split over its quarters) and energy balanced per quarter; targets and campus "
            "sizes hold at each year's last quarter; budgets per year cover its quarters; costs are discounted "
            "per quarter. 'years' rows give stocks at the year's end, flows summed over its quarters and idle "
            "power averaged; 'quarters' rows give each quarter."
        )
    else:
        notes.append(
            "Energy is balanced per year (power_model: firm); set power_model: hourly to balance supply "
            "hour by hour on representative days."
        )
    if target_short:
        notes.append(
            f"Targets are not met: shortfalls are penalised at ${built.penalty_usd_per_unit:,.0f} per unit; "
            "'shortfall_relief' in binding limits is the target units one more step of that limit buys."
        )
    if any(u["requirement"] == "min_facility_gw" for u in unmet):
        notes.append(
            f"Campus sizes (min_facility_gw) are not met: each MW short is penalised at "
            f"${campus_shortfall_penalty(built.inputs):,.0f}, so the plan builds as much of the campus as the "
            "limits allow, even at the expense of cost elsewhere."
        )
    if results["idle_capital_usd"] > 0:
        notes.append(
            f"Accelerators already bought wait for power: their idle capital (the year's capital charge of "
            f"idle hardware) costs ${results['idle_capital_usd']:,.0f} over the horizon (idle_capital_usd)."
        )
    notes.extend(_unmet_note(item, scenario) for item in unmet)
    notes.extend(power_mix_notes(built.inputs, results))
    reach = plan_reach(results.get("years", []))
    return {
        **head,
        "status": status_word,
        **results,
        "reach": reach,
        "binding": binding,
        "unmet": unmet,
        "notes": notes,
    }


def objective_of(catalog: Catalog, scenario: PlanScenario) -> float:
    """Objective [USD] of a scenario's optimal plan (helper for tests and sensitivity)."""
    result = plan(catalog, scenario)
    value = result["objective_usd"]
    return float(value) if value is not None else float(np.inf)

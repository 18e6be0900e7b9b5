"""Cost uncertainty of a campus supply design: the catalogue's low/mid/high cost inputs, sampled (PERT).

Two uses (see :func:`gigafleet.power.campus.design_campus`):

* ``cost_range``: the chosen design re-priced under :data:`COST_SAMPLES` sampled cost inputs with its capacities
  and dispatch held fixed (cheap: no solve), giving P10/P50/P90 of its LCOE and annual cost;
* replications: replication r >= 1 of a design re-solves the LP with weather seed + r and one draw of the cost
  inputs, so capacities, CO2 and energy move too.

The sampled inputs are the rows that carry a low/high range: each candidate source's ``capex_usd_per_kw`` and
``fixed_om_usd_per_kw_year``, the region's ``gas_price_usd_per_mmbtu`` and ``electricity_price_usd_per_mwh``, and
the cost of capital (``facility/finance/wacc``). Variable O&M, heat rates, lives and capacity factors stay at
their mid values. Each input is drawn independently (no correlation between sources).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog
from gigafleet.fleet import capital_recovery_factor
from gigafleet.power.regional import region_capex_factor

FloatLike = float | npt.NDArray[np.float64]

COST_SAMPLES = 2000
"""Cost draws behind ``cost_range`` (P10/P50/P90 to well under 1% of their value)."""
COST_RANGE_STREAM = 7_001
"""Second word of the ``cost_range`` generator's seed ``(seed, COST_RANGE_STREAM)``; replication r draws its
costs from ``(seed, r)``."""
GAS_PRICE = "gas_price_usd_per_mmbtu"
GRID_PRICE = "electricity_price_usd_per_mwh"
WACC = "wacc"


def capex_key(source: str) -> str:
    """Key of a source's capex [USD/kW] among the cost inputs."""
    return f"capex_usd_per_kw:{source}"


def fixed_om_key(source: str) -> str:
    """Key of a source's fixed O&M [USD/kW-yr] among the cost inputs."""
    return f"fixed_om_usd_per_kw_year:{source}"


def cost_inputs(catalog: Catalog, region: str, sources: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """(low, mid, high) of every cost input of a campus in ``region`` with candidate ``sources``.

    Keys: :func:`capex_key` and :func:`fixed_om_key` of each source other than the grid, :data:`GAS_PRICE`,
    :data:`GRID_PRICE` and :data:`WACC`; units as in their names ([USD/kW], [USD/kW-yr], [USD/MMBtu], [USD/MWh],
    [fraction per year]).
    """
    rows: dict[str, tuple[float, float, float]] = {}
    for source in sources:
        if source == "grid":
            continue
        item = catalog.item("power_sources", source)
        for key, name in ((capex_key(source), "capex_usd_per_kw"), (fixed_om_key(source), "fixed_om_usd_per_kw_year")):
            value = item[name]
            rows[key] = (float(value.low), float(value.mid), float(value.high))
    region_item = catalog.item("regions", region)
    for key in (GAS_PRICE, GRID_PRICE):
        value = region_item[key]
        rows[key] = (float(value.low), float(value.mid), float(value.high))
    wacc = catalog.item("facility", "finance")["wacc"]
    rows[WACC] = (float(wacc.low), float(wacc.mid), float(wacc.high))
    return rows


def ranged(inputs: Mapping[str, tuple[float, float, float]]) -> dict[str, tuple[float, float, float]]:
    """The inputs that carry a range (low < high), in key order: the ones that are sampled."""
    return {key: inputs[key] for key in sorted(inputs) if inputs[key][0] < inputs[key][2]}


def mid_costs(inputs: Mapping[str, tuple[float, float, float]]) -> dict[str, float]:
    """Every input at its mid value."""
    return {key: mid for key, (_, mid, _) in inputs.items()}


def sample_costs(
    inputs: Mapping[str, tuple[float, float, float]], size: int, rng: np.random.Generator
) -> dict[str, npt.NDArray[np.float64]]:
    """``size`` PERT draws of each ranged input (in key order, so a seed gives the same draws); the others at
    their mid value (constant arrays)."""
    from gigafleet.uncertainty.sampling import pert_samples

    draws = {key: np.full(size, mid) for key, mid in mid_costs(inputs).items()}
    for key, (low, mid, high) in ranged(inputs).items():
        draws[key] = np.asarray(pert_samples(low, mid, high, size, rng), dtype=float)
    return draws


def one_draw(inputs: Mapping[str, tuple[float, float, float]], rng: np.random.Generator) -> dict[str, float]:
    """One draw of every input (mid where there is no range)."""
    return {key: float(values[0]) for key, values in sample_costs(inputs, 1, rng).items()}


@dataclass(frozen=True)
class SourceCosts:
    """Costs of one source built in a region (floats, or arrays over draws)."""

    capex_usd_per_mw: FloatLike
    fixed_om_usd_per_mw: FloatLike  # per year
    annual_fixed_usd_per_mw: FloatLike  # annualised capex + fixed O&M
    fuel_usd_per_mwh: FloatLike


def source_costs(catalog: Catalog, source: str, region: str, costs: Mapping[str, FloatLike]) -> SourceCosts:
    """Capex, fixed O&M, their annual sum and fuel of ``source`` in ``region`` at the cost inputs ``costs``.

    Capex is the (US) catalogue capex times the region's factor, annualised at ``costs[WACC]`` over the source's
    mid life; fuel is its mid heat rate times ``costs[GAS_PRICE]``.
    """
    item = catalog.item("power_sources", source)
    capex = costs[capex_key(source)] * 1000.0 * region_capex_factor(catalog, region, source)
    fixed = costs[fixed_om_key(source)] * 1000.0
    life = max(item["lifetime_years"].mid, 1.0)
    fuel = item["heat_rate_btu_per_kwh"].mid / 1000.0 * costs[GAS_PRICE]
    crf = capital_recovery_factor(costs[WACC], life)
    annual = capex * (float(crf) if np.ndim(crf) == 0 else crf) + fixed
    return SourceCosts(capex, fixed, annual, fuel)


def percentiles(values: npt.ArrayLike) -> dict[str, float]:
    """``{"p10", "p50", "p90"}`` of the values (one value: that value three times)."""
    array = np.asarray(values, dtype=float) + 0.0  # + 0.0: no "-0.0" from solver noise
    if array.size == 1:
        return {"p10": float(array[0]), "p50": float(array[0]), "p90": float(array[0])}
    p10, p50, p90 = np.percentile(array, [10, 50, 90]) + 0.0
    return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}


def reprice(
    catalog: Catalog,
    region: str,
    design: Mapping[str, Any],
    costs: Mapping[str, FloatLike],
    variable_usd_per_mwh: Mapping[str, float],
) -> tuple[FloatLike, FloatLike]:
    """Annual cost [USD/yr] and LCOE [USD/MWh] of a solved design (its ``capacity`` rows and ``energy_twh``) at
    the cost inputs ``costs``, capacities and dispatch held fixed; ``variable_usd_per_mwh`` is each source's
    variable O&M (mid). At the mid inputs this is the design's own annual cost and LCOE."""
    annual: FloatLike = 0.0
    for row in design["capacity"]:
        source = row["source"]
        mw = row["capacity_gw"] * 1000.0
        energy = row["energy_twh"] * 1e6
        if source == "grid":
            annual = annual + energy * costs[GRID_PRICE]
            continue
        c = source_costs(catalog, source, region, costs)
        capital = mw * (c.annual_fixed_usd_per_mw - c.fixed_om_usd_per_mw)
        fixed = mw * c.fixed_om_usd_per_mw
        annual = annual + capital + fixed + energy * variable_usd_per_mwh[source] + energy * c.fuel_usd_per_mwh
    served = design["energy_twh"] * 1e6
    return annual, annual / served if served else annual * np.nan


def cost_range(
    catalog: Catalog,
    region: str,
    design: Mapping[str, Any],
    variable_usd_per_mwh: Mapping[str, float],
    seed: int,
    samples: int = COST_SAMPLES,
) -> dict[str, Any]:
    """The ``cost_range`` block of a solved design: P10/P50/P90 of LCOE and annual cost re-priced under
    ``samples`` draws of the ranged cost inputs of its sources (capacities and dispatch fixed)."""
    sources = [row["source"] for row in design["capacity"]]
    inputs = cost_inputs(catalog, region, sources)
    draws = sample_costs(inputs, samples, np.random.default_rng((seed, COST_RANGE_STREAM)))
    annual, lcoe = reprice(catalog, region, design, draws, variable_usd_per_mwh)
    return {
        "samples": samples,
        "lcoe_usd_per_mwh": percentiles(lcoe),
        "annual_cost_usd": percentiles(annual),
        "inputs": [
            {"input": key, "low": low, "mid": mid, "high": high} for key, (low, mid, high) in ranged(inputs).items()
        ],
        "note": (
            f"The design above re-priced under {samples:,} draws (PERT on each catalogue low/mid/high, independent) "
            "of capex and fixed O&M of each source, the regional gas and grid electricity prices and the cost of "
            "capital, with its capacities and dispatch held fixed (a re-optimised design would cost no more)."
        ),
    }


__all__ = [
    "COST_SAMPLES",
    "SourceCosts",
    "cost_inputs",
    "cost_range",
    "one_draw",
    "percentiles",
    "reprice",
    "sample_costs",
    "source_costs",
]

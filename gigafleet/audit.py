"""Which catalogue rows move the answers: one-at-a-time low/high swings on headline outputs.

``gigafleet catalog audit`` ranks every catalogue row with a range (``low < high``) by how far moving it from its
low to its high moves a headline output, relative to that output at catalogue mid values:

* the fleet model (``gigafleet estimate``) on two reference fleets — the default scenario's 100M H100 (air, US,
  2026) and a 1 GW (IT) GB200 campus (liquid, US): capex, opex, facility power and annual energy;
* optionally a build-out plan (``--plan NAME``): its discounted cost and final-year H100e, over the rows the plan
  reads (power sources, supply, facility, its sites' regions and its chips).

The swing of a row is ``max over outputs |f(high) − f(low)| / |f(mid)|``: a local, one-at-a-time screen (it
misses interactions; Sobol indices of a full sweep are the global measure, see docs/uncertainty.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gigafleet.catalog import Catalog, Parameter
from gigafleet.fleet import FleetSpec, Sizing, per_accelerator, point_inputs


@dataclass(frozen=True)
class Reference:
    """A reference fleet for the estimate screen; outputs are per unit of ``per`` (accelerator or IT GW)."""

    name: str
    spec: FleetSpec
    per_it_gw: bool


REFERENCES: tuple[Reference, ...] = (
    Reference("100M H100", FleetSpec({"h100": 1.0}, Sizing("accelerators", 1e8), "air", "us", 2026), False),
    Reference("1 GW GB200", FleetSpec({"gb200": 1.0}, Sizing("it_power_gw", 1.0), "liquid", "us", 2026), True),
)
"""The headline fleets the estimate screen moves rows on: 100M H100 (air, US, 2026; the default scenario) and
1 GW of IT of GB200 (liquid, US, 2026)."""

ESTIMATE_OUTPUTS = ("capex_usd", "opex_usd_per_year", "facility_power_gw", "energy_twh")
SHORT = {
    "capex_usd": "capex",
    "opex_usd_per_year": "opex",
    "facility_power_gw": "power",
    "energy_twh": "energy",
    "plan_cost_usd": "cost",
    "plan_h100e_final": "H100e",
}
"""Output names as printed: capex [USD], opex [USD/yr], facility power [GW], energy [TWh/yr]; plan cost [USD]
and final-year H100e."""


def _estimate_outputs(catalog: Catalog, reference: Reference) -> dict[str, float]:
    out = per_accelerator(point_inputs(catalog, reference.spec))
    scale = 1.0 / float(out["it_power_gw"][0]) if reference.per_it_gw else 1.0
    return {
        "capex_usd": scale * float(out["capex_usd"][0]),
        "opex_usd_per_year": scale * float(out["opex_usd_per_year"][0]),
        "facility_power_gw": scale * float(out["facility_power_gw"][0]),
        "energy_twh": scale * float(out["energy_twh_per_year"][0]),
    }


def _estimate_rows(catalog: Catalog) -> list[Parameter]:
    """Rows the reference fleets read: their chips, coolings, region, and the facility rows."""
    wanted: set[tuple[str, str]] = {("regions", "us")}
    for reference in REFERENCES:
        wanted |= {("accelerators", c) for c in reference.spec.mix} | {("cooling", reference.spec.cooling)}
    rows = [p for p in catalog.parameters() if ((p.kind, p.id) in wanted or p.kind == "facility") and p.low < p.high]
    return rows


def _swing(base: dict[str, float], low: dict[str, float], high: dict[str, float], label: str) -> tuple[float, str]:
    best, name = 0.0, ""
    for key, mid in base.items():
        if not np.isfinite(mid) or mid == 0:
            continue
        value = abs(high[key] - low[key]) / abs(mid)
        if np.isfinite(value) and value > best:
            best, name = value, f"{SHORT.get(key, key)} @ {label}"
    return best, name


def _row_key(p: Parameter) -> tuple[str, str, str]:
    return (p.kind, p.id, p.parameter)


def audit(
    catalog: Catalog,
    plan_name: str | None = None,
    *,
    max_plan_rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Rank catalogue rows by their swing on headline outputs (see the module docstring).

    Parameters
    ----------
    catalog
        The catalogue to audit.
    plan_name
        A shipped plan scenario (or YAML path) to include its cost and final H100e; ``None`` for the estimate
        screen only.
    max_plan_rows
        Evaluate the plan for at most this many rows (power sources first, then supply, regions, chips, facility);
        ``None`` for all it reads.
    progress
        Called with (done, total) after each row.

    Returns
    -------
    list of dict
        One entry per row with a range, largest swing first: ``rank``, ``kind``, ``id``, ``parameter``, ``grade``,
        ``swing`` [fraction], ``output`` (the output it moves most ``@`` the fleet or plan), ``low``, ``mid``,
        ``high``, ``unit``, ``source``.
    """
    swings: dict[tuple[str, str, str], tuple[float, str]] = {}
    estimate_rows = _estimate_rows(catalog)
    plan_rows: list[Parameter] = []
    plan_eval: Callable[[Catalog], dict[str, float]] | None = None
    scenario_name = plan_name
    if plan_name is not None:
        plan_eval, plan_rows = _plan_screen(catalog, plan_name)
        if max_plan_rows is not None:
            plan_rows = plan_rows[:max_plan_rows]
    total = len(estimate_rows) + len(plan_rows)
    done = 0
    bases = [(r, _estimate_outputs(catalog, r)) for r in REFERENCES]
    for row in estimate_rows:
        ends = [catalog.with_overrides({_row_key(row): v}) for v in (row.low, row.high)]
        for reference, base in bases:
            value, name = _swing(
                base, _estimate_outputs(ends[0], reference), _estimate_outputs(ends[1], reference), reference.name
            )
            if value > swings.get(_row_key(row), (0.0, ""))[0]:
                swings[_row_key(row)] = (value, name)
        done += 1
        if progress is not None:
            progress(done, total)
    if plan_eval is not None:
        base = plan_eval(catalog)
        for row in plan_rows:
            low = plan_eval(catalog.with_overrides({_row_key(row): row.low}))
            high = plan_eval(catalog.with_overrides({_row_key(row): row.high}))
            value, name = _swing(base, low, high, f"plan {scenario_name}")
            if value > swings.get(_row_key(row), (0.0, ""))[0]:
                swings[_row_key(row)] = (value, name)
            done += 1
            if progress is not None:
                progress(done, total)
    rows = {_row_key(p): p for p in catalog.parameters() if p.low < p.high}
    ranked = sorted(rows, key=lambda k: (-swings.get(k, (0.0, ""))[0], k))
    out = []
    for rank, key in enumerate(ranked, start=1):
        p = rows[key]
        value, name = swings.get(key, (0.0, ""))
        out.append(
            {
                "rank": rank,
                "kind": p.kind,
                "id": p.id,
                "parameter": p.parameter,
                "grade": p.grade,
                "swing": value,
                "output": name,
                "low": p.low,
                "mid": p.mid,
                "high": p.high,
                "unit": p.unit,
                "source": ";".join(p.sources),
            }
        )
    return out


def _plan_screen(catalog: Catalog, plan_name: str) -> tuple[Callable[[Catalog], dict[str, float]], list[Parameter]]:
    """The plan's evaluation function and the rows it reads."""
    from gigafleet.buildout.scenario import load_plan_scenario
    from gigafleet.buildout.solve import plan

    scenario = load_plan_scenario(plan_name)

    def evaluate(cat: Catalog) -> dict[str, float]:
        result = plan(cat, scenario)
        years = result.get("years") or []
        if not years:
            return {"plan_cost_usd": float("nan"), "plan_h100e_final": float("nan")}
        return {"plan_cost_usd": float(result["cost_usd"]), "plan_h100e_final": float(years[-1]["h100e"])}

    items: set[tuple[str, str]] = {("regions", s.region) for s in scenario.sites}
    items |= {("accelerators", c) for c in scenario.chips}
    items |= {("power_sources", p) for s in scenario.sites for p in s.onsite} | {("power_sources", "grid")}
    onsite = [src for site in scenario.sites for src in site.onsite]
    rows = [
        p
        for p in catalog.parameters()
        if p.low < p.high
        and ((p.kind, p.id) in items or p.kind in ("supply", "facility"))
        and (p.kind != "power_sources" or p.parameter in PLAN_POWER_PARAMETERS)
    ]
    order = {"power_sources": 1, "supply": 2, "regions": 3, "accelerators": 4, "facility": 5}
    # what only a plan can see first (for --max-plan-rows): the sources it may build, then the grid, supply, ...
    rows.sort(key=lambda p: 0 if p.kind == "power_sources" and p.id in onsite else order.get(p.kind, 9))
    return evaluate, rows


PLAN_POWER_PARAMETERS = (
    "capex_usd_per_kw",
    "fixed_om_usd_per_kw_year",
    "variable_om_usd_per_mwh",
    "heat_rate_btu_per_kwh",
    "capacity_factor",
    "lead_time_years",
    "co2_g_per_kwh",
    "lifetime_years",
    "firm_capacity_credit",
    "forced_outage_rate",
    "minimum_take_fraction",
)
"""Power-source parameters the build-out plan reads."""


def top_unsourced(rows: Iterable[dict[str, Any]], n: int = 40) -> list[dict[str, Any]]:
    """Grade-U rows among the ``n`` most influential."""
    return [r for r in rows if r["rank"] <= n and r["grade"] == "U" and r["swing"] > 0]

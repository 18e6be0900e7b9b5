"""Synthetic world-sized plan scenarios for benchmarks and scale tests (not shipped as a scenario).

:func:`world_scenario` replicates the sites of the shipped ``openai-100x`` scenario to any number of campuses,
offers every catalogue accelerator and every on-site power source at each, and stretches the horizon (default
2025-2040), so the planner can be measured at world scale before a real world scenario exists. Every number
comes from ``openai-100x.yaml`` (its sites, grid schedules, supply and budget), scaled by the number of copies.
"""

from __future__ import annotations

from typing import Any

from gigafleet.buildout.scenario import TARGET_CEILINGS, PlanScenario, load_plan_scenario
from gigafleet.catalog import Catalog

NOT_ONSITE = ("grid", "natural-gas")
"""Catalogue power sources that are not on-site plants: grid import (``grid_gw``) and the gas fuel row."""


def world_scenario(
    catalog: Catalog,
    sites: int = 40,
    *,
    start: int = 2025,
    end: int = 2040,
    step: str = "year",
    early_retirement: bool = True,
) -> PlanScenario:
    """A synthetic world plan: ``openai-100x``'s sites replicated to ``sites`` campuses.

    Parameters
    ----------
    catalog
        Loaded catalogue (every accelerator and on-site power source in it is offered).
    sites
        Number of campuses; copies of the 8 ``openai-100x`` sites (``abilene``, ``abilene-2``, ...).
    start, end
        Horizon [years], inclusive.
    step
        ``year`` or ``quarter`` (the scenario's ``step`` key).
    early_retirement
        Allow early retirement (adds the retirement variables: the largest family at world scale).

    Returns
    -------
    PlanScenario
        Validated; targets grow geometrically from the existing fleet's 1M accelerators (x1.585/yr, as in
        ``openai-100x``) scaled by the number of copies, capped at the scenario ceiling (10^10); budgets and
        the buyer's CoWoS share scale the same way.
    """
    data = load_plan_scenario("openai-100x").model_dump(exclude_none=True)
    base_sites: list[dict[str, Any]] = list(data["sites"])
    copies = sites / len(base_sites)
    chips = [c for c in catalog.ids("accelerators")]
    sources = [s for s in catalog.ids("power_sources") if s not in NOT_ONSITE]
    site_rows: list[dict[str, Any]] = []
    existing: list[dict[str, Any]] = []
    for index in range(sites):
        base = base_sites[index % len(base_sites)]
        copy = index // len(base_sites)
        site_id = base["id"] if copy == 0 else f"{base['id']}-{copy + 1}"
        row = {key: value for key, value in base.items() if key != "id"}
        row.update(id=site_id, onsite=sources)
        site_rows.append(row)
        existing.extend({**e, "site": site_id} for e in data.get("existing", []) if e["site"] == base["id"])
    ceiling = TARGET_CEILINGS["accelerators"]  # past ~80 sites the geometric targets would exceed it by 2040
    targets = {year: min(ceiling, 1e6 * max(1.0, copies) * 1.585 ** (year - 2025)) for year in range(start, end + 1)}
    scenario: dict[str, Any] = {
        "name": f"world-synthetic-{sites}",
        "description": f"openai-100x's sites replicated to {sites} campuses, every chip and source, {start}-{end}",
        "years": {"start": start, "end": end},
        "targets": {"metric": "accelerators", "values": targets},
        "chips": chips,
        "sales_windows": data.get("sales_windows", {}),
        "sites": site_rows,
        "supply": {**data["supply"], "buyer_share": min(1.0, data["supply"]["buyer_share"] * max(1.0, copies))},
        "budget_usd_per_year": {y: v * max(1.0, copies) for y, v in data["budget_usd_per_year"].items()},
        "lead_times_years": data.get("lead_times_years", {}),
        "existing": [e for e in existing if e["chip"] in chips],
        "early_retirement": early_retirement,
    }
    if step != "year":
        scenario["step"] = step
    return PlanScenario.model_validate(scenario)

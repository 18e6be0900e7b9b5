"""Executing one run of an experiment (on a Dask worker or in-process): pure function of its inputs.

Plan runs report scalar outputs (``cost_usd``, ``h100e_final``, ``effective_h100e_final``,
``facility_power_gw_final``, ``capex_total_usd``, ``shortfall_final``, ``year_final_target_met``, ``status_ok``,
``turbine_supply_usd_per_gw_max`` and ``engine_supply_usd_per_gw_max`` (largest shadow price over the years, 0 when
not binding), ``onsite_gas_gw_final``, ``idle_capital_usd``) and
by-year series (``h100e_by_year``, ``effective_h100e_by_year``, ``facility_power_gw_by_year``). Effective H100e
multiply each year's fleet by the goodput of a job the size of its largest site (reliability layer, Daly-optimal
checkpoints, closed form of the best recovery regime available in the year, with the run's failure rates): the
cross-layer "compute really delivered".
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any

from gigafleet.catalog import Catalog, load_catalog
from gigafleet.errors import InputError


@functools.lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog()


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node: Any = data
    for key in keys[:-1]:
        if isinstance(node, list):
            node = node[int(key)]
            continue
        if isinstance(node, dict):
            candidates = [k for k in node if str(k) == key]
            if not candidates:
                raise InputError("parameter path", f"scenario.{dotted}", "an existing scenario key")
            node = node[candidates[0]]
        else:
            raise InputError("parameter path", f"scenario.{dotted}", "a path into the scenario")
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif isinstance(node, dict):
        existing = [k for k in node if str(k) == last]
        slot: Any = existing[0] if existing else (int(last) if last.isdigit() else last)
        node[slot] = value
    else:
        raise InputError("parameter path", f"scenario.{dotted}", "a path into the scenario")


def _goodput_for(catalog: Catalog, chip: str, job: float, year: int) -> float:
    """Goodput of a job of ``job`` accelerators under the best recovery regime available in ``year``."""
    from gigafleet.reliability.model import failure_model
    from gigafleet.reliability.regimes import analytic_goodput
    from gigafleet.reliability.summary import resolve_regime

    if job < 1:
        return 1.0
    model = failure_model(catalog, chip)
    size = round(job)
    return analytic_goodput(model, resolve_regime(catalog, model, "auto", size, year), size)


def _max_shadow(result: dict[str, Any], limit: str) -> float:
    """Largest shadow price of one limit over the plan's years [its unit]; 0 where it never binds."""
    return max((float(b["shadow_price"]) for b in result.get("binding", []) if b["limit"] == limit), default=0.0)


def plan_outputs(result: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """Scalar and by-year outputs of a plan result, with reliability-adjusted (effective) H100e."""
    from gigafleet.buildout.solve import GAS_SOURCES

    years = result.get("years", [])
    if not years:
        return {"status_ok": 0.0, "cost_usd": math.nan}
    effective = []
    for year in years:
        chips = {row["chip"]: row["in_service"] for row in result["by_chip"] if row["year"] == year["year"]}
        sites = [row["accelerators"] for row in result["by_site"] if row["year"] == year["year"]]
        dominant = max(chips, key=lambda c: chips[c]) if chips else None
        goodput = _goodput_for(catalog, dominant, max(sites or [0.0]), int(year["year"])) if dominant else 1.0
        effective.append(year["h100e"] * goodput)
    final = years[-1]
    target = next((y["target"] for y in reversed(years) if y["target"] is not None), None)
    met = next((y["year"] for y in years if target is not None and y["delivered_metric"] >= target * (1 - 1e-6)), None)
    return {
        "status_ok": 1.0 if result["status"] == "optimal" else 0.0,
        "cost_usd": result.get("cost_usd"),
        "capex_total_usd": sum(y["capex_usd"] for y in years),
        "h100e_final": final["h100e"],
        "effective_h100e_final": effective[-1],
        "facility_power_gw_final": final["facility_power_gw"],
        "shortfall_final": final["shortfall"],
        "year_final_target_met": float(met) if met is not None else math.nan,
        "turbine_supply_usd_per_gw_max": _max_shadow(result, "turbine_supply"),
        "engine_supply_usd_per_gw_max": _max_shadow(result, "engine_supply"),
        "onsite_gas_gw_final": sum(
            r["capacity_gw"]
            for r in result.get("power", [])
            if r["year"] == final["year"] and r["source"] in GAS_SOURCES
        ),
        "idle_capital_usd": float(result.get("idle_capital_usd") or 0.0),
        "years": [y["year"] for y in years],
        "h100e_by_year": [y["h100e"] for y in years],
        "effective_h100e_by_year": effective,
        "facility_power_gw_by_year": [y["facility_power_gw"] for y in years],
    }


def _plan_scenario(base: str, values: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from gigafleet.buildout.scenario import PlanScenario, load_plan_scenario
    from gigafleet.errors import describe_loc, echo_input

    data = load_plan_scenario(base).model_dump()
    for path, value in values.items():
        if path.startswith("scenario."):
            _set_path(data, path[len("scenario.") :], value)
    try:
        return PlanScenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = describe_loc(error["loc"])
        swept = ", ".join(p for p in values if p.startswith("scenario."))
        if error["type"] == "extra_forbidden":
            raise InputError(
                "parameter path", f"scenario.{loc}", f"a key of the plan scenario (swept: {swept})"
            ) from None
        raise InputError(f"scenario.{loc}", echo_input(error.get("input")), error["msg"]) from None


def check_plan_runs(base: str, runs: list[Any]) -> None:
    """Validate, before any run starts, that every swept scenario value makes a valid plan scenario.

    The first run is checked whole, then every distinct value of each swept path (with the first run's other
    values), so a typo in a path or a bad value is one clear error here, not a failure inside a worker.
    """
    if not runs:
        return
    first = runs[0].values
    _plan_scenario(base, first)
    seen: set[tuple[str, str]] = set()
    for run in runs[1:]:
        for path, value in run.values.items():
            key = (path, repr(value))
            if path.startswith("scenario.") and key not in seen:
                seen.add(key)
                _plan_scenario(base, {**first, path: value})


def run_plan(base: str, values: dict[str, Any]) -> dict[str, Any]:
    """One plan run with scenario and catalogue values set."""
    from gigafleet.buildout.solve import plan

    catalog = _catalog()
    overrides = {tuple(path.split(".")[1:]): float(v) for path, v in values.items() if path.startswith("catalog.")}
    if overrides:
        catalog = catalog.with_overrides(overrides)  # type: ignore[arg-type]
    return plan_outputs(plan(catalog, _plan_scenario(base, values)), catalog)


def warm_up(kind: str) -> bool:
    """Import the heavy modules and load the catalogue on a worker before runs arrive (in parallel)."""
    _catalog()
    if kind == "plan":
        import linopy  # noqa: F401

        import gigafleet.buildout.solve  # noqa: F401
    return True


def execute_run(kind: str, target: str | Callable[..., Any], values: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run one experiment point; returns its outputs and the seconds it took (picklable for Dask).

    ``target`` is the plan scenario (kind ``plan``) or the function object itself (kind ``function``), resolved
    from the registry by the caller (:func:`gigafleet.uncertainty.registry.get_function`); a name is looked up in
    the registry here, never imported.
    """
    started = time.perf_counter()
    if kind == "plan":
        assert isinstance(target, str)
        outputs = run_plan(target, values)
    else:
        from gigafleet.uncertainty.registry import get_function

        function = get_function(target) if isinstance(target, str) else target
        arguments = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("function.")}
        outputs = dict(function(seed=seed, **arguments))
    outputs["seconds"] = time.perf_counter() - started
    return outputs

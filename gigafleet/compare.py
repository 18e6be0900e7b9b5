"""Plans side by side: every metric of two or more stored runs, with absolute and relative deltas to the first.

``compare_runs(results)`` takes plan results (as ``gigafleet plan --json`` prints them, or as the run store returns
them) and gives one JSON-ready dictionary: the runs, the totals (``metrics``) and a tidy table by year (``years``),
each value with its delta to the baseline (the first run) and the delta relative to it. The CLI
(``gigafleet compare``), the HTML report and the web page all read this one dictionary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gigafleet.errors import InputError

YEAR_METRICS: tuple[tuple[str, str, str], ...] = (
    ("accelerators", "Accelerators in service", "count"),
    ("h100e", "H100-equivalents in service", "count"),
    ("shortfall_h100e", "Shortfall to the target [H100e]", "count"),
    ("it_power_gw", "IT power", "power_gw"),
    ("facility_power_gw", "Facility power (peak)", "power_gw"),
    ("energy_twh", "Energy", "energy_twh"),
    ("capex_usd", "Capex booked", "usd"),
    ("opex_usd", "Opex", "usd_per_year"),
    ("co2_mt", "CO2", "co2_mt"),
)
"""Per-year metrics of a plan: (key of ``years[]``, label, formatting kind of :mod:`gigafleet.formatting`)."""

TOTAL_METRICS: tuple[tuple[str, str, str], ...] = (
    ("cost_usd", "Discounted cost (objective without penalty)", "usd"),
    ("capex_total_usd", "Capex, all years", "usd"),
    ("opex_total_usd", "Opex, all years", "usd"),
    ("final_accelerators", "Accelerators in the last year", "count"),
    ("final_h100e", "H100e in the last year", "count"),
    ("final_facility_power_gw", "Facility power in the last year", "power_gw"),
    ("final_energy_twh", "Energy in the last year", "energy_twh"),
    ("shortfall_years", "Years short of the target", "count"),
    ("final_shortfall_h100e", "Shortfall in the last year [H100e]", "count"),
)
"""Whole-plan metrics: (key, label, formatting kind)."""

MAX_RUNS = 12
"""Most runs one comparison takes."""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _delta(value: float | None, base: float | None) -> tuple[float | None, float | None]:
    """(value − base, (value − base) / |base|); ``None`` where either is unknown or the base is zero."""
    if value is None or base is None:
        return None, None
    delta = value - base
    return delta, (delta / abs(base) if base != 0 else None)


def plan_totals(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The whole-plan metrics of :data:`TOTAL_METRICS` from one plan result [units as the keys say]."""
    years = [y for y in result.get("years", []) if isinstance(y, Mapping)]
    last = years[-1] if years else {}

    def total(key: str) -> float | None:
        values = [_number(y.get(key)) for y in years]
        known = [v for v in values if v is not None]
        return float(sum(known)) if known else None

    shortfalls = [_number(y.get("shortfall_h100e")) or 0.0 for y in years]
    return {
        "cost_usd": _number(result.get("cost_usd")),
        "capex_total_usd": total("capex_usd"),
        "opex_total_usd": total("opex_usd"),
        "final_accelerators": _number(last.get("accelerators")),
        "final_h100e": _number(last.get("h100e")),
        "final_facility_power_gw": _number(last.get("facility_power_gw")),
        "final_energy_twh": _number(last.get("energy_twh")),
        "shortfall_years": float(sum(1 for s in shortfalls if s > 0.5)) if years else None,
        "final_shortfall_h100e": _number(last.get("shortfall_h100e")),
    }


def compare_runs(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Compare plan results: totals and per-year metrics side by side, with deltas to the first (the baseline).

    Parameters
    ----------
    results : sequence of mapping
        Two to :data:`MAX_RUNS` plan results, each with ``run_id`` (or a position is used), ``scenario.name``,
        ``status``, ``cost_usd`` [USD] and ``years`` (per year: the keys of :data:`YEAR_METRICS`).

    Returns
    -------
    dict
        ``schema_version``; ``baseline`` (run id of the first); ``runs`` (``run_id``, ``name``, ``status``,
        ``years`` [first, last]); ``metrics`` (one per total: ``metric``, ``label``, ``kind``, ``values``,
        ``delta``, ``relative``, lists in run order); ``years`` (tidy rows: ``year``, ``metric``, ``run_id``,
        ``value``, ``delta``, ``relative``; a run without that year has no row).

    Raises
    ------
    InputError
        Fewer than two results or more than :data:`MAX_RUNS`.
    """
    if not 2 <= len(results) <= MAX_RUNS:
        raise InputError("RUN_ID", f"{len(results)} runs", f"2 to {MAX_RUNS} run ids")
    ids = [str(r.get("run_id") or f"run-{i + 1}") for i, r in enumerate(results)]
    runs = []
    for run_id, result in zip(ids, results, strict=True):
        years = [int(y["year"]) for y in result.get("years", []) if isinstance(y, Mapping) and "year" in y]
        scenario = result.get("scenario")
        name = scenario.get("name") if isinstance(scenario, Mapping) else None
        runs.append(
            {
                "run_id": run_id,
                "name": str(name or run_id),
                "status": str(result.get("status", "unknown")),
                "years": [min(years), max(years)] if years else [],
            }
        )
    totals = [plan_totals(r) for r in results]
    metrics = []
    for key, label, kind in TOTAL_METRICS:
        values = [t[key] for t in totals]
        deltas = [_delta(v, values[0]) for v in values]
        metrics.append(
            {
                "metric": key,
                "label": label,
                "kind": kind,
                "values": values,
                "delta": [d for d, _ in deltas],
                "relative": [r for _, r in deltas],
            }
        )
    by_year = [
        {int(y["year"]): y for y in r.get("years", []) if isinstance(y, Mapping) and "year" in y} for r in results
    ]
    rows = []
    for year in sorted(set().union(*by_year)):
        for key, _, _ in YEAR_METRICS:
            base = _number(by_year[0].get(year, {}).get(key))
            for run_id, table in zip(ids, by_year, strict=True):
                if year not in table:
                    continue
                value = _number(table[year].get(key))
                delta, relative = _delta(value, base)
                rows.append(
                    {
                        "year": year,
                        "metric": key,
                        "run_id": run_id,
                        "value": value,
                        "delta": delta,
                        "relative": relative,
                    }
                )
    return {"schema_version": 1, "baseline": ids[0], "runs": runs, "metrics": metrics, "years": rows}


def comparison_tables(result: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison as tidy pandas tables: ``totals`` (metric, label, run_id, value, delta, relative) and
    ``years`` (year, metric, run_id, value, delta, relative), for ``--csv`` and the web downloads."""
    import pandas as pd

    ids = [run["run_id"] for run in result["runs"]]
    totals = [
        {
            "metric": m["metric"],
            "label": m["label"],
            "run_id": run_id,
            "value": value,
            "delta": delta,
            "relative": relative,
        }
        for m in result["metrics"]
        for run_id, value, delta, relative in zip(ids, m["values"], m["delta"], m["relative"], strict=True)
    ]
    columns = ["year", "metric", "run_id", "value", "delta", "relative"]
    return {
        "totals": pd.DataFrame(totals, columns=["metric", "label", *columns[2:]]),
        "years": pd.DataFrame(result["years"], columns=columns),
    }


__all__ = ["MAX_RUNS", "TOTAL_METRICS", "YEAR_METRICS", "compare_runs", "comparison_tables", "plan_totals"]

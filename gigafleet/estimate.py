"""Estimate results: P10/P50/P90 of every fleet output, and comparisons with reference baselines.

The dict built here is the contract of ``gigafleet estimate --json`` (``schema_version`` 1): every quantity is
``{"p10", "p50", "p90"}``; ``comparisons`` is a list of ``{"name", "definition", "value", "unit", "ratio", ...}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from gigafleet.catalog import BASELINE_METRICS, Catalog, Item, Parameter, load_catalog
from gigafleet.fleet import (
    CAPEX_PARTS,
    OPEX_PARTS,
    PRECISIONS,
    TCO_PARTS,
    FleetSamples,
    FleetSpec,
    FloatArray,
    simulate_fleet,
)
from gigafleet.uncertainty.sampling import Quantiles, quantiles_of, sample_parameter

if TYPE_CHECKING:
    from gigafleet.claims import Claims

SCHEMA_VERSION = 1

HEADLINE_KEYS: tuple[str, ...] = (
    "accelerators",
    "chip_power_gw",
    "server_power_gw",
    "it_power_gw",
    "facility_power_gw",
    "grid_connection_gw",
    "average_it_power_gw",
    "average_facility_power_gw",
    "energy_twh_per_year",
    "it_energy_twh_per_year",
    "capex_usd",
    "opex_usd_per_year",
    "tco_usd_per_year",
    "required_revenue_usd_per_year",
    "water_m3_per_year",
    "co2_mt_per_year",
    "h100e",
    "usd_per_accelerator_hour",
    "breakeven_usd_per_h100e_hour",
    "capex_usd_per_it_gw",
    "capex_usd_per_facility_gw",
)
"""Top-level quantities of the JSON result, each ``{"p10", "p50", "p90"}``."""

UNITS: dict[str, str] = {"energy_twh_per_year": "TWh/yr", "power_gw": "GW"}


class SummaryCache:
    """P10/P50/P90 of output arrays, each array summarised once (outputs share arrays: TCO and required revenue,
    opex and the opex part of TCO, a fleet total and its comparisons with point baselines).

    Arrays announced with :meth:`want` are summarised together, in one call of :func:`quantiles_of`, when the
    first summary is asked for (a small run: one partition of one buffer for all of them)."""

    def __init__(self) -> None:
        self._done: dict[int, tuple[FloatArray, Quantiles]] = {}
        self._wanted: dict[int, FloatArray] = {}

    def want(self, arrays: Iterable[FloatArray]) -> None:
        """Announce arrays to summarise with the next one asked for."""
        for samples in arrays:
            if not self._known(samples):
                self._wanted[id(samples)] = samples

    def __call__(self, samples: FloatArray) -> Quantiles:
        if not self._known(samples):
            self.want([samples])
            todo = list(self._wanted.values())
            self._wanted.clear()
            for array, summary in zip(todo, quantiles_of(todo), strict=True):
                self._done[id(array)] = (array, summary)
        return self._done[id(samples)][1]

    def _known(self, samples: FloatArray) -> bool:
        known = self._done.get(id(samples))
        return known is not None and known[0] is samples


def compare_with_baselines(
    catalog: Catalog, totals: dict[str, FloatArray], seed: int = 0, *, summaries: SummaryCache | None = None
) -> list[dict[str, Any]]:
    """Ratios of the fleet to every baseline in the catalogue.

    Energy baselines (TWh/yr) are compared with the fleet's annual facility energy; power baselines (GW) with
    its facility power at peak. Baselines given as a range are sampled too; a point baseline divides the fleet's
    percentiles (the same order statistics as those of the ratio samples, without a pass over them). Every
    array is summarised with those already announced to ``summaries`` (:meth:`SummaryCache.want`).

    Returns
    -------
    list of dict
        ``name``, ``label``, ``definition``, ``metric`` (the fleet output compared), ``value`` and ``unit`` of
        the baseline, ``ratio`` (P50 of fleet / baseline), ``ratio_p10``, ``ratio_p90``, ``source``, ``as_of``.
    """
    rng = np.random.default_rng(seed + 7919)
    summarise_samples = summaries or SummaryCache()
    compared: list[tuple[str, Item, str, str, Parameter, FloatArray]] = []  # ..., the samples summarised
    for item_id in catalog.ids("baselines"):
        item = catalog.item("baselines", item_id)
        for parameter_name, metric in BASELINE_METRICS.items():
            parameter = item.get(parameter_name)
            if parameter is None:
                continue
            fleet = totals[metric]
            if parameter.is_range:
                samples = sample_parameter(parameter, fleet.size, rng)
                np.divide(fleet, samples, out=samples)  # in place of the draws: the ratio samples
            else:
                samples = fleet
            compared.append((item_id, item, parameter_name, metric, parameter, samples))
    summarise_samples.want(row[-1] for row in compared)
    rows: list[dict[str, Any]] = []
    for item_id, item, parameter_name, metric, parameter, samples in compared:
        ratio = summarise_samples(samples)
        if not parameter.is_range:
            ratio = Quantiles(*(value / parameter.mid for value in (ratio.p10, ratio.p50, ratio.p90)))
        rows.append(
            {
                "name": item_id,
                "label": item.label,
                "definition": parameter.note,
                "metric": metric,
                "value": parameter.mid,
                "unit": UNITS[parameter_name],
                "ratio": ratio.p50,
                "ratio_p10": ratio.p10,
                "ratio_p90": ratio.p90,
                "source": ";".join(parameter.sources),
                "as_of": parameter.as_of,
            }
        )
    return rows


def summarise(
    result: FleetSamples, catalog: Catalog, *, samples: int, seed: int, notes: list[str] | None = None
) -> dict[str, Any]:
    """Turn fleet samples into the JSON-ready estimate dict (see module docstring).

    Every output and every sampled baseline ratio is summarised in one call of :func:`quantiles_of`."""
    totals, spec = result.totals, result.spec
    summaries = SummaryCache()
    summaries.want(totals.values())
    comparisons = compare_with_baselines(catalog, totals, seed, summaries=summaries)  # summarises them all

    def _q(key: str) -> dict[str, float]:
        return summaries(totals[key]).to_dict()

    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "inputs": inputs_dict(spec, samples=samples, seed=seed)}
    for key in HEADLINE_KEYS:
        out[key] = _q(key)
    out["peak_flops"] = {p: _q(f"peak_flops.{p}") for p in PRECISIONS}
    out["effective_flops"] = {p: _q(f"effective_flops.{p}") for p in PRECISIONS}
    out["capex_breakdown_usd"] = {p: _q(f"capex.{p}") for p in CAPEX_PARTS}
    out["opex_breakdown_usd_per_year"] = {p: _q(f"opex.{p}") for p in OPEX_PARTS}
    out["tco_breakdown_usd_per_year"] = {p: _q(f"tco.{p}") for p in TCO_PARTS}
    out["comparisons"] = comparisons
    out["notes"] = list(notes or []) + standard_notes(catalog, spec)
    return out


def inputs_dict(spec: FleetSpec, *, samples: int, seed: int) -> dict[str, Any]:
    """The inputs as recorded in results (JSON-ready)."""
    return {
        "fleet": dict(spec.mix)
        if spec.sizing.kind != "accelerators"
        else {c: s * spec.sizing.value for c, s in spec.mix.items()},
        "mix": dict(spec.mix),
        "sized_by": spec.sizing.kind,
        "size": spec.sizing.value,
        "cooling": spec.cooling,
        "region": spec.region,
        "year": spec.year,
        "utilisation": spec.utilisation,
        "mfu": spec.mfu,
        "samples": samples,
        "seed": seed,
    }


def standard_notes(catalog: Catalog, spec: FleetSpec) -> list[str]:
    """Caveats every estimate carries."""
    notes = [
        "Facility power is IT power times the design-day PUE (what the site must deliver at peak); annual "
        "energy uses the average draw (idle + (1 - idle) x utilisation) times the annual-average PUE over "
        "8,766 h.",
        "Capex is all-in: accelerators, servers, networking, storage, power and cooling plant, shell, site and "
        "fit-out, land and grid connection; it excludes on-site generation, which the grid price covers.",
        "TCO annualises IT capex over its life and facility capex over its life at the cost of capital, plus opex; "
        "it is the revenue per year the fleet must earn to pay back its capital.",
        "Water is on-site consumption (WUE x IT energy); water used by power plants is not counted.",
    ]
    if spec.utilisation is None:
        notes.append("Utilisation not given: sampled from the catalogue's operations/utilisation range.")
    missing_fp4 = [c for c in spec.mix if "fp4_dense_tflops" not in catalog.item("accelerators", c)]
    if missing_fp4:
        notes.append("No native FP4 on " + ", ".join(missing_fp4) + ": their 8-bit rate is counted in FP4 peak.")
    return notes


def estimate(
    spec: FleetSpec,
    *,
    samples: int = 2000,
    seed: int = 0,
    catalog: Catalog | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Estimate a fleet: validate, sample, evaluate and summarise.

    Parameters
    ----------
    spec
        The fleet.
    samples
        Monte Carlo samples.
    seed
        Random seed.
    catalog
        Catalogue (default: the built-in one).
    notes
        Extra notes to put first in the result.

    Returns
    -------
    dict
        The estimate (JSON-ready), as printed by ``gigafleet estimate --json``.
    """
    cat = catalog or load_catalog()
    result = simulate_fleet(cat, spec, samples, seed)
    return summarise(result, cat, samples=samples, seed=seed, notes=notes)


def check(
    spec: FleetSpec, claims: Claims, *, samples: int = 2000, seed: int = 0, catalog: Catalog | None = None
) -> dict[str, Any]:
    """Check published claims about a fleet against its estimate: the one path of ``gigafleet check`` and the API.

    Parameters
    ----------
    spec
        The fleet the claims are about.
    claims
        The claimed figures (cost [USD], power [GW], energy [TWh/yr], shares of countries' electricity [1]).
    samples
        Monte Carlo samples.
    seed
        Random seed.
    catalog
        Catalogue (default: the built-in one).

    Returns
    -------
    dict
        ``schema_version``, ``claims`` (one row per claim: percentile, what it leaves out, corrected figure) and
        ``estimate`` (as :func:`estimate`), as printed by ``gigafleet check --json``.

    Raises
    ------
    InputError
        A ``share_of`` country the catalogue has no baseline for (before anything is sampled).
    """
    from gigafleet.claims import check_claims, resolve_baseline

    cat = catalog or load_catalog()
    for key in claims.share_of:
        resolve_baseline(cat, key)
    result = simulate_fleet(cat, spec, samples, seed)
    return {
        "schema_version": 1,
        "claims": check_claims(cat, result, claims),
        "estimate": summarise(result, cat, samples=samples, seed=seed),
    }

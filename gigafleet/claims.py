"""Claim check: where a published figure falls in the model's distribution, what it leaves out, and the fix.

A claim such as "100M GPUs = $3T = 75 GW = 75% of the UK's electricity" is checked figure by figure:

* each figure's percentile in the model's all-in distribution;
* which layer of the model it matches best (e.g. chip-only power, accelerator-only cost), and so what it
  leaves out;
* the corrected all-in figure (P10/P50/P90) and the factor between the two;
* for a share of a country's electricity: the ratio of annual energies (TWh/TWh), what the claim's own power
  gives when run all year, and which power baseline (GW) the share was most likely computed against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError
from gigafleet.fleet import HOURS_PER_YEAR, FleetSamples, FloatArray, annual_energy_twh
from gigafleet.formatting import money
from gigafleet.uncertainty.sampling import percentile_of, quantiles

POWER_LAYERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "chip_power_gw",
        "chip-only power (accelerator TDP x count)",
        (
            "host servers (CPUs, memory, scale-up switches)",
            "scale-out network and storage",
            "cooling and power-conversion overhead (PUE)",
        ),
    ),
    (
        "server_power_gw",
        "server power (accelerators + hosts)",
        ("scale-out network and storage", "cooling and power-conversion overhead (PUE)"),
    ),
    ("it_power_gw", "IT power (all servers, network, storage)", ("cooling and power-conversion overhead (PUE)",)),
    ("facility_power_gw", "facility power at peak (IT x design-day PUE)", ()),
    ("grid_connection_gw", "grid connection (facility x margin)", ()),
)

CAPEX_LAYERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("accelerators",), "accelerator silicon only (unit price x count)"),
    (("accelerators", "servers"), "accelerators and servers"),
    (("accelerators", "servers", "networking", "storage"), "IT hardware (accelerators, servers, network, storage)"),
    (
        (
            "accelerators",
            "servers",
            "networking",
            "storage",
            "power_and_cooling",
            "shell",
            "site_and_fitout",
            "land",
            "grid_connection",
        ),
        "all-in capex",
    ),
)

CAPEX_PART_WORDS: dict[str, str] = {
    "accelerators": "accelerators",
    "servers": "servers and racks",
    "networking": "scale-out networking",
    "storage": "storage",
    "power_and_cooling": "power and cooling plant",
    "shell": "building shell",
    "site_and_fitout": "site work and fit-out",
    "land": "land",
    "grid_connection": "grid connection",
}

SHARE_ALIASES: dict[str, str] = {
    "uk": "uk-demand",
    "gb": "uk-demand",
    "us": "us-demand",
    "usa": "us-demand",
    "world": "world-demand",
    "france": "france-demand",
    "fr": "france-demand",
    "germany": "germany-demand",
    "de": "germany-demand",
    "japan": "japan-demand",
    "jp": "japan-demand",
}


@dataclass(frozen=True)
class Claims:
    """Claimed figures for a fleet; any may be missing.

    Attributes
    ----------
    capex_usd
        Claimed cost [USD].
    power_gw
        Claimed power [GW].
    energy_twh_per_year
        Claimed annual energy [TWh/yr].
    share_of
        Baseline key (``uk``, ``us``, a baseline id) -> claimed fleet share of its electricity [fraction].
    """

    capex_usd: float | None = None
    power_gw: float | None = None
    energy_twh_per_year: float | None = None
    share_of: dict[str, float] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when no figure is claimed."""
        return (
            self.capex_usd is None and self.power_gw is None and self.energy_twh_per_year is None and not self.share_of
        )


def _log_distance(a: float, b: float) -> float:
    return abs(math.log(a / b)) if a > 0 and b > 0 else math.inf


def _closest(claimed: float, candidates: list[tuple[float, int]]) -> int:
    return min(candidates, key=lambda c: _log_distance(claimed, c[0]))[1]


def resolve_baseline(catalog: Catalog, key: str) -> str:
    """Map ``uk``/``us``/``world``... or a baseline id to an energy baseline id; unknown keys raise."""
    normal = key.strip().lower()
    candidate = SHARE_ALIASES.get(normal, normal)
    energy_ids = [i for i in catalog.ids("baselines") if "energy_twh_per_year" in catalog.item("baselines", i)]
    if candidate in energy_ids:
        return candidate
    if f"{candidate}-demand" in energy_ids:
        return f"{candidate}-demand"
    raise InputError("--claim-share-of", key, sorted(set(energy_ids) | set(SHARE_ALIASES)))


def _capex_claim(claimed: float, totals: dict[str, FloatArray]) -> dict[str, Any]:
    all_in = totals["capex_usd"]
    layer_samples = [sum((totals[f"capex.{p}"] for p in parts), np.zeros(all_in.size)) for parts, _ in CAPEX_LAYERS]
    best = _closest(claimed, [(float(np.median(s)), i) for i, s in enumerate(layer_samples)])
    parts, words = CAPEX_LAYERS[best]
    left_out = [CAPEX_PART_WORDS[p] for p in CAPEX_LAYERS[-1][0] if p not in parts]
    corrected = quantiles(all_in)
    return {
        "claim": "capex_usd",
        "claimed": claimed,
        "unit": "USD",
        "model": corrected.to_dict(),
        "percentile": percentile_of(claimed, all_in),
        "matches": words,
        "matches_model": quantiles(layer_samples[best]).to_dict(),
        "leaves_out": left_out,
        "corrected": corrected.to_dict(),
        "factor": corrected.p50 / claimed,
        "verdict": (
            f"{money(claimed)} matches {words}"
            + (f"; it leaves out {', '.join(left_out)}" if left_out else "")
            + f". All-in capex P50 is {money(corrected.p50)} ({corrected.p50 / claimed:.2g}x the claim; "
            f"P10-P90 {money(corrected.p10)} to {money(corrected.p90)})."
        ),
    }


def _power_claim(claimed: float, totals: dict[str, FloatArray]) -> dict[str, Any]:
    facility = totals["facility_power_gw"]
    best = _closest(claimed, [(float(np.median(totals[k])), i) for i, (k, _, _) in enumerate(POWER_LAYERS)])
    key, words, left_out = POWER_LAYERS[best]
    corrected = quantiles(facility)
    grid = quantiles(totals["grid_connection_gw"])
    return {
        "claim": "power_gw",
        "claimed": claimed,
        "unit": "GW",
        "model": corrected.to_dict(),
        "percentile": percentile_of(claimed, facility),
        "matches": words,
        "matches_model": quantiles(totals[key]).to_dict(),
        "leaves_out": list(left_out),
        "corrected": corrected.to_dict(),
        "grid_connection": grid.to_dict(),
        "factor": corrected.p50 / claimed,
        "verdict": (
            f"{claimed:.3g} GW matches {words}"
            + (f"; it leaves out {', '.join(left_out)}" if left_out else "")
            + f". Facility power at peak P50 is {corrected.p50:.3g} GW ({corrected.p50 / claimed:.2g}x the "
            f"claim; P10-P90 {corrected.p10:.3g}-{corrected.p90:.3g} GW); grid connection P50 "
            f"{grid.p50:.3g} GW."
        ),
    }


def _energy_claim(claimed: float, totals: dict[str, FloatArray]) -> dict[str, Any]:
    energy = totals["energy_twh_per_year"]
    corrected = quantiles(energy)
    return {
        "claim": "energy_twh_per_year",
        "claimed": claimed,
        "unit": "TWh/yr",
        "model": corrected.to_dict(),
        "percentile": percentile_of(claimed, energy),
        "corrected": corrected.to_dict(),
        "factor": corrected.p50 / claimed,
        "leaves_out": [],
        "verdict": (
            f"{claimed:.3g} TWh/yr sits at the {percentile_of(claimed, energy):.0f}th percentile of the "
            f"model's annual facility energy (P50 {corrected.p50:.3g} TWh/yr, P10-P90 "
            f"{corrected.p10:.3g}-{corrected.p90:.3g})."
        ),
    }


def _share_claim(
    catalog: Catalog, key: str, claimed: float, totals: dict[str, FloatArray], claimed_power_gw: float | None
) -> dict[str, Any]:
    baseline_id = resolve_baseline(catalog, key)
    baseline = catalog.item("baselines", baseline_id)["energy_twh_per_year"]
    ratio_samples = totals["energy_twh_per_year"] / baseline.mid
    ratio = quantiles(ratio_samples)
    row: dict[str, Any] = {
        "claim": "share_of",
        "baseline": baseline_id,
        "baseline_label": baseline.label,
        "definition": baseline.note,
        "baseline_value": baseline.mid,
        "baseline_unit": "TWh/yr",
        "claimed": claimed,
        "unit": "fraction",
        "model": ratio.to_dict(),
        "percentile": percentile_of(claimed, ratio_samples),
        "corrected": ratio.to_dict(),
        "factor": ratio.p50 / claimed,
        "leaves_out": [],
    }
    verdict = (
        f"Annual energy is the like-for-like measure: the model's fleet uses {ratio.p50:.2g}x "
        f"{baseline.label} ({baseline.mid:g} TWh/yr; P10-P90 {ratio.p10:.2g}-{ratio.p90:.2g}x), "
        f"{ratio.p50 / claimed:.2g}x the claimed {claimed:.2g}."
    )
    if claimed_power_gw is not None:
        own = float(annual_energy_twh(claimed_power_gw)) / baseline.mid
        row["claim_power_as_energy_ratio"] = own
        verdict += (
            f" Even the claim's own {claimed_power_gw:g} GW run all year is "
            f"{float(annual_energy_twh(claimed_power_gw)):.0f} TWh = {own:.2g}x {baseline.label}, "
            f"not {claimed:.2g}."
        )
        implied_gw = claimed_power_gw / claimed
        power_baselines = [
            (catalog.item("baselines", i)["power_gw"], i)
            for i in catalog.ids("baselines")
            if "power_gw" in catalog.item("baselines", i)
        ]
        if power_baselines:
            parameter, best_id = min(power_baselines, key=lambda pb: _log_distance(implied_gw, pb[0].mid))
            row["implied_baseline_gw"] = implied_gw
            if _log_distance(implied_gw, parameter.mid) < math.log(1.35):
                row["likely_compared_with"] = best_id
                verdict += (
                    f" The share {claimed:.2g} matches {claimed_power_gw:g} GW / {parameter.mid:g} GW, the "
                    f"{parameter.label}: a power (capacity) comparison, not a share of electricity used."
                )
    row["verdict"] = verdict
    return row


def check_claims(catalog: Catalog, result: FleetSamples, claims: Claims) -> list[dict[str, Any]]:
    """Check each claimed figure against the model's samples.

    Parameters
    ----------
    catalog
        Loaded catalogue (for baselines).
    result
        Samples of the fleet the claim is about.
    claims
        The claimed figures.

    Returns
    -------
    list of dict
        One entry per claimed figure with ``claim``, ``claimed``, ``unit``, ``model`` (P10/P50/P90),
        ``percentile`` [0–100], ``leaves_out``, ``corrected`` (P10/P50/P90), ``factor`` (corrected P50 / claimed)
        and ``verdict`` (one sentence), plus ``matches`` (the model layer the figure matches) where it applies.
    """
    totals = result.totals
    rows: list[dict[str, Any]] = []
    if claims.capex_usd is not None:
        rows.append(_capex_claim(claims.capex_usd, totals))
    if claims.power_gw is not None:
        rows.append(_power_claim(claims.power_gw, totals))
    if claims.energy_twh_per_year is not None:
        rows.append(_energy_claim(claims.energy_twh_per_year, totals))
    for key, share in claims.share_of.items():
        rows.append(_share_claim(catalog, key, share, totals, claims.power_gw))
    return rows


__all__ = ["HOURS_PER_YEAR", "Claims", "check_claims", "resolve_baseline"]

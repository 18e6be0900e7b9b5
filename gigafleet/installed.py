"""The installed base: accelerators shipped up to a date, from Epoch AI's chip-sales estimates.

The catalogue's ``shipments.csv`` holds Epoch AI's quarterly shipments by chip (Nvidia from Q1 2022, Google
TPU from Q4 2022, AMD and AWS Trainium from Q1 2024) with 5th/50th/95th percentiles. This module sums them up
to a date with their uncertainty and prices them.

Uncertainty model (checked against Epoch's own cumulative totals, see ``docs/validation.md``):

- each (chip, quarter) figure is a split log-normal through Epoch's 5th percentile, median and 95th
  percentile;
- the quarters of one chip are correlated (fully for Nvidia, whose cumulative 5th percentile of a chip is the
  sum of its quarterly ones; less for AMD, TPU and Trainium), and so are the chips of one vendor: both from the
  catalogue's ``shipment-correlation`` rows, calibrated so that the 5th-95th percentile widths of the
  cumulative totals match Epoch's own;
- vendors are independent of one another (separate models and sources);
- a chip's price is drawn once per sample (PERT on the low/mid/high of Epoch's price table for that year,
  otherwise of the proxy accelerator's catalogue price), independently of the volumes.

Chip power is units × package TDP (``installed_chips.csv``), i.e. chip-only power, as Epoch reports it:
servers, network and cooling come on top (``gigafleet estimate``).

References
----------
Epoch AI, "AI Chip Sales", repository epoch-research/ai-chip-counts (csv_export), 2026.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy.stats import norm

from gigafleet.catalog import Catalog, Shipment
from gigafleet.errors import InputError
from gigafleet.uncertainty.sampling import pert_quantiles, quantiles

VENDORS: tuple[str, ...] = ("nvidia", "google", "amd", "amazon")
"""Vendors in the shipment data, in order of volume."""

Z95 = float(norm.ppf(0.95))
"""Standard-normal 95th percentile (1.645): Epoch's 5th/95th percentiles sit at ∓Z95."""


@dataclass(frozen=True)
class Through:
    """An inclusive cut-off date for shipments, parsed from ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM-DD``."""

    text: str
    end: date


def parse_through(text: str, field: str = "--through") -> Through:
    """Parse a cut-off: a year (its 31 December), a quarter ``2025-Q3`` or a date; bounds 2022-2100."""
    raw = str(text).strip()
    allowed = "a year 2022-2100 (e.g. 2026), a quarter (e.g. 2025-Q3) or a date (e.g. 2025-06-30)"
    try:
        if raw.isdigit() and len(raw) == 4:
            end = date(int(raw), 12, 31)
        elif len(raw) == 7 and raw[4] == "-" and raw[5] in "Qq" and raw[:4].isdigit() and raw[6] in "1234":
            quarter = int(raw[6])
            month = 3 * quarter
            end = date(int(raw[:4]), month, 31 if month in (3, 12) else 30)
        else:
            end = date.fromisoformat(raw)
    except ValueError:
        raise InputError(field, text, allowed) from None
    if not 2022 <= end.year <= 2100:
        raise InputError(field, text, allowed)
    return Through(raw, end)


def _split_lognormal(triple: tuple[float, float, float], z: np.ndarray) -> np.ndarray:
    """Values at standard-normal scores ``z`` of a split log-normal through (p5, median, p95).

    Falls back to a split normal where a percentile is zero (log undefined).
    """
    low, mid, high = triple
    if mid <= 0:
        return np.zeros_like(z)
    if low > 0:
        lo_sigma = math.log(mid / low) / Z95
        hi_sigma = math.log(high / mid) / Z95
        return mid * np.exp(np.where(z < 0, z * lo_sigma, z * hi_sigma))
    return np.maximum(0.0, mid + np.where(z < 0, z * (mid - low), z * (high - mid)) / Z95)


def _scores(catalog: Catalog, rng: np.random.Generator, samples: int) -> dict[tuple[str, str], np.ndarray]:
    """Standard-normal score per (chip, quarter start) and sample.

    A vendor factor, a chip factor and a quarter's own term, mixed by the vendor's ``shipment-correlation``
    rows (catalogue ``supply``): ``<vendor>`` correlates the chips of a vendor, ``quarters_<vendor>`` the
    quarters of one chip.
    """
    correlation = catalog.item("supply", "shipment-correlation")
    vendor_z = {v: rng.standard_normal(samples) for v in VENDORS}
    chip_z = {}
    for chip in sorted(catalog.installed_chips.values(), key=lambda c: c.chip):
        rho = correlation[chip.vendor].mid
        chip_z[chip.chip] = math.sqrt(rho) * vendor_z[chip.vendor] + math.sqrt(1 - rho) * rng.standard_normal(samples)
    out = {}
    for row in sorted(catalog.shipments, key=lambda r: (r.chip, r.start)):
        rho_q = correlation[f"quarters_{row.vendor}"].mid
        out[(row.chip, row.start)] = math.sqrt(rho_q) * chip_z[row.chip] + math.sqrt(1 - rho_q) * rng.standard_normal(
            samples
        )
    return out


def _price(catalog: Catalog, row: Shipment) -> tuple[tuple[float, float, float], str]:
    """(low, mid, high) unit price [USD] of a shipment and the grade behind it."""
    if row.price_usd is not None:
        return row.price_usd, "S"
    proxy = catalog.installed_chips[row.chip].proxy
    parameter = catalog.item("accelerators", proxy)["unit_price_usd"]
    return (parameter.low, parameter.mid, parameter.high), parameter.grade


def installed_base(
    catalog: Catalog,
    through: str | Through = "2026",
    *,
    lifetime_years: float | None = None,
    samples: int = 4000,
    seed: int = 20261201,
    vendors: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The accelerators in service at a date, with P10/P50/P90.

    Parameters
    ----------
    catalog
        The loaded catalogue (its ``shipments`` and ``installed_chips``).
    through
        Cut-off (inclusive): a year, ``YYYY-Qn`` or a date. Quarters ending after it are left out.
    lifetime_years
        Retire shipments whose quarter ended more than this many years [year] before the cut-off; ``None`` keeps
        everything shipped since the data begin (2022).
    samples
        Monte Carlo samples (200-200,000).
    seed
        Random seed (results are reproducible).
    vendors
        Limit to these vendors (default: all).

    Returns
    -------
    dict
        ``through``, ``data_end`` (last quarter end in the data), ``complete`` (the data reach the cut-off),
        ``accelerators``, ``h100e``, ``chip_power_gw``, ``spend_usd`` (each ``{"p10", "p50", "p90"}``),
        ``by_vendor`` (the same four per vendor plus ``first_quarter``/``last_quarter``), ``by_chip``
        (median units, H100e and chip power per chip), ``spend_grades`` and ``source``.
    """
    cut = through if isinstance(through, Through) else parse_through(through)
    if lifetime_years is not None and not 0 < lifetime_years <= 30:
        raise InputError("--lifetime-years", lifetime_years, "a number of years in (0, 30]")
    if not 200 <= samples <= 200_000:
        raise InputError("--samples", samples, "200-200,000")
    chosen = tuple(vendors) if vendors is not None else VENDORS
    for vendor in chosen:
        if vendor not in VENDORS:
            raise InputError("--vendor", vendor, VENDORS)
    cut_iso = cut.end.isoformat()
    retire_before = None
    if lifetime_years is not None:
        retire_before = date.fromordinal(cut.end.toordinal() - round(lifetime_years * 365.25)).isoformat()
    rows = [
        r
        for r in catalog.shipments
        if r.vendor in chosen and r.end <= cut_iso and (retire_before is None or r.end > retire_before)
    ]
    rng = np.random.default_rng(seed)
    z_row = _scores(catalog, rng, samples)
    chips = sorted({r.chip for r in rows})
    u_price = {c: rng.uniform(0, 1, samples) for c in sorted(catalog.installed_chips)}
    totals = {k: np.zeros(samples) for k in ("accelerators", "h100e", "chip_power_gw", "spend_usd")}
    per_vendor = {v: {k: np.zeros(samples) for k in totals} for v in chosen}
    by_chip: dict[str, dict[str, float]] = {c: {"units": 0.0, "h100e": 0.0, "chip_power_gw": 0.0} for c in chips}
    grades: dict[str, set[str]] = {v: set() for v in chosen}
    for row in rows:
        z = z_row[(row.chip, row.start)]
        units = _split_lognormal(row.units, z)
        h100e = _split_lognormal(row.h100e, z)
        tdp_w = catalog.installed_chips[row.chip].tdp_w
        (low, mid, high), grade = _price(catalog, row)
        grades[row.vendor].add(grade)
        price = pert_quantiles(low, mid, high, u_price[row.chip])
        parts = {
            "accelerators": units,
            "h100e": h100e,
            "chip_power_gw": units * tdp_w / 1e9,
            "spend_usd": units * price,
        }
        for key, value in parts.items():
            totals[key] += value
            per_vendor[row.vendor][key] += value
        by_chip[row.chip]["units"] += row.units[1]
        by_chip[row.chip]["h100e"] += row.h100e[1]
        by_chip[row.chip]["chip_power_gw"] += row.units[1] * tdp_w / 1e9
    data_end = max((r.end for r in catalog.shipments if r.vendor in chosen), default="")
    by_vendor: dict[str, object] = {}
    for vendor in chosen:
        vendor_rows = [r for r in rows if r.vendor == vendor]
        entry: dict[str, object] = {k: quantiles(v).to_dict() for k, v in per_vendor[vendor].items()}
        entry["first_quarter"] = min((r.start for r in vendor_rows), default=None)
        entry["last_quarter"] = max((r.end for r in vendor_rows), default=None)
        by_vendor[vendor] = entry
    return {
        "through": cut.end.isoformat(),
        "data_end": data_end,
        "complete": bool(data_end) and data_end >= cut_iso,
        "lifetime_years": lifetime_years,
        **{k: quantiles(v).to_dict() for k, v in totals.items()},
        "by_vendor": by_vendor,
        "by_chip": [
            {
                "chip": c,
                "vendor": catalog.installed_chips[c].vendor,
                "proxy": catalog.installed_chips[c].proxy,
                **{k: v for k, v in by_chip[c].items()},
            }
            for c in chips
        ],
        "spend_grades": {v: "".join(sorted(g)) for v, g in grades.items()},
        "samples": samples,
        "source": "Epoch AI, AI Chip Sales (epoch-research/ai-chip-counts, commit d1b1bc3); prices: Epoch's Nvidia "
        "price table, otherwise the proxy accelerator's catalogue price",
    }


def vintages(catalog: Catalog, through: str | Through, *, share: float = 1.0) -> list[dict[str, object]]:
    """The installed base as plan ``existing`` rows: median H100e per proxy chip and shipment year.

    Each chip is counted as its catalogue proxy (``installed_chips.csv``) in units of equal H100e, so the fleet's
    H100e is Epoch's median; power and cost per H100e are the proxy's.

    Parameters
    ----------
    through
        Cut-off (inclusive) as for :func:`installed_base`.
    share
        Share of the world's installed base the plan starts with (0-1].

    Returns
    -------
    list of dict
        ``{"chip", "year", "count", "h100e"}`` per proxy chip and vintage year, count > 0.
    """
    cut = through if isinstance(through, Through) else parse_through(through, "existing.installed.through")
    cut_iso = cut.end.isoformat()
    totals: dict[tuple[str, int], float] = {}
    for row in catalog.shipments:
        if row.end > cut_iso:
            continue
        proxy = catalog.installed_chips[row.chip].proxy
        key = (proxy, int(row.start[:4]))
        totals[key] = totals.get(key, 0.0) + row.h100e[1] * share
    out = []
    for (chip, year), h100e in sorted(totals.items()):
        factor = catalog.item("accelerators", chip)["h100e_factor"].mid
        if h100e > 0:
            out.append({"chip": chip, "year": year, "count": h100e / factor, "h100e": h100e})
    return out


def calibration(catalog: Catalog, *, samples: int = 20000) -> list[dict[str, Any]]:
    """Our cumulative totals against Epoch's own, per vendor, at the last quarter both cover.

    Epoch's totals (``*_cumulative_totals.csv`` in the shipped upstream excerpt) come from its Monte Carlo over
    the same quarters; agreement of the median checks the data, agreement of the 5th/95th percentiles checks the
    correlation model above.
    """
    import csv

    folder = catalog.root / "upstream" / "epoch_ai_chip_counts"
    files = {
        "nvidia": "nvidia_cumulative_totals.csv",
        "amd": "amd_cumulative_totals.csv",
        "google": "tpu_cumulative_totals.csv",
        "amazon": "trainium_cumulative_totals.csv",
    }
    out: list[dict[str, Any]] = []
    for vendor, file in files.items():
        with (folder / file).open(newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if "Incomplete" not in (r.get("Notes") or "")]
        last = rows[-1]
        end = _epoch_date(last["End date"])
        start = _epoch_date(last["Start date"])
        ours = _ours(catalog, vendor, start, end, samples)
        epoch = {
            "units": sorted(float(last[k]) for k in _UNIT_COLUMNS if k in last),
            "h100e": sorted(float(last[k]) for k in _H100E_COLUMNS if k in last),
        }
        for metric in ("units", "h100e"):
            out.append(
                {
                    "vendor": vendor,
                    "through": end.isoformat(),
                    "metric": metric,
                    "epoch_p5": epoch[metric][0],
                    "epoch_p50": epoch[metric][1],
                    "epoch_p95": epoch[metric][2],
                    "ours_p5": ours[metric][0],
                    "ours_p50": ours[metric][1],
                    "ours_p95": ours[metric][2],
                }
            )
    return out


_UNIT_COLUMNS = (
    "Number of units (5th percentile)",
    "Number of units (median)",
    "Number of units (95th percentile)",
    "Number of Units (5th percentile)",
    "Number of Units",
    "Number of Units (95th percentile)",
)
_H100E_COLUMNS = (
    "Compute estimate in H100e (5th percentile)",
    "Compute estimate in H100e (median)",
    "Compute estimate in H100e (95th percentile)",
    "H100e (5th percentile)",
    "H100e (95th percentile)",
)
"""Column names of Epoch's totals files (they differ between vendors)."""


def _epoch_date(text: str) -> date:
    month, day, year = (int(x) for x in text.strip().split("/"))
    return date(year, month, day)


def _ours(catalog: Catalog, vendor: str, start: date, end: date, samples: int) -> dict[str, list[float]]:
    rows = [
        r for r in catalog.shipments if r.vendor == vendor and start.isoformat() <= r.start and r.end <= end.isoformat()
    ]
    z = _scores(catalog, np.random.default_rng(7), samples)
    units = sum((_split_lognormal(r.units, z[(r.chip, r.start)]) for r in rows), np.zeros(samples))
    h100e = sum((_split_lognormal(r.h100e, z[(r.chip, r.start)]) for r in rows), np.zeros(samples))
    return {
        "units": [float(np.quantile(units, q)) for q in (0.05, 0.5, 0.95)],
        "h100e": [float(np.quantile(h100e, q)) for q in (0.05, 0.5, 0.95)],
    }

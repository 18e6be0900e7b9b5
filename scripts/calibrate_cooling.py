"""Calibrate the hourly PUE model of each cooling type to its cited annual and design-day PUE.

The campus model's PUE is ``min(peak_pue, pue_min + slope × max(0, T − T_free))`` (``gigafleet.power.facility``).
Of its four catalogue rows, two are cited directly: the annual ``pue`` (Uptime, LBNL, fleet reports) and the
design-day ``peak_pue``; the free-cooling threshold ``T_free`` follows from ASHRAE's air and water envelopes. The
remaining two, ``pue_min`` and ``pue_slope_per_c``, are not published anywhere. This script derives them as the
pair for which

1. the hourly PUE averaged over a year of weather at the catalogue's US sites equals the annual ``pue`` mid, and
2. the PUE reaches ``peak_pue`` at the design condition: the sites' mean 99.6th-percentile hour (ASHRAE's 0.4 %
   cooling design dry-bulb is defined the same way).

Usage::

    python scripts/calibrate_cooling.py             # print the calibrated rows at the catalogue thresholds
    python scripts/calibrate_cooling.py --sweep     # at every whole degree of the threshold's range

The catalogue rows hold the printed values (``tests/test_power.py`` checks that they still calibrate).
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import brentq

from gigafleet.catalog import Catalog, load_catalog
from gigafleet.power.facility import CoolingPhysics, hourly_pue
from gigafleet.power.weather import site_climate, site_weather

COOLING = ("air", "liquid", "immersion")


CALIBRATION_SITES = (
    "abilene-tx",
    "memphis-tn",
    "mount-pleasant-wi",
    "new-albany-oh",
    "new-carlisle-in",
    "northern-virginia",
    "richland-parish-la",
    "shackelford-tx",
)
"""The eight US sites the cooling rows were calibrated on (their notes say so). The catalogue has more US campuses
since; recalibrating on all of them would change the cooling rows, so the population is pinned here."""


def us_sites(catalog: Catalog) -> list[str]:
    """The calibration's US sites (:data:`CALIBRATION_SITES`, each checked to be in a US region of the catalogue)."""
    sites = [s for s in CALIBRATION_SITES if site_climate(catalog, s).region.startswith("us")]
    assert len(sites) == len(CALIBRATION_SITES), sites
    return sites


def site_temperatures(catalog: Catalog, sites: list[str]) -> dict[str, np.ndarray]:
    """Hourly temperature [°C] of each site's reference year (seed 0, as the campus model uses)."""
    return {s: site_weather(catalog, s)["temp_c"].to_numpy() for s in sites}


def design_temperature_c(temps: dict[str, np.ndarray]) -> float:
    """Mean over sites of the 99.6th-percentile hourly temperature [°C]."""
    return float(np.mean([np.percentile(t, 99.6) for t in temps.values()]))


def annual_pue(physics: CoolingPhysics, temps: dict[str, np.ndarray]) -> float:
    """Hourly PUE averaged over the year and over the sites [ratio]."""
    return float(np.mean([hourly_pue(t, physics).mean() for t in temps.values()]))


def calibrate(annual: float, peak: float, threshold_c: float, temps: dict[str, np.ndarray]) -> tuple[float, float]:
    """``(pue_min, slope)`` that reproduce ``annual`` on average and reach ``peak`` at the design temperature.

    Parameters
    ----------
    annual
        Cited annual PUE [ratio].
    peak
        Design-day PUE [ratio].
    threshold_c
        Free-cooling threshold [°C]; must lie below the design temperature.
    temps
        Hourly temperatures [°C] by site.
    """
    design = design_temperature_c(temps)
    if threshold_c >= design:
        raise ValueError(f"threshold {threshold_c} C is not below the design temperature {design:.1f} C")

    def gap(pue_min: float) -> float:
        slope = (peak - pue_min) / (design - threshold_c)
        return annual_pue(CoolingPhysics(pue_min, threshold_c, slope, peak, 0.0), temps) - annual

    pue_min = float(brentq(gap, 1.0, peak - 1e-9, xtol=1e-7))
    return pue_min, (peak - pue_min) / (design - threshold_c)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sweep", action="store_true", help="calibrate at every whole degree from the threshold's low to high"
    )
    args = parser.parse_args()
    catalog = load_catalog()
    temps = site_temperatures(catalog, us_sites(catalog))
    print(f"US sites: {', '.join(temps)}; design temperature {design_temperature_c(temps):.2f} C")
    for cooling in COOLING:
        item = catalog.item("cooling", cooling)
        threshold = item["free_cooling_threshold_c"]
        points = tuple(np.arange(threshold.low, threshold.high + 0.5, 1.0)) if args.sweep else (threshold.mid,)
        for t in points:
            try:
                pue_min, slope = calibrate(item["pue"].mid, item["peak_pue"].mid, t, temps)
            except ValueError as error:
                print(f"{cooling:10s} threshold {t:5.1f} C: {error}")
                continue
            print(f"{cooling:10s} threshold {t:5.1f} C: pue_min {pue_min:.4f}  pue_slope_per_c {slope:.4f}")


if __name__ == "__main__":
    main()

"""Regional power economics: fuel price, generation capex factor and grid CO2 by year.

Every value comes from ``regions.csv`` (one row per region and parameter, each cited). The engines that price
power (the build-out plan and the campus model) read them through these functions only, so a site always pays
its own region's gas price and builds at its own region's cost.
"""

from __future__ import annotations

from gigafleet.catalog import Catalog

CAPEX_FACTOR_PARAMETER: dict[str, str] = {"solar-pv": "solar_capex_factor", "wind-onshore": "wind_capex_factor"}
"""Power source -> the region parameter that scales its (US) capex. Other sources are priced at catalogue cost
(batteries: the catalogue's global-average turnkey price)."""


def region_gas_price(catalog: Catalog, region: str) -> float:
    """Delivered natural-gas price for power in a region [USD/MMBtu] (catalogue mid)."""
    return float(catalog.item("regions", region)["gas_price_usd_per_mmbtu"].mid)


def region_capex_factor(catalog: Catalog, region: str, source: str) -> float:
    """Capex of ``source`` built in ``region`` relative to the US catalogue capex [ratio].

    Solar PV and onshore wind scale by the region's cited factor (IRENA installed-cost ratios, see
    ``regions.csv``); batteries keep the catalogue's global-average turnkey price; gas, nuclear and bridge power
    are priced at US cost everywhere (turbines, engines and reactors are sold on a world market; their regional
    differences are not in the catalogue).
    """
    parameter = CAPEX_FACTOR_PARAMETER.get(source)
    if parameter is None:
        return 1.0
    return float(catalog.item("regions", region)[parameter].mid)


def grid_co2_g_per_kwh(catalog: Catalog, region: str, year: int) -> float:
    """Grid CO2 intensity of a region in ``year`` [g/kWh]: the cited value moved along the region's trend.

    ``grid_co2_g_per_kwh`` (as of its ``as_of`` year) plus ``grid_co2_change_g_per_kwh_per_year`` per year,
    floored at zero; a year before the as-of year uses the as-of value (the trend is for projections only).
    """
    item = catalog.item("regions", region)
    base = item["grid_co2_g_per_kwh"]
    base_year = int(str(base.as_of)[:4])
    slope = item["grid_co2_change_g_per_kwh_per_year"].mid
    return max(0.0, float(base.mid) + float(slope) * max(0, year - base_year))

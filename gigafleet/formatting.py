"""Human formatting of quantities for tables and reports: ``$6.42 T``, ``192 GW``, ``1,540 TWh/yr``."""

from __future__ import annotations

import math

_SCALES: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def sig(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, with thousands separators, no exponent below 1e15."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{round(value, decimals - 0):,.{decimals}f}" if abs(value) < 1e15 else f"{value:.{digits - 1}e}"


def scaled(value: float, digits: int = 3) -> str:
    """``1.23e9`` -> ``1.23 B``; small values unchanged."""
    for factor, suffix in _SCALES:
        if abs(value) >= factor:
            return f"{sig(value / factor, digits)} {suffix}"
    return sig(value, digits)


def money(value: float) -> str:
    """USD with a scale suffix: ``$6.42 T``."""
    return "$" + scaled(value)


def flops(value: float) -> str:
    """FLOP/s with SI prefixes: ``1.98e+15`` -> ``1.98 PFLOP/s``."""
    for factor, prefix in ((1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G")):
        if abs(value) >= factor:
            return f"{sig(value / factor)} {prefix}FLOP/s"
    return f"{sig(value)} FLOP/s"


FORMATS: dict[str, tuple[str, str]] = {
    # key: (label, kind)
    "accelerators": ("Accelerators", "count"),
    "chip_power_gw": ("Chip power (TDP)", "GW"),
    "server_power_gw": ("Server power", "GW"),
    "it_power_gw": ("IT power", "GW"),
    "facility_power_gw": ("Facility power (peak)", "GW"),
    "grid_connection_gw": ("Grid connection", "GW"),
    "average_facility_power_gw": ("Average facility power", "GW"),
    "energy_twh_per_year": ("Energy", "TWh/yr"),
    "capex_usd": ("Capex (all-in)", "USD"),
    "opex_usd_per_year": ("Opex", "USD/yr"),
    "tco_usd_per_year": ("TCO (annualised)", "USD/yr"),
    "required_revenue_usd_per_year": ("Revenue needed to pay back capital", "USD/yr"),
    "usd_per_accelerator_hour": ("Cost per accelerator-hour", "USD/h"),
    "breakeven_usd_per_h100e_hour": ("Break-even price per busy H100e-hour", "USD/h"),
    "capex_usd_per_facility_gw": ("Capex per GW of facility power", "USD/GW"),
    "water_m3_per_year": ("Water (on-site)", "m3/yr"),
    "co2_mt_per_year": ("CO2 (grid)", "Mt/yr"),
    "h100e": ("H100-equivalents", "count"),
}


def quantity(value: float, kind: str) -> str:
    """Format one value of a given kind (see :data:`FORMATS`)."""
    if kind == "USD":
        return money(value)
    if kind == "USD/yr":
        return money(value) + "/yr"
    if kind == "USD/GW":
        return money(value) + "/GW"
    if kind == "USD/h":
        return f"${value:,.2f}/h"
    if kind == "count":
        return scaled(value)
    if kind == "m3/yr":
        return scaled(value) + " m³/yr"
    return f"{sig(value)} {kind}"

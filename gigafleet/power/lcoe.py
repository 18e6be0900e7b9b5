"""Levelised cost of electricity from a power source's catalogue components (capex, O&M, fuel, CF, life).

LCOE = (capex · CRF(r, n) + FOM) / (CF · 8.766 MWh/kW-yr) + heat rate · gas price / 1000 + VOM, with the
capital recovery factor CRF(r, n) = r (1 + r)^n / ((1 + r)^n − 1) [1]_. Used to reconcile every catalogue
``lcoe_usd_per_mwh`` row with the components in the same catalogue (a test fails when they disagree by more than
the LCOE row's own range), so a source cannot look cheap in plans and dear in its LCOE row.

References
----------
.. [1] NREL, "Simple Levelized Cost of Energy (LCOE) Calculator Documentation" (capital recovery factor form).
"""

from __future__ import annotations

from gigafleet.catalog import Catalog
from gigafleet.fleet import capital_recovery_factor

HOURS_PER_YEAR = 8766.0
STORAGE = ("battery-4h",)
"""Storage is priced per MWh discharged including charging energy (LCOS), not comparable with this formula."""


def lcoe_usd_per_mwh(
    capex_usd_per_kw: float,
    fixed_om_usd_per_kw_year: float,
    variable_om_usd_per_mwh: float,
    heat_rate_btu_per_kwh: float,
    capacity_factor: float,
    lifetime_years: float,
    gas_usd_per_mmbtu: float,
    wacc: float,
) -> float:
    """LCOE [USD/MWh] from components (see module docstring).

    Examples
    --------
    A $1,000/kW plant with no O&M or fuel, CF 1, 8% over 30 years: 1000 · 0.0888 / 8.766 ≈ $10.1/MWh.

    >>> round(lcoe_usd_per_mwh(1000, 0, 0, 0, 1.0, 30, 0, 0.08), 1)
    10.1
    """
    annual = capex_usd_per_kw * float(capital_recovery_factor(wacc, lifetime_years)) + fixed_om_usd_per_kw_year
    return (
        annual / (capacity_factor * HOURS_PER_YEAR / 1000.0)
        + heat_rate_btu_per_kwh / 1000.0 * gas_usd_per_mmbtu
        + variable_om_usd_per_mwh
    )


def component_lcoe(catalog: Catalog, source: str) -> tuple[float, float, float]:
    """(low, mid, high) LCOE of a source from its catalogue components [USD/MWh].

    Mid: every component at its mid value, gas at its mid price, the finance WACC mid. Low and high: every
    component at its favourable or unfavourable end (low capex, O&M and heat rate with high CF and life; and the
    reverse), gas and WACC at mid, so the spread is the source's own.
    """
    item = catalog.item("power_sources", source)
    gas = catalog.item("power_sources", "natural-gas")["price_usd_per_mmbtu"].mid
    wacc = catalog.item("facility", "finance")["wacc"].mid

    def value(name: str, end: str) -> float:
        parameter = item.get(name)
        return 0.0 if parameter is None else float(getattr(parameter, end))

    def at(cost_end: str, benefit_end: str) -> float:
        return lcoe_usd_per_mwh(
            value("capex_usd_per_kw", cost_end),
            value("fixed_om_usd_per_kw_year", cost_end),
            value("variable_om_usd_per_mwh", cost_end),
            value("heat_rate_btu_per_kwh", cost_end),
            value("capacity_factor", benefit_end),
            value("lifetime_years", benefit_end) or 25.0,
            gas,
            wacc,
        )

    return at("low", "high"), at("mid", "mid"), at("high", "low")

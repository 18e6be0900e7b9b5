"""Numbers for people, one way everywhere: CLI tables, HTML reports, web pages and notebooks.

``format_value(value, kind)`` prints a quantity with its unit scaled by size and no float noise: money as
``$6.42 T``, counts as ``2.5 million``, power as ``192 GW`` or ``12.3 MW``, energy as ``1,540 TWh/yr``.
``format_sig`` prints a bare number to significant figures with thousands separators and no exponent.
The short names ``sig``, ``scaled``, ``money``, ``flops`` and ``quantity`` are the same formatter under the names
the CLI tables use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: A quantity as ``(p10, p50, p90)``; any member may be unknown (``None``).
Triple = tuple[float | None, float | None, float | None]


PERCENTILES = ("p10", "p50", "p90")


DASH = "—"


@dataclass(frozen=True)
class Kind:
    """How to print one kind of quantity.

    Attributes
    ----------
    factor : float
        Multiplier from the unit the value is given in to the base unit of ``steps``.
    steps : tuple of (float, str)
        ``(scale, template)`` pairs, largest scale first. The first step whose scale
        does not exceed the (rounded) magnitude is used, else the last step. The
        template holds ``{}`` for the number and may carry a leading ``$``.
    zero : str
        Text printed for an exact zero.
    """

    factor: float
    steps: tuple[tuple[float, str], ...]
    zero: str


MONEY_STEPS = ((1e12, "${} T"), (1e9, "${} B"), (1e6, "${} M"), (1e3, "${} K"), (1.0, "${}"))


KINDS: dict[str, Kind] = {
    # Plain counts [1], e.g. accelerators, H100-equivalents.
    "count": Kind(1.0, ((1e12, "{} trillion"), (1e9, "{} billion"), (1e6, "{} million"), (1.0, "{}")), "0"),
    # Power given in [GW].
    "power_gw": Kind(1e9, ((1e9, "{} GW"), (1e6, "{} MW"), (1e3, "{} kW"), (1.0, "{} W")), "0 GW"),
    # Annual energy given in [TWh/yr].
    "energy_twh": Kind(
        1e12, ((1e12, "{} TWh/yr"), (1e9, "{} GWh/yr"), (1e6, "{} MWh/yr"), (1.0, "{} Wh/yr")), "0 TWh/yr"
    ),
    # Money given in [USD].
    "usd": Kind(1.0, MONEY_STEPS, "$0"),
    # Money per year given in [USD/yr].
    "usd_per_year": Kind(1.0, tuple((s, t + "/yr") for s, t in MONEY_STEPS), "$0/yr"),
    # Hourly price given in [USD/h]: no scaling.
    "usd_per_hour": Kind(1.0, ((1.0, "${}/h"),), "$0/h"),
    # Water given in [m³/yr].
    "water_m3": Kind(1.0, ((1e9, "{} billion m³/yr"), (1e6, "{} million m³/yr"), (1.0, "{} m³/yr")), "0 m³/yr"),
    # Emissions given in [Mt CO2/yr].
    "co2_mt": Kind(1e6, ((1e6, "{} Mt CO2/yr"), (1e3, "{} kt CO2/yr"), (1.0, "{} t CO2/yr")), "0 Mt CO2/yr"),
    # Compute throughput given in [FLOP/s].
    "flops": Kind(
        1.0,
        (
            (1e30, "{} QFLOP/s"),
            (1e27, "{} RFLOP/s"),
            (1e24, "{} YFLOP/s"),
            (1e21, "{} ZFLOP/s"),
            (1e18, "{} EFLOP/s"),
            (1e15, "{} PFLOP/s"),
            (1e12, "{} TFLOP/s"),
            (1e9, "{} GFLOP/s"),
            (1.0, "{} FLOP/s"),
        ),
        "0 FLOP/s",
    ),
    # Dimensionless ratio [1].
    "ratio": Kind(1.0, ((1e6, "{} million×"), (1.0, "{}×")), "0×"),
    # Plain number [1] with thousands separators.
    "number": Kind(1.0, ((1.0, "{}"),), "0"),
}


def round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant figures.

    Parameters
    ----------
    value : float
        Number to round [any unit].
    digits : int
        Significant figures to keep [1].

    Returns
    -------
    float
        The rounded number [same unit as ``value``].
    """
    if value == 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - exponent)


LARGEST_PLAIN = 1e15
"""Magnitude from which :func:`format_sig` prints ``mantissa e exponent`` (``1e28``): a float's digits beyond
about 10^15 are noise (``9,999,999,999,999,999,635,896,...``)."""


def format_sig(value: float, digits: int = 3) -> str:
    """Print a number with ``digits`` significant figures, thousands separators and no exponent below 10^15.

    Trailing zeros after the decimal point are dropped (``3.10`` prints as ``3.1``); from 10^15 on, only the
    significant digits are printed, as ``1e28`` or ``2.5e27``.

    Examples
    --------
    >>> format_sig(1540.2), format_sig(0.012345), format_sig(1e28, 6), format_sig(-2.51e27)
    ('1,540', '0.0123', '1e28', '-2.51e27')

    Parameters
    ----------
    value : float
        Number to print [any unit].
    digits : int
        Significant figures [1].

    Returns
    -------
    str
        E.g. ``"1,540"``, ``"6.42"``, ``"0.0123"``.
    """
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    rounded = round_sig(value, digits)
    if rounded == 0:
        return "0"
    if abs(rounded) >= LARGEST_PLAIN:  # beyond 10^15 a float's digits are noise: print the significant ones only
        mantissa, power = f"{value:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(power)}"
    exponent = math.floor(math.log10(abs(rounded)))
    decimals = max(digits - 1 - exponent, 0)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_value(value: float | None, kind: str, digits: int = 3) -> str:
    """Print a value with human-friendly units.

    Parameters
    ----------
    value : float or None
        The value, in the unit the kind expects (e.g. [GW] for ``"power_gw"``,
        [USD] for ``"usd"``, [Mt CO2/yr] for ``"co2_mt"``). ``None`` prints as a dash.
    kind : str
        One of the keys of ``KINDS``; an unknown kind prints as a plain number.
    digits : int
        Significant figures [1].

    Returns
    -------
    str
        E.g. ``"$6.42 T"``, ``"192 GW"``, ``"1,540 TWh/yr"``, ``"3.1 Mt CO2/yr"``.
    """
    if value is None:
        return DASH
    spec = KINDS.get(kind, KINDS["number"])
    if not math.isfinite(value):
        return format_sig(value)
    base = round_sig(value * spec.factor, digits)
    if base == 0:
        return spec.zero
    magnitude = abs(base)
    scale, template = spec.steps[-1]
    for step_scale, step_template in spec.steps:
        if magnitude >= step_scale:
            scale, template = step_scale, step_template
            break
    number = format_sig(magnitude / scale, digits)
    text = template.format(number)
    return "-" + text if base < 0 else text


def format_triple(triple: Triple, kind: str) -> tuple[str, str, str]:
    """Print a ``(p10, p50, p90)`` triple.

    Parameters
    ----------
    triple : Triple
        Percentiles [unit of ``kind``].
    kind : str
        Formatting kind, see ``format_value``.

    Returns
    -------
    tuple of str
        The three printed percentiles.
    """
    return (format_value(triple[0], kind), format_value(triple[1], kind), format_value(triple[2], kind))


def axis_scale(values: Iterable[float], kind: str) -> tuple[float, str]:
    """Pick a single axis unit for a chart.

    Parameters
    ----------
    values : iterable of float
        Values plotted on the axis [unit expected by ``kind``].
    kind : str
        ``"usd"``, ``"usd_per_year"`` or ``"power_gw"``.

    Returns
    -------
    tuple of (float, str)
        Divisor to apply to the values [unit of ``kind`` per axis unit] and the axis title.
    """
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if kind == "power_gw":
        for divisor, label in ((1.0, "GW"), (1e-3, "MW"), (1e-6, "kW")):
            if largest >= divisor:
                return divisor, f"Power [{label}]"
        return 1e-9, "Power [W]"
    suffix = " per year" if kind == "usd_per_year" else ""
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if largest >= divisor:
            return divisor, f"US$ {word}{suffix}"
    return 1.0, f"US${suffix}"


def format_count(value: float | None) -> str:
    """A count, whole numbers in full (``"100,000"``), others with three significant figures; a dash when unknown.

    Parameters
    ----------
    value : float or None
        The count [1].
    """
    if value is None:
        return DASH
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return format_sig(value, 3)


def format_percent(value: float | None, digits: int = 3) -> str:
    """A fraction as a percentage, e.g. ``0.9312`` → ``"93.1%"``; a dash when unknown.

    Parameters
    ----------
    value : float or None
        Fraction [1].
    digits : int
        Significant figures [1].
    """
    return DASH if value is None else f"{format_sig(value * 100.0, digits)}%"


def fleet_label(count: float | None, chip: str) -> str:
    """A fleet as text: ``"100,000 × h100"``, ``"100,000 accelerators"``, ``"h100 fleet"`` or ``""``.

    Examples
    --------
    >>> fleet_label(1e5, "h100"), fleet_label(1e5, ""), fleet_label(None, "h100")
    ('100,000 × h100', '100,000 accelerators', 'h100 fleet')
    """
    if count is not None and chip:
        return f"{format_count(count)} × {chip}"
    if count is not None:
        return f"{format_count(count)} accelerators"
    return f"{chip} fleet" if chip else ""


def format_delta(value: float | None, kind: str) -> str:
    """A change with its sign, e.g. ``"+$1.2 B"``, ``"-300 MW"``, ``"0"``; a dash when unknown.

    Examples
    --------
    >>> format_delta(1.2e9, "usd"), format_delta(-0.3, "power_gw"), format_delta(0.0, "count")
    ('+$1.2 B', '-300 MW', '0')
    """
    if value is None:
        return DASH
    text = format_value(value, kind)
    return text if text.startswith("-") or value == 0 else "+" + text


def format_relative(value: float | None) -> str:
    """A relative change [1] as a signed percentage, e.g. ``"+12.5%"``; a dash when unknown (no baseline, or a
    zero one)."""
    if value is None:
        return DASH
    text = format_percent(value)
    return text if text.startswith("-") or value == 0 else "+" + text


def format_price(value: float | None, unit: str, digits: int = 3) -> str:
    """A price per unit, such as a shadow price, with the money scaled: ``"$1.87 T per GW"``.

    Parameters
    ----------
    value : float or None
        The price [``unit``]; ``None`` prints as a dash.
    unit : str
        Its unit as the engines write it: ``"USD per GW"``, ``"USD/MWh"``, or a non-money unit
        (``"hours at the cap"``), which follows the number as it is.
    digits : int
        Significant figures [1].

    Examples
    --------
    >>> format_price(1.867e12, "USD per GW"), format_price(41.25, "USD/MWh"), format_price(312, "hours at the cap")
    ('$1.87 T per GW', '$41.2/MWh', '312 hours at the cap')
    """
    if value is None:
        return DASH
    unit = unit.strip()
    for prefix, joint in (("USD per ", " per "), ("USD/", "/")):
        if unit.startswith(prefix):
            return format_value(value, "usd", digits) + joint + unit[len(prefix) :]
    return f"{format_sig(value, digits)} {unit}".strip()


def format_parameter(value: float, unit: str) -> str:
    """A catalogue value as the catalogue holds it: a year in full (``2025``), others to six significant figures.

    Examples
    --------
    >>> format_parameter(2025, "year"), format_parameter(1234567.8, "USD"), format_parameter(0.000123, "1")
    ('2025', '1,234,570', '0.000123')
    """
    if unit == "year" and float(value).is_integer():
        return str(int(value))
    return format_sig(value, 6)


# --------------------------------------------------------------------------------------------------
# The CLI's names for the same formatter
# --------------------------------------------------------------------------------------------------


def sig(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures (``format_sig``)."""
    return format_sig(value, digits)


def scaled(value: float, digits: int = 3) -> str:
    """A count: ``2.5 million``, ``1.2 billion``, ``2,000`` (``format_value(value, "count")``)."""
    return format_value(value, "count", digits)


def money(value: float) -> str:
    """USD with a scale: ``$6.42 T``."""
    return format_value(value, "usd")


def flops(value: float) -> str:
    """FLOP/s with an SI prefix: ``1.98 PFLOP/s``."""
    return format_value(value, "flops")


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


ESTIMATE_ROWS: tuple[str, ...] = (
    "accelerators",
    "h100e",
    "chip_power_gw",
    "server_power_gw",
    "it_power_gw",
    "facility_power_gw",
    "grid_connection_gw",
    "energy_twh_per_year",
    "capex_usd",
    "capex_usd_per_facility_gw",
    "opex_usd_per_year",
    "tco_usd_per_year",
    "usd_per_accelerator_hour",
    "breakeven_usd_per_h100e_hour",
    "water_m3_per_year",
    "co2_mt_per_year",
)
"""The quantities of an estimate, in the order the CLI table and the web page show them."""


_QUANTITY_KINDS = {
    "USD": "usd",
    "USD/yr": "usd_per_year",
    "USD/h": "usd_per_hour",
    "count": "count",
    "m3/yr": "water_m3",
    "GW": "power_gw",
    "TWh/yr": "energy_twh",
    "Mt/yr": "co2_mt",
}


def quantity(value: float, kind: str) -> str:
    """Format one value of a :data:`FORMATS` kind with the shared formatter.

    Examples
    --------
    >>> quantity(0.0123, "GW"), quantity(6.8e12, "USD"), quantity(2.5e6, "count"), quantity(29.1e9, "USD/GW")
    ('12.3 MW', '$6.8 T', '2.5 million', '$29.1 B/GW')
    """
    if kind == "USD/GW":
        return money(value) + "/GW"
    return format_value(value, _QUANTITY_KINDS.get(kind, "number"))


def quantity_rows(result: Mapping[str, Any], keys: Iterable[str] = ESTIMATE_ROWS) -> list[dict[str, str]]:
    """An estimate's quantities as printed text, one row per key: ``key``, ``label``, ``p10``, ``p50``, ``p90``.

    The rows of ``gigafleet estimate``'s table and of the web page (``/api/estimate?display=true``). Keys the
    result lacks are skipped.

    Examples
    --------
    >>> quantity_rows({"facility_power_gw": {"p10": 0.0118, "p50": 0.0123, "p90": 0.013}})
    [{'key': 'facility_power_gw', 'label': 'Facility power (peak)', 'p10': '11.8 MW', 'p50': '12.3 MW', 'p90': '13 MW'}]
    """
    rows = []
    for key in keys:
        triple = result.get(key)
        if not isinstance(triple, Mapping):
            continue
        label, kind = FORMATS[key]
        rows.append(
            {
                "key": key,
                "label": label,
                **{p: quantity(triple[p], kind) if triple.get(p) is not None else DASH for p in PERCENTILES},
            }
        )
    return rows

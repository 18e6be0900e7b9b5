"""The layered fleet model: power (chip → server → IT → facility → grid), energy, water, CO2, cost, compute.

Everything is computed **per accelerator of the fleet's mix** on vectors of Monte Carlo samples, then scaled
by the fleet size. With no fixed costs in the model, every extensive output is linear in the number of
accelerators, which makes the inverse problems (size the fleet from an IT power, a facility power or a
budget) exact: ``N = target / (target per accelerator)`` sample by sample.

Layers (per accelerator, all at peak unless noted):

* chip power = TDP;
* server power = rack or server power / accelerators (host CPUs, memory, scale-up switches);
* IT power = server + scale-out network + storage + management share;
* facility power = IT × design-day PUE (``peak_pue``): what the site must deliver on the hottest day;
* grid connection = facility × margin (headroom, transformer losses).

Energy uses the average draw: IT × (idle + (1 − idle) × utilisation) × annual PUE × 8,766 h.

References
----------
.. [1] Epoch AI, "GPUs account for about 40% of power usage in AI data centers", Dec 2025 (server = 1.53× GPU,
   IT = 1.14× server, facility = 1.4× IT at peak).
.. [2] Epoch AI, "Servers account for 60% of the total cost of ownership of a one-gigawatt AI data center",
   May 2026 ($38B capex, $8.5B/yr TCO for 1 GW IT of GB200 NVL72; IT life 5 yr, facility 14 yr).
.. [3] Cushman & Wakefield, "Data Center Development Cost Guide 2025" (construction cost per MW and its shares).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog, Item, Parameter
from gigafleet.errors import InputError
from gigafleet.uncertainty import parallel, sampling
from gigafleet.uncertainty.sampling import TableScratch, comonotonic, parameter_quantiles, pert_table, sample_parameter

FloatArray = npt.NDArray[np.float64]
SampleArray = npt.NDArray[np.floating[Any]]
"""Sampled inputs: float64, or float32 (:data:`LARGE_SAMPLE_DTYPE`) from PERT_TABLE_MIN_SAMPLES samples on."""

HOURS_PER_YEAR = 8766.0
"""Hours in an average (Julian) year [h]: 365.25 × 24."""

SizingKind = Literal["accelerators", "it_power_gw", "facility_power_gw", "budget_usd"]
SIZING_KINDS: tuple[str, ...] = ("accelerators", "it_power_gw", "facility_power_gw", "budget_usd")
SIZING_OUTPUT: dict[str, str] = {
    "accelerators": "accelerators",
    "it_power_gw": "it_power_gw",
    "facility_power_gw": "facility_power_gw",
    "budget_usd": "capex_usd",
}
"""Sizing kind -> the per-accelerator output it divides."""

PRECISIONS: tuple[str, ...] = ("bf16", "fp8", "fp4")

CAPEX_PARTS: tuple[str, ...] = (
    "accelerators",
    "servers",
    "networking",
    "storage",
    "power_and_cooling",
    "shell",
    "site_and_fitout",
    "land",
    "grid_connection",
)
IT_CAPEX_PARTS: tuple[str, ...] = ("accelerators", "servers", "networking", "storage")
OPEX_PARTS: tuple[str, ...] = ("energy", "it_maintenance", "facility_maintenance", "staff", "water")
TCO_PARTS: tuple[str, ...] = ("it_capital", "facility_capital", "opex")


# --------------------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------------------


def capital_recovery_factor(rate: SampleArray | float, years: SampleArray | float) -> FloatArray:
    """Capital recovery factor: the annuity per unit of capital [1/yr].

    Parameters
    ----------
    rate
        Cost of capital per year [fraction].
    years
        Asset life [yr].

    Returns
    -------
    numpy.ndarray
        r / (1 − (1 + r)^−n); 1/n when r = 0.

    Examples
    --------
    >>> round(float(capital_recovery_factor(0.08, 5)), 4)
    0.2505
    """
    return capital_recovery_factors(rate, years)[0]


def capital_recovery_factors(rate: SampleArray | float, *years: SampleArray | float) -> list[FloatArray]:
    """:func:`capital_recovery_factor` at one rate for several asset lives, sharing the work [1/yr].

    At 10^6+ samples the lives are computed side by side on :mod:`~gigafleet.uncertainty.parallel`'s threads
    (``np.power`` costs ~15 ns a sample, 15 times a product)."""
    r = np.asarray(rate, dtype=float)
    base = 1.0 + r
    zero = r == 0
    any_zero = bool(np.any(zero))

    def one(life: SampleArray | float) -> FloatArray:
        n = np.asarray(life, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            crf = np.asarray(np.power(base, -n))
            if crf.ndim:  # in place at 10^6 samples; scalars as they come
                np.subtract(1.0, crf, out=crf)
                np.divide(r, crf, out=crf)
            else:
                crf = np.asarray(r / (1.0 - crf))
            if any_zero:
                crf = np.where(zero, 1.0 / n, crf)
        return np.asarray(crf, dtype=float)

    return parallel.map_parallel(one, years, parallel=base.size >= parallel.PARALLEL_MIN_SAMPLES)


def average_power_fraction(utilisation: SampleArray | float, idle_fraction: SampleArray | float) -> FloatArray:
    """Average draw as a share of peak IT power: idle + (1 − idle) × utilisation [fraction].

    Parameters
    ----------
    utilisation
        Share of time the accelerators are busy [fraction].
    idle_fraction
        Power drawn when idle, as a share of peak [fraction].
    """
    u = np.asarray(utilisation, dtype=float)
    idle = np.asarray(idle_fraction, dtype=float)
    fraction = np.subtract(1.0, idle)
    fraction *= u
    fraction += idle
    return np.asarray(fraction, dtype=float)


def annual_energy_twh(average_power_gw: FloatArray | float, hours: float = HOURS_PER_YEAR) -> FloatArray:
    """Energy of a constant average load over a year [TWh/yr]: GW × h / 1000.

    Examples
    --------
    >>> round(float(annual_energy_twh(75.0)), 1)  # the press figure's 75 GW, all year
    657.5
    """
    energy = np.multiply(np.asarray(average_power_gw, dtype=float), hours)
    energy /= 1000.0
    return np.asarray(energy, dtype=float)


# --------------------------------------------------------------------------------------------------------
# Fleet description and sampled inputs
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizing:
    """What fixes the fleet size: exactly one of accelerators, IT power, facility power or budget."""

    kind: SizingKind
    value: float
    """Number of accelerators [count], IT or facility power [GW], or capex budget [USD]."""


@dataclass(frozen=True)
class FleetSpec:
    """A fleet to estimate.

    Attributes
    ----------
    mix
        Accelerator id -> share of the fleet's accelerators [fraction]; shares sum to 1.
    sizing
        What fixes the fleet size.
    cooling
        Cooling id (``air``, ``liquid``, ``immersion``).
    region
        Region id for electricity price, grid CO2, water price and construction cost.
    year
        Year of operation; every accelerator must be in volume by then [year].
    utilisation
        Share of time busy [fraction]; ``None`` samples the catalogue's range.
    mfu
        Model FLOP utilisation while busy [fraction]; ``None`` samples the catalogue's range.
    """

    mix: Mapping[str, float]
    sizing: Sizing
    cooling: str
    region: str
    year: int
    utilisation: float | None = None
    mfu: float | None = None


@dataclass
class SampledInputs:
    """Monte Carlo samples of every input the model reads.

    ``chips[name]`` has shape (n_chips, n_samples) in the order of ``chip_ids``; ``scalars[name]`` has shape
    (n_samples,). Units are those of the catalogue parameter names. Point values are read-only broadcasts of one
    float (:func:`constant_samples`: no memory at 10^6+ samples); read them, do not write them. From
    :data:`PERT_TABLE_MIN_SAMPLES` samples on, drawn values are :data:`LARGE_SAMPLE_DTYPE` (float32).
    """

    chip_ids: tuple[str, ...]
    shares: FloatArray
    n_samples: int
    chips: dict[str, SampleArray] = field(default_factory=dict)
    scalars: dict[str, SampleArray] = field(default_factory=dict)


CHIP_INPUTS: tuple[str, ...] = (
    "tdp_w",
    "server_power_kw",
    "it_power_kw",
    "unit_price_usd",
    "server_capex_usd",
    "network_capex_usd",
    "h100e_factor",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
)

LARGE_SAMPLE_DTYPE: type[np.floating[Any]] = np.float32
"""Type of the drawn inputs from :data:`PERT_TABLE_MIN_SAMPLES` samples on (constants stay float64 broadcasts;
every output is float64): single precision halves their memory and traffic, and moves any P10/P50/P90 at
10^6 samples by under 1e-6 of its value (``tests/test_fleet.py``), ~1,000x below the Monte Carlo noise."""

CHIP_POWER_CHAIN: tuple[str, ...] = ("tdp_w", "server_power_kw", "it_power_kw")
"""Chip inputs drawn comonotonic: chip, server and IT power per accelerator rise and fall together."""

SCALAR_INPUTS: dict[str, tuple[str, str, str]] = {
    # name in model: (kind, item id or "<cooling>"/"<region>", parameter)
    "pue": ("cooling", "<cooling>", "pue"),
    "peak_pue": ("cooling", "<cooling>", "peak_pue"),
    "wue_l_per_kwh": ("cooling", "<cooling>", "wue_l_per_kwh"),
    "cooling_capex_usd_per_mw": ("cooling", "<cooling>", "capex_usd_per_mw"),
    "construction_usd_per_mw": ("facility", "construction", "cost_usd_per_mw"),
    "share_critical_capacity": ("facility", "construction", "share_critical_capacity"),
    "share_shell": ("facility", "construction", "share_shell"),
    "share_site": ("facility", "construction", "share_site"),
    "share_white_space": ("facility", "construction", "share_white_space"),
    "share_back_of_house": ("facility", "construction", "share_back_of_house"),
    "share_office": ("facility", "construction", "share_office"),
    "land_usd_per_mw": ("facility", "land", "cost_usd_per_mw"),
    "grid_usd_per_mw": ("facility", "grid-connection", "cost_usd_per_mw"),
    "grid_margin": ("facility", "grid-connection", "margin"),
    "storage_share": ("facility", "storage", "capex_share_of_it"),
    "idle_fraction": ("facility", "operations", "idle_power_fraction"),
    "it_maintenance_share": ("facility", "operations", "it_maintenance_share_per_year"),
    "facility_maintenance_share": ("facility", "operations", "facility_maintenance_share_per_year"),
    "staff_fte_per_mw": ("facility", "operations", "staff_fte_per_mw"),
    "staff_usd_per_fte": ("facility", "operations", "staff_cost_usd_per_fte"),
    "utilisation": ("facility", "operations", "utilisation"),
    "mfu": ("facility", "operations", "mfu"),
    "wacc": ("facility", "finance", "wacc"),
    "it_life_years": ("facility", "finance", "it_life_years"),
    "facility_life_years": ("facility", "finance", "facility_life_years"),
    "price_decline_per_year": ("facility", "accelerator-prices", "decline_per_year"),
    "electricity_usd_per_mwh": ("regions", "<region>", "electricity_price_usd_per_mwh"),
    "grid_co2_g_per_kwh": ("regions", "<region>", "grid_co2_g_per_kwh"),
    "water_usd_per_m3": ("regions", "<region>", "water_price_usd_per_m3"),
    "construction_factor": ("regions", "<region>", "construction_cost_factor"),
}


def default_cooling(catalog: Catalog, chip_ids: tuple[str, ...]) -> str:
    """Cooling used when none is asked for: liquid when any chip ships liquid-cooled only, else air."""
    for chip in chip_ids:
        if catalog.item("accelerators", chip)["liquid_cooling_required"].mid >= 1:
            return "liquid"
    return "air"


def validate_spec(catalog: Catalog, spec: FleetSpec) -> None:
    """Check ids, shares, cooling compatibility and availability year; raise :class:`InputError`."""
    if not spec.mix:
        raise InputError("--chip", "", catalog.ids("accelerators"))
    for chip, share in spec.mix.items():
        catalog.item("accelerators", chip, field_name="--chip")
        if not share > 0:
            raise InputError("--chip", f"{chip}:{share}", "positive shares that sum to 1, e.g. h100:0.4,gb200:0.6")
    total = sum(spec.mix.values())
    if abs(total - 1.0) > 1e-6:
        text = ",".join(f"{c}:{s:g}" for c, s in spec.mix.items())
        raise InputError("--chip", text, f"shares that sum to 1 (these sum to {total:g})")
    cooling = catalog.item("cooling", spec.cooling, field_name="--cooling")
    catalog.item("regions", spec.region, field_name="--region")
    for chip in spec.mix:
        item = catalog.item("accelerators", chip)
        if cooling.id == "air" and item["liquid_cooling_required"].mid >= 1:
            raise InputError("--cooling", spec.cooling, f"liquid or immersion for {chip} (it ships liquid-cooled only)")
        launch = int(item["launch_year"].mid)
        if spec.year < launch:
            raise InputError("--year", spec.year, f"{launch} or later for {chip} (its volume year)")
    if spec.sizing.kind not in SIZING_KINDS:
        raise InputError("sizing", spec.sizing.kind, SIZING_KINDS)
    if not spec.sizing.value > 0:
        raise InputError(f"--{spec.sizing.kind.replace('_', '-')}", spec.sizing.value, "a positive number")
    for name, value in (("--utilisation", spec.utilisation), ("--mfu", spec.mfu)):
        if value is not None and not 0 < value <= 1:
            raise InputError(name, value, "a fraction in (0, 1]")


def _resolve(catalog: Catalog, spec: FleetSpec, kind: str, item_id: str, parameter: str) -> Parameter:
    item_id = {"<cooling>": spec.cooling, "<region>": spec.region}.get(item_id, item_id)
    return catalog.item(kind, item_id)[parameter]


def _chip_parameter(item: Item, name: str) -> Parameter:
    if name == "fp4_dense_tflops" and name not in item:
        return item["fp8_dense_tflops"]
    return item[name]


def sample_inputs(catalog: Catalog, spec: FleetSpec, n_samples: int, seed: int) -> SampledInputs:
    """Draw every model input, seeded and vectorised.

    Parameters
    ----------
    catalog
        The loaded catalogue.
    spec
        The fleet (validated with :func:`validate_spec`).
    n_samples
        Number of Monte Carlo samples (≥ 1).
    seed
        Seed of the numpy generator; the same seed and inputs give the same samples.

    Notes
    -----
    Parameters are drawn independently, except physically linked pairs, which are drawn comonotonic (rank
    correlation 1) and ordered: IT >= server >= chip power per accelerator, design-day PUE >= annual PUE.
    Chips without native FP4 contribute their 8-bit rate to FP4 peak. A user-given utilisation or MFU
    replaces the catalogue's range by a point value. Accelerator prices follow the catalogue price path to
    ``spec.year`` (:func:`price_factor`), with the decline sampled too.
    """
    rng = np.random.default_rng(seed)
    chip_ids = tuple(spec.mix)
    shares = np.array([spec.mix[c] for c in chip_ids], dtype=float)
    sampled = SampledInputs(chip_ids=chip_ids, shares=shares, n_samples=n_samples)
    items = [catalog.item("accelerators", c) for c in chip_ids]
    # From PERT_TABLE_MIN_SAMPLES on, draws are inverse CDFs of uniforms: linked pairs share their uniforms
    # (comonotonic by construction, no sorting). Below, they are drawn independently and reordered by rank.
    shared = n_samples >= sampling.PERT_TABLE_MIN_SAMPLES
    overrides = {"utilisation": spec.utilisation, "mfu": spec.mfu}
    power_u = [rng.random(n_samples) for _ in items] if shared else []
    scratch = TableScratch.of(n_samples) if shared else None
    block = None
    if shared:  # every drawn input in one allocation: huge pages (a 4 MB row alone gets 1,000 small ones)
        drawn = sum(_chip_parameter(i, name).is_range for name in (*CHIP_INPUTS, "fp4_dense_tflops") for i in items)
        drawn += sum(
            overrides.get(name) is None and _resolve(catalog, spec, kind, item_id, parameter_name).is_range
            for name, (kind, item_id, parameter_name) in SCALAR_INPUTS.items()
        )
        block = iter(np.empty((drawn, n_samples), dtype=LARGE_SAMPLE_DTYPE))
    rows: dict[str, list[SampleArray]] = {}
    for name in (*CHIP_INPUTS, "fp4_dense_tflops"):
        rows[name] = [
            _draw(
                _chip_parameter(item, name),
                n_samples,
                rng,
                power_u[row] if shared and name in CHIP_POWER_CHAIN else None,
                shared,
                scratch,
                block,
            )
            for row, item in enumerate(items)
        ]
    # Physically linked pairs move together; IT power never falls below server power in a sample.
    for row in range(len(chip_ids)):
        tdp = rows["tdp_w"][row]
        chip_kw = constant_samples(float(tdp[0]) / 1000.0, n_samples) if _is_constant(tdp) else tdp / 1000.0
        server, it = rows["server_power_kw"][row], rows["it_power_kw"][row]
        server = _at_least(server if shared else comonotonic(chip_kw, server), chip_kw)
        rows["server_power_kw"][row] = server
        rows["it_power_kw"][row] = _at_least(it if shared else comonotonic(server, it), server)
    for name, values in rows.items():
        sampled.chips[name] = values[0][None, :] if len(values) == 1 else np.stack(values)
    pue_u = rng.random(n_samples) if shared else None
    for name, (kind, item_id, parameter_name) in SCALAR_INPUTS.items():
        override = overrides.get(name)
        if override is not None:
            sampled.scalars[name] = constant_samples(float(override), n_samples)
        else:
            u = pue_u if name in ("pue", "peak_pue") else None
            parameter = _resolve(catalog, spec, kind, item_id, parameter_name)
            sampled.scalars[name] = _draw(parameter, n_samples, rng, u, shared, scratch, block)
    # grid CO2 follows the region's cited trend to the fleet's year (the whole sampled range moves with it)
    co2, shift = sampled.scalars["grid_co2_g_per_kwh"], _grid_co2_shift(catalog, spec)
    if not co2.flags.writeable:  # a point value (constant_samples; also of 1 sample, which _is_constant is not)
        sampled.scalars["grid_co2_g_per_kwh"] = constant_samples(max(0.0, float(co2[0]) + shift), n_samples)
    else:
        co2 += shift
        np.maximum(co2, 0.0, out=co2)
    pue, peak_pue = sampled.scalars["pue"], sampled.scalars["peak_pue"]
    sampled.scalars["peak_pue"] = _at_least(peak_pue if shared else comonotonic(pue, peak_pue), pue)
    _apply_price_path(catalog, spec, sampled)
    return sampled


def constant_samples(value: float, n_samples: int) -> FloatArray:
    """``n_samples`` copies of ``value`` that take no memory: a read-only broadcast of one float [unit of value]."""
    return np.broadcast_to(np.float64(value), (n_samples,))


def _is_constant(samples: SampleArray) -> bool:
    """Whether ``samples`` is a :func:`constant_samples` array (stride 0)."""
    return samples.ndim == 1 and samples.size > 1 and samples.strides[0] == 0


def _draw(
    parameter: Parameter,
    n_samples: int,
    rng: np.random.Generator,
    u: FloatArray | None,
    large: bool,
    scratch: TableScratch | None = None,
    block: Iterator[SampleArray] | None = None,
) -> SampleArray:
    """Samples of a parameter: a constant for a point value; else PERT draws, from the uniforms ``u`` if given.

    With ``large`` (:data:`PERT_TABLE_MIN_SAMPLES` samples or more) the draws are the inverse-CDF table at
    uniforms (``u`` or fresh ones), as :data:`LARGE_SAMPLE_DTYPE`, with the work arrays of ``scratch``, into
    the next row of ``block``."""
    if not parameter.is_range:
        return constant_samples(parameter.mid, n_samples)
    if not large:
        return sample_parameter(parameter, n_samples, rng)
    table = pert_table(parameter.low, parameter.mid, parameter.high)
    row = next(block) if block is not None and table is not None else None
    if u is None and table is not None:
        return table.draw(rng, n_samples, LARGE_SAMPLE_DTYPE, scratch=scratch, out=row)
    uniforms = (rng.random(n_samples) if scratch is None else rng.random(out=scratch.uniforms)) if u is None else u
    if table is None:  # an exponent beyond the table's range: exact quantiles
        return parameter_quantiles(parameter, uniforms).astype(LARGE_SAMPLE_DTYPE)
    return table(uniforms, LARGE_SAMPLE_DTYPE, scratch=scratch, out=row)


def _at_least(values: SampleArray, floor: SampleArray) -> SampleArray:
    """max(values, floor) sample by sample, in place unless ``values`` is read-only."""
    return np.maximum(values, floor, out=values) if values.flags.writeable else np.maximum(values, floor)


def price_years(catalog: Catalog, chip: str, year: int) -> int:
    """Years from the as-of year of a chip's ``unit_price_usd`` row to ``year`` (negative before it) [year]."""
    as_of = catalog.item("accelerators", chip)["unit_price_usd"].as_of
    return int(year) - int(as_of[:4])


def price_factor(catalog: Catalog, chip: str, year: int, decline_per_year: float | None = None) -> float:
    """Price of ``chip`` in ``year`` relative to its catalogue ``unit_price_usd`` [fraction].

    The price path is ``(1 - d)^(year - as_of)`` with ``d`` the catalogue ``accelerator-prices`` decline
    (fit to Epoch AI's Nvidia price table) and ``as_of`` the year of the chip's price row.
    """
    d = (
        catalog.item("facility", "accelerator-prices")["decline_per_year"].mid
        if decline_per_year is None
        else decline_per_year
    )
    return float((1.0 - d) ** price_years(catalog, chip, year))


def _apply_price_path(catalog: Catalog, spec: FleetSpec, inputs: SampledInputs) -> None:
    """Move each chip's sampled price along the catalogue price path to ``spec.year`` (in place)."""
    decline = inputs.scalars["price_decline_per_year"]
    prices = inputs.chips["unit_price_usd"]
    moved = [
        price * (1.0 - decline) ** price_years(catalog, chip, spec.year)
        for price, chip in zip(prices, inputs.chip_ids, strict=True)
    ]
    inputs.chips["unit_price_usd"] = np.stack(moved) if len(moved) > 1 else moved[0][None, :]


def _grid_co2_shift(catalog: Catalog, spec: FleetSpec) -> float:
    """Change of the region's grid CO2 from its as-of year to ``spec.year`` along its trend [g/kWh]."""
    from gigafleet.power.regional import grid_co2_g_per_kwh

    base = catalog.item("regions", spec.region)["grid_co2_g_per_kwh"].mid
    return grid_co2_g_per_kwh(catalog, spec.region, spec.year) - float(base)


def point_inputs(catalog: Catalog, spec: FleetSpec) -> SampledInputs:
    """Every model input at its catalogue mid value, as one sample (deterministic planning).

    A user-given utilisation or MFU replaces the catalogue's mid value.
    """
    chip_ids = tuple(spec.mix)
    shares = np.array([spec.mix[c] for c in chip_ids], dtype=float)
    inputs = SampledInputs(chip_ids=chip_ids, shares=shares, n_samples=1)
    items = [catalog.item("accelerators", c) for c in chip_ids]
    for name in (*CHIP_INPUTS, "fp4_dense_tflops"):
        inputs.chips[name] = np.array([[_chip_parameter(i, name).mid] for i in items], dtype=float)
    overrides = {"utilisation": spec.utilisation, "mfu": spec.mfu}
    for name, (kind, item_id, parameter) in SCALAR_INPUTS.items():
        override = overrides.get(name)
        value = override if override is not None else _resolve(catalog, spec, kind, item_id, parameter).mid
        inputs.scalars[name] = np.array([float(value)])
    inputs.scalars["grid_co2_g_per_kwh"] = np.maximum(
        0.0, inputs.scalars["grid_co2_g_per_kwh"] + _grid_co2_shift(catalog, spec)
    )
    _apply_price_path(catalog, spec, inputs)
    return inputs


# --------------------------------------------------------------------------------------------------------
# The model, per accelerator of the mix
# --------------------------------------------------------------------------------------------------------


def per_accelerator(inputs: SampledInputs) -> dict[str, FloatArray]:
    """Every extensive output for ONE accelerator of the fleet's mix, plus intensive ratios.

    Parameters
    ----------
    inputs
        Sampled inputs from :func:`sample_inputs`.

    Returns
    -------
    dict of numpy.ndarray
        Arrays of shape (n_samples,). Extensive keys (scale with fleet size): ``accelerators`` [count],
        ``chip_power_gw``, ``server_power_gw``, ``it_power_gw``, ``facility_power_gw``, ``grid_connection_gw``,
        ``average_it_power_gw``, ``average_facility_power_gw`` [GW]; ``energy_twh_per_year``,
        ``it_energy_twh_per_year`` [TWh/yr]; ``water_m3_per_year`` [m³/yr]; ``co2_mt_per_year`` [Mt/yr];
        ``capex_usd`` and ``capex.<part>`` [USD]; ``opex_usd_per_year``, ``opex.<part>``, ``tco_usd_per_year``,
        ``tco.<part>``, ``required_revenue_usd_per_year`` [USD/yr]; ``h100e`` [H100e];
        ``peak_flops.<precision>``, ``effective_flops.<precision>`` [FLOP/s].
        Intensive keys (do not scale): ``usd_per_accelerator_hour``, ``breakeven_usd_per_h100e_hour``
        [USD/h], ``capex_usd_per_it_gw``, ``capex_usd_per_facility_gw`` [USD/GW].
    """
    w = inputs.shares[:, None]  # (C, 1) share of each chip in one accelerator of the mix
    chips, s = inputs.chips, inputs.scalars
    # Arithmetic in place where a temporary would do (10^6+ samples): the operations and their order are those
    # of the formulas, so the numbers are the same to the bit as with fresh arrays.

    def mix(name: str, divisor: float = 1.0, factor: float = 1.0) -> FloatArray:
        """The mix's value of a chip input, / divisor × factor (a new array, or a constant for point values)."""
        if len(inputs.chip_ids) == 1:
            row = chips[name][0]
            if _is_constant(row):
                return constant_samples(float(row[0]) / divisor * factor, row.size)
            value = np.array(row, dtype=float)
        else:
            value = np.asarray((w * chips[name]).sum(axis=0), dtype=float)
        if divisor != 1.0:
            value /= divisor
        if factor != 1.0:
            value *= factor
        return value

    def product(*factors: SampleArray | float) -> FloatArray:
        """factors[0] × factors[1] × ... left to right, in one new float64 array (inputs may be float32)."""
        result: FloatArray = np.multiply(factors[0], factors[1], dtype=np.float64)
        for factor in factors[2:]:
            result *= factor
        return result

    def total(*terms: SampleArray) -> FloatArray:
        """terms[0] + terms[1] + ... left to right, in one new float64 array (inputs may be float32)."""
        result: FloatArray = np.add(terms[0], terms[1], dtype=np.float64)
        for term in terms[2:]:
            result += term
        return result

    out: dict[str, FloatArray] = {"accelerators": constant_samples(1.0, inputs.n_samples)}
    chip_gw = mix("tdp_w", divisor=1e9)
    server_gw = mix("server_power_kw", divisor=1e6)
    it_gw = mix("it_power_kw", divisor=1e6)
    facility_gw = it_gw * s["peak_pue"]
    out.update(
        chip_power_gw=chip_gw,
        server_power_gw=server_gw,
        it_power_gw=it_gw,
        facility_power_gw=facility_gw,
        grid_connection_gw=facility_gw * s["grid_margin"],
    )

    # Energy, water, CO2
    average_it_gw = average_power_fraction(s["utilisation"], s["idle_fraction"])
    average_it_gw *= it_gw  # it × fraction: the product commutes to the bit
    average_facility_gw = average_it_gw * s["pue"]
    it_twh = annual_energy_twh(average_it_gw)
    facility_twh = annual_energy_twh(average_facility_gw)
    water_m3 = product(it_twh, 1e9, s["wue_l_per_kwh"])  # TWh -> kWh, L -> m3
    water_m3 /= 1000.0
    co2_mt = facility_twh * s["grid_co2_g_per_kwh"]
    co2_mt /= 1000.0  # TWh × g/kWh = kt; /1000 -> Mt
    out.update(
        average_it_power_gw=average_it_gw,
        average_facility_power_gw=average_facility_gw,
        it_energy_twh_per_year=it_twh,
        energy_twh_per_year=facility_twh,
        water_m3_per_year=water_m3,
        co2_mt_per_year=co2_mt,
    )

    # Capex
    it_mw = it_gw * 1000.0
    capex = {
        "accelerators": mix("unit_price_usd"),
        "servers": mix("server_capex_usd"),
        "networking": mix("network_capex_usd"),
    }
    storage = capex["servers"] + capex["networking"]
    storage *= s["storage_share"]
    capex["storage"] = storage
    construction = product(it_mw, s["construction_usd_per_mw"], s["construction_factor"])
    power_and_cooling = construction * s["share_critical_capacity"]
    power_and_cooling += product(it_mw, s["cooling_capex_usd_per_mw"])
    capex["power_and_cooling"] = power_and_cooling
    capex["shell"] = construction * s["share_shell"]
    site = total(s["share_site"], s["share_white_space"], s["share_back_of_house"], s["share_office"])
    site *= construction
    capex["site_and_fitout"] = site
    capex["land"] = it_mw * s["land_usd_per_mw"]
    capex["grid_connection"] = product(out["grid_connection_gw"], 1000.0, s["grid_usd_per_mw"])
    del construction
    it_capex = total(*(capex[p] for p in IT_CAPEX_PARTS))
    facility_capex = total(*(capex[p] for p in CAPEX_PARTS if p not in IT_CAPEX_PARTS))
    out["capex_usd"] = it_capex + facility_capex
    out.update({f"capex.{p}": capex[p] for p in CAPEX_PARTS})

    # Opex
    opex = {
        "energy": product(facility_twh, 1e6, s["electricity_usd_per_mwh"]),  # TWh -> MWh
        "it_maintenance": it_capex * s["it_maintenance_share"],
        "facility_maintenance": facility_capex * s["facility_maintenance_share"],
        "staff": product(it_mw, s["staff_fte_per_mw"], s["staff_usd_per_fte"]),
        "water": water_m3 * s["water_usd_per_m3"],
    }
    del it_mw
    out["opex_usd_per_year"] = total(*(opex[p] for p in OPEX_PARTS))
    out.update({f"opex.{p}": opex[p] for p in OPEX_PARTS})

    # Annualised TCO: capital recovered at the cost of capital over each asset life, plus opex
    it_capital, facility_capital = capital_recovery_factors(s["wacc"], s["it_life_years"], s["facility_life_years"])
    it_capital *= it_capex  # crf × capex: the product commutes to the bit
    facility_capital *= facility_capex
    del it_capex, facility_capex
    tco = {"it_capital": it_capital, "facility_capital": facility_capital, "opex": out["opex_usd_per_year"]}
    out["tco_usd_per_year"] = total(tco["it_capital"], tco["facility_capital"], tco["opex"])
    out.update({f"tco.{p}": tco[p] for p in TCO_PARTS})
    out["required_revenue_usd_per_year"] = out["tco_usd_per_year"]

    # Compute
    out["h100e"] = mix("h100e_factor")
    busy = product(s["utilisation"], s["mfu"])
    for precision in PRECISIONS:
        peak = mix(f"{precision}_dense_tflops", factor=1e12)
        out[f"peak_flops.{precision}"] = peak
        out[f"effective_flops.{precision}"] = peak * busy
    del busy

    # Intensive economics
    out["usd_per_accelerator_hour"] = out["tco_usd_per_year"] / HOURS_PER_YEAR
    breakeven = product(out["h100e"], HOURS_PER_YEAR, s["utilisation"])
    np.divide(out["tco_usd_per_year"], breakeven, out=breakeven)
    out["breakeven_usd_per_h100e_hour"] = breakeven
    out["capex_usd_per_it_gw"] = out["capex_usd"] / it_gw
    out["capex_usd_per_facility_gw"] = out["capex_usd"] / facility_gw
    return out


INTENSIVE: frozenset[str] = frozenset(
    {"usd_per_accelerator_hour", "breakeven_usd_per_h100e_hour", "capex_usd_per_it_gw", "capex_usd_per_facility_gw"}
)


def fleet_size(per_unit: Mapping[str, FloatArray], sizing: Sizing) -> FloatArray:
    """Number of accelerators per sample that meets the sizing target [count].

    Examples
    --------
    An IT-power target of 1 GW with 1.9 kW of IT per accelerator gives ≈ 526,000 accelerators.
    """
    per_accelerator_value = per_unit[SIZING_OUTPUT[sizing.kind]]
    if _is_constant(per_accelerator_value):
        return constant_samples(sizing.value / float(per_accelerator_value[0]), per_accelerator_value.size)
    return np.asarray(sizing.value / per_accelerator_value, dtype=float)


def scale(
    per_unit: Mapping[str, FloatArray], accelerators: FloatArray, *, in_place: bool = False
) -> dict[str, FloatArray]:
    """Fleet totals: extensive outputs × number of accelerators; intensive outputs unchanged.

    With ``in_place`` the per-accelerator arrays are overwritten (saves memory at 10^6+ samples; on
    :mod:`~gigafleet.uncertainty.parallel`'s threads, an array each); a constant (:func:`constant_samples`) times
    a constant stays a constant.
    """
    out: dict[str, FloatArray] = {}
    done: dict[int, FloatArray] = {}  # the same array under two keys is scaled once
    in_place_now: list[FloatArray] = []
    for key, value in per_unit.items():
        if key in INTENSIVE:
            out[key] = value
        elif id(value) in done:
            out[key] = done[id(value)]
        elif _is_constant(value) and _is_constant(accelerators):
            out[key] = done[id(value)] = constant_samples(float(value[0]) * float(accelerators[0]), value.size)
        elif in_place and value.flags.writeable:
            in_place_now.append(value)
            out[key] = done[id(value)] = value
        else:
            out[key] = done[id(value)] = value * accelerators
    side_by_side = accelerators.size >= parallel.PARALLEL_MIN_SAMPLES and not any(
        np.may_share_memory(value, accelerators) for value in in_place_now
    )
    parallel.map_parallel(lambda value: value.__imul__(accelerators), in_place_now, parallel=side_by_side)
    return out


@dataclass
class FleetSamples:
    """Samples of every output for a fleet, with the spec and inputs that produced them."""

    spec: FleetSpec
    inputs: SampledInputs
    totals: dict[str, FloatArray]


def simulate_fleet(catalog: Catalog, spec: FleetSpec, n_samples: int = 2000, seed: int = 0) -> FleetSamples:
    """Validate, sample and evaluate a fleet: the whole engine in one call.

    Parameters
    ----------
    catalog
        Loaded catalogue.
    spec
        The fleet.
    n_samples
        Monte Carlo samples.
    seed
        Random seed.

    Examples
    --------
    >>> from gigafleet.catalog import load_catalog
    >>> spec = FleetSpec({"h100": 1.0}, Sizing("accelerators", 1e8), "air", "us", 2026)
    >>> result = simulate_fleet(load_catalog(), spec, 1000)
    >>> float(result.totals["chip_power_gw"][0])  # 100M × 700 W
    70.0
    """
    validate_spec(catalog, spec)
    if n_samples < 1:
        raise InputError("--samples", n_samples, "a whole number of at least 1")
    inputs = sample_inputs(catalog, spec, n_samples, seed)
    per_unit = per_accelerator(inputs)
    size = fleet_size(per_unit, spec.sizing)
    return FleetSamples(spec=spec, inputs=inputs, totals=scale(per_unit, size, in_place=True))

"""Parsing and physical bounds of user inputs shared by the CLI, the web API and scenario files.

Every amount a user gives is checked here against a stated range before any work starts; errors name the field,
the value and the allowed range (:class:`~gigafleet.errors.InputError`). Limits:

=====================  ======================================  ==========================================
input                  allowed                                  why
=====================  ======================================  ==========================================
accelerators           1 to 10^9 (whole)                        10x the largest fleet discussed (100M)
IT / facility power    10^-6 to 10^4 GW (1 kW to 10 TW)         a single server to ~3x world generation
budget                 10^3 to 10^16 USD                        one server to ~100x world GDP
year                   2015 to 2100
samples                1 to 10^7, and the estimated memory      bounded memory, checked before sampling
                       under ``max_memory_gb``
seed                   0 to 2^31 - 1 (whole, exact)             every engine accepts it
=====================  ======================================  ==========================================
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gigafleet.errors import InputError
from gigafleet.quantities import parse_accelerators

if TYPE_CHECKING:
    from gigafleet.claims import Claims
    from gigafleet.scenario import Scenario

POWER_GW_RANGE = (1e-6, 1e4)
BUDGET_USD_RANGE = (1e3, 1e16)
YEAR_RANGE = (2015, 2100)
SEED_MAX = 2**31 - 1
DEFAULT_MAX_MEMORY_GB = 4.0
MEMORY_GB_RANGE = (0.1, 1024.0)
"""Allowed ``--max-memory-gb`` [GiB]."""
ESTIMATE_BYTES_PER_SAMPLE = 800.0
ESTIMATE_BYTES_PER_SAMPLE_CHIP = 150.0
"""Peak memory of ``estimate`` per Monte Carlo sample, and per sample and accelerator type [bytes]. Measured
peak RSS at 10^6 samples: 0.73 GB for one chip, 0.91 GB for three; the estimate is ~30% above."""

_INTEGER = re.compile(r"^\s*[+-]?\d{1,30}(?:[_,]\d{3}){0,10}\s*$", re.ASCII)


def int_flag(text: str | int | None, flag: str, *, low: int, high: int) -> int | None:
    """A whole number within [low, high]; plain digits are parsed exactly (no rounding above 2**53).

    Examples
    --------
    >>> int_flag("2k", "--samples", low=1, high=10**7)
    2000
    """
    from gigafleet.quantities import parse_amount

    if text is None:
        return None
    if isinstance(text, bool):
        raise InputError(flag, text, f"a whole number from {low:,} to {high:,}")
    if isinstance(text, int) or _INTEGER.match(str(text)):
        value: float | int = int(str(text).strip().replace("_", "").replace(",", ""))
    else:
        value = parse_amount(text, flag)
        if value != int(value):
            raise InputError(flag, text, f"a whole number from {low:,} to {high:,}")
        value = int(value)
    if not low <= value <= high:
        raise InputError(flag, text, f"a whole number from {low:,} to {high:,}")
    return int(value)


def bounded(text: str | float | int, flag: str, low: float, high: float, unit: str = "") -> float:
    """A positive amount within [low, high] (suffixes k, M, B, T accepted)."""
    from gigafleet.quantities import parse_amount

    value = parse_amount(text, flag)
    if not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise InputError(flag, text, f"a number from {low:g} to {high:g}{suffix}")
    return value


def seed(text: str | int | None, flag: str = "--seed") -> int:
    """A random seed: a whole number from 0 to 2^31 - 1, parsed exactly."""
    value = int_flag(text if text is not None else 0, flag, low=0, high=SEED_MAX)
    assert value is not None
    return value


def check_memory(estimated_bytes: float, limit_gb: float, flag: str, value: object, advice: str) -> None:
    """Refuse work whose estimated peak memory exceeds ``limit_gb`` [GiB], before it starts."""
    if estimated_bytes > limit_gb * 2**30:
        raise InputError(
            flag,
            value,
            f"a size needing at most {limit_gb:g} GiB (this needs about {estimated_bytes / 2**30:.1f} GiB); {advice}",
        )


def estimate_memory_bytes(samples: int, chips: int) -> float:
    """Estimated peak memory of an estimate with ``samples`` samples of ``chips`` accelerator types [bytes]."""
    return (ESTIMATE_BYTES_PER_SAMPLE + ESTIMATE_BYTES_PER_SAMPLE_CHIP * max(1, chips)) * samples + 100 * 2**20


def sizing_value(kind: str, text: str | float | int, flag: str) -> float:
    """Parse and bound one sizing (accelerators, IT or facility power [GW], budget [USD])."""
    if kind == "accelerators":
        return parse_accelerators(text, flag)
    if kind in ("it_power_gw", "facility_power_gw"):
        return bounded(text, flag, *POWER_GW_RANGE, unit="GW")
    return bounded(text, flag, *BUDGET_USD_RANGE, unit="USD")


ENERGY_TWH_RANGE = (1e-6, 1e6)
SHARE_RANGE = (1e-6, 1e3)


def error_names(scenario_file: Path | None, **given: object) -> dict[str, str]:
    """How to name scenario fields in errors: the flag where one was given, else the scenario file's key path.

    ``given`` maps scenario keys (``chip``, ``counts``, ``accelerators``, ``cooling`` ...) to the flag values
    (None when the flag was not given; ``cooling``/``region`` count as given when not at their defaults).
    """
    from gigafleet.scenario import FLAG_NAMES

    names: dict[str, str] = {}
    for key, flag in FLAG_NAMES.items():
        value = given.get(key)
        flagged = scenario_file is None or (value is not None and value not in ("auto", "us"))
        if flagged:
            names[key] = flag
        else:
            names[key] = key if key in ("cooling", "region", "year") else f"fleet.{key}"
            names[key] = f"{scenario_file}: {names[key]}"
    return names


def claim_shares(items: list[str], flag: str = "--claim-share-of") -> dict[str, float]:
    """Parse repeated ``KEY=SHARE`` items (``uk=0.75``); each key once, shares within (10^-6, 10^3)."""
    shares: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(flag, item, "KEY=SHARE such as uk=0.75")
        if key.strip().lower() in {k.lower() for k in shares}:
            raise InputError(flag, item, "each baseline once, e.g. --claim-share-of uk=0.75 --claim-share-of de=1")
        shares[key.strip()] = bounded(value, flag, *SHARE_RANGE)
    return shares


def parse_claims(
    capex_usd: str | float | None,
    power_gw: str | float | None,
    energy_twh: str | float | None,
    share_of: list[str],
    base: Claims | None = None,
) -> Claims:
    """Claims from flags or request fields (CLI and web alike), each bounded; ``base`` gives defaults.

    Raises :class:`~gigafleet.errors.InputError` when no claim is given at all.
    """
    from gigafleet.claims import Claims

    base = base if base is not None else Claims()
    claims = Claims(
        capex_usd=(
            bounded(capex_usd, "--claim-capex-usd", *BUDGET_USD_RANGE, unit="USD")
            if capex_usd is not None
            else base.capex_usd
        ),
        power_gw=(
            bounded(power_gw, "--claim-power-gw", *POWER_GW_RANGE, unit="GW") if power_gw is not None else base.power_gw
        ),
        energy_twh_per_year=(
            bounded(energy_twh, "--claim-energy-twh", *ENERGY_TWH_RANGE, unit="TWh/yr")
            if energy_twh is not None
            else base.energy_twh_per_year
        ),
        share_of={**base.share_of, **claim_shares(list(share_of))},
    )
    if claims.is_empty():
        raise InputError(
            "claims",
            "none",
            "at least one of --claim-capex-usd, --claim-power-gw, --claim-energy-twh, --claim-share-of",
        )
    return claims


def build_scenario(**flags: Any) -> Scenario:
    """An estimate scenario from flag values (CLI) or request fields (web), each parsed and bounded.

    Keywords as :func:`_build_scenario`; a value the scenario model refuses is an
    :class:`~gigafleet.errors.InputError` naming the flag (never a pydantic traceback).
    """
    from pydantic import ValidationError

    from gigafleet.errors import describe_loc, echo_input
    from gigafleet.scenario import FLAG_NAMES

    try:
        return _build_scenario(**flags)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][-1]) if error["loc"] else "scenario"
        flag = (
            FLAG_NAMES.get(key)
            or {"samples": "--samples", "seed": "--seed", "utilisation": "--utilisation", "mfu": "--mfu"}.get(key)
            or describe_loc(error["loc"])
        )
        value = error.get("input")
        raise InputError(flag, echo_input(value) if isinstance(value, (dict, list)) else value, error["msg"]) from None


def _build_scenario(
    *,
    chip: str | None,
    fleet: str | None,
    accelerators: str | None,
    it_power_gw: str | None,
    facility_power_gw: str | None,
    budget_usd: str | None,
    cooling: str,
    region: str,
    year: str | None,
    utilisation: str | None,
    mfu: str | None,
    samples: str,
    seed: str,
    scenario_file: Path | None,
    max_samples: int | None = None,
    max_memory_gb: float = DEFAULT_MAX_MEMORY_GB,
) -> Scenario:
    from gigafleet.quantities import parse_fraction
    from gigafleet.scenario import DEFAULT_SAMPLES, MAX_SAMPLES, FleetSection, Scenario, load_scenario, parse_counts

    if chip is not None and not chip.strip():
        raise InputError("--chip", chip, "an accelerator id such as gb200 (gigafleet catalog list accelerators)")
    base = load_scenario(scenario_file) if scenario_file is not None else None
    sizing_flags = {
        "accelerators": accelerators,
        "it_power_gw": it_power_gw,
        "facility_power_gw": facility_power_gw,
        "budget_usd": budget_usd,
    }
    flag_names = {
        "accelerators": "--accelerators",
        "it_power_gw": "--it-power-gw",
        "facility_power_gw": "--facility-power-gw",
        "budget_usd": "--budget-usd",
    }
    parsed = {k: sizing_value(k, v, flag_names[k]) for k, v in sizing_flags.items() if v is not None}
    counts = parse_counts(fleet, "--fleet") if fleet is not None else None
    if base is not None and (parsed or counts or chip):
        section = FleetSection(
            chip=chip or (base.fleet.chip if not counts else None),
            counts=counts,
            **(parsed or ({} if counts else {k: getattr(base.fleet, k) for k in flag_names})),
        )
    elif base is not None:
        section = base.fleet
    else:
        section = FleetSection(chip=chip, counts=counts, **parsed)
    values: dict[str, Any] = base.model_dump() if base is not None else {}
    values.pop("fleet", None)
    values["fleet"] = section
    if base is None or cooling != "auto":
        values["cooling"] = cooling
    if base is None or region != "us":
        values["region"] = region
    if year is not None:
        values["year"] = int_flag(year, "--year", low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    if utilisation is not None:
        values["utilisation"] = parse_fraction(utilisation, "--utilisation")
    if mfu is not None:
        values["mfu"] = parse_fraction(mfu, "--mfu")
    cap = max_samples if max_samples is not None else MAX_SAMPLES
    if base is None or samples != str(DEFAULT_SAMPLES):
        values["samples"] = int_flag(samples, "--samples", low=1, high=cap)
    elif base.samples > cap:
        raise InputError("samples", base.samples, f"a whole number from 1 to {cap:,}")
    if base is None or seed != "0":
        values["seed"] = int_flag(seed, "--seed", low=0, high=SEED_MAX)
    scenario = Scenario.model_validate(values)
    chips = len(scenario.fleet.counts or {}) or len(
        [p for p in (scenario.fleet.chip or "gb200").split(",") if p.strip()]
    )
    check_memory(
        estimate_memory_bytes(scenario.samples, chips),
        max_memory_gb,
        "--samples",
        scenario.samples,
        "lower --samples (10^5 samples give percentiles to ~0.3%)",
    )
    return scenario

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
from dataclasses import FrozenInstanceError, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gigafleet.errors import InputError
from gigafleet.quantities import parse_accelerators

if TYPE_CHECKING:
    from gigafleet.capability import CapabilitySpec, FleetSlice
    from gigafleet.catalog import Catalog
    from gigafleet.claims import Claims
    from gigafleet.installed import Through
    from gigafleet.power.campus import CampusSpec
    from gigafleet.reliability.summary import ReliabilitySpec
    from gigafleet.scenario import Scenario

POWER_GW_RANGE = (1e-6, 1e4)
BUDGET_USD_RANGE = (1e3, 1e16)
YEAR_RANGE = (2015, 2100)
SEED_MAX = 2**31 - 1
DEFAULT_MAX_MEMORY_GB = 4.0
MEMORY_GB_RANGE = (0.1, 1024.0)
"""Allowed ``--max-memory-gb`` [GiB]."""
ESTIMATE_BYTES_PER_SAMPLE = 420.0
ESTIMATE_BYTES_PER_SAMPLE_CHIP = 150.0
"""Peak memory of ``estimate`` per Monte Carlo sample, and per sample and accelerator type [bytes]. Measured
peak RSS at 10^6 samples (issue 18, float32 inputs and windowed percentiles): 0.47 GB for one chip, 0.75 GB for
three (316 + 113 x chips bytes per sample + ~55 MB); the estimate is ~33% above."""

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


# --------------------------------------------------------------------------------------------------------
# reliability, power, capability and installed: flag strings -> specs (the CLI and the web API alike)
# --------------------------------------------------------------------------------------------------------


def memory_gb(text: str | float, flag: str = "--max-memory-gb") -> float:
    """``--max-memory-gb`` [GiB], bounded by :data:`MEMORY_GB_RANGE`."""
    return bounded(text, flag, *MEMORY_GB_RANGE)


def parse_regime(text: str, flag: str = "--regime") -> str:
    """A recovery regime: ``auto`` or one of :data:`gigafleet.reliability.regimes.REGIMES`."""
    from gigafleet.reliability.regimes import REGIMES

    value = text.strip().lower()
    if value not in ("auto", *REGIMES):
        raise InputError(flag, text, ["auto", *REGIMES])
    return value


def replications_flag(text: str | int, high: int, flag: str = "--replications") -> int | None:
    """``--replications``: ``auto`` (None: the engine's rule) or a whole number from 1 to ``high``."""
    if isinstance(text, str) and text.strip().lower() == "auto":
        return None
    if isinstance(text, bool):
        raise InputError(flag, text, f"auto or a whole number from 1 to {high:,}")
    try:
        return int_flag(text, flag, low=1, high=high)
    except InputError:
        raise InputError(flag, text, f"auto or a whole number from 1 to {high:,}") from None


class _FlagDefaults:
    """Base of the holders of a command's flag defaults (``RELIABILITY_DEFAULTS`` ...): read-only.

    Each holder is a ``@dataclass(init=False, repr=False, eq=False)`` whose fields are class attributes, so that
    ``dataclasses.fields`` and ``asdict`` read them; it has no generated methods, which a frozen dataclass compiles
    at import (~1 ms each, of every start of the command line, ``gigafleet --help`` included).
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass(init=False, repr=False, eq=False)
class ReliabilityFlags(_FlagDefaults):
    """Defaults of ``gigafleet reliability``'s flags, as typed (None: not given; see the flags' help)."""

    accelerators: str = "100k"
    chip: str = "h100"
    days: str = "365"
    job_size: str | None = None
    checkpoint_interval: str = "auto"
    checkpoint_write_minutes: str | None = None
    restart_minutes: str | None = None
    hot_spares: str | None = None
    spares_pct: str = "2"
    seed: str = "0"
    max_memory_gb: str = "4"
    regime: str = "auto"
    year: str | None = None
    replications: str = "auto"


RELIABILITY_DEFAULTS = ReliabilityFlags()
"""The defaults of ``gigafleet reliability`` (its option defaults read them; so may an API request model)."""


def reliability_spec(
    *,
    accelerators: str | None = RELIABILITY_DEFAULTS.accelerators,
    chip: str = RELIABILITY_DEFAULTS.chip,
    days: str = RELIABILITY_DEFAULTS.days,
    job_size: str | None = RELIABILITY_DEFAULTS.job_size,
    checkpoint_interval: str = RELIABILITY_DEFAULTS.checkpoint_interval,
    checkpoint_write_minutes: str | None = RELIABILITY_DEFAULTS.checkpoint_write_minutes,
    restart_minutes: str | None = RELIABILITY_DEFAULTS.restart_minutes,
    hot_spares: str | None = RELIABILITY_DEFAULTS.hot_spares,
    spares_pct: str = RELIABILITY_DEFAULTS.spares_pct,
    seed: str = RELIABILITY_DEFAULTS.seed,
    max_memory_gb: str = RELIABILITY_DEFAULTS.max_memory_gb,
    regime: str = RELIABILITY_DEFAULTS.regime,
    year: str | None = RELIABILITY_DEFAULTS.year,
    replications: str = RELIABILITY_DEFAULTS.replications,
) -> ReliabilitySpec:
    """The reliability study of ``gigafleet reliability``'s flags (strings as typed), each parsed and bounded.

    Errors are :class:`~gigafleet.errors.InputError` naming the flag (``--accelerators``, ``--days`` ...); the
    engine checks the rest (chip, job size against the fleet, memory) when it runs.
    """
    from gigafleet.quantities import parse_accelerators, parse_amount, parse_positive
    from gigafleet.reliability.summary import MAX_REPLICATIONS, ReliabilitySpec

    count = parse_accelerators(
        accelerators if accelerators is not None else RELIABILITY_DEFAULTS.accelerators, "--accelerators"
    )
    auto_job = job_size is None or job_size.strip().lower() == "auto"  # resolved by the engine (resolve_job_size)
    job = None if job_size is None or auto_job else parse_accelerators(job_size, "--job-size")
    if checkpoint_interval.strip().lower() == "auto":
        interval = None
    else:
        interval = parse_positive(checkpoint_interval, "--checkpoint-interval") / 60.0
    spec = ReliabilitySpec(
        chip=chip.strip().lower(),
        accelerators=round(count),
        days=parse_positive(days, "--days"),
        job_size=None if job is None else round(job),
        checkpoint_interval_hours=interval,
        checkpoint_write_minutes=(
            parse_amount(checkpoint_write_minutes, "--checkpoint-write-minutes")
            if checkpoint_write_minutes is not None
            else None
        ),
        restart_minutes=parse_amount(restart_minutes, "--restart-minutes") if restart_minutes is not None else None,
        hot_spares=int_flag(hot_spares, "--hot-spares", low=0, high=10**9),
        spares_pct=parse_amount(spares_pct, "--spares-pct"),
        seed=int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        memory_limit_bytes=int(memory_gb(max_memory_gb) * 2**30),
        regime=parse_regime(regime),
        year=int_flag(year, "--year", low=YEAR_RANGE[0], high=YEAR_RANGE[1]),
        replications=replications_flag(replications, MAX_REPLICATIONS),
    )
    if spec.accelerators != count or (job is not None and spec.job_size != job):
        raise InputError("--accelerators", accelerators, "a whole number of accelerators")
    return spec


@dataclass(init=False, repr=False, eq=False)
class PowerFlags(_FlagDefaults):
    """Defaults of ``gigafleet power``'s flags, as typed (``--site`` and ``--it-load-gw`` have none)."""

    year: str | None = None
    carbon_cap: str | None = None
    availability: str = "0.999"
    sources: str = "grid,ccgt,ocgt,recip,solar,wind,battery,bridge"
    hours: str = "full"
    days: str = "12"
    cooling: str = "liquid"
    reserve_margin: str = "0.15"
    training_swing: str = "0"
    grid_gw: str | None = None
    seed: str = "0"
    solver: str = "highs"
    replications: str = "auto"
    optimality_gap: str | None = None


POWER_DEFAULTS = PowerFlags()
"""The defaults of ``gigafleet power`` (its option defaults read them)."""
POWER_DEFAULT_YEAR = 2030
"""``--year`` when not given (``gigafleet.power.campus.CampusSpec``'s default)."""
POWER_DEFAULT_DAYS = 12
"""``--days`` when given as 0 (``CampusSpec.n_days``'s default)."""


def campus_spec(
    *,
    site: str,
    it_load_gw: str,
    year: str | None = POWER_DEFAULTS.year,
    carbon_cap: str | None = POWER_DEFAULTS.carbon_cap,
    availability: str = POWER_DEFAULTS.availability,
    sources: str = POWER_DEFAULTS.sources,
    hours: str = POWER_DEFAULTS.hours,
    days: str = POWER_DEFAULTS.days,
    cooling: str = POWER_DEFAULTS.cooling,
    reserve_margin: str = POWER_DEFAULTS.reserve_margin,
    training_swing: str = POWER_DEFAULTS.training_swing,
    grid_gw: str | None = POWER_DEFAULTS.grid_gw,
    seed: str = POWER_DEFAULTS.seed,
    replications: str = POWER_DEFAULTS.replications,
    optimality_gap: str | None = POWER_DEFAULTS.optimality_gap,
) -> CampusSpec:
    """The campus problem of ``gigafleet power``'s flags (strings as typed), each parsed (errors name the flag).

    The catalogue checks (site, sources, cooling, ranges) are
    :func:`gigafleet.power.campus.validate_campus`'s, run by ``design_campus`` before any work.
    """
    from gigafleet.power.campus import MAX_REPLICATIONS, CampusSpec
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    availability_value = parse_amount(availability, "--availability")
    return CampusSpec(
        site=site.strip().lower(),
        it_load_gw=parse_positive(it_load_gw, "--it-load-gw"),
        year=int_flag(year, "--year", low=YEAR_RANGE[0], high=YEAR_RANGE[1]) or POWER_DEFAULT_YEAR,
        sources=tuple(s for s in sources.split(",") if s.strip()),
        carbon_cap_g_per_kwh=parse_amount(carbon_cap, "--carbon-cap-g-per-kwh") if carbon_cap is not None else None,
        availability=availability_value,
        hours=hours.strip().lower(),
        n_days=int_flag(days, "--days", low=2, high=60) or POWER_DEFAULT_DAYS,
        cooling=cooling.strip().lower(),
        reserve_margin=parse_fraction(reserve_margin, "--reserve-margin", allow_zero=True),
        training_swing=parse_amount(training_swing, "--training-swing"),
        grid_gw=parse_amount(grid_gw, "--grid-gw") if grid_gw is not None else None,
        seed=int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        replications=replications_flag(replications, MAX_REPLICATIONS),
        optimality_gap=parse_fraction(optimality_gap, "--optimality-gap") if optimality_gap is not None else None,
    )


@dataclass(init=False, repr=False, eq=False)
class CapabilityFlags(_FlagDefaults):
    """Defaults of ``gigafleet capability``'s flags, as typed (None: not given)."""

    accelerators: str | None = None
    chip: str = "gb200"
    fleet: str | None = None
    days: str = "100"
    precision: str = "bf16"
    mfu: str | None = None
    goodput: str | None = None
    training_share: str = "0.5"
    campus_share: str | None = None
    linked_campuses: str = "1"
    serve_params: str = "405B"
    regime: str = "auto"
    samples: str = "2000"  # gigafleet.scenario.DEFAULT_SAMPLES (a test holds them equal)
    seed: str = "0"


CAPABILITY_DEFAULTS = CapabilityFlags()
"""The defaults of ``gigafleet capability`` (its option defaults read them)."""
CAPABILITY_DEFAULT_ACCELERATORS = "1M"
"""Fleet size when neither ``--accelerators``, ``--fleet`` nor ``--plan`` is given."""
CAPABILITY_SAMPLES_RANGE = (10, 100_000)
"""Allowed ``capability --samples``."""


def capability_inputs(
    catalog: Catalog,
    *,
    accelerators: str | None = CAPABILITY_DEFAULTS.accelerators,
    chip: str = CAPABILITY_DEFAULTS.chip,
    fleet: str | None = CAPABILITY_DEFAULTS.fleet,
    plan_run: str | None = None,
    store: Path | None = None,
    days: str = CAPABILITY_DEFAULTS.days,
    precision: str = CAPABILITY_DEFAULTS.precision,
    mfu: str | None = CAPABILITY_DEFAULTS.mfu,
    goodput: str | None = CAPABILITY_DEFAULTS.goodput,
    training_share: str = CAPABILITY_DEFAULTS.training_share,
    campus_share: str | None = CAPABILITY_DEFAULTS.campus_share,
    linked_campuses: str = CAPABILITY_DEFAULTS.linked_campuses,
    serve_params: str = CAPABILITY_DEFAULTS.serve_params,
    regime: str = CAPABILITY_DEFAULTS.regime,
    samples: str = CAPABILITY_DEFAULTS.samples,
    seed: str = CAPABILITY_DEFAULTS.seed,
) -> tuple[list[FleetSlice], CapabilitySpec, dict[str, Any]]:
    """The fleets, settings and reported inputs of ``gigafleet capability``'s flags (strings as typed).

    The fleets are a stored plan's years (``plan_run`` with ``store``, the run store), ``fleet`` counts, or
    ``accelerators`` of one ``chip``; errors name the flag. Returns ``(fleets, spec, inputs)`` for
    :func:`gigafleet.capability.capability`.
    """
    from gigafleet.quantities import parse_fraction

    share = parse_fraction(campus_share, "--campus-share") if campus_share is not None else None
    spec = capability_spec(
        days=days,
        precision=precision,
        mfu=mfu,
        goodput=goodput,
        training_share=training_share,
        campus_share=share,
        linked_campuses=linked_campuses,
        serve_params=serve_params,
        regime=regime,
        samples=samples,
        seed=seed,
    )
    fleets, inputs = capability_fleets(
        catalog, spec, share, plan_run=plan_run, store=store, fleet=fleet, accelerators=accelerators, chip=chip
    )
    return fleets, spec, inputs


def capability_spec(
    *,
    days: str,
    precision: str,
    mfu: str | None,
    goodput: str | None,
    training_share: str,
    campus_share: float | None,
    linked_campuses: str,
    serve_params: str,
    regime: str,
    samples: str,
    seed: str,
) -> CapabilitySpec:
    """A capability run's settings from the flags, each bounded (``campus_share`` already parsed [fraction])."""
    from gigafleet.capability import CapabilitySpec
    from gigafleet.quantities import parse_amount, parse_fraction, parse_positive

    return CapabilitySpec(
        days=parse_amount(days, "--days"),
        precision=precision.strip().lower(),
        mfu=parse_fraction(mfu, "--mfu") if mfu is not None else None,
        training_share=parse_amount(training_share, "--training-share"),
        campus_share=campus_share if campus_share is not None else 1.0,
        linked_campuses=int_flag(linked_campuses, "--linked-campuses", low=1, high=1000) or 1,
        serve_params=parse_positive(serve_params, "--serve-params"),
        goodput=parse_fraction(goodput, "--goodput") if goodput is not None else None,
        samples=int_flag(samples, "--samples", low=CAPABILITY_SAMPLES_RANGE[0], high=CAPABILITY_SAMPLES_RANGE[1])
        or 2000,
        seed=int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0,
        regime=parse_regime(regime),
    )


def capability_fleets(
    catalog: Catalog,
    spec: CapabilitySpec,
    campus_share: float | None,
    *,
    plan_run: str | None,
    store: Path | None,
    fleet: str | None,
    accelerators: str | None,
    chip: str,
) -> tuple[list[FleetSlice], dict[str, Any]]:
    """The fleets to evaluate (a stored plan's years, ``fleet`` counts or one chip) and the inputs to report."""
    from gigafleet.capability import fleet_slice, plan_fleets
    from gigafleet.scenario import parse_counts

    inputs: dict[str, Any] = {"chip": None, "accelerators": None, "plan_run_id": plan_run}
    if plan_run is not None:
        if accelerators is not None or fleet is not None:
            raise InputError("--plan", plan_run, "either --plan or a fleet (--accelerators/--fleet), not both")
        from gigafleet.store import load_run

        return plan_fleets(catalog, load_run(plan_run, store), campus_share), inputs
    if fleet is not None:
        counts = parse_counts(fleet, "--fleet")
        inputs["fleet"] = counts
        return [fleet_slice(catalog, counts, sum(counts.values()), spec.campus_share, field="--fleet")], inputs
    from gigafleet.quantities import parse_accelerators

    given = accelerators if accelerators is not None else CAPABILITY_DEFAULT_ACCELERATORS
    count = parse_accelerators(given, "--accelerators")
    inputs.update(chip=chip.strip().lower(), accelerators=count)
    return [fleet_slice(catalog, {chip.strip().lower(): count}, count, spec.campus_share)], inputs


@dataclass(init=False, repr=False, eq=False)
class InstalledFlags(_FlagDefaults):
    """Defaults of ``gigafleet installed``'s flags, as typed (None: not given)."""

    through: str = "2026"
    lifetime_years: str | None = None
    samples: str = "4000"
    seed: str = "20261201"


INSTALLED_DEFAULTS = InstalledFlags()
"""The defaults of ``gigafleet installed`` (its option defaults read them)."""
LIFETIME_YEARS_RANGE = (0.25, 30.0)
"""Allowed ``--lifetime-years`` [years]."""
INSTALLED_SAMPLES_RANGE = (200, 200_000)
"""Allowed ``installed --samples``."""


class InstalledRequest:
    """The parsed arguments of :func:`gigafleet.installed.installed_base` (after ``catalog``).

    (A plain class: a frozen dataclass costs about 1 ms of every start, ``gigafleet --help`` included.)
    """

    __slots__ = ("lifetime_years", "samples", "seed", "through", "vendors")
    _FIELDS = ("through", "lifetime_years", "samples", "seed", "vendors")

    def __init__(
        self, through: Through, lifetime_years: float | None, samples: int, seed: int, vendors: list[str] | None
    ) -> None:
        self.through = through
        self.lifetime_years = lifetime_years
        self.samples = samples
        self.seed = seed
        self.vendors = vendors

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"InstalledRequest({fields})"


def installed_request(
    *,
    through: str = INSTALLED_DEFAULTS.through,
    lifetime_years: str | None = INSTALLED_DEFAULTS.lifetime_years,
    vendor: list[str] | None = None,
    samples: str = INSTALLED_DEFAULTS.samples,
    seed: str = INSTALLED_DEFAULTS.seed,
) -> InstalledRequest:
    """``gigafleet installed``'s flags (strings as typed; ``vendor`` repeated), each parsed and bounded.

    Run it as ``installed_base(catalog, r.through, lifetime_years=r.lifetime_years, samples=r.samples,
    seed=r.seed, vendors=r.vendors)``.
    """
    from gigafleet.installed import parse_through

    cut = parse_through(through)
    life = None
    if lifetime_years is not None:
        life = bounded(lifetime_years, "--lifetime-years", *LIFETIME_YEARS_RANGE, "years")
    chosen = None
    if vendor:
        chosen = [v.strip().lower() for v in vendor]
        if len(set(chosen)) != len(chosen):
            raise InputError("--vendor", ",".join(vendor), "each vendor once")
    count = int_flag(samples, "--samples", low=INSTALLED_SAMPLES_RANGE[0], high=INSTALLED_SAMPLES_RANGE[1])
    assert count is not None
    return InstalledRequest(cut, life, count, int_flag(seed, "--seed", low=0, high=SEED_MAX) or 0, chosen)

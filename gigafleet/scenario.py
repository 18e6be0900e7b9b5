"""Typed scenarios: what to estimate, read from YAML or built from command-line flags.

A scenario names the fleet (one accelerator or a mix), exactly one sizing (accelerators, IT power, facility
power or budget), cooling, region, year, sampling settings and, optionally, published claims to check.

Example (``gigafleet/scenarios/default.yaml``)::

    name: press-100m-h100
    fleet:
      chip: h100
      accelerators: 100M
    cooling: auto
    region: us
    claims:
      capex_usd: 3e12
      power_gw: 75
      share_of: {uk: 0.75}

Unknown keys and bad values are errors naming the field, the value and what is allowed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from gigafleet.catalog import Catalog
from gigafleet.claims import Claims
from gigafleet.errors import InputError, clip, describe_loc, echo_input
from gigafleet.fleet import SIZING_KINDS, FleetSpec, Sizing, default_cooling
from gigafleet.quantities import parse_accelerators, parse_amount, parse_positive

SCENARIO_DIR = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yaml"
MAX_SAMPLES = 10_000_000

DEFAULT_SAMPLES = 2000
"""Monte Carlo samples when none are given: the CLI's ``--samples``, the web API's ``samples`` and scenario
files alike (P10/P90 to about ±2 %)."""


def _amount(value: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number such as 100M, 2.9M, 3e12, not true/false")
    try:
        return parse_amount(value, "amount")
    except InputError:
        raise ValueError("expected a number such as 100M, 2.9M, 3e12 (suffixes k, M, B, T)") from None


Amount = Annotated[float, BeforeValidator(_amount)]
PositiveAmount = Annotated[float, BeforeValidator(_amount), Field(gt=0)]
NonNegativeAmount = Annotated[float, BeforeValidator(_amount), Field(ge=0, le=1e27)]
AcceleratorCount = Annotated[float, BeforeValidator(_amount), Field(ge=1, le=1e9)]
PowerGw = Annotated[float, BeforeValidator(_amount), Field(ge=1e-6, le=1e4)]
BudgetUsd = Annotated[float, BeforeValidator(_amount), Field(ge=1e3, le=1e16)]
Share = Annotated[float, BeforeValidator(_amount), Field(ge=1e-6, le=1e3)]
EnergyTwh = Annotated[float, BeforeValidator(_amount), Field(ge=1e-6, le=1e6)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FleetSection(_Strict):
    """Which accelerators, and what fixes how many."""

    chip: str | None = Field(
        None,
        description="accelerator id, or shares like 'h100:0.4,gb200:0.6'",
        min_length=1,
        max_length=500,
        pattern=r"\S",
    )
    counts: dict[str, AcceleratorCount] | None = Field(
        None, description="accelerator id -> count, e.g. {h100: 40M}", min_length=1, max_length=100
    )
    accelerators: AcceleratorCount | None = Field(None, description="number of accelerators, 1 to 1e9")
    it_power_gw: PowerGw | None = Field(None, description="IT power [GW], 1e-6 to 1e4")
    facility_power_gw: PowerGw | None = Field(None, description="facility power at peak [GW], 1e-6 to 1e4")
    budget_usd: BudgetUsd | None = Field(None, description="all-in capex [USD], 1e3 to 1e16")


class ClaimsSection(_Strict):
    """Published figures to check against the model."""

    capex_usd: BudgetUsd | None = None
    power_gw: PowerGw | None = None
    energy_twh_per_year: EnergyTwh | None = None
    share_of: dict[str, Share] = Field(default_factory=dict, max_length=50)

    def to_claims(self) -> Claims:
        """The engine's :class:`~gigafleet.claims.Claims`."""
        return Claims(
            capex_usd=self.capex_usd,
            power_gw=self.power_gw,
            energy_twh_per_year=self.energy_twh_per_year,
            share_of=dict(self.share_of),
        )


class Scenario(_Strict):
    """A fleet estimate to run (see module docstring)."""

    name: str = "unnamed"
    description: str = ""
    fleet: FleetSection
    cooling: str = "auto"
    region: str = "us"
    year: int | None = Field(None, ge=2015, le=2100, strict=True)
    utilisation: float | None = Field(None, gt=0, le=1, strict=True)
    mfu: float | None = Field(None, gt=0, le=1, strict=True)
    samples: int = Field(DEFAULT_SAMPLES, ge=1, le=MAX_SAMPLES, strict=True)
    seed: int = Field(0, ge=0, le=2**31 - 1, strict=True)
    claims: ClaimsSection | None = None


FLAG_NAMES: dict[str, str] = {
    "chip": "--chip",
    "counts": "--fleet",
    "accelerators": "--accelerators",
    "it_power_gw": "--it-power-gw",
    "facility_power_gw": "--facility-power-gw",
    "budget_usd": "--budget-usd",
    "cooling": "--cooling",
    "region": "--region",
    "year": "--year",
}


def parse_mix(text: str, field: str) -> dict[str, float]:
    """Parse ``"h100"`` or ``"h100:0.4,gb200:0.6"`` (shares) into {id: share}."""
    mix: dict[str, float] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if ":" in part:
            chip, share_text = (s.strip() for s in part.split(":", 1))
            share = parse_positive(share_text, field)
        else:
            chip, share = part, 1.0
        if chip.lower() in {c.lower() for c in mix}:
            raise InputError(field, text, "each accelerator once, e.g. h100:0.4,gb200:0.6")
        mix[chip] = share  # as written: errors echo the user's spelling; to_spec normalises
    if not mix:
        raise InputError(field, text, "an accelerator id such as gb200, or shares like h100:0.4,gb200:0.6")
    if len(mix) > 1 and any(":" not in p for p in text.split(",") if p.strip()):
        raise InputError(field, text, "a share for every accelerator in a mix, e.g. h100:0.4,gb200:0.6")
    return mix


def parse_counts(text: str, field: str) -> dict[str, float]:
    """Parse ``"h100=40M,gb200=60M"`` into {id: count}."""
    counts: dict[str, float] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if "=" not in part:
            raise InputError(field, text, "counts like h100=40M,gb200=60M")
        chip, amount = (s.strip() for s in part.split("=", 1))
        if not chip:
            raise InputError(field, text, "counts like h100=40M,gb200=60M (an accelerator id before each =)")
        if chip.lower() in counts:
            raise InputError(field, text, "each accelerator once, e.g. h100=40M,gb200=60M")
        counts[chip.lower()] = parse_accelerators(amount, field)
    if not counts:
        raise InputError(field, text, "counts like h100=40M,gb200=60M")
    return counts


def to_spec(catalog: Catalog, scenario: Scenario, names: Mapping[str, str] | None = None) -> FleetSpec:
    """Resolve a scenario into a validated :class:`~gigafleet.fleet.FleetSpec`.

    Parameters
    ----------
    catalog
        Loaded catalogue (ids, launch years, cooling compatibility).
    scenario
        The scenario.
    names
        How to name fields in errors (``FLAG_NAMES`` for the CLI; default: scenario paths like
        ``fleet.accelerators``).
    """

    def name(key: str) -> str:
        if names is not None:
            return names.get(key, key)
        return key if key in ("cooling", "region", "year") else f"fleet.{key}"

    fleet = scenario.fleet
    sizings = {k: getattr(fleet, k) for k in SIZING_KINDS if getattr(fleet, k) is not None}
    if fleet.counts is not None:
        if fleet.chip is not None or sizings:
            given = [name("counts")] + ([name("chip")] if fleet.chip else []) + [name(k) for k in sizings]
            raise InputError(
                " and ".join(given), "both given", f"either {name('counts')} alone, or {name('chip')} with one sizing"
            )
        total = sum(fleet.counts.values())
        mix = {c.lower(): n / total for c, n in fleet.counts.items()}
        sizing = Sizing("accelerators", total)
    else:
        if len(sizings) != 1:
            options = ", ".join(name(k) for k in SIZING_KINDS)
            given_text = ", ".join(name(k) for k in sizings) or "none"
            raise InputError("sizing", given_text, f"exactly one of {options} (or {name('counts')})")
        kind, value = next(iter(sizings.items()))
        mix = parse_mix(fleet.chip or "gb200", name("chip"))
        sizing = Sizing(kind, float(value))  # type: ignore[arg-type]  # kind is one of SIZING_KINDS
    chip_field = name("counts") if fleet.counts is not None else name("chip")
    for chip in mix:
        catalog.item("accelerators", chip, field_name=chip_field)
    mix = {chip.strip().lower(): share for chip, share in mix.items()}
    cooling = scenario.cooling.strip().lower()
    if cooling == "auto":
        cooling = default_cooling(catalog, tuple(mix))
    else:
        catalog.item("cooling", cooling, field_name=name("cooling"))
    catalog.item("regions", scenario.region, field_name=name("region"))
    year = scenario.year
    if year is None:
        launch = max(int(catalog.item("accelerators", c)["launch_year"].mid) for c in mix)
        year = max(_dt.date.today().year, launch)
    region = scenario.region.strip().lower()
    return FleetSpec(
        mix=mix,
        sizing=sizing,
        cooling=cooling,
        region=region,
        year=year,
        utilisation=scenario.utilisation,
        mfu=scenario.mfu,
    )


def _format_validation_error(source: str, error: ValidationError) -> str:
    errors = error.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # typos first
    loc = describe_loc(first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "missing":
        return f"{source}: {loc}: required key is missing"
    if kind == "extra_forbidden":
        return (
            f"{source}: {loc}: unknown key; allowed keys are those of the scenario schema "
            "(name, description, fleet, cooling, region, year, utilisation, mfu, samples, seed, claims)"
        )
    return f"{source}: {loc}: {echo_input(first.get('input'))} is not allowed; {clip(first['msg'], quote=False)}"


class ScenarioError(InputError):
    """A scenario file could not be read or validated."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario YAML file (default: the built-in flagship scenario).

    Raises
    ------
    ScenarioError
        When the file is missing, is not YAML, or does not match the schema.
    """
    file = Path(path) if path is not None else DEFAULT_SCENARIO
    data, _ = read_yaml_mapping(file, "scenario file", "a mapping of scenario fields")
    return validate_scenario(data, str(file))


def read_yaml_mapping(file: Path, what: str, expected: str) -> tuple[dict[str, Any], str]:
    """The top-level mapping of a YAML file and its text, for every file kind (scenario, plan, experiment).

    Raises
    ------
    ScenarioError
        One line naming the file: missing, unreadable, too large, not YAML (with its line), or not a mapping
        (``expected`` says what it should be, e.g. ``"a mapping of scenario keys"``).
    """
    from gigafleet.safeio import YamlError, read_yaml_file

    try:
        data, text = read_yaml_file(file, what)
    except YamlError as exc:
        raise ScenarioError(str(exc)) from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: expected {expected} at the top level")
    return data, text


def validate_scenario(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario mapping; errors name the field, the value and what is allowed."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(source, exc)) from None

"""Typed build-out scenarios (``gigafleet plan SCENARIO.yaml``); schema documented in ``docs/plan.md``.

Errors name the file, the line (where YAML gives one), the key, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError, clip, describe_loc, echo_input
from gigafleet.scenario import SCENARIO_DIR, NonNegativeAmount, PositiveAmount, ScenarioError, read_yaml_mapping

ByYear = dict[int, NonNegativeAmount]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Horizon(_Strict):
    """Planning years, inclusive."""

    start: int = Field(ge=2015, le=2100)
    end: int = Field(ge=2015, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        if self.end - self.start > 40:
            raise ValueError("horizon longer than 40 years")
        return self


TARGET_CEILINGS: dict[str, float] = {"h100e": 1e10, "accelerators": 1e10, "flops_fp8": 1e26}
"""Largest target accepted per metric: 10^10 accelerators or H100e; 10^26 FP8 FLOP/s (10^9 accelerators at
~10^17 FLOP/s each)."""


class Targets(_Strict):
    """Lower bounds on the installed fleet at the end of listed years."""

    metric: Literal["h100e", "accelerators", "flops_fp8"] = "h100e"
    values: dict[int, NonNegativeAmount]


class Climate(_Strict):
    """Site-specific cooling performance (climate): replaces the cooling type's catalogue values."""

    pue: float | None = Field(None, ge=1.0, le=3.0)
    peak_pue: float | None = Field(None, ge=1.0, le=3.0)
    wue_l_per_kwh: float | None = Field(None, ge=0.0, le=10.0)

    @model_validator(mode="after")
    def _ordered(self) -> Climate:
        if self.pue is not None and self.peak_pue is not None and self.peak_pue < self.pue:
            raise ValueError(f"peak_pue ({self.peak_pue}) must not be below pue ({self.pue})")
        return self


class Site(_Strict):
    """A campus or region where capacity can be built."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    region: str
    cooling: str = "liquid"
    grid_gw: ByYear = Field(default_factory=dict)
    onsite: list[str] = Field(default_factory=list)
    max_facility_gw: NonNegativeAmount | None = None
    max_build_gw_per_year: NonNegativeAmount | None = None
    min_facility_gw: ByYear = Field(default_factory=dict)
    existing_datacentre_gw: NonNegativeAmount = 0.0
    max_water_m3_per_year: NonNegativeAmount | None = None
    climate: Climate | None = None
    weather: str | None = Field(None, description="catalogue site id for hourly weather (power_model: hourly)")


class Supply(_Strict):
    """Supply chain: CoWoS wafers (industry) and the share this buyer obtains."""

    cowos_wafers_per_year: ByYear = Field(default_factory=dict)
    buyer_share: float = Field(gt=0, le=1)
    package_yield: float | None = Field(None, gt=0, le=1)
    hbm_stacks_per_year: ByYear = Field(default_factory=dict)
    hbm_buyer_share: float | None = Field(None, gt=0, le=1)
    gas_turbine_gw_per_year: ByYear = Field(default_factory=dict)
    gas_turbine_buyer_share: float | None = Field(None, gt=0, le=1)
    gas_engine_gw_per_year: ByYear = Field(default_factory=dict)
    bridge_gw: ByYear = Field(default_factory=dict)
    ramp_first_year_share: float | None = Field(None, gt=0, le=1)
    ramp_second_year_share: float | None = Field(None, gt=0, le=1)
    quarter_shares: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(
        None, min_length=4, max_length=4, description="share of each year's supply in Q1-Q4 (step: quarter)"
    )

    @model_validator(mode="after")
    def _quarters(self) -> Supply:
        if self.quarter_shares is not None and abs(sum(self.quarter_shares) - 1) > 1e-6:
            raise ValueError(f"quarter_shares sum to {sum(self.quarter_shares):.4g}; they must sum to 1")
        return self


class SalesWindow(_Strict):
    """Years in which an accelerator can be bought (inclusive); default: from its volume year, no end."""

    first: int | None = Field(None, ge=2000, le=2100)
    last: int | None = Field(None, ge=2000, le=2100)


class Existing(_Strict):
    """Accelerators already in service at the start."""

    chip: str
    site: str
    count: PositiveAmount
    year: int = Field(ge=2000, le=2100)


class InstalledBase(_Strict):
    """The world's installed base (``gigafleet installed``) as the starting fleet.

    ``through`` is the shipment cut-off (default: the year before the horizon starts); ``share`` the share of
    the world's fleet the plan owns; ``sites`` how it is split across the plan's sites (shares summing to 1;
    default: evenly).
    """

    through: int | str | None = None
    share: float = Field(1.0, gt=0, le=1)
    sites: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shares(self) -> InstalledBase:
        if self.sites and abs(sum(self.sites.values()) - 1) > 1e-6:
            raise ValueError(f"site shares sum to {sum(self.sites.values()):.4g}; they must sum to 1")
        return self


class InstalledExisting(_Strict):
    """``existing: {installed: {...}}``: start from the installed base."""

    installed: InstalledBase


def _installed_shorthand(value: object) -> object:
    """``existing: installed`` is short for ``existing: {installed: {}}``."""
    return {"installed": {}} if value == "installed" else value


def _existing_kind(value: object) -> str:
    return "installed" if isinstance(value, (dict, InstalledExisting)) else "list"


class Finance(_Strict):
    """Finance overrides."""

    wacc: float | None = Field(None, ge=0, le=0.5)
    it_life_years: int | None = Field(None, ge=1, le=20)
    facility_life_years: int | None = Field(None, ge=1, le=60)


STEP_YEARS: dict[str, float] = {"year": 1.0, "quarter": 0.25}
"""Length of a model step [years] for each ``step`` value."""


class PlanScenario(_Strict):
    """A build-out scenario (see ``docs/plan.md``)."""

    name: str
    description: str = ""
    years: Horizon
    step: Literal["year", "quarter"] = "year"
    objective: Literal["min_cost", "max_h100e"] = "min_cost"
    targets: Targets | None = None
    chips: list[str] = Field(min_length=1)
    sales_windows: dict[str, SalesWindow] = Field(default_factory=dict)
    sites: list[Site] = Field(min_length=1)
    supply: Supply
    budget_usd_per_year: ByYear = Field(default_factory=dict)
    lead_times_years: dict[str, Annotated[float, Field(ge=0, le=30)]] = Field(default_factory=dict)
    existing: Annotated[
        Annotated[list[Existing], Tag("list")] | Annotated[InstalledExisting, Tag("installed")],
        Discriminator(_existing_kind),
        BeforeValidator(_installed_shorthand),
    ] = Field(default_factory=list)
    early_retirement: bool = False
    power_model: Literal["firm", "hourly"] = "firm"
    power_days: int = Field(6, ge=2, le=30)
    grid_minimum_take: float | None = Field(None, ge=0, le=1)
    finance: Finance = Field(default_factory=lambda: Finance(wacc=None, it_life_years=None, facility_life_years=None))


def existing_rows(catalog: Catalog, scenario: PlanScenario, source: str = "scenario") -> list[Existing]:
    """The scenario's starting fleet as rows: as written, or the installed base split over the sites.

    The installed base (:func:`gigafleet.installed.vintages`) counts each shipped chip as its catalogue proxy in
    units of equal H100e (Epoch's median), by shipment year, times ``share`` and each site's share.
    """
    if isinstance(scenario.existing, list):
        return list(scenario.existing)
    from gigafleet.installed import parse_through, vintages

    spec = scenario.existing.installed
    through = str(spec.through) if spec.through is not None else str(scenario.years.start - 1)
    cut = parse_through(through, f"{source}: existing.installed.through")
    if cut.end.year >= scenario.years.start:
        raise InputError(
            f"{source}: existing.installed.through",
            spec.through,
            f"{scenario.years.start - 1} or earlier (before the horizon starts)",
        )
    site_ids = [s.id for s in scenario.sites]
    for site in spec.sites:
        if site not in site_ids:
            raise InputError(f"{source}: existing.installed.sites", site, site_ids)
    shares = dict(spec.sites) or {site: 1 / len(site_ids) for site in site_ids}
    rows = []
    for vintage in vintages(catalog, cut, share=spec.share):
        chip = str(vintage["chip"])
        if chip not in scenario.chips:
            needed = sorted({str(v["chip"]) for v in vintages(catalog, cut)} - set(scenario.chips))
            raise InputError(
                f"{source}: chips",
                scenario.chips,
                f"a list that also holds {', '.join(needed)} (the installed base counts its chips as "
                "these catalogue accelerators)",
            )
        for site, site_share in shares.items():
            count = float(vintage["count"]) * site_share  # type: ignore[arg-type]
            if count > 0:
                rows.append(Existing(chip=chip, site=site, count=count, year=int(vintage["year"])))  # type: ignore[call-overload]
    return rows


def step_value(schedule: Mapping[int, float], year: int) -> float | None:
    """Value of a by-year step function: the latest listed year at or before ``year``; ``None`` before the first."""
    earlier = [y for y in schedule if y <= year]
    return schedule[max(earlier)] if earlier else None


def check_plan_scenario(catalog: Catalog, scenario: PlanScenario, source: str = "scenario") -> None:
    """Cross-field and catalogue checks made before any model is built; raise :class:`InputError`.

    Rejects unknown ids, a target before any listed chip exists, duplicate sites, existing fleets at unknown
    sites, ``max_h100e`` without a budget, and targets outside the horizon.
    """
    start, end = scenario.years.start, scenario.years.end
    launches: dict[str, int] = {}
    for index, chip in enumerate(scenario.chips):
        item = catalog.item("accelerators", chip, field_name=f"{source}: chips[{index}]")
        launches[chip] = int(item["launch_year"].mid)
    if len(set(scenario.chips)) != len(scenario.chips):
        raise InputError(f"{source}: chips", scenario.chips, "each accelerator once")
    site_ids = [s.id for s in scenario.sites]
    if len(set(site_ids)) != len(site_ids):
        raise InputError(f"{source}: sites", site_ids, "unique site ids")
    for index, site in enumerate(scenario.sites):
        where = f"{source}: sites[{index}]"
        catalog.item("regions", site.region, field_name=f"{where}.region")
        catalog.item("cooling", site.cooling, field_name=f"{where}.cooling")
        for year in site.min_facility_gw:
            if not start <= year <= end:
                raise InputError(f"{where}.min_facility_gw", year, f"years within {start}-{end}")
        for source_id in site.onsite:
            if source_id == "grid":
                raise InputError(f"{where}.onsite", source_id, "on-site sources; grid import is set by grid_gw")
            catalog.item("power_sources", source_id, field_name=f"{where}.onsite")
        for chip in scenario.chips:
            liquid_only = catalog.item("accelerators", chip)["liquid_cooling_required"].mid >= 1
            if site.cooling == "air" and liquid_only:
                raise InputError(
                    f"{where}.cooling", site.cooling, f"liquid or immersion ({chip} ships liquid-cooled only)"
                )
    first_chip_year = min(launches.values())
    if scenario.targets is not None:
        ceiling = TARGET_CEILINGS[scenario.targets.metric]
        for year, value in scenario.targets.values.items():
            if not start <= year <= end:
                raise InputError(f"{source}: targets.values", year, f"years within {start}-{end}")
            if value > ceiling:
                raise InputError(
                    f"{source}: targets.values.{year}",
                    value,
                    f"at most {ceiling:.0e} {scenario.targets.metric} (10x the largest fleets discussed)",
                )
            if value > 0 and year < first_chip_year and not existing_rows(catalog, scenario, source):
                raise InputError(
                    f"{source}: targets.values",
                    year,
                    f"{first_chip_year} or later: no listed chip is available before then",
                )
    elif scenario.objective == "min_cost":
        raise InputError(f"{source}: targets", "missing", "targets (min_cost needs something to meet)")
    if scenario.objective == "max_h100e" and not scenario.budget_usd_per_year:
        raise InputError(f"{source}: budget_usd_per_year", "missing", "a budget per year (max_h100e spends it)")
    for index, existing in enumerate(existing_rows(catalog, scenario, source)):
        catalog.item("accelerators", existing.chip, field_name=f"{source}: existing[{index}].chip")
        if existing.site not in site_ids:
            raise InputError(f"{source}: existing[{index}].site", existing.site, site_ids)
        if existing.year > start:
            raise InputError(f"{source}: existing[{index}].year", existing.year, f"{start} or earlier")
    for index, site in enumerate(scenario.sites):
        if scenario.power_model == "hourly":
            if site.weather is None:
                raise InputError(
                    f"{source}: sites[{index}].weather",
                    "missing",
                    "a catalogue site id for hourly weather (power_model: hourly), e.g. abilene-tx",
                )
            catalog.item("sites", site.weather, field_name=f"{source}: sites[{index}].weather")
    for chip, window in scenario.sales_windows.items():
        if chip not in scenario.chips:
            raise InputError(f"{source}: sales_windows", chip, scenario.chips)
        if window.first is not None and window.last is not None and window.last < window.first:
            raise InputError(f"{source}: sales_windows.{chip}.last", window.last, f"{window.first} or later")
    for key in scenario.lead_times_years:
        if key != "datacentre":
            catalog.item("power_sources", key, field_name=f"{source}: lead_times_years")
    if scenario.step != "year":
        if scenario.power_model == "hourly":
            raise InputError(
                f"{source}: step", scenario.step, "year with power_model: hourly (representative days are per year)"
            )
        if scenario.early_retirement:
            raise InputError(f"{source}: step", scenario.step, "year with early_retirement: true")
    elif scenario.supply.quarter_shares is not None:
        raise InputError(f"{source}: supply.quarter_shares", scenario.supply.quarter_shares, "only with step: quarter")


def _line_of(text: str, key: object) -> int | None:
    needle = f"{key}:"
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle) or f" {needle}" in line or f"{{{needle}" in line:
            return number
    return None


def _format_error(source: str, text: str, error: ValidationError) -> str:
    errors = error.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # typos first
    raw_loc = tuple(first["loc"])
    if len(raw_loc) >= 2 and raw_loc[0] == "existing" and raw_loc[1] in ("list", "installed"):
        raw_loc = raw_loc[:1] + raw_loc[2:]  # drop the union's tag (list of rows / installed base)
        if raw_loc == ("existing",) and first["type"] == "list_type":
            return (
                f"{source}: existing: {echo_input(first.get('input'))} is not allowed; a list of "
                "{chip, site, count, year} rows, 'installed' or {installed: {through, share, sites}}"
            )
        first = {**first, "loc": raw_loc}
    loc = describe_loc(first["loc"]) or "(top level)"
    key = first["loc"][-1] if first["loc"] else ""
    line = _line_of(text, key) if key != "" else None
    where = f"{source}:{line}" if line else source
    if first["type"] == "extra_forbidden":
        message = f"{where}: {loc}: unknown key; see docs/plan.md for the allowed keys"
    elif first["type"] == "missing":
        message = f"{where}: {loc}: required key is missing"
    else:
        message = f"{where}: {loc}: {echo_input(first.get('input'))} is not allowed; {clip(first['msg'], quote=False)}"
    return message + _more_errors(errors, first)


MAX_MORE_PATHS = 8
"""Most further error paths named after the first error of a scenario file (the line stays short)."""


def _more_errors(errors: list[Any], first: Any) -> str:
    """``"; 2 more errors: years.end (missing), sites.0.grid_gw (...)"``: every other error's key path, so one
    run names all that is wrong (the first error keeps its full message; the line stays under ~600 characters)."""
    others = [e for e in errors if e is not first and tuple(e["loc"]) != tuple(first["loc"])]
    if not others:
        return ""
    shown = []
    for error in others[:MAX_MORE_PATHS]:
        loc = tuple(error["loc"])
        if len(loc) >= 2 and loc[0] == "existing" and loc[1] in ("list", "installed"):
            loc = loc[:1] + loc[2:]  # the union's tag, as for the first error
        kind = {"extra_forbidden": "unknown key", "missing": "missing"}.get(error["type"])
        text = " ".join(str(error["msg"]).removeprefix("Value error, ").split())
        reason = kind or (text if len(text) <= 48 else text[:45].rstrip(" ,;") + "...")
        shown.append(f"{describe_loc(loc) or '(top level)'} ({reason})")
    rest = len(others) - len(shown)
    tail = f" and {rest} more" if rest > 0 else ""
    return f"; {len(others)} more error{'s' if len(others) > 1 else ''}: {', '.join(shown)}{tail}"


def resolve_scenario_path(path: str | Path) -> Path:
    """A scenario path as given, or a built-in scenario by bare name (``demo``, ``demo.yaml``).

    A name with a folder (``/nonexistent/demo.yaml``) is never replaced by a shipped scenario of the same name.
    """
    from gigafleet.safeio import resolve_shipped

    return resolve_shipped(path, SCENARIO_DIR)


def load_plan_scenario(path: str | Path) -> PlanScenario:
    """Read and validate a plan scenario YAML file.

    Raises
    ------
    ScenarioError
        Missing file, invalid YAML, unknown keys or bad values (file, line, key, value, what is allowed).
    """
    file = resolve_scenario_path(path)
    data, text = read_yaml_mapping(file, "scenario file", "a mapping of scenario keys")
    try:
        return PlanScenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_error(str(file), text, exc)) from None

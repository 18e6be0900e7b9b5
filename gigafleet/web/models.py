"""Request bodies of the web API and their parsing into scenarios, plans and experiments.

The same bounds and error texts as the CLI (`gigafleet.inputs`), with the API's caps on samples and memory;
shipped names resolve only to shipped files, and YAML is parsed safely.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gigafleet.errors import MAX_ECHO_CHARS, GigafleetError, InputError, clip, describe_loc, echo_input
from gigafleet.safeio import shipped_files
from gigafleet.scenario import DEFAULT_SAMPLES

if TYPE_CHECKING:
    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.scenario import Scenario
    from gigafleet.uncertainty.experiment import Experiment


RUN_ID = re.compile(r"^[0-9a-f]{12}$")
API_MAX_SAMPLES = 100_000
"""Most Monte Carlo samples one estimate or check request may ask for."""
API_MAX_MEMORY_GB = 1.0
"""Largest estimated peak memory of one estimate or check request [GiB]."""
API_MAX_REPLICATIONS = 16
"""Most replications one reliability or power request may ask for."""


class EstimateRequest(BaseModel):
    """Fields of ``gigafleet estimate`` (amounts accept 100M, 3e12 ...); each description is the CLI flag's help
    (a test holds them equal), and the estimate page's form is built from these fields."""

    model_config = ConfigDict(extra="forbid")
    chip: str | None = Field(
        None,
        examples=["gb200"],
        description="Accelerator id (e.g. gb200, h100, tpu-v7), or shares like h100:0.4,gb200:0.6 [default: gb200].",
    )
    fleet: str | None = Field(
        None,
        examples=["h100=40M,gb200=60M"],
        description="Counts per accelerator, e.g. h100=40M,gb200=60M (instead of --chip and a sizing flag).",
    )
    accelerators: str | float | None = Field(
        None, examples=["100M"], description="Number of accelerators: 100M, 2.9M, 1e6 (suffixes k, M, B, T)."
    )
    it_power_gw: str | float | None = Field(None, description="Size the fleet by IT power [GW].")
    facility_power_gw: str | float | None = Field(None, description="Size the fleet by facility power at peak [GW].")
    budget_usd: str | float | None = Field(None, description="Size the fleet by all-in capex [USD], e.g. 1T.")
    cooling: str = Field(
        "auto", description="air, liquid, immersion, or auto (liquid for chips that ship liquid-cooled only, else air)."
    )
    region: str = Field("us", description="Region for power price, grid CO2 and build cost.")
    year: str | int | None = Field(
        None, description="Year of operation [default: this year, or the chip's volume year if later]."
    )
    utilisation: str | float | None = Field(
        None, description="Share of time busy, 0-1 or 80% [default: sampled from the catalogue range]."
    )
    mfu: str | float | None = Field(
        None, description="Model FLOP utilisation while busy [default: sampled from the catalogue range]."
    )
    samples: str | int = Field(
        DEFAULT_SAMPLES, examples=[DEFAULT_SAMPLES], description="Monte Carlo samples (e.g. 2000, 1e6)."
    )
    seed: str | int = Field(0, description="Random seed (same seed, same numbers).")


class CheckRequest(EstimateRequest):
    """Fields of ``gigafleet check``."""

    claim_capex_usd: str | float | None = None
    claim_power_gw: str | float | None = None
    claim_energy_twh: str | float | None = None
    claim_share_of: list[str] = Field(default_factory=list, max_length=100, examples=[["uk=0.75"]])


class PlanRequest(BaseModel):
    """A plan scenario: a shipped name or YAML text."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, examples=["demo"])
    yaml: str | None = Field(None, max_length=200_000)


class ScenarioData(BaseModel):
    """A scenario as JSON data (the editor's form), to be written out as YAML."""

    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(examples=[{"name": "my-plan", "years": {"start": 2026, "end": 2030}}])


class SweepRequest(BaseModel):
    """An experiment: a shipped name or YAML text."""

    model_config = ConfigDict(extra="forbid")
    experiment: str | None = Field(None, examples=["demo"])
    yaml: str | None = Field(None, max_length=200_000)
    resume: bool = Field(False, description="Finish an existing sweep of this experiment (as the CLI's --resume).")


class FieldError(GigafleetError):
    """A refused request field, with a ready message (answered 422 naming ``field``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class ScenarioValidationError(GigafleetError):
    """Every error of one validation of YAML text, answered 422 with one ``detail`` item per error.

    ``errors`` holds pydantic's error dicts with ``loc`` prefixed by ``("body", where)``, so a page can mark each
    field by its path (``body.yaml.sites.0.grid_gw``); :func:`gigafleet.web.app.validation_detail` clips them.
    The message (``str``) is the first error, as the CLI prints it.
    """

    def __init__(self, errors: list[dict[str, Any]], first: GigafleetError) -> None:
        self.errors = errors
        super().__init__(str(first))


def model_error(exc: ValidationError, where: str) -> GigafleetError:
    """The errors of a pydantic validation of YAML text: all of them, each with its key path; the message is the
    first one's (field, clipped value, never the text itself)."""
    errors = exc.errors()
    return ScenarioValidationError(
        [{**error, "loc": ("body", where, *error["loc"])} for error in errors], _first_error(errors[0], where)
    )


def _first_error(first: Any, where: str) -> GigafleetError:
    loc = describe_loc(first["loc"])
    message = clip(str(first["msg"]).removeprefix("Value error, "), 2 * MAX_ECHO_CHARS, quote=False)
    if not loc:  # a check across fields (model validator): its message says what is wrong
        return FieldError(where, message)
    if first["type"] == "extra_forbidden":
        return InputError(loc or where, "an unknown key", "the keys documented for this file")
    value = first.get("input")
    return InputError(
        loc or where, echo_input(value) if isinstance(value, (dict, list, tuple, set)) else value, message
    )


def estimate_scenario(request: EstimateRequest) -> Scenario:
    """The estimate scenario of a request, parsed and bounded as the CLI's flags, with the API's caps."""
    from gigafleet.inputs import build_scenario

    flags = flag_texts(request)  # a CheckRequest's claims are parsed by the check, not here
    return build_scenario(
        **{name: flags[name] for name in EstimateRequest.model_fields},
        scenario_file=None,
        max_samples=API_MAX_SAMPLES,
        max_memory_gb=API_MAX_MEMORY_GB,
    )


def first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return clip(lines[0] if lines else type(exc).__name__, 500, quote=False)


def _request_text(field: str, name: str | None, text: str | None, shipped: dict[str, Path]) -> str:
    """The YAML a request gives: its ``yaml`` text, or a shipped file by name (exactly one of the two)."""
    if (name is None) == (text is None):
        raise InputError(field, "both or neither", f"either {field} (a shipped name) or yaml (text)")
    if text is not None:
        return text
    if name not in shipped:
        raise InputError(field, name, sorted(shipped))
    return shipped[str(name)].read_text(encoding="utf-8")


def shipped_plans() -> dict[str, Path]:
    from gigafleet.scenario import SCENARIO_DIR

    return shipped_files(SCENARIO_DIR, exclude=("default",))  # default.yaml is an estimate scenario, not a plan


def plan_text(request: PlanRequest) -> str:
    return _request_text("scenario", request.scenario, request.yaml, shipped_plans())


def sweep_text(request: SweepRequest) -> str:
    from gigafleet.uncertainty.experiment import EXPERIMENT_DIR

    return _request_text("experiment", request.experiment, request.yaml, shipped_files(EXPERIMENT_DIR))


def _model_from_yaml(text: str, model: type[Any], what: str) -> Any:
    """Safe YAML (no aliases, bounded size and depth) → a mapping → the pydantic ``model``; 422-ready errors."""
    from gigafleet.safeio import load_yaml_text

    data = load_yaml_text(text, "yaml")
    if not isinstance(data, dict):
        raise InputError("yaml", "text", f"a mapping of {what} keys")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise model_error(exc, "yaml") from None


def parse_plan_text(text: str) -> PlanScenario:
    """A plan scenario from YAML text, fully checked."""
    from gigafleet.buildout.scenario import PlanScenario, check_plan_scenario
    from gigafleet.catalog import load_catalog

    scenario: PlanScenario = _model_from_yaml(text, PlanScenario, "scenario")
    check_plan_scenario(load_catalog(), scenario, "scenario")
    return scenario


def validate_plan_text(text: str) -> str:
    """Validate a plan scenario's YAML text; returns its name."""
    return parse_plan_text(text).name


def parse_experiment_text(text: str) -> Experiment:
    """An experiment from YAML text, checked before anything is queued.

    The model refuses unknown keys, names that are not file-name safe and functions that are not registered (no
    module is ever imported by name); a ``plan`` experiment's base must be a shipped plan scenario (never a server
    path); then :func:`~gigafleet.uncertainty.sweep.validate_experiment` checks every parameter path, bound, swept
    value and function argument and bounds the run count (before building any sample matrix).
    """
    from gigafleet.uncertainty.experiment import Experiment
    from gigafleet.uncertainty.sweep import validate_experiment

    experiment: Experiment = _model_from_yaml(text, Experiment, "experiment")
    if experiment.kind == "plan":
        shipped = sorted(shipped_plans())
        if experiment.base not in shipped:
            raise InputError("base", experiment.base, shipped)
    try:
        validate_experiment(experiment)  # paths, bounds, run count, swept values, function arguments: not in a job
    except GigafleetError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise FieldError("sample", f"the sampler refused these values ({first_line(exc)})") from None
    return experiment


Value = str | int | float
"""A flag value as JSON: text as typed on the command line (``"100k"``, ``"80%"``) or a number."""
Amount = Value | None
"""A flag that may be left out (``null``: the CLI's "not given")."""


class ReliabilityRequest(BaseModel):
    """Fields of ``gigafleet reliability`` (the flag names; defaults from
    :data:`gigafleet.inputs.RELIABILITY_DEFAULTS`), with the API's memory cap."""

    model_config = ConfigDict(extra="forbid")
    accelerators: Value = Field("100k", examples=["1M"])
    chip: str = "h100"
    days: Value = "365"
    job_size: Amount = None
    checkpoint_interval: Value = "auto"
    checkpoint_write_minutes: Amount = None
    restart_minutes: Amount = None
    hot_spares: Amount = None
    spares_pct: Value = "2"
    seed: Value = "0"
    max_memory_gb: Value = Field(
        "1", description=f"Most memory the simulation may use [GiB], at most {API_MAX_MEMORY_GB:g}."
    )
    regime: str = "auto"
    year: Amount = None
    replications: Value = Field("auto", description=f"auto or 1 to {API_MAX_REPLICATIONS} (the API's cap).")


class PowerRequest(BaseModel):
    """Fields of ``gigafleet power`` (defaults from :data:`gigafleet.inputs.POWER_DEFAULTS`); runs as a job."""

    model_config = ConfigDict(extra="forbid")
    site: str = Field(examples=["abilene-tx"])
    it_load_gw: Value = Field(examples=["1.2"])
    year: Amount = None
    carbon_cap: Amount = None
    availability: Value = "0.999"
    sources: str = "grid,ccgt,ocgt,recip,solar,wind,battery,bridge"
    hours: str = Field("full", examples=["repdays"])
    days: Value = "12"
    cooling: str = "liquid"
    reserve_margin: Value = "0.15"
    training_swing: Value = "0"
    grid_gw: Amount = None
    seed: Value = "0"
    replications: Value = Field("auto", description=f"auto or 1 to {API_MAX_REPLICATIONS} (the API's cap).")
    optimality_gap: Amount = Field(None, description="capped full years: certified gap of the cutting planes")


class CapabilityRequest(BaseModel):
    """Fields of ``gigafleet capability`` (defaults from :data:`gigafleet.inputs.CAPABILITY_DEFAULTS`);
    ``plan_run`` names a stored plan of this server's store."""

    model_config = ConfigDict(extra="forbid")
    accelerators: Amount = Field(None, examples=["1M"])
    chip: str = "gb200"
    fleet: str | None = None
    plan_run: str | None = Field(None, description="A stored plan's run id (12 hexadecimal characters).")
    days: Value = "100"
    precision: str = "bf16"
    mfu: Amount = None
    goodput: Amount = None
    training_share: Value = "0.5"
    campus_share: Amount = None
    linked_campuses: Value = "1"
    serve_params: Value = "405B"
    regime: str = "auto"
    samples: Value = str(DEFAULT_SAMPLES)
    seed: Value = "0"


class InstalledRequestBody(BaseModel):
    """Fields of ``gigafleet installed`` (defaults from :data:`gigafleet.inputs.INSTALLED_DEFAULTS`)."""

    model_config = ConfigDict(extra="forbid")
    through: Value = Field("2026", examples=["2026", "2025-06"])
    lifetime_years: Amount = None
    vendor: list[str] = Field(default_factory=list, max_length=20)
    samples: Value = "4000"
    seed: Value = "20261201"


def flag_texts(request: BaseModel, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A request's fields as the CLI's flag strings (``None`` stays ``None``; numbers become their text)."""
    return {
        name: (None if value is None else value if isinstance(value, (str, list)) else str(value))
        for name, value in request.model_dump().items()
        if name not in skip
    }

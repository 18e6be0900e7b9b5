"""The web API's request models say what the CLI says: each estimate field's description is its flag's help."""

from __future__ import annotations

import typer

from gigafleet.cli import app
from gigafleet.web.models import CheckRequest, EstimateRequest


def _flag_help(command: str) -> dict[str, str]:
    group = typer.main.get_command(app)
    params = group.commands[command].params  # type: ignore[attr-defined]
    return {opt.lstrip("-").replace("-", "_"): p.help or "" for p in params for opt in p.opts if opt.startswith("--")}


def test_each_estimate_field_is_a_flag_with_the_same_help() -> None:
    helps = _flag_help("estimate")
    for name, field in EstimateRequest.model_fields.items():
        assert name in helps, f"{name} is not a flag of gigafleet estimate"
        assert field.description == helps[name], name


def test_check_adds_the_claim_flags() -> None:
    helps = _flag_help("check")
    for name in CheckRequest.model_fields:
        assert name in helps, f"{name} is not a flag of gigafleet check"


def test_the_estimate_page_has_an_input_for_every_field(tmp_path: object) -> None:
    from gigafleet.catalog import load_catalog
    from gigafleet.web.pages import estimate_fields

    html = estimate_fields(load_catalog())
    for name in EstimateRequest.model_fields:
        assert f"name='{name}'" in html and f"id='error-{name}'" in html, name


def test_each_command_request_has_the_clis_flags_and_defaults() -> None:
    """The API request models of reliability, power, capability and installed carry exactly the CLI's flags with
    the CLI's defaults (from gigafleet.inputs); the only difference is the API's memory cap."""
    import dataclasses

    from gigafleet import inputs
    from gigafleet.web.models import (
        API_MAX_MEMORY_GB,
        CapabilityRequest,
        InstalledRequestBody,
        PowerRequest,
        ReliabilityRequest,
    )

    cases = (  # (model, CLI defaults, fields only the API has, flags the API does not take, defaults it caps)
        (ReliabilityRequest, inputs.RELIABILITY_DEFAULTS, set(), set(), {"max_memory_gb"}),
        (PowerRequest, inputs.POWER_DEFAULTS, {"site", "it_load_gw"}, {"solver"}, set()),
        (CapabilityRequest, inputs.CAPABILITY_DEFAULTS, {"plan_run"}, set(), set()),
        (InstalledRequestBody, inputs.INSTALLED_DEFAULTS, {"vendor"}, set(), set()),
    )
    for model, defaults, extra, absent, capped in cases:
        flags = {f.name: getattr(defaults, f.name) for f in dataclasses.fields(defaults)}
        assert set(model.model_fields) == (set(flags) - absent) | extra, model.__name__
        for name, value in flags.items():
            if name not in absent | capped:
                assert model.model_fields[name].default == value, (model.__name__, name)
    assert ReliabilityRequest.model_fields["max_memory_gb"].default == f"{API_MAX_MEMORY_GB:g}"

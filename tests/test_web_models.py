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

"""The shared flag parsing of ``reliability``, ``power``, ``capability`` and ``installed`` (gigafleet.inputs).

The CLI commands call these functions; their option defaults are the module's constants, so a request built from
the constants (the web API's) is the CLI's default run.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from gigafleet import inputs
from gigafleet.catalog import load_catalog
from gigafleet.errors import InputError

CATALOG = load_catalog()


def _cli_defaults(command: str) -> dict[str, Any]:
    """The default of each parameter of a CLI command function (as Typer reads them)."""
    import gigafleet.cli  # noqa: F401  (registers the commands)
    from gigafleet.cli.app import app

    func = next(c.callback for c in app.registered_commands if c.callback and c.callback.__name__ == command)
    return {name: p.default for name, p in inspect.signature(func).parameters.items()}


@pytest.mark.parametrize(
    ("command", "defaults"),
    [
        ("reliability", inputs.RELIABILITY_DEFAULTS),
        ("power", inputs.POWER_DEFAULTS),
        ("capability", inputs.CAPABILITY_DEFAULTS),
        ("installed", inputs.INSTALLED_DEFAULTS),
    ],
)
def test_cli_option_defaults_are_the_shared_constants(command: str, defaults: Any) -> None:
    cli = _cli_defaults(command)
    for name, value in dataclasses.asdict(defaults).items():
        assert cli[name] == value, (command, name)


def test_parser_defaults_are_the_shared_constants() -> None:
    """Each parser's keyword defaults are the constants (defined once)."""
    for func, defaults in (
        (inputs.reliability_spec, inputs.RELIABILITY_DEFAULTS),
        (inputs.campus_spec, inputs.POWER_DEFAULTS),
        (inputs.capability_inputs, inputs.CAPABILITY_DEFAULTS),
        (inputs.installed_request, inputs.INSTALLED_DEFAULTS),
    ):
        params = inspect.signature(func).parameters
        for name, value in dataclasses.asdict(defaults).items():
            if name in params:
                assert params[name].default == value, (func.__name__, name)


def test_capability_samples_default_is_the_scenario_default() -> None:
    from gigafleet.scenario import DEFAULT_SAMPLES

    assert inputs.CAPABILITY_DEFAULTS.samples == str(DEFAULT_SAMPLES)


def test_reliability_spec_defaults() -> None:
    spec = inputs.reliability_spec()
    assert (spec.chip, spec.accelerators, spec.days, spec.job_size, spec.seed) == ("h100", 100_000, 365.0, None, 0)
    assert inputs.reliability_spec(job_size="auto").job_size is None  # auto: the engine sizes the job
    assert inputs.reliability_spec(job_size="2k").job_size == 2000
    assert spec.regime == "auto" and spec.checkpoint_interval_hours is None
    assert spec.memory_limit_bytes == 4 * 2**30
    assert inputs.reliability_spec(checkpoint_interval="90", job_size="1k").checkpoint_interval_hours == 1.5


@pytest.mark.parametrize(
    ("flags", "flag"),
    [
        ({"accelerators": "0"}, "--accelerators"),
        ({"days": "-1"}, "--days"),
        ({"job_size": "lots"}, "--job-size"),
        ({"checkpoint_interval": "0"}, "--checkpoint-interval"),
        ({"hot_spares": "-3"}, "--hot-spares"),
        ({"seed": "-1"}, "--seed"),
        ({"max_memory_gb": "1e9"}, "--max-memory-gb"),
        ({"regime": "magic"}, "--regime"),
        ({"year": "1900"}, "--year"),
    ],
)
def test_reliability_spec_errors_name_the_flag(flags: dict[str, str], flag: str) -> None:
    with pytest.raises(InputError, match=flag):
        inputs.reliability_spec(**flags)


def test_campus_spec() -> None:
    spec = inputs.campus_spec(site=" Abilene-TX ", it_load_gw="1.2", hours="repdays", days="4")
    assert (spec.site, spec.it_load_gw, spec.year, spec.hours, spec.n_days) == ("abilene-tx", 1.2, 2030, "repdays", 4)
    assert spec.sources == tuple(inputs.POWER_DEFAULTS.sources.split(","))
    for flags, flag in (
        ({"it_load_gw": "0"}, "--it-load-gw"),
        ({"days": "90"}, "--days"),
        ({"reserve_margin": "2"}, "--reserve-margin"),
        ({"year": "3000"}, "--year"),
    ):
        with pytest.raises(InputError, match=flag):
            inputs.campus_spec(**{"site": "abilene-tx", "it_load_gw": "1", **flags})


def test_capability_inputs() -> None:
    fleets, spec, reported = inputs.capability_inputs(CATALOG, accelerators="100k", chip="H100", days="90")
    assert len(fleets) == 1 and spec.days == 90 and spec.samples == 2000
    assert reported == {"chip": "h100", "accelerators": 100_000, "plan_run_id": None}
    fleets, _, reported = inputs.capability_inputs(CATALOG, fleet="h100=1k,gb200=2k")
    assert reported["fleet"] == {"h100": 1000, "gb200": 2000}
    _, default_spec, reported = inputs.capability_inputs(CATALOG)
    assert reported["accelerators"] == 1e6 and default_spec.regime == "auto"
    with pytest.raises(InputError, match="--plan"):
        inputs.capability_inputs(CATALOG, plan_run="abc", accelerators="1M")
    with pytest.raises(InputError, match="--campus-share"):
        inputs.capability_inputs(CATALOG, campus_share="0")
    with pytest.raises(InputError, match="--samples"):
        inputs.capability_inputs(CATALOG, samples="5")


def test_installed_request() -> None:
    request = inputs.installed_request(vendor=["NVIDIA"], lifetime_years="4")
    assert (request.through.end.year, request.samples, request.seed) == (2026, 4000, 20261201)
    assert request.vendors == ["nvidia"] and request.lifetime_years == 4
    for flags, flag in (
        ({"vendor": ["nvidia", "Nvidia"]}, "--vendor"),
        ({"lifetime_years": "100"}, "--lifetime-years"),
        ({"samples": "10"}, "--samples"),
        ({"through": "1999"}, "--through"),
    ):
        with pytest.raises(InputError, match=flag):
            inputs.installed_request(**flags)

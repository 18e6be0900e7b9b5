"""Capped full years to a certified gap (gigafleet.power.decomposition, ``power --optimality-gap``)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog
from gigafleet.cli import app
from gigafleet.errors import InputError
from gigafleet.power import decomposition
from gigafleet.power.campus import (
    USD_SCALE,
    CampusInputs,
    CampusSpec,
    build_campus_model,
    solve_campus,
    validate_campus,
)
from tests.test_power import _truncated

CATALOG = load_catalog()
SPEC = CampusSpec(
    site="abilene-tx",
    it_load_gw=0.3,
    sources=("grid", "recip", "solar", "wind", "battery"),
    grid_gw=0.1,
    carbon_cap_g_per_kwh=120.0,
    optimality_gap=0.002,
)


def _exact(inputs: CampusInputs) -> float:
    model = build_campus_model(inputs, compact=True)
    assert model.solve()[1] == "optimal" and model.objective.value is not None
    return model.objective.value


def test_the_cuts_bracket_the_exact_optimum_within_the_gap() -> None:
    """lower <= exact least cost <= upper, upper / lower - 1 <= the gap asked, and the plan returned costs upper
    and is a feasible hourly plan of the whole programme (its CO2 within the cap, capacities as the plan's)."""
    inputs = _truncated(SPEC, 21)
    exact = _exact(inputs)
    solved = solve_campus(CATALOG, SPEC, inputs=inputs)
    bounds = solved.model.notes["bounds"]
    assert (solved.status, solved.termination, bounds["method"]) == ("ok", "optimal", "cutting planes")
    lower, upper = bounds["lower_bound_usd"] / USD_SCALE, bounds["upper_bound_usd"] / USD_SCALE
    assert lower <= exact * (1 + 1e-9) and exact <= upper * (1 + 1e-9)
    assert bounds["gap"] == pytest.approx(upper / lower - 1) and bounds["gap"] <= SPEC.optimality_gap
    assert solved.model.objective.value == pytest.approx(upper, rel=1e-12)
    assert float(solved.model.variables["carbon_slack_t"].solution) <= decomposition.SLACK_TOLERANCE_T
    # the plan is feasible for the exact programme: fix its capacities there and it solves at the same cost
    check = build_campus_model(inputs, compact=True)
    highs = check.highs({"solver": "simplex"})
    for name in ("capacity_mw", "grid_subscribed_mw", "battery_mw"):
        columns = np.atleast_1d(check.variables[name].index).ravel().astype(np.int32)
        values = np.atleast_1d(np.asarray(solved.model.variables[name].solution.to_numpy(), dtype=float))
        highs.changeColsBounds(len(columns), columns, values, values)
    highs.run()
    assert highs.modelStatusToString(highs.getModelStatus()) == "Optimal"
    assert highs.getInfo().objective_function_value == pytest.approx(upper, rel=1e-7)


def test_cuts_that_stop_short_fall_back_to_the_exact_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = _truncated(SPEC, 14)
    monkeypatch.setattr(decomposition, "MAX_ITERATIONS", 1)
    solved = solve_campus(CATALOG, SPEC, inputs=inputs)
    bounds = solved.model.notes["bounds"]
    assert bounds["method"].startswith("exact") and bounds["iterations"] == 1 and bounds["gap"] == 0.0
    assert solved.model.objective.value == pytest.approx(_exact(inputs), rel=1e-9)


def test_capacity_only_rows_are_the_firm_and_buffer_rows() -> None:
    spec = dataclasses.replace(SPEC, training_swing=0.1)
    model = build_campus_model(_truncated(spec, 2), compact=True, carbon_slack=True)
    columns = np.concatenate(
        [np.atleast_1d(model.variables[n].index).ravel() for n in ("capacity_mw", "grid_subscribed_mw", "battery_mw")]
    ).astype(np.int32)
    rows = decomposition.capacity_only_rows(model.highs(), columns)
    assert len(rows) == 2  # firm capacity and the training buffer: every other row has hourly columns
    lows = sorted(row[0] for row in rows)
    lp = model.highs().getLp()
    for name in ("firm_capacity", "training_buffer"):
        assert float(lp.row_lower_[int(model.constraints[name].rows)]) in lows


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"optimality_gap": 0.5}, "0.0001 to 0.1"),
        ({"optimality_gap": 0.0}, "0.0001 to 0.1"),
        ({"hours": "repdays"}, "only with --hours full"),
        ({"carbon_cap_g_per_kwh": None}, "only with --hours full"),
    ],
)
def test_bad_optimality_gaps_are_one_line_errors(change: dict[str, object], expected: str) -> None:
    with pytest.raises(InputError, match="--optimality-gap") as caught:
        validate_campus(CATALOG, dataclasses.replace(SPEC, **change))  # type: ignore[arg-type]
    assert expected in str(caught.value)


def test_the_cli_refuses_a_gap_without_a_cap_in_one_line() -> None:
    result = CliRunner().invoke(
        app, ["power", "--site", "abilene-tx", "--it-load-gw", "0.3", "--hours", "full", "--optimality-gap", "1%"]
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "--optimality-gap" in result.output and "only with --hours full" in result.output


def test_the_json_reports_the_bounds() -> None:
    """The JSON names the method, both bounds and what they bound; the text output says the certified gap."""
    from gigafleet.power.campus import design_campus

    spec = dataclasses.replace(SPEC, site="lulea-se", it_load_gw=0.05, carbon_cap_g_per_kwh=150.0)
    design = design_campus(CATALOG, dataclasses.replace(spec, optimality_gap=0.01))
    bounds = design["solver"]["bounds"]
    assert bounds["method"] == "cutting planes" and 0 <= bounds["gap"] <= 0.01
    assert bounds["lower_bound_usd"] <= bounds["upper_bound_usd"]
    assert "value of lost load" in bounds["bounds_of"] and design["inputs"]["optimality_gap"] == 0.01
    json.dumps(design)  # JSON-ready

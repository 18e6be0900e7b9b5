"""The planner's speed-ups hold their structure (issue 18): HiGHS gets the programme linopy would hand it, bit for
bit, without linopy or dask being imported; xarray still sees dask arrays once dask is imported."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from gigafleet.buildout.lp import PlanLP
from gigafleet.buildout.model import build_model
from gigafleet.buildout.parameters import build_inputs
from gigafleet.buildout.scenario import PlanScenario, load_plan_scenario
from gigafleet.buildout.synthetic import world_scenario
from gigafleet.catalog import load_catalog

CATALOG = load_catalog()


def _scenarios() -> dict[str, PlanScenario]:
    demo = load_plan_scenario("demo")
    return {
        "demo": demo,
        "demo max_h100e": demo.model_copy(update={"objective": "max_h100e"}),
        "colossus": load_plan_scenario("colossus"),
        "openai-100x": load_plan_scenario("openai-100x"),
        "world, early retirement": world_scenario(CATALOG, 2, end=2029, early_retirement=True),
        "world, quarterly": world_scenario(CATALOG, 2, end=2028, step="quarter", early_retirement=False),
    }


@pytest.mark.parametrize("name", list(_scenarios()))
def test_plan_lp_is_the_programme_linopy_hands_highs(name: str) -> None:
    """Columns, bounds, costs, the matrix and row bounds equal linopy's (sanitised as its solve does), exactly."""
    scenario = _scenarios()[name]
    inputs = build_inputs(CATALOG, scenario)
    ours = build_model(inputs, scenario.objective, "highs").model
    reference = build_model(inputs, scenario.objective, "linopy").model  # any other solver name: linopy
    assert isinstance(ours, PlanLP) and not isinstance(reference, PlanLP)
    reference.constraints.sanitize_zeros()
    reference.constraints.sanitize_infinities()
    expected, got = reference.matrices, ours.matrices()
    assert (ours.nvars, ours.ncons) == (reference.nvars, reference.ncons)
    np.testing.assert_array_equal(got.vlabels, expected.vlabels)
    np.testing.assert_array_equal(got.lower, expected.lb)
    np.testing.assert_array_equal(got.upper, expected.ub)
    np.testing.assert_array_equal(got.cost, expected.c)
    matrix = expected.A.tocsr()
    for part in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(got.A, part), getattr(matrix, part), err_msg=part)
    np.testing.assert_array_equal(got.row_lower, np.where(expected.sense != "<", expected.b, -np.inf))
    np.testing.assert_array_equal(got.row_upper, np.where(expected.sense != ">", expected.b, np.inf))


def test_plan_lp_sums_repeated_variables_and_drops_zero_terms() -> None:
    """A row's repeated variable is summed (cancelling terms leave no entry), near-zero terms are dropped, rows
    without terms or with a NaN or vacuous right-hand side are inactive: as linopy and scipy do it."""
    import pandas as pd
    import scipy.sparse

    lp = PlanLP()
    x = lp.add_variables(coords=[pd.RangeIndex(3, name="i")], name="x")
    assert x.labels.values.tolist() == [0, 1, 2]
    rows = pd.RangeIndex(4, name="r")
    labels = np.array([[2, 0, 0, 1, 1], [0, 1, -1, -1, -1], [2, -1, -1, -1, -1], [1, -1, -1, -1, -1]])
    coeffs = np.array([[1e-12, 1.0, 2.0, 3.0, -3.0], [1.0, 1.0, 0, 0, 0], [5e-11, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    lp.add_rows("c", ["r"], {"r": rows}, coeffs, labels, "<=", np.array([1.0, np.nan, 2.0, np.inf]))
    assert lp.constraints["c"].labels.values.tolist() == [0, -1, -1, -1]
    got = lp.matrices().A
    expected = scipy.sparse.csr_array(([1.0, 2.0, 3.0, -3.0], [0, 0, 1, 1], [0, 4]), shape=(1, 3))
    expected.sum_duplicates()
    expected.eliminate_zeros()
    assert got.shape == (1, 3) and got.indices.tolist() == expected.indices.tolist() == [0]
    assert got.data.tolist() == expected.data.tolist() == [3.0] and got.indptr.tolist() == [0, 1]


# linopy's HiGHS termination map (linopy.solvers.Highs._solve, linopy 0.10): HiGHS model status -> termination
LINOPY_TERMINATION = {
    "kNotset": "unknown",
    "kLoadError": "internal_solver_error",
    "kModelError": "internal_solver_error",
    "kPresolveError": "internal_solver_error",
    "kSolveError": "internal_solver_error",
    "kPostsolveError": "internal_solver_error",
    "kModelEmpty": "unknown",
    "kMemoryLimit": "resource_interrupt",
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kUnbounded": "unbounded",
    "kObjectiveBound": "terminated_by_limit",
    "kObjectiveTarget": "terminated_by_limit",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "terminated_by_limit",
    "kInterrupt": "user_interrupt",
    "kUnknown": "unknown",
}


def test_plan_lp_reports_highs_statuses_in_linopys_words() -> None:
    import highspy
    from linopy.constants import SolverStatus, TerminationCondition

    from gigafleet.solver import HIGHS_STATUS

    highs = highspy.Highs()
    for name, termination in LINOPY_TERMINATION.items():
        text = highs.modelStatusToString(getattr(highspy.HighsModelStatus, name))
        status = SolverStatus.from_termination_condition(TerminationCondition(termination))
        assert HIGHS_STATUS.get(text, ("unknown", "unknown")) == (str(status), termination), name


def test_plan_lp_solution_and_duals_match_linopy() -> None:
    """Solved through PlanLP and through linopy, the demo gives the same objective, solution and duals."""
    from gigafleet.buildout.solve import SolverError
    from gigafleet.solver import solve_quietly

    inputs = build_inputs(CATALOG, load_plan_scenario("demo"))
    ours, reference = build_model(inputs).model, build_model(inputs, solver="linopy").model
    assert solve_quietly(ours, "highs", error=SolverError) == ("ok", "optimal")
    status, termination = solve_quietly(reference, "highs", error=SolverError)
    assert (str(status), str(termination)) == ("ok", "optimal")
    assert ours.objective.value == reference.objective.value
    for name in reference.variables:
        np.testing.assert_array_equal(ours.variables[name].solution.values, reference.variables[name].solution.values)
    for name in reference.constraints:
        np.testing.assert_array_equal(ours.constraints[name].dual.values, reference.constraints[name].dual.values)


def _imported_after(code: str) -> set[str]:
    """Top-level modules imported by running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    return set(out.split()[-1000:])


def test_a_plan_imports_neither_linopy_nor_dask() -> None:
    modules = _imported_after(
        "from gigafleet.buildout.scenario import load_plan_scenario\n"
        "from gigafleet.buildout.solve import plan\n"
        "from gigafleet.catalog import load_catalog\n"
        "from gigafleet.solver import check_solver\n"
        "check_solver('highs')\n"
        "result = plan(load_catalog(), load_plan_scenario('openai-100x'))\n"
        "assert result['binding'] and result['notes']"
    )
    assert "gigafleet" in modules
    assert not {"linopy", "dask", "polars", "scipy"} & modules


def test_xarray_still_sees_dask_arrays_once_dask_is_imported() -> None:
    modules = _imported_after(
        "import gigafleet.buildout.parameters\n"
        "import xarray as xr, numpy as np\n"
        "assert xr.DataArray(np.zeros(3)).chunks is None\n"
        "import dask.array as da\n"
        "assert xr.DataArray(da.zeros(4, chunks=2)).chunks == ((2, 2),)\n"
        "assert (xr.DataArray(da.ones(4, chunks=2)) * 2).sum().compute() == 8"
    )
    assert "dask" in modules


def test_xarray_still_sees_dask_collections_once_dask_is_imported() -> None:
    _imported_after(
        "import gigafleet.buildout.parameters\n"
        "from xarray.namedarray.utils import is_duck_dask_array\n"
        "import numpy as np\n"
        "assert not is_duck_dask_array(np.zeros(2))\n"
        "import dask.array as da\n"
        "assert is_duck_dask_array(da.zeros(2)) and not is_duck_dask_array(np.zeros(2))"
    )


def test_the_build_adds_one_row_family_per_constraint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each constraint family is one :meth:`PlanLP.add_rows` call, at 2 sites as at 6."""
    counts = []
    original = PlanLP.add_rows
    for sites in (2, 6):
        calls = [0]

        def counted(self: PlanLP, *args: Any, calls: list[int] = calls, **kwargs: Any) -> Any:
            calls[0] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(PlanLP, "add_rows", counted)
        built = build_model(build_inputs(CATALOG, world_scenario(CATALOG, sites, end=2028, early_retirement=False)))
        monkeypatch.undo()
        assert calls[0] == len(built.model.constraints)
        counts.append(calls[0])
    assert counts[0] == counts[1] > 10

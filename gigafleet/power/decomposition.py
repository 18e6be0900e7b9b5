"""Capped full years to a certified gap: cutting planes on the campus's capacities, each plan an hourly dispatch.

The carbon-capped 8,760-hour campus programme is hard for HiGHS because a handful of capacity columns (each on-site
source, the grid subscription, the battery's power) appear in every hour's rows; with those few numbers fixed, the
year is an easy dispatch programme (dual simplex, ~1.3 s on a 2-core machine, against ~55-110 s for the whole
programme by interior point). :func:`solve_by_cuts` therefore treats the capacities ``x`` as the decisions of a
master programme (Benders decomposition with Kelley's cutting planes):

1. Solve the year with the capacities fixed at ``x_k``; penalised slacks on the carbon cap and on the availability
   limit give every ``x_k`` a value. That optimum ``V(x_k)`` is convex in ``x`` and the capacity columns' reduced
   costs ``g_k`` are a subgradient, so ``V(x) >= V(x_k) + g_k (x - x_k)`` for every ``x`` (a cut). If neither
   slack is used, ``x_k`` with its dispatch is a feasible hourly plan: an **upper bound** on the least cost.
2. The master holds a relaxation of the year (the year averaged over 24-hour blocks, whose cost at any ``x`` is at
   most the year's; :func:`gigafleet.power.campus.time_averaged_inputs`) and minimises the larger of its cost and
   the cuts. Both are below the year's cost everywhere, so the master's optimum is a **lower bound**; its
   capacities are the next ``x``. Without a relaxation (horizons under two days) the master holds the capacities,
   the rows on them alone (firm capacity, the training buffer) and bounds (``MASTER_CEILING_X_PEAK`` x peak load).
3. Stop when upper / lower - 1 <= the requested gap; the answer is the best plan (capacities and hourly dispatch)
   with both bounds.

Every programme is solved by HiGHS; only the loop is here (measured against a box trust region, 6-hour blocks and
warm starts in docs/power.md). Benders, J. F. (1962), "Partitioning procedures for solving mixed-variables
programming problems", Numerische Mathematik 4, 238-252; Kelley, J. E. (1960), "The cutting-plane method for
solving convex programs", J. SIAM 8(4), 703-712.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gigafleet.power.lp import LinearProgram

CARBON_SLACK_USD_PER_T = 1.0e4
"""Penalty on the subproblem's carbon slack [USD/t CO2]: far above any carbon price a cap sets here, so cuts
steer back to plans that meet the cap; plans with a slack are never upper bounds."""
MASTER_CEILING_X_PEAK = 20.0
"""Master bound on each capacity [x peak load]: no least-cost campus builds 20 times its peak load of one source,
and a bounded master has an optimum from the first cut on."""
MAX_ITERATIONS = 60
"""Subproblems before :func:`solve_by_cuts` gives up (the caller then solves the whole programme exactly)."""
SLACK_TOLERANCE_T = 1e-3
"""Carbon slack [t CO2] below which a plan meets the cap."""
UNSERVED_SLACK_USD_PER_MWH = 1.0e5
"""Penalty on the subproblem's slack on the availability row (unserved energy above the allowed share) [USD/MWh]:
ten times the value of lost load, so that capacities too small to serve the load still have a value and a cut;
plans with this slack are never upper bounds."""
SLACK_TOLERANCE_MWH = 1e-3
"""Availability slack [MWh] below which a plan serves its share of the load."""


@dataclass
class CutResult:
    """Outcome of :func:`solve_by_cuts`: bounds [objective units], iterations and whether the gap was reached.

    ``column_values`` and ``row_duals`` are the best plan's (``None`` if no plan met the cap)."""

    lower: float
    upper: float
    iterations: int
    converged: bool
    column_values: npt.NDArray[np.float64] | None
    row_duals: npt.NDArray[np.float64] | None

    @property
    def gap(self) -> float:
        """upper / lower - 1 (infinite before both bounds exist)."""
        if not (self.lower > 0 and math.isfinite(self.upper)):
            return math.inf
        return self.upper / self.lower - 1.0


def capacity_only_rows(highs: Any, columns: npt.NDArray[np.int32]) -> list[tuple[float, float, Any, Any]]:
    """Rows of the loaded programme whose every term is a column of ``columns``: (lower, upper, positions in
    ``columns``, coefficients), in row order."""
    import highspy

    lp = highs.getLp()
    start = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
    index = np.asarray(lp.a_matrix_.index_, dtype=np.int64)
    value = np.asarray(lp.a_matrix_.value_, dtype=float)
    if lp.a_matrix_.format_ == highspy.MatrixFormat.kRowwise:
        row_of, column_of = np.repeat(np.arange(len(start) - 1), np.diff(start)), index
    else:
        row_of, column_of = index, np.repeat(np.arange(len(start) - 1), np.diff(start))
    position = np.full(int(lp.num_col_), -1, dtype=np.int64)
    position[np.asarray(columns, dtype=np.int64)] = np.arange(len(columns))
    inside = position[column_of] >= 0
    terms = np.bincount(row_of, minlength=int(lp.num_row_))
    hits = np.bincount(row_of[inside], minlength=int(lp.num_row_))
    rows = []
    for row in np.flatnonzero((terms > 0) & (terms == hits)):
        mine = row_of == row
        rows.append(
            (
                float(lp.row_lower_[row]),
                float(lp.row_upper_[row]),
                position[column_of[mine]].astype(np.int32),
                value[mine],
            )
        )
    return rows


def solve_by_cuts(
    model: LinearProgram,
    columns: npt.NDArray[np.int32],
    slack_column: int,
    start: npt.NDArray[np.float64],
    peak_mw: float,
    gap: float,
    usd_scale: float,
    max_iterations: int = MAX_ITERATIONS,
    progress: Callable[[str], None] | None = None,
    availability_row: int | None = None,
    relaxation: tuple[LinearProgram, npt.NDArray[np.int32]] | None = None,
) -> CutResult:
    """Cutting planes on the capacity ``columns`` of ``model`` (a campus programme with a carbon slack column
    ``slack_column``), from the capacities ``start`` [MW], until upper / lower - 1 <= ``gap``.

    Parameters
    ----------
    model
        The full programme (built with ``carbon_slack=True``; not solved here, only loaded into HiGHS).
    columns, slack_column
        Column numbers of the capacities and of the carbon slack.
    start
        First capacities to try [MW] (e.g. the representative-days design's).
    peak_mw
        Peak load [MW]: the master bounds each capacity by :data:`MASTER_CEILING_X_PEAK` times it.
    gap
        Relative gap at which to stop [fraction].
    usd_scale
        USD per objective unit (the slack's penalty is :data:`CARBON_SLACK_USD_PER_T` in USD).
    max_iterations
        Most subproblems.
    progress
        Told each plan's value, both bounds and the gap.
    availability_row
        Row of the availability limit (weighted unserved energy <= its allowed share): the subproblem gets a
        penalised slack on it (:data:`UNSERVED_SLACK_USD_PER_MWH`), so that every capacity vector has a value.
    relaxation
        A relaxation of ``model`` with the same capacity decisions (e.g. the year averaged over blocks of hours,
        :func:`gigafleet.power.campus.time_averaged_inputs`) and its capacity columns, in ``columns``' order: the
        master then holds that whole programme, and its cost bounds the year's cost from below with the cuts.
        ``None``: the master holds the capacities and the rows on them alone.

    Returns
    -------
    CutResult
        Bounds in objective units, the best plan's column values and row duals.
    """
    import highspy

    n = len(columns)
    sub = model.highs({"solver": "simplex"})
    sub.changeColCost(slack_column, CARBON_SLACK_USD_PER_T / usd_scale)
    unserved_slack = None
    if availability_row is not None:
        unserved_slack = int(sub.getNumCol())
        penalty = UNSERVED_SLACK_USD_PER_MWH / usd_scale
        sub.addCol(penalty, 0.0, math.inf, 1, np.array([availability_row], np.int32), np.array([-1.0]))
    lp = sub.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[columns]
    upper = np.minimum(np.asarray(lp.col_upper_, dtype=float)[columns], MASTER_CEILING_X_PEAK * peak_mw)
    empty = np.zeros(0, np.int32)
    if relaxation is None:  # the capacities, the rows on them alone, and the cost they bound
        master = highspy.Highs()  # type: ignore[no-untyped-call]
        master.setOptionValue("output_flag", False)
        master.addCols(n + 1, np.r_[np.zeros(n), 1.0], np.r_[lower, -1e15], np.r_[upper, 1e15], 0, empty, empty, [])
        for row_lower, row_upper, positions, coefficients in capacity_only_rows(sub, columns):
            master.addRow(row_lower, row_upper, len(positions), positions, coefficients)
        capacity_positions, theta = np.arange(n, dtype=np.int32), n
    else:  # a relaxation's whole programme; its cost is one more lower bound on the bounded cost
        master = relaxation[0].highs({"solver": "simplex"})
        capacity_positions = np.asarray(relaxation[1], dtype=np.int32)
        cost = np.asarray(master.getLp().col_cost_, dtype=float)
        theta = len(cost)
        master.changeColsCost(theta, np.arange(theta, dtype=np.int32), np.zeros(theta))
        master.addCol(1.0, -1e15, 1e15, 0, empty, empty)
        priced = np.flatnonzero(cost)
        master.addRow(-math.inf, 0.0, len(priced) + 1, np.r_[priced, theta].astype(np.int32), np.r_[cost[priced], -1.0])
        master.changeColsBounds(n, capacity_positions, lower, upper)
    cut_columns = np.r_[capacity_positions, theta].astype(np.int32)
    x = np.clip(np.asarray(start, dtype=float), lower, upper)
    result = CutResult(-math.inf, math.inf, 0, False, None, None)
    for k in range(1, max_iterations + 1):
        result.iterations = k
        sub.clearSolver()  # a cold dual simplex: warm starts from the previous plan's basis were slower
        sub.changeColsBounds(n, columns, x, x)
        sub.run()
        status = sub.modelStatusToString(sub.getModelStatus())
        if status != "Optimal":  # cannot happen with both slacks; the caller solves the year exactly
            break
        value = float(sub.getInfo().objective_function_value)
        solution = sub.getSolution()
        reduced = np.asarray(solution.col_dual, dtype=float)[columns]
        values = np.asarray(solution.col_value, dtype=float)
        feasible = values[slack_column] <= SLACK_TOLERANCE_T and (
            unserved_slack is None or values[unserved_slack] <= SLACK_TOLERANCE_MWH
        )
        if feasible and value < result.upper:
            result.upper = value
            result.column_values = values[: model.nvars]
            result.row_duals = np.asarray(solution.row_dual, dtype=float)
        master.addRow(-math.inf, float(reduced @ x - value), n + 1, cut_columns, np.r_[reduced, -1.0])
        master.run()
        optimal = master.modelStatusToString(master.getModelStatus()) == "Optimal"
        if optimal:
            result.lower = max(result.lower, float(master.getInfo().objective_function_value))
        if progress is not None:
            progress(
                f"plan {k}: lower {result.lower * usd_scale:,.0f}, upper {result.upper * usd_scale:,.0f} USD/yr, "
                f"gap {result.gap:.3%}"
            )
        if result.gap <= gap:
            result.converged = True
            break
        if not optimal:  # an infeasible relaxation: so is the year (the exact solve says why)
            break
        x = np.asarray(master.getSolution().col_value, dtype=float)[capacity_positions]
    return result

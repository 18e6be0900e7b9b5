"""The build-out programme held as numpy arrays and solved by HiGHS through highspy, without linopy.

:class:`PlanLP` answers the part of ``linopy.Model``'s interface that the planner uses (``add_variables``,
``variables[name].labels`` and ``.solution``, ``constraints[name].dual``, ``objective.value``, ``nvars``,
``ncons``, ``solve``, ``compute_infeasibilities``, ``constraints.get_label_position``), and hands HiGHS exactly
the programme linopy's direct interface would: the same columns (active variable labels in label order), rows
(active constraint labels in label order), coefficients (terms within ``1e-10`` of zero dropped, repeated
variables of a row summed, each row's columns ascending as in scipy's canonical CSR, zeros left by the sum
dropped), bounds and calls
(``addVars``, ``changeColsCost``, ``addRows``, ``run``), so plans are the same to the last digit. A row is active
when it is not masked, its right-hand side is a number (NaN drops it), it is not a vacuous ``<= inf`` or
``>= -inf``, and it keeps at least one term.

Why: building the model through linopy cost ~0.25 s for ``openai-100x`` (xarray alignment in every
``add_constraints``), importing it ~0.3 s (it pulls in polars and scipy's FFT), and its solve thread polls every
0.1 s; here a constraint family is a few numpy operations (:func:`gigafleet.buildout.terms.add_constraint`).
Solvers other than HiGHS still go through linopy (:func:`gigafleet.buildout.model.build_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gigafleet.solver import HIGHS_STATUS

INF = float("inf")

ZERO_COEFFICIENT = 1e-10
"""Terms whose coefficient is at most this in magnitude are dropped (linopy's ``sanitize_zeros``)."""


def _layout(array: xr.DataArray | float, dims: Sequence[str], coords: dict[str, pd.Index]) -> np.ndarray:
    """``array`` broadcast to the full shape of ``dims`` (see :func:`gigafleet.buildout.labels.labelled`)."""
    from gigafleet.buildout.labels import labelled

    shape = tuple(len(coords[d]) for d in dims)
    return np.broadcast_to(labelled(array, dims, coords), shape)


@dataclass
class Variable:
    """A named array of variables: ``labels`` (−1 where masked) and, once solved, ``solution`` (NaN where
    masked)."""

    name: str
    labels: xr.DataArray
    lower: np.ndarray
    upper: np.ndarray
    solution: xr.DataArray | None = None


@dataclass
class Constraint:
    """A named family of rows: ``labels`` (−1 where inactive) and, once solved, ``dual`` (NaN where inactive)."""

    name: str
    labels: xr.DataArray
    dual: xr.DataArray | None = None


class Constraints(dict[str, Constraint]):
    """The model's constraint families by name, in the order they were added."""

    def get_label_position(self, label: int) -> tuple[str | None, dict[str, Any] | None]:
        """The family and coordinates of the row with ``label`` (``(None, None)`` if there is none)."""
        for name, constraint in self.items():
            values = constraint.labels.values
            if values.size == 0 or label < values.min(initial=label) or label > values.max(initial=-1):
                continue
            hits = np.argwhere(values == label)
            if len(hits):
                position = hits[0]
                return name, {
                    str(dim): constraint.labels.indexes[dim][int(i)]
                    for dim, i in zip(constraint.labels.dims, position, strict=True)
                }
        return None, None


@dataclass
class Objective:
    """The solved objective value (``None`` before a solve)."""

    value: float | None = None


@dataclass
class CSR:
    """A sparse matrix in compressed rows, each row's columns ascending (as ``scipy.sparse.csr_array`` holds it
    after ``sum_duplicates``), without importing scipy."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        """Stored entries."""
        return len(self.data)


@dataclass
class Matrices:
    """A :class:`PlanLP` as HiGHS receives it: columns ``vlabels`` (their bounds and costs), ``A`` (CSR) and row
    bounds; ``position[label]`` is a variable label's column (−1: masked)."""

    vlabels: np.ndarray
    position: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    A: CSR
    row_lower: np.ndarray
    row_upper: np.ndarray


@dataclass
class _Rows:
    """One family's active rows as CSR pieces (columns are variable labels until :meth:`PlanLP.solve`)."""

    counts: np.ndarray
    labels: np.ndarray
    coeffs: np.ndarray
    rhs: np.ndarray
    sense: str


@dataclass
class PlanLP:
    """min c'x subject to the rows added family by family and the variables' bounds (see the module docstring)."""

    variables: dict[str, Variable] = field(default_factory=dict)
    constraints: Constraints = field(default_factory=Constraints)
    objective: Objective = field(default_factory=Objective)
    _xCounter: int = 0  # noqa: N815 - linopy's name: the next variable label
    _cCounter: int = 0  # noqa: N815 - the next constraint label
    _rows: list[_Rows] = field(default_factory=list)
    _row_labels: list[np.ndarray] = field(default_factory=list)
    _objective_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _objective_coeffs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    solver_model: Any = None  # the highspy.Highs of the last solve (for the IIS of an infeasible plan)

    @property
    def nvars(self) -> int:
        """Active (unmasked) variables."""
        return sum(int((v.labels.values >= 0).sum()) for v in self.variables.values())

    @property
    def ncons(self) -> int:
        """Active rows."""
        return sum(len(labels) for labels in self._row_labels)

    def add_variables(
        self,
        lower: float = 0.0,
        upper: xr.DataArray | float = INF,
        coords: Sequence[pd.Index] = (),
        name: str = "",
        mask: xr.DataArray | None = None,
    ) -> Variable:
        """Variables over the product of ``coords`` (named indexes), labelled in order; ``mask`` False: none."""
        dims = [str(c.name) for c in coords]
        by_dim = {str(c.name): c for c in coords}
        shape = tuple(len(c) for c in coords)
        size = int(np.prod(shape)) if shape else 1
        labels = np.arange(self._xCounter, self._xCounter + size, dtype=np.int64).reshape(shape)
        self._xCounter += size
        if mask is not None:
            labels = np.where(_layout(mask, dims, by_dim).astype(bool), labels, -1)
        variable = Variable(
            name,
            xr.DataArray(labels, coords=by_dim, dims=dims),
            np.ascontiguousarray(_layout(lower, dims, by_dim), dtype=float),
            np.ascontiguousarray(_layout(upper, dims, by_dim), dtype=float),
        )
        self.variables[name] = variable
        return variable

    def add_rows(
        self,
        name: str,
        dims: Sequence[str],
        coords: dict[str, pd.Index],
        coeffs: np.ndarray,
        labels: np.ndarray,
        sign: str,
        rhs: np.ndarray,
        mask: xr.DataArray | None = None,
    ) -> Constraint:
        """Rows ``Σ coeffs · x[labels]  sign  rhs`` over ``dims`` (``coeffs`` and ``labels``: ``(*shape, terms)``)."""
        shape = tuple(len(coords[d]) for d in dims)
        size = int(np.prod(shape)) if shape else 1
        row_labels = np.arange(self._cCounter, self._cCounter + size, dtype=np.int64)
        self._cCounter += size
        coeffs = coeffs.reshape(size, -1)
        labels = labels.reshape(size, -1)
        rhs = np.asarray(rhs, dtype=float).reshape(size)
        present = (labels >= 0) & (np.abs(coeffs) > ZERO_COEFFICIENT)
        active = present.any(axis=1) & ~np.isnan(rhs)
        active &= ~((rhs == INF) if sign == "<=" else (rhs == -INF) if sign == ">=" else np.zeros(size, dtype=bool))
        if mask is not None:
            active &= _layout(mask, dims, coords).astype(bool).reshape(size)
        row_labels = np.where(active, row_labels, -1)
        kept = present[active]
        self._rows.append(
            _Rows(
                counts=kept.sum(axis=1),
                labels=labels[active][kept],
                coeffs=coeffs[active][kept],
                rhs=rhs[active],
                sense={"<=": "<", ">=": ">"}.get(sign, "="),
            )
        )
        self._row_labels.append(row_labels[active])
        constraint = Constraint(name, xr.DataArray(row_labels.reshape(shape), coords=coords, dims=list(dims)))
        self.constraints[name] = constraint
        return constraint

    def set_objective(self, labels: np.ndarray, coeffs: np.ndarray) -> None:
        """Minimise ``Σ coeffs · x[labels]`` (labels −1: no term)."""
        labels, coeffs = labels.ravel(), coeffs.ravel()
        keep = labels >= 0
        self._objective_labels, self._objective_coeffs = labels[keep], coeffs[keep]

    def matrices(self) -> Matrices:
        """The programme as HiGHS receives it: active columns and rows in label order (see the module docstring)."""
        variables = list(self.variables.values())
        flat = [v.labels.values.ravel() for v in variables]
        present = [labels >= 0 for labels in flat]
        vlabels = np.concatenate([labels[keep] for labels, keep in zip(flat, present, strict=True)])
        lower = np.concatenate([v.lower.ravel()[keep] for v, keep in zip(variables, present, strict=True)])
        upper = np.concatenate([v.upper.ravel()[keep] for v, keep in zip(variables, present, strict=True)])
        position = np.full(self._xCounter, -1, dtype=np.int64)
        position[vlabels] = np.arange(len(vlabels))
        n_cols = len(vlabels)
        cost = np.zeros(n_cols)
        np.add.at(cost, position[self._objective_labels], self._objective_coeffs)
        data, indices, counts = [np.zeros(0)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        rhs, sense = [np.zeros(0)], [np.zeros(0, dtype="U1")]
        for rows in self._rows:
            n = len(rows.rhs)
            row_of = np.repeat(np.arange(n), rows.counts)
            columns = position[rows.labels]
            order = np.lexsort((columns, row_of))  # each row's entries by column (scipy's canonical CSR)
            row_of, columns, values = row_of[order], columns[order], rows.coeffs[order]
            first = np.ones(len(order), dtype=bool)  # a repeated variable of a row: its terms summed
            first[1:] = (row_of[1:] != row_of[:-1]) | (columns[1:] != columns[:-1])
            if not first.all():
                starts = np.flatnonzero(first)
                row_of, columns, values = row_of[starts], columns[starts], np.add.reduceat(values, starts)
            keep = values != 0  # terms that cancel
            data.append(values[keep])
            indices.append(columns[keep])
            counts.append(np.bincount(row_of[keep], minlength=n))
            rhs.append(rows.rhs)
            sense.append(np.full(n, rows.sense))
        b, signs = np.concatenate(rhs), np.concatenate(sense)
        n_rows = len(b)
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))])
        nnz = int(indptr[-1])
        index_dtype = np.int32 if max(nnz, n_rows, n_cols) < np.iinfo(np.int32).max else np.int64
        matrix = CSR(
            data=np.concatenate(data),
            indices=np.concatenate(indices).astype(index_dtype),
            indptr=indptr.astype(index_dtype),
            shape=(n_rows, n_cols),
        )
        return Matrices(
            vlabels=vlabels,
            position=position,
            lower=lower,
            upper=upper,
            cost=cost,
            A=matrix,
            row_lower=np.where(signs != "<", b, -np.inf),
            row_upper=np.where(signs != ">", b, np.inf),
        )

    def solve(self, solver_name: str = "highs", **options: Any) -> tuple[str, str]:
        """Solve with HiGHS; linopy's ``(status, termination)`` words. Options other than linopy's ``progress`` and
        ``io_api`` are HiGHS options. On an ``ok`` status every variable gets ``solution`` and every family
        ``dual``."""
        import highspy

        if solver_name != "highs":
            raise ValueError(f"PlanLP solves with HiGHS only, not {solver_name!r}")
        for linopy_only in ("progress", "io_api"):
            options.pop(linopy_only, None)
        mat = self.matrices()
        n_cols, n_rows = len(mat.vlabels), mat.A.shape[0]
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.addVars(n_cols, mat.lower, mat.upper)  # the calls linopy's direct interface makes, in its order
        highs.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), mat.cost)
        if self._rows:
            matrix = mat.A
            highs.addRows(n_rows, mat.row_lower, mat.row_upper, matrix.nnz, matrix.indptr, matrix.indices, matrix.data)
        for key, value in options.items():
            highs.setOptionValue(key, value)
        highs.run()
        self.solver_model = highs
        words = HIGHS_STATUS.get(highs.modelStatusToString(highs.getModelStatus()), ("unknown", "unknown"))
        if words[0] == "ok":
            solution = highs.getSolution()
            col = np.asarray(solution.col_value, dtype=float)
            row = np.asarray(solution.row_dual, dtype=float)
            self.objective.value = float(highs.getObjectiveValue())
            for variable in self.variables.values():
                labels = variable.labels
                values = np.where(labels.values >= 0, col[mat.position[labels.values]], np.nan)
                variable.solution = labels.copy(data=values)
            start = 0
            for constraint, active in zip(self.constraints.values(), self._row_labels, strict=True):
                row_labels = constraint.labels.values
                values = np.full(row_labels.shape, np.nan)
                values[row_labels >= 0] = row[start : start + len(active)]
                start += len(active)
                constraint.dual = constraint.labels.copy(data=values)
        return words

    def compute_infeasibilities(self) -> list[int]:
        """Labels of the rows in an irreducible infeasible subset (HiGHS's IIS) after an infeasible solve."""
        import highspy

        highs = self.solver_model
        if highs is None:
            raise ValueError("the model has not been solved")
        strategy = int(highspy.IisStrategy.kIisStrategyFromLp) | int(highspy.IisStrategy.kIisStrategyIrreducible)
        highs.setOptionValue("iis_strategy", strategy)
        status, iis = highs.getIis()
        if status == highspy.HighsStatus.kError or not iis.valid_:
            raise RuntimeError("HiGHS failed to compute an irreducible infeasible subsystem (IIS).")
        clabels = np.concatenate(self._row_labels) if self._row_labels else np.zeros(0, dtype=np.int64)
        return sorted({int(clabels[i]) for i in np.asarray(iis.row_index_, dtype=np.intp) if clabels[i] >= 0})

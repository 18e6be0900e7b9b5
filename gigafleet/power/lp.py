"""A small sparse linear programme, built from numpy arrays and solved by HiGHS through highspy.

The campus model (:mod:`gigafleet.power.campus`) has a dozen constraint families over (source, period, hour)
arrays. Building them through linopy costs ~0.8 s per model on a 2-core machine (xarray alignment on every
operation) and linopy's import another ~0.3 s; here each family is one set of numpy index and coefficient arrays,
assembled into HiGHS's row-wise matrix in a few milliseconds. Variables and constraints keep linopy's names,
order and sign conventions (``<=`` rows have non-positive duals in a minimisation, as HiGHS reports them), and the
solved programme answers the few questions linopy's model did: ``variables[name].solution`` (a
:class:`gigafleet.power.labelled.Labelled` with the block's coordinates), ``constraints[name].dual``,
``objective.value``, ``nvars`` and ``ncons``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from gigafleet.errors import GigafleetError
from gigafleet.power.labelled import Axis, Labelled
from gigafleet.solver import HIGHS_STATUS

INF = float("inf")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class Block:
    """A named array of variables: column numbers ``index`` (shape of the coordinates) and their coordinates."""

    name: str
    index: IntArray
    coords: tuple[Axis, ...]
    solution: Any = None  # a Labelled once solved

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(str(c.name) for c in self.coords)

    def sel(self, dim: str, labels: Sequence[Any]) -> IntArray:
        """Columns of the block at ``labels`` along ``dim`` (that axis kept, in the order given)."""
        axis = self.dims.index(dim)
        positions = [self.coords[axis].position(label) for label in labels]
        return np.asarray(np.take(self.index, positions, axis=axis), dtype=np.int64)


@dataclass
class Rows:
    """A named family of constraint rows: their row numbers (shape of the family) and, once solved, duals."""

    name: str
    rows: IntArray
    dual: FloatArray | None = None


@dataclass
class Objective:
    """The solved objective value (``None`` before a solve)."""

    value: float | None = None


@dataclass
class LinearProgram:
    """min c'x subject to lower <= A x <= upper and column bounds, assembled family by family.

    Columns are added in blocks (:meth:`add_variables`); rows in families (:meth:`add_constraints`), each row a sum
    of terms given as broadcastable arrays of column numbers and coefficients.
    """

    variables: dict[str, Block] = field(default_factory=dict)
    constraints: dict[str, Rows] = field(default_factory=dict)
    objective: Objective = field(default_factory=Objective)
    _lower: list[FloatArray] = field(default_factory=list)
    _upper: list[FloatArray] = field(default_factory=list)
    _cost: FloatArray = field(default_factory=lambda: np.zeros(0))
    _row_lower: list[FloatArray] = field(default_factory=list)
    _row_upper: list[FloatArray] = field(default_factory=list)
    _row_counts: list[IntArray] = field(default_factory=list)
    _row_index: list[IntArray] = field(default_factory=list)
    _row_value: list[FloatArray] = field(default_factory=list)
    nvars: int = 0
    ncons: int = 0
    basis: Any = None  # HiGHS's basis after a simplex solve (a warm start for a programme of the same shape)
    iterations: int = 0  # simplex + interior-point iterations of the last solve
    notes: dict[str, Any] = field(default_factory=dict)  # what the builder keeps for reading the solution

    def add_variables(self, name: str, coords: Sequence[Axis] = (), lower: float = 0.0, upper: float = INF) -> Block:
        """A block of variables over the product of ``coords`` (none: a scalar), bounded by ``lower`` and
        ``upper``."""
        shape = tuple(len(c) for c in coords)
        size = int(np.prod(shape)) if shape else 1
        index = np.arange(self.nvars, self.nvars + size, dtype=np.int64).reshape(shape)
        self.nvars += size
        self._lower.append(np.full(size, lower, dtype=float))
        self._upper.append(np.full(size, upper, dtype=float))
        block = Block(name, index, tuple(coords))
        self.variables[name] = block
        return block

    def add_constraints(
        self,
        name: str,
        shape: tuple[int, ...],
        terms: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]],
        sign: str,
        rhs: npt.ArrayLike,
    ) -> Rows:
        """Rows of ``shape`` (``()``: one row): ``sum of terms  sign  rhs``, ``sign`` one of ``<=``, ``>=``,
        ``==``.

        Each term is ``(columns, coefficients)``, arrays that broadcast to ``shape``, or to ``shape + (k,)`` for k
        terms summed into each row. Zero coefficients are dropped; the terms of a row must name distinct columns.
        """
        size = int(np.prod(shape)) if shape else 1
        index_parts, value_parts = [], []
        for columns, coefficients in terms:
            cols, coefs = np.asarray(columns, dtype=np.int64), np.asarray(coefficients, dtype=float)
            full = np.broadcast_shapes(cols.shape, coefs.shape)
            if len(full) <= len(shape):
                cols, coefs, k = cols[..., None], coefs[..., None], 1
            else:
                k = full[-1]
            index_parts.append(np.broadcast_to(cols, (*shape, k)).reshape(size, k))
            value_parts.append(np.broadcast_to(coefs, (*shape, k)).reshape(size, k))
        index = np.concatenate(index_parts, axis=1)
        value = np.concatenate(value_parts, axis=1)
        keep = value != 0.0
        self._row_counts.append(keep.sum(axis=1))
        self._row_index.append(index[keep])
        self._row_value.append(value[keep])
        bound = np.broadcast_to(np.asarray(rhs, dtype=float), shape).reshape(size)
        self._row_lower.append(bound if sign in (">=", "==") else np.full(size, -INF))
        self._row_upper.append(bound if sign in ("<=", "==") else np.full(size, INF))
        rows = Rows(name, np.arange(self.ncons, self.ncons + size, dtype=np.int64).reshape(shape))
        self.ncons += size
        self.constraints[name] = rows
        return rows

    def add_objective(self, terms: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]]) -> None:
        """Set the objective to ``sum of coefficients x columns`` over the terms (repeated columns add up)."""
        cost = np.zeros(self.nvars)
        for columns, coefficients in terms:
            cols, coefs = np.broadcast_arrays(np.asarray(columns, dtype=np.int64), np.asarray(coefficients, float))
            np.add.at(cost, cols.ravel(), coefs.ravel())
        self._cost = cost

    def highs(self, options: Mapping[str, Any] | None = None) -> Any:
        """The programme loaded into a new, quiet ``highspy.Highs`` with ``options`` set (not solved): for callers
        that change bounds and re-solve, or read what :meth:`solve` does not keep (column duals)."""
        import highspy

        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        for key, value in (options or {}).items():
            highs.setOptionValue(key, value)
        lower, upper = np.concatenate(self._lower), np.concatenate(self._upper)
        highs.addCols(self.nvars, self._cost, lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), [])
        if self.ncons:
            counts = np.concatenate(self._row_counts)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
            index = np.concatenate(self._row_index).astype(np.int32)
            highs.addRows(
                self.ncons,
                np.concatenate(self._row_lower),
                np.concatenate(self._row_upper),
                len(index),
                starts,
                index,
                np.concatenate(self._row_value),
            )
        return highs

    def solve(
        self,
        options: Mapping[str, Any] | None = None,
        *,
        warm_start: LinearProgram | None = None,
        error: type[GigafleetError] = GigafleetError,
    ) -> tuple[str, str]:
        """Solve with HiGHS (quietly) and return linopy's ``(status, termination)`` words; on an optimal (or
        limit-stopped) status every block gets its ``solution`` and every family its ``dual``.

        ``warm_start``: a solved programme of the same shape (same variables and rows, other coefficients) whose
        final basis starts the simplex; ignored when the shapes differ or it has no basis."""
        from gigafleet.solver import silence_stdout

        try:
            with silence_stdout():
                highs = self.highs(options)
                if (
                    warm_start is not None
                    and warm_start.basis is not None
                    and (warm_start.nvars, warm_start.ncons) == (self.nvars, self.ncons)
                ):
                    highs.setBasis(warm_start.basis)
                highs.run()
                info = highs.getInfo()
                self.iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
                status = highs.modelStatusToString(highs.getModelStatus())
                words = HIGHS_STATUS.get(status, ("unknown", "unknown"))
                if words[0] == "ok":
                    solution = highs.getSolution()
                    col = np.asarray(solution.col_value, dtype=float)
                    dual = np.asarray(solution.row_dual, dtype=float)
                    self.objective.value = float(info.objective_function_value)
                    basis = highs.getBasis()
                    self.basis = basis if basis.valid else None
        except Exception as exc:  # highspy raises many types
            raise error(f"solver 'highs' failed: {exc}") from None
        if words[0] == "ok":
            self.load_solution(col, dual)
        return words

    def load_solution(self, col: npt.ArrayLike, dual: npt.ArrayLike, objective: float | None = None) -> None:
        """Give every block its ``solution`` and every family its ``dual`` from HiGHS's column values and row duals
        (and set the objective value if given): a solution found outside :meth:`solve`."""
        col, dual = np.asarray(col, dtype=float), np.asarray(dual, dtype=float)
        for block in self.variables.values():
            block.solution = Labelled(col[block.index], block.coords)
        for rows in self.constraints.values():
            rows.dual = dual[rows.rows]
        if objective is not None:
            self.objective.value = objective

"""Linear expressions over labelled dimensions held as numpy arrays, in linopy's own layout.

A linopy ``LinearExpression`` is a dataset of ``coeffs`` and ``vars`` (variable labels, ``-1`` for none) along a
trailing ``_term`` axis. :class:`Terms` holds the same two arrays with their dimension names and coordinates and
does the handful of operations the build-out model needs (scale by a labelled array, add, sum over dimensions,
select, mask, roll, rename) in numpy, so a whole constraint family is assembled in a few array operations and
handed over once (:func:`add_constraint`, :func:`set_objective`): to :class:`~gigafleet.buildout.lp.PlanLP`
(HiGHS, no linopy) or to linopy (other solvers, :meth:`Terms.to_linexpr`). linopy's arithmetic aligns every operand
through xarray (milliseconds per operation, whatever the size); here only the final hand-over does.

Broadcasting follows linopy's (and xarray's) rule: the result has the left operand's dimensions, then the right
operand's new ones. Dimensions shared by two operands must carry identical coordinates (no silent alignment).
After a sum, :meth:`Terms.compact` drops the term slots that hold no variable in any row (zero coefficients,
masked variables), so the term axis stays as long as the longest row, not as the summed dimensions' product.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gigafleet.buildout.labels import check_coords, labelled

TERM_DIM = "_term"
"""Name of linopy's term dimension."""


class Terms:
    """Σ_k ``coeffs[..., k]`` · x[``vars[..., k]``] over labelled dimensions (``vars`` −1: no variable).

    Parameters
    ----------
    dims
        Dimension names, in axis order (the term axis is last and unnamed here).
    coords
        Coordinates of each dimension.
    coeffs, vars
        Arrays of shape ``(*sizes, n_terms)``: coefficients and linopy variable labels.
    """

    __slots__ = ("coeffs", "coords", "dims", "vars")

    def __init__(self, dims: Sequence[str], coords: Mapping[str, pd.Index], coeffs: np.ndarray, vars: np.ndarray):
        self.dims = tuple(dims)
        self.coords = {d: coords[d] for d in self.dims}
        self.coeffs = coeffs
        self.vars = vars

    @classmethod
    def of(cls, variable: Any) -> Terms:
        """One term per cell of a linopy ``Variable`` (coefficient 1; masked cells hold no variable)."""
        labels = variable.labels
        values = labels.values[..., None]
        dims = [str(d) for d in labels.dims]
        return cls(dims, {d: labels.indexes[d] for d in dims}, np.where(values >= 0, 1.0, 0.0), values)

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes of the labelled dimensions."""
        return tuple(len(self.coords[d]) for d in self.dims)

    @property
    def nterm(self) -> int:
        """Length of the term axis."""
        return int(self.coeffs.shape[-1])

    def _union(
        self, dims: Iterable[str], coords: Mapping[str, pd.Index]
    ) -> tuple[tuple[str, ...], dict[str, pd.Index]]:
        new = [d for d in dims if d not in self.dims]
        for d in dims:
            if d in self.dims:
                check_coords(d, self.coords[d], coords[d])
        return self.dims + tuple(new), {**self.coords, **{d: coords[d] for d in new}}

    def broadcast(self, dims: Sequence[str], coords: Mapping[str, pd.Index]) -> tuple[np.ndarray, np.ndarray]:
        """``coeffs`` and ``vars`` laid out on ``dims`` (a superset of this expression's), term axis last."""
        for d in self.dims:
            if d not in dims:
                raise ValueError(f"dimension {d!r} is not among {list(dims)}")
            check_coords(d, self.coords[d], coords[d])
        order = [self.dims.index(d) for d in dims if d in self.dims] + [len(self.dims)]
        index = (*tuple(slice(None) if d in self.dims else None for d in dims), slice(None))
        full = (*tuple(len(coords[d]) for d in dims), self.nterm)
        coeffs = np.broadcast_to(self.coeffs.transpose(order)[index], full)
        labels = np.broadcast_to(self.vars.transpose(order)[index], full)
        return coeffs, labels

    def __mul__(self, factor: xr.DataArray | float) -> Terms:
        if not isinstance(factor, xr.DataArray):
            return Terms(self.dims, self.coords, self.coeffs * float(factor), self.vars)
        dims, coords = self._union([str(d) for d in factor.dims], {str(d): factor.indexes[d] for d in factor.dims})
        coeffs, labels = self.broadcast(dims, coords)
        return Terms(dims, coords, coeffs * labelled(factor, dims, coords)[..., None], labels)

    __rmul__ = __mul__

    def __truediv__(self, divisor: float) -> Terms:
        return self * (1.0 / float(divisor))

    def __neg__(self) -> Terms:
        return Terms(self.dims, self.coords, -self.coeffs, self.vars)

    def __add__(self, other: Terms) -> Terms:
        dims, coords = self._union(other.dims, other.coords)
        left_c, left_v = self.broadcast(dims, coords)
        right_c, right_v = other.broadcast(dims, coords)
        return Terms(
            dims, coords, np.concatenate([left_c, right_c], axis=-1), np.concatenate([left_v, right_v], axis=-1)
        )

    def __sub__(self, other: Terms) -> Terms:
        return self + (-other)

    def sum(self, dims: str | Sequence[str] | None = None) -> Terms:
        """Sum over ``dims`` (all when ``None``): their cells become terms of the remaining cells."""
        summed = list(self.dims) if dims is None else [dims] if isinstance(dims, str) else list(dims)
        keep = [d for d in self.dims if d not in summed]
        order = [self.dims.index(d) for d in keep] + [self.dims.index(d) for d in summed] + [len(self.dims)]
        shape = (*tuple(len(self.coords[d]) for d in keep), -1)
        coeffs = self.coeffs.transpose(order).reshape(shape)
        labels = self.vars.transpose(order).reshape(shape)
        return Terms(keep, self.coords, coeffs, labels).compact()

    def compact(self) -> Terms:
        """The same expression with empty term slots (no variable or a zero coefficient) moved out of every row."""
        active = (self.vars >= 0) & (self.coeffs != 0)
        width = int(active.sum(axis=-1).max(initial=0))
        if width == self.nterm:
            return self
        if width == 0:
            shape = (*self.shape, 1)
            return Terms(self.dims, self.coords, np.zeros(shape), np.full(shape, -1, dtype=self.vars.dtype))
        order = np.argsort(~active, axis=-1, kind="stable")[..., :width]
        keep = np.take_along_axis(active, order, axis=-1)
        coeffs = np.where(keep, np.take_along_axis(self.coeffs, order, axis=-1), 0.0)
        labels = np.where(keep, np.take_along_axis(self.vars, order, axis=-1), -1)
        return Terms(self.dims, self.coords, coeffs, labels)

    def where(self, condition: xr.DataArray) -> Terms:
        """Keep the terms where ``condition`` holds (its dimensions join this expression's)."""
        dims, coords = self._union(
            [str(d) for d in condition.dims], {str(d): condition.indexes[d] for d in condition.dims}
        )
        coeffs, labels = self.broadcast(dims, coords)
        keep = labelled(condition, dims, coords).astype(bool)[..., None]
        return Terms(dims, coords, np.where(keep, coeffs, 0.0), np.where(keep, labels, -1))

    def sel(self, **selection: Any) -> Terms:
        """Cells at the given labels: a list keeps the dimension, a single label drops it."""
        terms = self
        for dim, labels in selection.items():
            axis = terms.dims.index(dim)
            index = terms.coords[dim]
            if isinstance(labels, (list, tuple, pd.Index, np.ndarray)):
                positions = index.get_indexer(list(labels))
                coords = {**terms.coords, dim: index[positions]}
                terms = Terms(
                    terms.dims,
                    coords,
                    np.take(terms.coeffs, positions, axis=axis),
                    np.take(terms.vars, positions, axis=axis),
                )
            else:
                position = int(index.get_loc(labels))
                dims = [d for d in terms.dims if d != dim]
                terms = Terms(
                    dims,
                    terms.coords,
                    np.take(terms.coeffs, position, axis=axis),
                    np.take(terms.vars, position, axis=axis),
                )
        return terms

    def roll(self, **shifts: int) -> Terms:
        """Cells shifted cyclically along dimensions (as ``numpy.roll``, ``xarray.roll``)."""
        coeffs, labels = self.coeffs, self.vars
        for dim, shift in shifts.items():
            axis = self.dims.index(dim)
            coeffs, labels = np.roll(coeffs, shift, axis=axis), np.roll(labels, shift, axis=axis)
        return Terms(self.dims, self.coords, coeffs, labels)

    def rename(self, names: Mapping[str, str]) -> Terms:
        """Dimensions renamed (coordinates follow)."""
        dims = [names.get(d, d) for d in self.dims]
        coords = {names.get(d, d): self.coords[d].rename(names.get(d, d)) for d in self.dims}
        return Terms(dims, coords, self.coeffs, self.vars)

    def dataset(self, dims: Sequence[str] | None = None) -> xr.Dataset:
        """linopy's layout: ``coeffs`` and ``vars`` on ``dims`` (default: this expression's) plus ``_term``."""
        dims = tuple(dims or self.dims)
        coeffs, labels = self.broadcast(dims, self.coords)
        full = (*dims, TERM_DIM)
        return xr.Dataset(
            {"coeffs": (full, np.ascontiguousarray(coeffs)), "vars": (full, np.ascontiguousarray(labels))},
            coords={d: self.coords[d] for d in dims},
        )

    def to_linexpr(self, model: Any) -> Any:
        """This expression as a linopy ``LinearExpression`` of ``model``."""
        import linopy

        return linopy.LinearExpression(self.dataset(), model)

    def value(self, solution: np.ndarray) -> xr.DataArray:
        """The expression at a solution: ``solution[label]`` is the value of the variable with that label."""
        present = self.vars >= 0
        x = np.where(present, solution[np.where(present, self.vars, 0)], 0.0)
        return xr.DataArray((self.coeffs * x).sum(axis=-1), coords=self.coords, dims=self.dims)


def set_objective(model: Any, expression: Terms) -> None:
    """Minimise ``expression`` (summed to a single cell) in a :class:`~gigafleet.buildout.lp.PlanLP` or a linopy
    ``model``."""
    from gigafleet.buildout.lp import PlanLP

    if isinstance(model, PlanLP):
        model.set_objective(expression.vars, expression.coeffs)
    else:
        model.add_objective(expression.to_linexpr(model))


def add_constraint(
    model: Any, name: str, lhs: Terms, sign: str, rhs: xr.DataArray | float, mask: xr.DataArray | None = None
) -> Any:
    """Add ``lhs sign rhs`` to ``model`` (a :class:`~gigafleet.buildout.lp.PlanLP` or a linopy ``Model``) as one
    constraint over all cells (rows with a NaN rhs dropped).

    The rows have ``lhs``'s dimensions, then those of ``rhs`` it lacks (linopy's order for ``lhs <= rhs``).
    """
    dims: tuple[str, ...] = lhs.dims
    coords = dict(lhs.coords)
    if isinstance(rhs, xr.DataArray):
        dims, coords = lhs._union([str(d) for d in rhs.dims], {str(d): rhs.indexes[d] for d in rhs.dims})
    coeffs, labels = lhs.broadcast(dims, coords)
    shape = tuple(len(coords[d]) for d in dims)
    right = np.broadcast_to(labelled(rhs, dims, coords), shape).astype(float)
    from gigafleet.buildout.lp import PlanLP

    if isinstance(model, PlanLP):
        return model.add_rows(name, dims, coords, coeffs, labels, sign, right, mask=mask)
    from linopy.constraints import Constraint

    full = (*dims, TERM_DIM)
    data = xr.Dataset(
        {
            "coeffs": (full, np.ascontiguousarray(coeffs)),
            "vars": (full, np.ascontiguousarray(labels)),
            "sign": (dims, np.full(shape, sign)),
            "rhs": (dims, np.ascontiguousarray(right)),
        },
        coords={d: coords[d] for d in dims},
    )
    return model.add_constraints(Constraint(data, model), name=name, mask=mask)


def filled_like(array: xr.DataArray, value: float) -> xr.DataArray:
    """``array`` (its dtype, coordinates, name) filled with ``value``: ``xr.full_like`` without its check for
    chunked (dask) data, which imports dask (see :mod:`gigafleet.buildout.lazydask`)."""
    return array.copy(data=np.full(array.shape, value, dtype=array.dtype))


def finite(array: xr.DataArray) -> xr.DataArray:
    """Where ``array`` is finite (``np.isfinite`` cell by cell, the array's coordinates), without
    ``xr.apply_ufunc``'s check for chunked (dask) data."""
    return array.copy(data=np.isfinite(array.values))

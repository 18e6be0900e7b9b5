"""A small labelled array: the part of xarray's ``DataArray`` the campus model uses, on numpy alone.

The campus model's inputs (load and capacity factors over period x hour) and the solved programme's blocks were
``xarray.DataArray`` objects; creating the first one imports dask where it is installed, and xarray and pandas
themselves take ~0.8 s of a representative-days command's ~2 s. :class:`Labelled` keeps the calls the model,
its report and its tests make (``to_numpy``, ``dims``, ``indexes``, ``sizes``, ``sel``, ``isel``, ``sum``,
``clip``, arithmetic and comparisons against numbers and arrays of the same dims, ``float``) with numpy
semantics underneath. It is not a general xarray: no alignment, no broadcasting by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt


class Axis(tuple):  # type: ignore[type-arg]
    """The labels along one dimension, with the dimension's ``name`` (what ``pandas.Index`` gave)."""

    name: str

    def __new__(cls, name: str, labels: Iterable[Any]) -> Axis:
        axis = super().__new__(cls, labels)
        axis.name = name
        return axis

    def position(self, label: Any) -> int:
        """Where ``label`` sits along the axis (``KeyError`` when it is not there)."""
        try:
            return self.index(label)
        except ValueError:
            raise KeyError(f"{label!r} is not a label of {self.name!r}") from None


def axis_range(name: str, size: int) -> Axis:
    """Labels 0 .. size - 1 (``pandas.RangeIndex(size, name=name)``)."""
    return Axis(name, range(size))


class Labelled:
    """A numpy array with named dimensions and their labels.

    Attributes
    ----------
    values
        The data.
    axes
        One :class:`Axis` per dimension, in order.
    """

    __array_priority__ = 100.0

    def __init__(self, values: npt.ArrayLike, axes: Iterable[Axis] = ()) -> None:
        self.values = np.asarray(values)
        self.axes = tuple(axes)
        if self.values.shape != tuple(len(a) for a in self.axes):
            raise ValueError(f"shape {self.values.shape} does not match axes {[len(a) for a in self.axes]}")

    # what xarray.DataArray offers
    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def indexes(self) -> dict[str, Axis]:
        return {a.name: a for a in self.axes}

    @property
    def sizes(self) -> dict[str, int]:
        return {a.name: len(a) for a in self.axes}

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    def to_numpy(self) -> np.ndarray:
        return self.values

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)

    def __float__(self) -> float:
        return float(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def __repr__(self) -> str:
        return f"Labelled(dims={self.dims}, values={self.values!r})"

    def _axis(self, dim: str) -> int:
        return self.dims.index(dim)

    def sel(self, **labels: Any) -> Labelled:
        """The array at one label of each named dimension (those dimensions dropped)."""
        return self.isel(**{dim: self.axes[self._axis(dim)].position(label) for dim, label in labels.items()})

    def isel(self, **positions: int | slice) -> Labelled:
        """The array at one position (that dimension dropped) or a slice (kept) of each named dimension."""
        index: list[Any] = [slice(None)] * len(self.axes)
        for dim, position in positions.items():
            index[self._axis(dim)] = position
        kept = [Axis(a.name, a[i]) for a, i in zip(self.axes, index, strict=True) if isinstance(i, slice)]
        return Labelled(self.values[tuple(index)], kept)

    def sum(self, dim: str | None = None) -> Labelled:
        """Sum over ``dim`` (all dimensions when ``None``)."""
        if dim is None:
            return Labelled(self.values.sum())
        axis = self._axis(dim)
        return Labelled(self.values.sum(axis=axis), self.axes[:axis] + self.axes[axis + 1 :])

    def max(self) -> Labelled:
        return Labelled(self.values.max())

    def mean(self) -> Labelled:
        return Labelled(self.values.mean())

    def any(self) -> Labelled:
        return Labelled(self.values.any())

    def all(self) -> Labelled:
        return Labelled(self.values.all())

    def clip(self, lower: float | None = None, upper: float | None = None) -> Labelled:
        return Labelled(np.clip(self.values, lower, upper), self.axes)

    # arithmetic and comparisons: with numbers, numpy arrays or a Labelled of the same dims
    def _other(self, other: Any) -> Any:
        if isinstance(other, Labelled):
            if other.dims and other.dims != self.dims:
                raise ValueError(f"dims {other.dims} do not match {self.dims}")
            return other.values
        return other

    def _wrap(self, values: Any) -> Labelled:
        return Labelled(values, self.axes)

    def __add__(self, other: Any) -> Labelled:
        return self._wrap(self.values + self._other(other))

    def __radd__(self, other: Any) -> Labelled:
        return self._wrap(self._other(other) + self.values)

    def __sub__(self, other: Any) -> Labelled:
        return self._wrap(self.values - self._other(other))

    def __rsub__(self, other: Any) -> Labelled:
        return self._wrap(self._other(other) - self.values)

    def __mul__(self, other: Any) -> Labelled:
        return self._wrap(self.values * self._other(other))

    def __rmul__(self, other: Any) -> Labelled:
        return self._wrap(self._other(other) * self.values)

    def __truediv__(self, other: Any) -> Labelled:
        return self._wrap(self.values / self._other(other))

    def __neg__(self) -> Labelled:
        return self._wrap(-self.values)

    def __ge__(self, other: Any) -> Labelled:
        return self._wrap(self.values >= self._other(other))

    def __gt__(self, other: Any) -> Labelled:
        return self._wrap(self.values > self._other(other))

    def __le__(self, other: Any) -> Labelled:
        return self._wrap(self.values <= self._other(other))

    def __lt__(self, other: Any) -> Labelled:
        return self._wrap(self.values < self._other(other))

"""Laying a labelled array's values out on a model's dimensions (shared by the term algebra and the LP).

A leaf module: :mod:`gigafleet.buildout.terms` and :mod:`gigafleet.buildout.lp` both import it, and it imports
neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr


def check_coords(dim: str, left: pd.Index, right: pd.Index) -> None:
    """Raise ValueError unless the coordinates of ``dim`` on both sides are the same labels in the same order."""
    if left is not right and not left.equals(right):
        raise ValueError(f"dimension {dim!r}: coordinates differ ({list(left)[:4]}... vs {list(right)[:4]}...)")


def labelled(array: xr.DataArray | float, dims: Sequence[str], coords: Mapping[str, pd.Index]) -> np.ndarray:
    """``array``'s values laid out on ``dims`` (its own dimensions in that order, size-1 axes for the others).

    Parameters
    ----------
    array
        A labelled array whose dimensions are among ``dims`` (shared coordinates must be equal), or a number.
    dims, coords
        Target dimensions and their coordinates.
    """
    if not isinstance(array, xr.DataArray):
        return np.asarray(float(array)).reshape((1,) * len(dims))
    for dim in array.dims:
        if dim not in dims:
            raise ValueError(f"dimension {dim!r} of the array is not among {list(dims)}")
        check_coords(str(dim), coords[str(dim)], array.indexes[dim])
    own = [d for d in dims if d in array.dims]
    values = array.transpose(*own).values
    return values[tuple(slice(None) if d in array.dims else None for d in dims)]


__all__ = ["check_coords", "labelled"]

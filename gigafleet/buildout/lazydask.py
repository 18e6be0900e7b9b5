"""Keep xarray from importing dask just to ask whether an array is a dask array.

xarray checks every new ``DataArray``'s data against ``array_type("dask")``, and the first such check imports
``dask.array`` when dask is installed (it is: ``gigafleet sweep`` distributes runs with it): ~0.4 s of a ~2 s
``gigafleet plan``, for an answer that is always "no" while ``dask.array`` has not been imported, since no dask
array can exist before then. :func:`defer_dask_probe` puts a stand-in in xarray's cache of duck-array modules that
answers ``()`` (no dask array type) until ``dask.array`` is in :data:`sys.modules`, and xarray's own answer from
then on; any other question (version, module) loads xarray's real entry. Likewise xarray's
``is_dask_collection`` (asked of arrays in ``full_like``, ``concat``, ``equals``...) imports ``dask`` itself
(~0.1 s) to say "no": it answers False, as dask would, while ``dask`` is not imported (no dask graph can exist
before), and asks dask from then on. Where xarray's internals are not what this expects, nothing is changed.
"""

from __future__ import annotations

import sys
from typing import Any

DASK_ARRAY = "dask.array"


class _DeferredDask:
    """xarray's ``DuckArrayModule("dask")``, created only once ``dask.array`` is imported or asked about."""

    def __init__(self) -> None:
        self._real: Any = None

    def _load(self) -> Any:
        if self._real is None:
            from xarray.namedarray.pycompat import DuckArrayModule

            self._real = DuckArrayModule("dask")
        return self._real

    @property
    def type(self) -> tuple[type[Any], ...]:
        """Dask's array type once ``dask.array`` is imported; before then none (no dask array exists)."""
        if self._real is None and DASK_ARRAY not in sys.modules:
            return ()
        return self._load().type  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


def defer_dask_probe() -> bool:
    """Install the stand-in (see the module docstring); True when it is in place."""
    if DASK_ARRAY in sys.modules:
        return False
    try:
        from xarray.namedarray import pycompat
    except ImportError:
        return False
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    if not isinstance(cache, dict) or not hasattr(pycompat, "DuckArrayModule"):
        return False
    if "dask" not in cache:
        cache["dask"] = _DeferredDask()
    _defer_collection_check()
    return isinstance(cache["dask"], _DeferredDask)


def _defer_collection_check() -> None:
    """Wrap ``xarray.namedarray.utils.is_dask_collection``: False while ``dask`` is not imported."""
    try:
        from xarray.namedarray import utils
    except ImportError:
        return
    original = getattr(utils, "is_dask_collection", None)
    if original is None or getattr(original, "_gigafleet_deferred", False):
        return

    def is_dask_collection(x: object) -> bool:
        return "dask" in sys.modules and bool(original(x))

    is_dask_collection._gigafleet_deferred = True  # type: ignore[attr-defined]
    is_dask_collection.__doc__ = original.__doc__
    utils.is_dask_collection = is_dask_collection  # type: ignore[assignment]

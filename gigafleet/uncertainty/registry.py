"""Functions that ``kind: function`` experiments may run, by name: nothing from a file or request imports code.

An experiment names a function by its registered name (``function: ishigami``); only functions registered here
can run. gigafleet registers its own (:data:`BUILTIN`); the Python API can register more in-process with
:func:`register_function` (for studies and tests): they are the caller's own code, never named by a file's text.
The sweep resolves the name in the calling process and ships the function object itself to Dask workers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from gigafleet.errors import InputError

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
"""A registered function's name: lower-case letters, digits, ``_`` and ``-`` (no dots, colons or slashes)."""

_LOCK = threading.Lock()
_REGISTRY: dict[str, Callable[..., Any]] = {}
_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {}


def _builtins() -> dict[str, Callable[..., Any]]:
    from gigafleet.uncertainty.demofunctions import ishigami, linear

    _BOUNDS["ishigami"] = {"x1": (-1e3, 1e3), "x2": (-1e3, 1e3), "x3": (-1e3, 1e3), "a": (-1e3, 1e3), "b": (-1e3, 1e3)}
    _BOUNDS["linear"] = {"x": (-1e12, 1e12), "delay": (0.0, 1.0)}
    return {"ishigami": ishigami, "linear": linear}


def register_function(
    name: str,
    function: Callable[..., Any],
    *,
    replace: bool = False,
    bounds: dict[str, tuple[float, float]] | None = None,
) -> None:
    """Allow ``function`` to run in ``kind: function`` experiments as ``name``.

    Parameters
    ----------
    name
        Registered name (see :data:`NAME`).
    function
        A callable taking ``seed`` and the experiment's ``function.*`` arguments as keywords and returning a
        mapping of output name to number (or list of numbers).
    replace
        Allow re-registering an existing name.
    bounds
        Allowed range of numeric arguments, ``{argument: (low, high)}``, checked before any run.

    Examples
    --------
    >>> register_function("double", lambda x=0.0, seed=0: {"y": 2 * x}, replace=True)
    >>> "double" in registered_functions()
    True
    """
    if not NAME.match(name):
        raise InputError("function", name, "a name of lower-case letters, digits, '_' or '-' (at most 64)")
    if not callable(function):
        raise TypeError(f"{name}: not callable")
    with _LOCK:
        if not _REGISTRY:
            _REGISTRY.update(_builtins())
        if name in _REGISTRY and not replace and _REGISTRY[name] is not function:
            raise InputError("function", name, "a name not registered yet (or replace=True)")
        _REGISTRY[name] = function
        _BOUNDS[name] = dict(bounds or {})


def registered_functions() -> list[str]:
    """Names of the functions experiments may run."""
    with _LOCK:
        if not _REGISTRY:
            _REGISTRY.update(_builtins())
        return sorted(_REGISTRY)


def check_arguments(name: str, values: dict[str, list[Any]]) -> None:
    """Check, before any run, the ``function.<argument>`` values an experiment will pass to function ``name``.

    Every argument must be a parameter of the function (``seed`` is set by the sweep), every value a JSON scalar
    (number, string, boolean), and numbers within the registered bounds.

    Raises
    ------
    InputError
        Naming ``function.<argument>``, the value and what is allowed.
    """
    import inspect
    import math

    function = get_function(name)
    parameters = inspect.signature(function).parameters
    open_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    allowed = sorted(p for p in parameters if p != "seed")
    bounds = _BOUNDS.get(name, {})
    for argument, items in values.items():
        field = f"function.{argument}"
        if argument == "seed" or (argument not in parameters and not open_kwargs):
            raise InputError("parameter path", field, [f"function.{a}" for a in allowed])
        for value in items:
            scalar = isinstance(value, (int, float, str, bool))
            if not scalar or (isinstance(value, float) and not math.isfinite(value)):
                raise InputError(field, value, "a finite number, a string or a boolean")
            if argument in bounds and isinstance(value, (int, float)) and not isinstance(value, bool):
                low, high = bounds[argument]
                if not low <= value <= high:
                    raise InputError(field, value, f"a number from {low:g} to {high:g}")


def get_function(name: str) -> Callable[..., Any]:
    """The registered function ``name``; anything else (``module:callable``, unknown names) is refused."""
    names = registered_functions()
    if not isinstance(name, str) or name not in names:
        raise InputError("function", name, names)
    return _REGISTRY[name]

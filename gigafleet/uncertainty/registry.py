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


def _builtins() -> dict[str, Callable[..., Any]]:
    from gigafleet.uncertainty.testfunctions import ishigami, linear

    return {"ishigami": ishigami, "linear": linear}


def register_function(name: str, function: Callable[..., Any], *, replace: bool = False) -> None:
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


def registered_functions() -> list[str]:
    """Names of the functions experiments may run."""
    with _LOCK:
        if not _REGISTRY:
            _REGISTRY.update(_builtins())
        return sorted(_REGISTRY)


def get_function(name: str) -> Callable[..., Any]:
    """The registered function ``name``; anything else (``module:callable``, unknown names) is refused."""
    names = registered_functions()
    if not isinstance(name, str) or name not in names:
        raise InputError("function", name, names)
    return _REGISTRY[name]

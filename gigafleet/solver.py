"""Running a linopy model through its solver without letting the solver write to stdout.

HiGHS and other solvers print banners from C code, straight to file descriptor 1; in ``--json`` mode
that would corrupt the output, so every solve in gigafleet goes through :func:`solve_quietly`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from gigafleet.errors import GigafleetError

HIGHS_STATUS = {
    "Optimal": ("ok", "optimal"),
    "Infeasible": ("warning", "infeasible"),
    "Primal infeasible or unbounded": ("warning", "infeasible_or_unbounded"),
    "Unbounded": ("warning", "unbounded"),
    "Time limit reached": ("ok", "time_limit"),
    "Iteration limit reached": ("ok", "iteration_limit"),
    "Bound on objective reached": ("ok", "terminated_by_limit"),
    "Target for objective reached": ("ok", "terminated_by_limit"),
    "Solution limit reached": ("ok", "terminated_by_limit"),
    "Interrupted by user": ("aborted", "user_interrupt"),
    "Memory limit reached": ("aborted", "resource_interrupt"),
    **{
        f"{stage} error": ("error", "internal_solver_error")
        for stage in ("Load", "Model", "Presolve", "Solve", "Postsolve")
    },
}
"""HiGHS model status (its string) -> linopy's ``(status, termination)`` words, as the plan and campus JSON
report them (one map for both programmes handed to highspy)."""


@contextlib.contextmanager
def silence_stdout() -> Iterator[None]:
    """Send C-level stdout (file descriptor 1) to /dev/null for the duration of the block."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def check_solver(name: str, field: str = "solver") -> str:
    """The solver name if it is installed; else :class:`~gigafleet.errors.InputError` listing those linopy has.

    ``highs`` (the default) is checked by finding ``highspy`` without importing it or linopy (~0.3 s of a command's
    start); any other name is checked against ``linopy.available_solvers``.
    """
    import importlib.util

    from gigafleet.errors import InputError

    if name == "highs" and importlib.util.find_spec("highspy") is not None:
        return name
    import linopy

    available = list(linopy.available_solvers)
    if name not in available:
        raise InputError(field, name, available or ["(no solver installed: pip install highspy)"])
    return name


def solve_quietly(
    model: Any, solver: str, *, error: type[GigafleetError], highs_options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """Solve a linopy ``model`` silently and return linopy's ``(status, termination)``.

    Parameters
    ----------
    model
        A built ``linopy.Model``.
    solver
        Solver name as linopy knows it (``"highs"`` by default in gigafleet).
    error
        Error class raised, with the solver's message, when the solver package fails.
    highs_options
        Extra HiGHS options (ignored for other solvers).
    """
    kwargs: dict[str, Any] = (
        {"io_api": "direct", "output_flag": False, **(highs_options or {})} if solver == "highs" else {}
    )
    try:
        with silence_stdout():
            return model.solve(solver_name=solver, progress=False, **kwargs)  # type: ignore[no-any-return]
    except Exception as exc:  # solver packages raise many types
        raise error(f"solver {solver!r} failed: {exc}") from None

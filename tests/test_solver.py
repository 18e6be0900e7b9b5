"""Tests for gigafleet.solver: silent solves and wrapped solver failures."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gigafleet.errors import GigafleetError
from gigafleet.solver import silence_stdout, solve_quietly


class _BoomError(GigafleetError):
    pass


def test_silence_stdout_hides_c_level_writes_and_restores(capfd: pytest.CaptureFixture[str]) -> None:
    with silence_stdout():
        os.write(1, b"solver banner\n")
    os.write(1, b"after\n")
    assert capfd.readouterr().out == "after\n"


def test_solve_quietly_passes_highs_options_and_returns_status() -> None:
    seen: dict[str, Any] = {}

    class Model:
        def solve(self, **kwargs: Any) -> tuple[str, str]:
            seen.update(kwargs)
            return "ok", "optimal"

    assert solve_quietly(Model(), "highs", error=_BoomError, highs_options={"solver": "ipm"}) == ("ok", "optimal")
    assert seen == {
        "solver_name": "highs",
        "progress": False,
        "io_api": "direct",
        "output_flag": False,
        "solver": "ipm",
    }
    seen.clear()
    solve_quietly(Model(), "glpk", error=_BoomError, highs_options={"solver": "ipm"})
    assert seen == {"solver_name": "glpk", "progress": False}


def test_solve_quietly_wraps_solver_failures_in_the_given_error() -> None:
    class Model:
        def solve(self, **kwargs: Any) -> tuple[str, str]:
            raise RuntimeError("licence missing")

    with pytest.raises(_BoomError, match="solver 'highs' failed: licence missing"):
        solve_quietly(Model(), "highs", error=_BoomError)

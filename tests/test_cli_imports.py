"""The command line imports heavy libraries only in the commands that need them (issue 18: fast start-up).

Each check starts a fresh interpreter (``sys.modules`` of this test process is full of everything), runs
``import gigafleet.cli`` or ``python -X importtime -m gigafleet.cli ARGS`` (the console script's code path),
and reads which modules were imported. Times are measured by ``benchmarks/bench_startup.py``, not here.
"""

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "linopy",
    "xarray",
    "dask",
    "distributed",
    "plotly",
    "duckdb",
    "pvlib",
    "scipy",
    "pandas",
    "highspy",
    "tsam",
    "SALib",
    "fastapi",
    "uvicorn",
)
"""Libraries each costing 0.05-7 s to import (plotly's own top level is lazy, but its figures are not); only
the engine, report or server that uses one may import it."""

HELP_AVOIDS = ("numpy", "pydantic", "yaml", "markdown_it", "pygments", "attr")
"""Also kept out of the help screens and usage errors: numpy, pydantic and yaml are for the commands' work
(Typer's coercion of an absent ``--help`` flag would import pydantic), markdown-it, pygments and attrs come
with ``rich.markdown`` and ``rich.traceback``, which ``gigafleet.cli.app.import_rich_utils`` keeps out."""

HELP_SCREENS: tuple[list[str], ...] = (
    [],
    ["--help"],
    ["estimate", "--help"],
    ["plan", "--help"],
    ["power", "--help"],
    ["sweep", "--help"],
    ["serve", "--help"],
    ["catalog", "list", "--help"],
    ["estimate", "--no-such-flag"],
)
"""Help screens (no arguments shows the help too) and one usage error: Typer renders all with Rich."""


def _roots(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The libraries of ``names`` that ``modules`` holds (a module or any of its submodules)."""
    return sorted({m.split(".")[0] for m in modules} & set(names))


def _cli_modules(*args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules ``python -m gigafleet.cli ARGS`` imports (from ``-X importtime``, which lists every module an
    import statement loads: a library loaded by ``importlib.import_module`` shows by its submodules), and the
    finished run."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gigafleet.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "100"},
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "gigafleet.cli" in modules, done.stderr[-2000:]
    return modules, done


def test_import_gigafleet_cli_imports_nothing_heavy() -> None:
    code = (
        f"import gigafleet.cli, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY + HELP_AVOIDS}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.strip() == "[]", f"import gigafleet.cli imported {done.stdout.strip()}"


@pytest.mark.parametrize("args", HELP_SCREENS, ids=lambda a: " ".join(a) or "(no arguments)")
def test_help_and_usage_errors_import_nothing_heavy(args: list[str]) -> None:
    modules, done = _cli_modules(*args)
    assert done.returncode == (2 if "--no-such-flag" in args or not args else 0), done.stderr[-2000:]
    assert "Usage" in done.stdout + done.stderr
    assert _roots(modules, HEAVY) == [], f"gigafleet {' '.join(args)} imported heavy modules"
    assert _roots(modules, HELP_AVOIDS) == [], f"gigafleet {' '.join(args)} imported modules help does not need"
    assert "typer.rich_utils" in modules  # the help was Rich's (the stand-ins above did not break it)
    assert "rich.markdown" not in modules and "rich.traceback" not in modules


def test_small_estimate_imports_only_the_estimate_engine() -> None:
    modules, done = _cli_modules("estimate", "--accelerators", "1k", "--samples", "100", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout[done.stdout.index("{") :])["inputs"]["samples"] == 100
    assert "gigafleet.estimate" in modules
    never = tuple(name for name in HEAVY if name != "scipy")  # scipy.stats may build the sampler's tables
    assert _roots(modules, never) == [], "gigafleet estimate imported the modules of other commands"
    assert "gigafleet.cli.tables" not in modules  # --json prints no tables


def test_help_shows_bracketed_text_as_written() -> None:
    """Rich would read ``[default: gb200]`` as a markup tag and drop it: every bracketed part of every option's
    help is on the help screen."""
    import re

    import typer
    from typer.testing import CliRunner

    from gigafleet.cli import app

    group = typer.main.get_command(app)
    checked = 0
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if not hasattr(command, "params") or name == "catalog":
            continue
        shown = " ".join(CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "400"}).output.split())
        for param in command.params:
            for part in re.findall(r"\[[a-z][^\]]*\]", getattr(param, "help", None) or ""):
                assert " ".join(part.split()) in shown, (name, part)
                checked += 1
    assert checked >= 10

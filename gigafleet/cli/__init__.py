"""The ``gigafleet`` command line (Typer + Rich). Thin: parsing, calling engines, printing.

``app`` holds the Typer application and the shared checks, ``options`` the shared option types, ``tables`` what
commands print, and ``commands`` one module per command group (importing it registers every command).
Start-up is kept short (issue 18): engines, numpy, pydantic and heavy libraries (linopy, xarray, dask, plotly,
duckdb, pvlib, ...) are imported inside the commands that use them, ``tables`` only when tables are printed, and
help screens import Typer's Rich help without Markdown and tracebacks (``app.import_rich_utils``), and ``main``
builds a command's options only when that command is used (``app.command``); ``tests/test_cli_imports.py`` and
``tests/test_cli_startup.py`` guard it, ``benchmarks/bench_startup.py`` times it (``docs/startup.md``).
Every user error prints one line ``error: ...`` on stderr and exits with code 2.
"""

from gigafleet.cli import commands  # noqa: F401  (registers the commands on app)
from gigafleet.cli.app import app, main

__all__ = ["app", "main"]

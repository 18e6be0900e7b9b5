"""The ``gigafleet`` command line (Typer + Rich). Thin: parsing, calling engines, printing.

``app`` holds the Typer application and the shared checks, ``options`` the shared option types, ``tables`` what
commands print, and ``commands`` one module per command group (importing it registers every command).
Heavy modules (numpy, pydantic, plotly) are imported inside commands so that ``gigafleet --help`` is fast.
Every user error prints one line ``error: ...`` on stderr and exits with code 2.
"""

from gigafleet.cli import commands  # noqa: F401  (registers the commands on app)
from gigafleet.cli.app import app, main

__all__ = ["app", "main"]

"""One module per command group; importing them registers their commands on ``gigafleet.cli.app.app``.

The order below is the order ``gigafleet --help`` lists the commands in. The command modules have no
``from __future__ import annotations``: with it Typer evaluates every parameter's annotation string on each
start (``typing.get_type_hints``), a third of the time it takes to build the commands. Heavy modules, and
``gigafleet.cli.tables``, are imported inside the command functions (``tests/test_cli_imports.py``).
"""
# isort: skip_file

from gigafleet.cli.commands import (
    estimate,
    plan,
    power,
    reliability,
    capability,
    sweep,
    serve,
    installed,
    catalog,
    compare,
)

__all__ = [
    "capability",
    "catalog",
    "compare",
    "estimate",
    "installed",
    "plan",
    "power",
    "reliability",
    "serve",
    "sweep",
]

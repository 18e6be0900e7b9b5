"""One module per command group; importing them registers their commands on ``gigafleet.cli.app.app``.

The order below is the order ``gigafleet --help`` lists the commands in.
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

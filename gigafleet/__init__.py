"""gigafleet: plan and simulate AI compute fleets, from one campus to 100 million accelerators.

Data flows one way: catalogue (``gigafleet.catalog``) -> scenario -> engines (``gigafleet.fleet``)
-> results -> interfaces (``gigafleet.cli``, ``gigafleet.reports.estimate``).

Importing the package is cheap: heavy modules are imported by the functions that need them.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"

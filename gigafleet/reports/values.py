"""Reading result dictionaries tolerantly: numbers, P10/P50/P90 triples, mappings, lists, years and texts.

A report is rendered from the JSON a command prints; these readers turn missing or odd values into ``None`` or
empty containers instead of raising, so a partial result still renders.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gigafleet.formatting import PERCENTILES, Triple, format_sig


def as_number(value: object) -> float | None:
    """Return ``value`` as a float, or ``None`` when it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def as_triple(value: object) -> Triple | None:
    """Read a quantity ``{"p10": …, "p50": …, "p90": …}``.

    Parameters
    ----------
    value : object
        A mapping with any of ``p10``/``p50``/``p90``, or a bare number (taken as the P50).

    Returns
    -------
    Triple or None
        The percentiles [unit of the quantity], or ``None`` when nothing usable is there.
    """
    if isinstance(value, Mapping):
        p10, p50, p90 = (as_number(value.get(key)) for key in PERCENTILES)
        if p10 is None and p50 is None and p90 is None:
            return None
        return (p10, p50, p90)
    single = as_number(value)
    return None if single is None else (None, single, None)


def as_mapping(value: object) -> Mapping[str, Any]:
    """Return ``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: object) -> Sequence[Any]:
    """Return ``value`` if it is a list or tuple, else an empty one."""
    return value if isinstance(value, list | tuple) else ()


def input_value_text(value: object) -> str:
    """Print an arbitrary input value compactly."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return format_sig(value, 4)
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def input_items(
    inputs: Mapping[str, Any],
    labels: Mapping[str, str],
    text: Callable[[str, object], str],
    other_label: Callable[[str], str],
    *,
    skip_unset: bool = False,
) -> list[tuple[str, str]]:
    """A result's inputs as ``(label, text)`` pairs (raw text): the keys of ``labels`` first, in their order, then
    any others, labelled by ``other_label``; with ``skip_unset``, inputs that are ``None`` are left out."""
    shown = [(key, value) for key, value in inputs.items() if not (skip_unset and value is None)]
    known = [(labels[key], text(key, value)) for key in labels for k, value in shown if k == key]
    return known + [(other_label(str(key)), text(str(key), value)) for key, value in shown if key not in labels]


def number_input_text(key: str, value: object, formats: Mapping[str, Callable[[float], str]]) -> str | None:
    """``formats[key]`` applied to ``value`` when it is a number and ``key`` has a format; ``None`` otherwise."""
    number = as_number(value)
    return formats[key](number) if number is not None and key in formats else None


def entry_text(entry: Mapping[str, Any], key: str) -> str:
    """``entry[key]`` as text; empty when missing or ``None``."""
    value = entry.get(key)
    return "" if value is None else str(value)


def as_year(value: object) -> int | None:
    """Return ``value`` as a calendar year, or ``None`` when it is not a whole number."""
    number = as_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def as_entries(result: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The mapping entries of the list ``result[key]`` (anything else is skipped)."""
    return [entry for entry in as_sequence(result.get(key)) if isinstance(entry, Mapping)]


def as_series(value: object) -> list[float | None]:
    """Read a series (hourly, daily, yearly): a list of numbers, anything that is not a finite number as ``None``.

    Parameters
    ----------
    value : object
        A list or tuple of numbers [unit of the series]; anything else reads as an empty series.

    Returns
    -------
    list of (float or None)
        One value per step [unit of the series], ``None`` for a gap.
    """
    return [as_number(item) for item in as_sequence(value)]


def solver_text(result: Mapping[str, Any]) -> str:
    """Solver facts, e.g. ``"highs, termination: optimal, solved in 12.4 s"`` (raw text); empty when unknown."""
    solver = as_mapping(result.get("solver"))
    if not solver:
        return ""
    parts = [entry_text(solver, "name") or "solver"]
    termination = entry_text(solver, "termination")
    if termination:
        parts.append(f"termination: {termination}")
    for key, word in (("seconds", "solved in"), ("build_seconds", "model built in")):
        seconds = as_number(solver.get(key))
        if seconds is not None:
            parts.append(f"{word} {format_sig(seconds, 3)} s")
    return ", ".join(parts)

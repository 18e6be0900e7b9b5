"""Parsing of human-written amounts: ``100M``, ``2.9M``, ``3e12``, ``1.5k``, ``$3T``.

Suffixes are decimal: k = 1e3, M = 1e6, B = G = 1e9 (billion), T = 1e12 (trillion).
"""

from __future__ import annotations

import math
import re

from gigafleet.errors import InputError

SUFFIXES: dict[str, float] = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}

_NUMBER = re.compile(
    r"""^\s*\$?\s*
    (?P<num>[+-]?(?:\d+(?:[_,]\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    \s*(?P<suffix>[kKMBGT]?)\s*$""",
    re.VERBOSE | re.ASCII,
)

ALLOWED_TEXT = "a number such as 100M, 2.9M, 3e12 or 1500 (suffixes k, M, B, T)"
MAX_ACCELERATORS = 1e9
"""Largest accelerator count accepted anywhere [1]: 10x the largest fleet discussed (100M)."""


def parse_amount(text: str | float | int, field: str) -> float:
    """Parse an amount with an optional k/M/B/T suffix or scientific notation.

    Parameters
    ----------
    text
        The amount as written, e.g. ``"100M"``, ``"3e12"``, ``"2.9M"``, ``"1,000"``.
    field
        Flag or field name used in the error message.

    Returns
    -------
    float
        The amount [same unit as the field].

    Raises
    ------
    InputError
        When the text is not a finite number, e.g. ``"1OOM"``.

    Examples
    --------
    >>> parse_amount("100M", "--accelerators")
    100000000.0
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = str(text)
        match = _NUMBER.match(raw) if len(raw) <= 64 else None
        if not match:
            raise InputError(field, text, ALLOWED_TEXT)
        value = float(match["num"].replace("_", "").replace(",", "")) * SUFFIXES.get(match["suffix"], 1.0)
    if not math.isfinite(value):
        raise InputError(field, text, ALLOWED_TEXT)
    return value


def parse_positive(text: str | float | int, field: str) -> float:
    """Parse an amount that must be strictly positive (counts, powers, budgets)."""
    value = parse_amount(text, field)
    if value <= 0:
        raise InputError(field, text, "a positive number such as 100M, 2.9M or 3e12")
    return value


def parse_fraction(text: str | float | int, field: str, *, allow_zero: bool = False) -> float:
    """Parse a fraction in (0, 1] (or [0, 1] with ``allow_zero``); ``80%`` is accepted."""
    raw = str(text).strip()
    scale = 1.0
    if raw.endswith("%"):
        raw, scale = raw[:-1], 0.01
    value = parse_amount(raw, field) * scale
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value <= 1):
        bound = "[0, 1]" if allow_zero else "(0, 1]"
        raise InputError(field, text, f"a fraction in {bound}, e.g. 0.8 or 80%")
    return value


def parse_accelerators(text: str | float | int, field: str = "--accelerators") -> float:
    """A count of accelerators: a whole number from 1 to 10^9.

    Examples
    --------
    >>> parse_accelerators("2.9M")
    2900000.0
    """
    value = parse_amount(text, field)
    if not 1 <= value <= MAX_ACCELERATORS or value != round(value):
        raise InputError(
            field, text, f"a whole number of accelerators from 1 to {MAX_ACCELERATORS:.0e} (e.g. 100M, 2.9M, 1e6)"
        )
    return value

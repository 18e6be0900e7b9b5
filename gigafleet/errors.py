"""Errors that gigafleet reports to users as one clear line (never a traceback)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

MAX_ECHO_CHARS = 200
"""Longest piece of user input quoted in any error message [characters]."""


def clip(value: object, limit: int = MAX_ECHO_CHARS, *, quote: bool = True) -> str:
    """A value as quoted in an error message: its repr (or str), cut to ``limit`` characters.

    Examples
    --------
    >>> clip("x" * 300)[-30:]
    'xxxxxxxxxx... (302 characters)'
    """
    text = repr(value) if quote else str(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters)"
    return text


def echo_input(value: object) -> str:
    """A user's value as quoted in an error: scalars clipped (:func:`clip`), collections by kind only."""
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    if isinstance(value, (list, tuple, set)):
        return f"a list of {len(value)} item(s)"
    return clip(value)


_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


def describe_loc(loc: Iterable[object]) -> str:
    """A validation error's location as ``a.b.0.c``, without echoing parts that are not key names.

    A key read from a file is shown only if it looks like a key (letters, digits, ``_.-``, at most 64): a file
    that is not a scenario (``/etc/shadow``) never has its content printed.

    Examples
    --------
    >>> describe_loc(["fleet", "accelerators"])
    'fleet.accelerators'
    >>> describe_loc(["root:*:20228:0:99999:7:::"])
    '<unnamed key>'
    """
    parts = []
    for part in loc:
        text = str(part)
        parts.append(text if _KEY.match(text) else "<unnamed key>")
    return ".".join(parts)


class GigafleetError(Exception):
    """Base class of every error gigafleet turns into a one-line message and exit code 2."""


class CatalogError(GigafleetError):
    """The catalogue files are missing or malformed."""


class InputError(GigafleetError):
    """A user-supplied value is not allowed.

    Parameters
    ----------
    field
        The flag or scenario field, e.g. ``--chip`` or ``fleet.cooling``.
    value
        The value as the user gave it.
    allowed
        What is allowed, in words (``"a positive number such as 100M or 2.9e6"``) or as choices.
    """

    def __init__(self, field: str, value: object, allowed: str | Iterable[str]) -> None:
        self.field = field
        self.value = value
        if isinstance(allowed, str):
            allowed_text = allowed
            hint = ""
        else:
            choices = sorted(str(a) for a in allowed)
            allowed_text = "one of " + ", ".join(choices)
            hint = did_you_mean(str(value)[:MAX_ECHO_CHARS], choices)
        self.allowed = allowed_text
        expected = clip(allowed_text, 600, quote=False)
        message = f"{clip(field, quote=False)}: {clip(value)} is not allowed; expected {expected}"
        if hint:
            message += f" (did you mean {clip(hint)}?)"
        super().__init__(message)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Closest choice to ``value`` (case-insensitive), or ``""`` when nothing is close."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else ""

"""Amount parsing: suffixes, scientific notation, clear errors."""

from __future__ import annotations

import pytest

from gigafleet.errors import InputError
from gigafleet.quantities import parse_amount, parse_fraction, parse_positive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100M", 1e8),
        ("2.9M", 2.9e6),
        ("3e12", 3e12),
        ("1.5k", 1500.0),
        ("1,000", 1000.0),
        ("$3T", 3e12),
        ("7B", 7e9),
        ("42", 42.0),
        (" 10 M ", 1e7),
        ("1e-3", 1e-3),
        (".5", 0.5),
        (12, 12.0),
    ],
)
def test_parse_amount_accepts_suffixes_and_scientific(text: str, expected: float) -> None:
    assert parse_amount(text, "--accelerators") == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1OOM", "", "M", "abc", "1e", "10MM", "1..2", "nan", "inf"])
def test_parse_amount_rejects_malformed_with_field_and_value(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_amount(text, "--accelerators")
    message = str(info.value)
    assert "--accelerators" in message
    assert repr(text) in message
    assert "100M" in message  # says what is allowed


@pytest.mark.parametrize("text", ["0", "-5", "-1M"])
def test_parse_positive_rejects_zero_and_negative(text: str) -> None:
    with pytest.raises(InputError, match="positive"):
        parse_positive(text, "--accelerators")


@pytest.mark.parametrize(("text", "expected"), [("0.8", 0.8), ("80%", 0.8), ("1", 1.0)])
def test_parse_fraction(text: str, expected: float) -> None:
    assert parse_fraction(text, "--utilisation") == pytest.approx(expected)


@pytest.mark.parametrize("text", ["0", "1.2", "120%", "-0.1"])
def test_parse_fraction_rejects_out_of_range(text: str) -> None:
    with pytest.raises(InputError, match="--utilisation"):
        parse_fraction(text, "--utilisation")

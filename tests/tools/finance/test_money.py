"""Amounts as decimal strings: what is accepted, what is refused and why."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maxpulse_tools.finance.money import AMOUNT_PATTERN, format_amount, parse_amount

AMOUNTS = [
    ("98.00", Decimal("98.00")),
    ("98", Decimal("98")),
    ("0.5", Decimal("0.5")),
    ("0.01", Decimal("0.01")),
    ("9999999999.99", Decimal("9999999999.99")),
]
NOT_AMOUNTS = [
    "",
    "0",
    "0.00",
    "-1.00",
    "+1.00",
    "1.001",
    "1e3",
    "1.",
    ".5",
    "01.00",
    " 1.00",
    "1,00",
    "NaN",
    "Infinity",
    "10000000000.00",
    "\uff11\uff12",  # fullwidth digits
]


@pytest.mark.parametrize(("text", "amount"), AMOUNTS)
def test_decimal_strings_are_amounts(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(text)


@pytest.mark.parametrize(("amount", "text"), [(Decimal("5"), "5.00"), (Decimal("0.1"), "0.10")])
def test_amounts_are_shown_with_two_decimals(amount: Decimal, text: str) -> None:
    assert format_amount(amount) == text


def is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", [text for text, _ in AMOUNTS] + NOT_AMOUNTS + ["0.10", "0.0"])
def test_the_documented_pattern_accepts_exactly_the_amounts(text: str) -> None:
    assert (re.fullmatch(AMOUNT_PATTERN, text) is not None) is is_amount(text)


@given(st.text(alphabet="0123456789.", max_size=15))
def test_the_documented_pattern_agrees_with_parse_amount_on_any_digits(text: str) -> None:
    assert (re.fullmatch(AMOUNT_PATTERN, text) is not None) is is_amount(text)

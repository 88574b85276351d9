"""Amounts of money as the API and the CLI accept them: decimal strings, never floats."""

from __future__ import annotations

import re
from decimal import Decimal

# numeric(12, 2): up to ten digits before the point, up to two after.
MAX_AMOUNT = Decimal("9999999999.99")
_DECIMAL_STRING = re.compile(r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2})?")
# The strings parse_amount accepts, as one pattern that JSON Schema (ECMA-262)
# and Python read alike: what the functions' OpenAPI document declares.
AMOUNT_PATTERN = r"^(?:[1-9][0-9]{0,9}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$"


def parse_amount(text: str) -> Decimal:
    """A positive amount from a decimal string such as "98.00"; ValueError for anything else."""
    if not _DECIMAL_STRING.fullmatch(text):
        raise ValueError(
            f'{text!r} is not an amount: write a decimal string such as "98.00"'
            " (digits, at most two decimals, no sign or exponent)"
        )
    amount = Decimal(text)
    if amount <= 0:
        raise ValueError(f"{text!r} is not an amount: it must be greater than zero")
    return amount


def format_amount(amount: Decimal) -> str:
    """An amount with exactly two decimals, as the database stores it."""
    return f"{amount.quantize(Decimal('0.01')):f}"

"""The commission arithmetic in plain Python, as an oracle for the database's SQL functions.

Python's Decimal quantize with ROUND_HALF_EVEN and round() of a Fraction are
both banker's rounding, computed exactly; the SQL versions must agree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def round_half_even(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def commission_amount(base: Decimal, rate: Decimal) -> Decimal:
    """base x rate %, to the cent, half to even."""
    return round_half_even(base * rate / 100)


def prorate(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """amount x part / whole, to the cent, half to even."""
    cents = round(Fraction(amount) * Fraction(part) / Fraction(whole) * 100)
    return (Decimal(cents) / 100).quantize(CENT)

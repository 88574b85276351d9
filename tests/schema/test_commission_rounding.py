"""Commission arithmetic in the database: half to even at every 0.005 boundary, exact prorating."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import money_model
from tests.support.payments import book, make_distributor, make_product, sale

Conn = psycopg.Connection[Any]
FAST = settings(max_examples=150, deadline=None)


def sql_value(conn: Conn, expression: str, *args: Any) -> Any:
    row = conn.execute(f"select {expression}", args).fetchone()
    assert row is not None
    return row[0]


def test_postgres_round_sends_ties_away_from_zero_so_it_is_not_used(db: Conn) -> None:
    assert sql_value(db, "round(0.125, 2)") == Decimal("0.13")
    assert sql_value(db, "private.round_half_even(0.125, 2)") == Decimal("0.12")


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.005", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.02"),
        ("0.035", "0.04"),
        ("0.0049", "0.00"),
        ("0.0051", "0.01"),
        ("0.0050000001", "0.01"),
        ("24.525", "24.52"),
        ("24.535", "24.54"),
        ("-0.125", "-0.12"),
        ("-0.135", "-0.14"),
        ("7", "7.00"),
    ],
)
def test_round_half_even_at_the_half_cent(db: Conn, value: str, rounded: str) -> None:
    result = sql_value(db, "private.round_half_even(%s::numeric, 2)", value)

    assert (result, str(result)) == (Decimal(rounded), rounded)


@pytest.mark.parametrize(
    ("base", "rate", "commission"),
    [
        ("0.10", "5.00", "0.00"),  # 0.005
        ("0.30", "5.00", "0.02"),  # 0.015
        ("0.50", "5.00", "0.02"),  # 0.025
        ("0.70", "5.00", "0.04"),  # 0.035
        ("98.10", "25.00", "24.52"),  # 24.525
        ("98.14", "25.00", "24.54"),  # 24.535
        ("0.02", "25.00", "0.00"),  # 0.005
        ("0.06", "25.00", "0.02"),  # 0.015
        ("9999999999.99", "100.00", "9999999999.99"),
    ],
)
def test_commission_rounds_half_to_even(db: Conn, base: str, rate: str, commission: str) -> None:
    assert sql_value(db, "private.commission_amount(%s::numeric, %s::numeric)", base, rate) == (
        Decimal(commission)
    )


@pytest.mark.parametrize(
    ("amount", "part", "whole", "share"),
    [
        ("0.01", "1.00", "2.00", "0.00"),  # 0.005
        ("0.03", "1.00", "2.00", "0.02"),  # 0.015
        ("0.05", "1.00", "2.00", "0.02"),  # 0.025
        ("24.50", "24.50", "98.00", "6.12"),  # 6.125
        ("4.90", "24.50", "98.00", "1.22"),  # 1.225
        ("29.40", "50.00", "178.00", "8.26"),  # 8.258...
        ("25.00", "66.66", "100.00", "16.66"),  # 16.665
        ("25.00", "100.00", "100.00", "25.00"),
    ],
)
def test_prorate_is_exact_and_rounds_half_to_even(
    db: Conn, amount: str, part: str, whole: str, share: str
) -> None:
    result = sql_value(
        db, "private.prorate(%s::numeric, %s::numeric, %s::numeric)", amount, part, whole
    )

    assert result == Decimal(share)


def test_booked_commissions_round_half_to_even(db: Conn) -> None:
    """Lines of 0.10 and 0.50 with a 5 % upline: 0.005 -> nothing booked, 0.025 -> 0.02."""
    upline, _ = make_distributor(db)
    _, code = make_distributor(db, upline=upline, rate="25.00")
    dime, half = make_product(db, "0.10"), make_product(db, "0.50")
    odd = make_product(db, "98.10")

    answer = book(db, sale("shop-round", code, [(dime, 1), (half, 1), (odd, 1)]))

    booked = {(c["sku"], c["level"]): c["amount"] for c in answer["commissions"]}
    assert booked == {
        (dime, 0): "0.02",  # 0.025
        (half, 0): "0.12",  # 0.125
        (half, 1): "0.02",  # 0.025
        (odd, 0): "24.52",  # 24.525
        (odd, 1): "4.90",  # 4.905 -> 4.90
    }


@pytest.fixture(scope="module")
def arithmetic(seeded_db_url: str) -> Iterator[Conn]:
    """One connection for all examples of the property tests (they only read)."""
    with psycopg.connect(seeded_db_url, autocommit=True) as conn:
        yield conn


cents = st.integers(min_value=0, max_value=10**12 - 1).map(lambda c: Decimal(c).scaleb(-2))


@FAST
@given(
    st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=6), min_size=1, max_size=50)
)
def test_round_half_even_agrees_with_python_decimal(
    arithmetic: Conn, values: list[Decimal]
) -> None:
    rows = arithmetic.execute(
        "select private.round_half_even(v, 2) from unnest(%s::numeric[]) as v", (values,)
    ).fetchall()

    assert [row[0] for row in rows] == [money_model.round_half_even(v) for v in values]


@FAST
@given(
    st.lists(
        st.tuples(cents, cents, cents.filter(lambda whole: whole > 0)), min_size=1, max_size=50
    )
)
def test_prorate_agrees_with_exact_fractions(
    arithmetic: Conn, cases: list[tuple[Decimal, Decimal, Decimal]]
) -> None:
    amounts, parts, wholes = (list(column) for column in zip(*cases, strict=True))
    rows = arithmetic.execute(
        "select private.prorate(a, p, w)"
        " from unnest(%s::numeric[], %s::numeric[], %s::numeric[]) as t (a, p, w)",
        (amounts, parts, wholes),
    ).fetchall()

    assert [row[0] for row in rows] == [money_model.prorate(a, p, w) for a, p, w in cases]

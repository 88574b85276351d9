"""Refunds: proportional reversals per line and level, never past what was earned or sold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.payments import (
    book,
    make_distributor,
    make_product,
    mismatches,
    profile_totals,
    refund,
    refusal,
    sale,
)

Conn = psycopg.Connection[Any]


def reversed_amounts(answer: dict[str, Any]) -> list[tuple[int, str, bool]]:
    return [(r["level"], r["amount"], r["clawback"]) for r in answer["reversals"]]


def commission_state(conn: Conn, order_uuid: str) -> list[tuple[int, str, Decimal, Decimal]]:
    """(level, status, amount, reversed so far) of an order's commissions."""
    return conn.execute(
        "select c.level, c.status, c.amount,"
        " coalesce((select sum(r.amount) from public.commission_reversals as r"
        "           where r.commission_id = c.id), 0)"
        " from public.commissions as c where c.order_id = %s order by c.level",
        (order_uuid,),
    ).fetchall()


@pytest.fixture
def ben_sold_two_bundles(db: Conn) -> dict[str, Any]:
    """Ben's sale of 98.00: 24.50 for Ben (25 %), 4.90 for Ava (5 %)."""
    return book(db, sale("shop-r1", "MP-BEN02", [("MP-SLEEP-30", 2)]))


def test_partial_refund_reverses_each_level_in_proportion(
    db: Conn, ben_sold_two_bundles: dict[str, Any]
) -> None:
    ben_before = profile_totals(db, ben_sold_two_bundles["order"]["distributorId"])

    answer = book(db, refund("shop-r1", "49.00"))

    assert answer["refund"]["status"] == "applied"
    assert reversed_amounts(answer) == [(0, "12.25", False), (1, "2.45", False)]
    order_uuid = ben_sold_two_bundles["order"]["id"]
    assert commission_state(db, order_uuid) == [
        (0, "pending", Decimal("24.50"), Decimal("12.25")),
        (1, "pending", Decimal("4.90"), Decimal("2.45")),
    ]
    assert profile_totals(db, ben_sold_two_bundles["order"]["distributorId"]) == (
        ben_before[0] - 49,
        ben_before[1] - Decimal("12.25"),
    )
    assert mismatches(db) == []


def test_successive_partial_refunds_reverse_exactly_what_was_earned(db: Conn) -> None:
    """Thirds of 100.00 at 25 %: 8.3325 -> 8.33, then 16.665 -> 16.66 (half to even), then the rest."""
    _, code = make_distributor(db)
    hundred = make_product(db, "100.00")
    order = book(db, sale("shop-r2", code, [(hundred, 1)]))

    steps = [book(db, refund("shop-r2", amount)) for amount in ("33.33", "33.33", "33.34")]

    assert [reversed_amounts(step) for step in steps] == [
        [(0, "8.33", False)],
        [(0, "8.33", False)],
        [(0, "8.34", False)],
    ]
    assert commission_state(db, order["order"]["id"]) == [
        (0, "reversed", Decimal("25.00"), Decimal("25.00"))
    ]
    assert db.execute(
        "select status from public.orders where id = %s", (order["order"]["id"],)
    ).fetchone() == ("refunded",)
    assert mismatches(db) == []


def test_refund_past_the_orders_total_is_refused_and_changes_nothing(
    db: Conn, ben_sold_two_bundles: dict[str, Any]
) -> None:
    book(db, refund("shop-r1", "60.00"))
    counts = "select (select count(*) from public.order_refunds), (select count(*) from public.ledger_entries)"
    before = db.execute(counts).fetchone()

    refused = refusal(db, refund("shop-r1", "38.01"))

    assert (refused.field, refused.reason) == ("amount", "refund_exceeds_total")
    assert "past its total of 98.00 USD" in (refused.message or "")
    assert db.execute(counts).fetchone() == before


def test_refund_in_another_currency_is_refused(
    db: Conn, ben_sold_two_bundles: dict[str, Any]
) -> None:
    refused = refusal(db, refund("shop-r1", "10.00", currency="EUR"))

    assert (refused.field, refused.reason) == ("currency", "currency_mismatch")


def test_refund_before_its_sale_is_kept_and_applied_when_the_sale_lands(db: Conn) -> None:
    early_event = refund("shop-r3", "24.50")
    early = book(db, early_event)
    assert early["refund"]["status"] == "pending"
    assert early["order"] is None and early["reversals"] == []

    order = book(db, sale("shop-r3", "MP-BEN02", [("MP-SLEEP-30", 2)]))

    # a quarter of 98.00: 6.125 -> 6.12 and 1.225 -> 1.22, half to even
    assert commission_state(db, order["order"]["id"]) == [
        (0, "pending", Decimal("24.50"), Decimal("6.12")),
        (1, "pending", Decimal("4.90"), Decimal("1.22")),
    ]
    again = book(db, early_event)
    assert again["duplicate"] is True
    assert again["refund"]["status"] == "applied"
    assert reversed_amounts(again) == [(0, "6.12", False), (1, "1.22", False)]
    assert mismatches(db) == []


def test_pending_refunds_past_the_total_are_refused_when_the_sale_lands(db: Conn) -> None:
    first, second = refund("shop-r4", "60.00"), refund("shop-r4", "60.00")
    book(db, first)
    book(db, second)

    order = book(db, sale("shop-r4", "MP-BEN02", [("MP-SLEEP-30", 2)]))

    assert order["duplicate"] is False
    assert book(db, first)["refund"]["status"] == "applied"
    refused = book(db, second)["refund"]
    assert refused["status"] == "refused"
    assert "past its total of 98.00 USD" in refused["reason"]
    assert mismatches(db) == []

"""After booking: approval after the holding period, payouts, clawbacks, and the ledger check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.support.payments import (
    book,
    make_distributor,
    mismatches,
    refund,
    sale,
)

Conn = psycopg.Connection[Any]
APPROVE = "select distributor_id, approved, amount from private.approve_due_commissions(%s)"
PAYOUTS = "select distributor_id, amount, commissions, clawbacks, payout_id from private.create_payouts(%s)"


def approve(conn: Conn, holding_days: int = 0) -> dict[UUID, tuple[int, Decimal]]:
    rows = conn.execute(APPROVE, (timedelta(days=holding_days),)).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def pay(conn: Conn, min_amount: str = "0.01") -> dict[UUID, tuple[Decimal, int, Decimal, UUID]]:
    rows = conn.execute(PAYOUTS, (Decimal(min_amount),)).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def statuses(conn: Conn, distributor: UUID) -> list[str]:
    return [
        status
        for (status,) in conn.execute(
            "select status from public.commissions where distributor_id = %s order by earned_at, level",
            (distributor,),
        )
    ]


@pytest.fixture
def seller(db: Conn) -> tuple[UUID, str]:
    """A distributor of their own (25 %, no upline)."""
    return make_distributor(db)


def test_approval_waits_for_the_holding_period(db: Conn, seller: tuple[UUID, str]) -> None:
    seller_id, code = seller
    book(db, sale("shop-l1", code, [("MP-COACH-1", 1)], occurred_at="2020-01-01T00:00:00Z"))
    book(db, sale("shop-l2", code, [("MP-COACH-1", 1)]))

    approved = approve(db, holding_days=30)

    assert approved[seller_id] == (1, Decimal("18.75"))
    assert statuses(db, seller_id) == ["approved", "pending"]
    assert seller_id not in approve(db, holding_days=30)  # nothing left to approve


def test_payout_pays_approved_commissions_once_per_distributor_and_currency(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l3", code, [("MP-COACH-1", 1)]))
    book(db, sale("shop-l4", code, [("MP-SLEEP-30", 1)]))
    approve(db)

    first = pay(db)
    second = pay(db)

    amount, commissions, clawbacks, payout_id = first[seller_id]
    assert (amount, commissions, clawbacks) == (Decimal("31.00"), 2, Decimal(0))
    assert seller_id not in second
    assert statuses(db, seller_id) == ["paid", "paid"]
    assert db.execute(
        "select e.amount from public.ledger_entries as e where e.payout_id = %s", (payout_id,)
    ).fetchall() == [(Decimal("-31.00"),)]
    assert mismatches(db) == []


def test_min_amount_leaves_smaller_balances_for_a_later_run(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l5", code, [("MP-COACH-1", 1)]))  # 18.75
    approve(db)

    assert seller_id not in pay(db, min_amount="20.00")
    book(db, sale("shop-l6", code, [("MP-COACH-1", 1)]))
    approve(db)
    assert pay(db, min_amount="20.00")[seller_id][:2] == (Decimal("37.50"), 2)


def test_refund_before_payout_lowers_what_the_payout_pays(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l7", code, [("MP-COACH-1", 2)]))  # 37.50
    approve(db)
    book(db, refund("shop-l7", "75.00"))  # half: 18.75 taken back

    assert pay(db)[seller_id][:3] == (Decimal("18.75"), 1, Decimal(0))
    assert mismatches(db) == []


def test_fully_refunded_commissions_are_reversed_and_never_paid(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l8", code, [("MP-COACH-1", 1)]))
    book(db, refund("shop-l8", "75.00"))

    approve(db)

    assert statuses(db, seller_id) == ["reversed"]
    assert seller_id not in pay(db)
    assert mismatches(db) == []


def test_refund_after_payout_is_clawed_back_from_the_next_payout(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l9", code, [("MP-COACH-1", 1)]))  # 18.75
    approve(db)
    pay(db)

    clawback = book(db, refund("shop-l9", "75.00"))
    book(db, sale("shop-l10", code, [("MP-COACH-1", 2)]))  # 37.50
    approve(db)
    next_payout = pay(db)[seller_id]

    assert [(r["amount"], r["clawback"]) for r in clawback["reversals"]] == [("18.75", True)]
    assert statuses(db, seller_id) == ["paid", "paid"]  # a paid commission stays paid
    assert next_payout[:3] == (Decimal("18.75"), 1, Decimal("18.75"))
    assert db.execute(
        "select settled_payout_id from public.commission_reversals where distributor_id = %s",
        (seller_id,),
    ).fetchall() == [(next_payout[3],)]
    assert mismatches(db) == []


def test_clawback_larger_than_what_is_owed_waits_for_later_earnings(
    db: Conn, seller: tuple[UUID, str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l11", code, [("MP-COACH-1", 2)]))  # 37.50
    approve(db)
    pay(db)
    book(db, refund("shop-l11", "150.00"))  # -37.50 owed back
    book(db, sale("shop-l12", code, [("MP-COACH-1", 1)]))  # 18.75
    approve(db)

    assert seller_id not in pay(db)
    book(db, sale("shop-l13", code, [("MP-COACH-1", 3)]))  # 56.25
    approve(db)
    assert pay(db)[seller_id][:3] == (Decimal("37.50"), 2, Decimal("37.50"))
    assert mismatches(db) == []


# The ledger check ----------------------------------------------------------------------


def test_the_seed_and_everything_booked_here_add_up(db: Conn, seller: tuple[UUID, str]) -> None:
    assert mismatches(db) == []


@pytest.mark.parametrize(
    ("tampering", "invariants"),
    [
        (
            "update public.distributor_profiles set total_sales = total_sales + 1"
            " where user_id = %(seller)s",
            {"total_sales"},
        ),
        (
            "update public.distributor_profiles set total_commissions = 0 where user_id = %(seller)s",
            {"total_commissions"},
        ),
        (
            "update public.commissions set amount = amount + 0.01 where distributor_id = %(seller)s",
            {"commission_amount", "commission_entry", "balance"},
        ),
        (
            "update public.commissions set status = 'reversed' where distributor_id = %(seller)s",
            {"commission_status_reversed", "balance"},
        ),
        (
            "insert into public.ledger_entries (entry_type, distributor_id, amount, currency)"
            " values ('commission', %(seller)s, 5, 'USD')",
            {"total_commissions", "balance"},
        ),
        (
            "update public.payouts set amount = amount + 1"
            " where distributor_id = 'a0000000-0000-4000-8000-000000000002'",
            {"payout_amount", "payout_entry"},
        ),
        (
            "update public.order_refunds set amount = amount + 1 where distributor_id = %(seller)s",
            {"order_refund_entries"},
        ),
    ],
    ids=["sales", "commissions", "amount", "status", "stray_entry", "payout", "refund"],
)
def test_verification_names_each_broken_invariant(
    db: Conn, seller: tuple[UUID, str], tampering: str, invariants: set[str]
) -> None:
    seller_id, code = seller
    book(db, sale("shop-l20", code, [("MP-COACH-1", 1)]))
    book(db, refund("shop-l20", "10.00"))

    db.execute(tampering, {"seller": seller_id})

    assert {row[0] for row in mismatches(db)} == invariants

"""Booking paid sales: orders at catalogue prices, commissions per line and level, exactly once.

Each test runs in the `db` fixture's rolled-back transaction and calls the
database's entry point, `private.process_payment_event`, as the function does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.payments import (
    book,
    commission_amounts,
    make_distributor,
    make_product,
    mismatches,
    order_paid,
    profile_totals,
    refusal,
    sale,
)
from tests.support.world import DISTRIBUTOR_A, DISTRIBUTOR_B, IDS

Conn = psycopg.Connection[Any]


def ledger(conn: Conn, order_uuid: str) -> list[tuple[str, str, Decimal]]:
    return [
        (entry_type, str(distributor), amount)
        for entry_type, distributor, amount in conn.execute(
            "select e.entry_type, e.distributor_id, e.amount from public.ledger_entries as e"
            " where e.order_id = %s order by e.entry_type, e.amount desc",
            (order_uuid,),
        )
    ]


def test_sale_books_the_order_commissions_ledger_and_totals(db: Conn) -> None:
    """Ben (25 %, upline Ava at the 5 % override) sells two sleep bundles."""
    ben_before = profile_totals(db, DISTRIBUTOR_B)
    ava_before = profile_totals(db, DISTRIBUTOR_A)

    answer = book(db, sale("shop-1001", "MP-BEN02", [("MP-SLEEP-30", 2)], amount="98.00"))

    assert answer["duplicate"] is False
    assert answer["order"]["total"] == "98.00"
    assert answer["order"]["reference"] == "shop-1001"
    assert commission_amounts(answer) == [
        (0, "MP-BEN02", "25.00", "24.50"),
        (1, "MP-AVA01", "5.00", "4.90"),
    ]
    assert all(c["base"] == "98.00" and c["sku"] == "MP-SLEEP-30" for c in answer["commissions"])
    order_uuid = answer["order"]["id"]
    assert db.execute(
        "select status, subtotal, paid_at is not null from public.orders where id = %s",
        (order_uuid,),
    ).fetchone() == ("paid", Decimal("98.00"), True)
    assert ledger(db, order_uuid) == [
        ("commission", str(DISTRIBUTOR_B), Decimal("24.50")),
        ("commission", str(DISTRIBUTOR_A), Decimal("4.90")),
        ("sale", str(DISTRIBUTOR_B), Decimal("98.00")),
    ]
    assert profile_totals(db, DISTRIBUTOR_B) == (
        ben_before[0] + 98,
        ben_before[1] + Decimal("24.50"),
    )
    assert profile_totals(db, DISTRIBUTOR_A) == (ava_before[0], ava_before[1] + Decimal("4.90"))
    assert mismatches(db) == []


def test_redelivered_event_answers_the_first_result_and_changes_nothing(db: Conn) -> None:
    event = sale("shop-2001", "MP-BEN02", [("MP-COACH-1", 1)])
    first = book(db, event)
    counts = "select (select count(*) from public.orders), (select count(*) from public.commissions), (select count(*) from public.ledger_entries)"
    before = db.execute(counts).fetchone()

    again = book(db, event)

    assert again == {**first, "duplicate": True}
    assert db.execute(counts).fetchone() == before


def test_second_sale_of_the_same_order_is_a_duplicate_whatever_its_event_id(db: Conn) -> None:
    first = book(db, sale("shop-2002", "MP-BEN02", [("MP-COACH-1", 1)]))

    second = book(db, sale("shop-2002", "MP-AVA01", [("MP-SLEEP-30", 3)]))

    assert second == {**first, "duplicate": True}
    assert db.execute(
        "select count(*) from public.orders where external_reference = 'shop-2002'"
    ).fetchone() == (1,)


def test_seller_earns_the_higher_of_their_own_rate_and_their_tier_rate(db: Conn) -> None:
    _, personal = make_distributor(db, rate="33.00")  # tier 1 pays 25 %
    _, by_tier = make_distributor(db, rate="10.00")

    assert commission_amounts(book(db, sale("shop-3001", personal, [("MP-COACH-1", 1)]))) == [
        (0, personal, "33.00", "24.75")
    ]
    assert commission_amounts(book(db, sale("shop-3002", by_tier, [("MP-COACH-1", 1)]))) == [
        (0, by_tier, "25.00", "18.75")
    ]


def test_override_rates_are_data_per_upline_level(db: Conn) -> None:
    top, top_code = make_distributor(db)
    middle, middle_code = make_distributor(db, upline=top)
    _, seller_code = make_distributor(db, upline=middle)
    db.execute("update public.commission_override_rates set rate = 4 where level = 1")
    db.execute("insert into public.commission_override_rates (level, rate) values (2, 1.5)")

    answer = book(db, sale("shop-3101", seller_code, [("MP-COACH-1", 1)]))

    assert commission_amounts(answer) == [
        (0, seller_code, "25.00", "18.75"),
        (1, middle_code, "4.00", "3.00"),
        (2, top_code, "1.50", "1.12"),  # 1.125 rounds half to even
    ]


def test_level_without_an_override_rate_pays_nothing(db: Conn) -> None:
    top, _ = make_distributor(db)
    middle, _ = make_distributor(db, upline=top)
    _, seller_code = make_distributor(db, upline=middle)

    answer = book(db, sale("shop-3201", seller_code, [("MP-COACH-1", 1)]))

    assert [c["level"] for c in answer["commissions"]] == [0, 1]


@pytest.mark.parametrize(
    ("status", "currency"), [("suspended", "USD"), ("inactive", "USD"), ("active", "EUR")]
)
def test_upline_that_is_not_active_or_paid_in_another_currency_earns_no_override(
    db: Conn, status: str, currency: str
) -> None:
    upline, _ = make_distributor(db, status=status, currency=currency)
    _, seller_code = make_distributor(db, upline=upline)

    answer = book(db, sale("shop-3301", seller_code, [("MP-COACH-1", 1)]))

    assert [c["level"] for c in answer["commissions"]] == [0]


def test_items_that_are_not_commissionable_count_as_sales_but_earn_nothing(db: Conn) -> None:
    seller, code = make_distributor(db)
    gift_card = make_product(db, "20.00", is_commissionable=False)

    answer = book(db, sale("shop-3401", code, [(gift_card, 1), ("MP-COACH-1", 1)]))

    assert commission_amounts(answer) == [(0, code, "25.00", "18.75")]
    assert profile_totals(db, seller) == (Decimal("95.00"), Decimal("18.75"))


def test_crossing_a_tier_threshold_promotes_for_later_sales_never_retroactively(db: Conn) -> None:
    """Tier 2 (Bronze, 30 %) starts at 5,000 of sales."""
    seller, code = make_distributor(db)
    big_ticket = make_product(db, "4000.00")

    below = book(db, sale("shop-3501", code, [(big_ticket, 1)]))
    crossing = book(db, sale("shop-3502", code, [(big_ticket, 1)]))
    after = book(db, sale("shop-3503", code, [(big_ticket, 1)]))

    assert [a["commissions"][0]["rate"] for a in (below, crossing, after)] == [
        "25.00",
        "25.00",
        "30.00",
    ]
    assert db.execute(
        "select tier_level, commission_rate, total_sales from public.distributor_profiles"
        " where user_id = %s",
        (seller,),
    ).fetchone() == (2, Decimal("30.00"), Decimal("12000.00"))


PROFILE_SCANS = (
    "select seq_scan, idx_scan from pg_stat_xact_user_tables"
    " where relid = 'public.distributor_profiles'::regclass"
)


def test_booking_reads_profiles_by_key_however_many_distributors_there_are(db: Conn) -> None:
    """A sale locks and updates its earners' profiles by key: no scan of every distributor."""
    db.execute(
        "insert into auth.users (id, email, raw_app_meta_data)"
        " select gen_random_uuid(), format('crowd-%s@test.example', n),"
        " jsonb_build_object('role', 'distributor') from generate_series(1, 400) as n"
    )
    db.execute("analyze public.distributor_profiles")
    seq_before, index_before = db.execute(PROFILE_SCANS).fetchone() or (0, 0)

    answer = book(db, sale("shop-3551", "MP-BEN02", [("MP-COACH-1", 1)]))

    seq_after, index_after = db.execute(PROFILE_SCANS).fetchone() or (0, 0)
    assert [c["level"] for c in answer["commissions"]] == [0, 1]
    assert (seq_after - seq_before, index_after > index_before) == (0, True)


def test_sale_without_items_books_the_open_amount_product(db: Conn) -> None:
    _, code = make_distributor(db)
    open_amount = make_product(db, "0.00", is_open_amount=True)

    answer = book(db, sale("shop-3601", code, None, amount="120.40"))

    assert [(c["sku"], c["base"], c["amount"]) for c in answer["commissions"]] == [
        (open_amount, "120.40", "30.10")
    ]
    assert answer["order"]["total"] == "120.40"


# Refused sales -------------------------------------------------------------------------


def refused_sale(db: Conn, **changes: Any) -> dict[str, Any]:
    event = sale("shop-4001", "MP-BEN02", [("MP-SLEEP-30", 2)], amount="98.00")
    return {**event, **changes}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"amount": "97.99"}, "amount", "amount_mismatch"),
        ({"distributorCode": "MP-NOBODY"}, "distributorCode", "unknown_distributor"),
        ({"currency": "XAU"}, "currency", "unknown_currency"),
        (
            {
                "items": [{"sku": "MP-SLEEP-30", "quantity": 1}, {"sku": "MP-NOPE", "quantity": 1}],
                "amount": None,
            },
            "items[1].sku",
            "unknown_sku",
        ),
        ({"items": None, "amount": "10.00"}, "items", "items_required"),
        ({"items": [], "amount": None}, "items", "items_required"),
    ],
    ids=["amount", "distributor", "currency", "sku", "no_items", "nothing"],
)
def test_sale_with_bad_input_is_refused_naming_the_field_and_changes_nothing(
    db: Conn, changes: dict[str, Any], field: str, reason: str
) -> None:
    counts = "select (select count(*) from public.orders), (select count(*) from public.ledger_entries), (select count(*) from private.payment_events)"
    before = db.execute(counts).fetchone()

    refused = refusal(db, refused_sale(db, **changes))

    assert (refused.field, refused.reason) == (field, reason)
    assert refused.message
    assert db.execute(counts).fetchone() == before


@pytest.mark.parametrize("status", ["suspended", "inactive"])
def test_sales_of_a_distributor_who_is_not_active_are_refused(db: Conn, status: str) -> None:
    _, code = make_distributor(db, status=status)

    refused = refusal(db, sale("shop-4101", code))

    assert (refused.field, refused.reason) == ("distributorCode", f"distributor_{status}")


def test_sale_in_another_currency_than_the_sellers_is_refused(db: Conn) -> None:
    make_product(db, "10.00", currency="EUR")

    refused = refusal(db, sale("shop-4201", "MP-BEN02", currency="EUR"))

    assert (refused.field, refused.reason) == ("currency", "currency_mismatch")


def test_retired_product_cannot_be_sold(db: Conn) -> None:
    db.execute("update public.products set is_active = false where sku = 'MP-COACH-1'")

    refused = refusal(db, sale("shop-4301", "MP-BEN02", [("MP-COACH-1", 1)]))

    assert (refused.field, refused.reason) == ("items[0].sku", "unknown_sku")


def test_sale_of_an_order_created_elsewhere_and_not_paid_is_refused(db: Conn) -> None:
    db.execute(
        "update public.orders set external_reference = 'shop-4401' where id = %s",
        (IDS["order_pending_of_a"],),
    )

    refused = refusal(db, sale("shop-4401", "MP-AVA01"))

    assert (refused.field, refused.reason) == ("orderId", "order_not_paid")


# order_paid ----------------------------------------------------------------------------


def test_order_paid_books_a_pending_order_of_the_database(db: Conn) -> None:
    """Ava's pending seed order: one Energy Greens at 39.50, Ava at 30 %."""
    answer = book(db, order_paid(IDS["order_pending_of_a"]))

    assert answer["duplicate"] is False
    assert commission_amounts(answer) == [(0, "MP-AVA01", "30.00", "11.85")]
    assert db.execute(
        "select status from public.orders where id = %s", (IDS["order_pending_of_a"],)
    ).fetchone() == ("paid",)
    assert mismatches(db) == []


def test_order_paid_for_an_order_booked_before_is_a_duplicate(db: Conn) -> None:
    """The seed's paid orders were booked with their commissions."""
    answer = book(db, order_paid(IDS["order_paid_of_b"]))

    assert answer["duplicate"] is True
    assert commission_amounts(answer) == [
        (0, "MP-BEN02", "25.00", "19.75"),
        (1, "MP-AVA01", "5.00", "3.95"),
    ]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("update public.orders set status = 'cancelled' where id = %(order)s", "order_cancelled"),
        ("delete from public.order_items where order_id = %(order)s", "order_empty"),
        (
            "update public.distributor_profiles set status = 'suspended' where user_id = %(seller)s",
            "distributor_suspended",
        ),
    ],
    ids=["cancelled", "empty", "suspended_seller"],
)
def test_order_paid_is_refused_for_orders_that_cannot_be_paid(
    db: Conn, setup: str, reason: str
) -> None:
    db.execute(setup, {"order": IDS["order_pending_of_a"], "seller": DISTRIBUTOR_A})

    refused = refusal(db, order_paid(IDS["order_pending_of_a"]))

    assert (refused.field, refused.reason) == ("orderId", reason)


def test_order_paid_for_an_unknown_order_is_refused(db: Conn) -> None:
    refused = refusal(db, order_paid("00000000-0000-4000-8000-00000000dead"))

    assert (refused.field, refused.reason) == ("orderId", "unknown_order")

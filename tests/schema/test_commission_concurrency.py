"""Exactly once under concurrency: many connections delivering at the same moment.

Each test uses a database of its own with committed data, and 50 threads, each
with its own connection, released together by a barrier, as 50 workers of
the function would call the database.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
import pytest

from tests.support.payments import (
    Event,
    book,
    make_distributor,
    make_product,
    mismatches,
    profile_totals,
    refund,
    sale,
)
from tests.support.world import DISTRIBUTOR_B

Conn = psycopg.Connection[Any]
T = TypeVar("T")
WORKERS = 50

pytestmark = pytest.mark.slow


@pytest.fixture
def committed_db(database_factory: Callable[..., str]) -> str:
    return database_factory(migrated=True, seeded=True)


@pytest.fixture
def setup_conn(committed_db: str) -> Iterator[Conn]:
    with psycopg.connect(committed_db, autocommit=True) as conn:
        yield conn


def all_at_once(db_url: str, calls: list[Callable[[Conn], T]]) -> list[T | BaseException]:
    """Run each call on a connection of its own, released together; results or exceptions."""
    connections = [psycopg.connect(db_url, autocommit=True) for _ in calls]
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> T | BaseException:
        barrier.wait()
        try:
            return calls[index](connections[index])
        except psycopg.Error as exc:
            return exc

    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, range(len(calls))))
    finally:
        for conn in connections:
            conn.close()


def booking(event: Event) -> Callable[[Conn], dict[str, Any]]:
    return lambda conn: book(conn, event)


def answers(results: list[Any]) -> list[dict[str, Any]]:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    return results


def count(conn: Conn, query: str, *args: Any) -> int:
    row = conn.execute(query, args).fetchone()
    assert row is not None
    return int(row[0])


def test_fifty_deliveries_of_one_event_book_it_once(committed_db: str, setup_conn: Conn) -> None:
    event = sale("shop-c1", "MP-BEN02", [("MP-SLEEP-30", 2)], amount="98.00")
    ben_before = profile_totals(setup_conn, DISTRIBUTOR_B)

    results = answers(all_at_once(committed_db, [booking(event)] * WORKERS))

    assert Counter(r["duplicate"] for r in results) == {True: WORKERS - 1, False: 1}
    first = next(r for r in results if not r["duplicate"])
    assert all(r == {**first, "duplicate": r["duplicate"]} for r in results)
    assert (
        count(setup_conn, "select count(*) from public.orders where external_reference = 'shop-c1'")
        == 1
    )
    assert (
        count(
            setup_conn,
            "select count(*) from public.commissions where order_id = %s",
            first["order"]["id"],
        )
        == 2
    )
    assert profile_totals(setup_conn, DISTRIBUTOR_B) == (
        ben_before[0] + 98,
        ben_before[1] + Decimal("24.50"),
    )
    assert mismatches(setup_conn) == []


def test_fifty_sales_of_one_order_under_different_event_ids_book_it_once(
    committed_db: str, setup_conn: Conn
) -> None:
    events = [sale("shop-c2", "MP-BEN02", [("MP-COACH-1", 1)]) for _ in range(WORKERS)]

    results = answers(all_at_once(committed_db, [booking(e) for e in events]))

    assert Counter(r["duplicate"] for r in results) == {True: WORKERS - 1, False: 1}
    assert (
        count(
            setup_conn,
            "select count(*) from private.payment_events where order_reference = 'shop-c2'",
        )
        == WORKERS
    )
    assert (
        count(
            setup_conn,
            "select count(*) from public.ledger_entries as e join public.orders as o on o.id = e.order_id where o.external_reference = 'shop-c2'",
        )
        == 3
    )
    assert mismatches(setup_conn) == []


def test_fifty_different_sales_of_one_distributor_add_up_exactly(
    committed_db: str, setup_conn: Conn
) -> None:
    """200.00 each: the 25th reaches 5,000 (Bronze, 30 %); it and those before pay 25 %."""
    upline, _ = make_distributor(setup_conn)
    seller, code = make_distributor(setup_conn, upline=upline)
    product = make_product(setup_conn, "200.00")
    events = [sale(f"shop-c3-{n}", code, [(product, 1)]) for n in range(WORKERS)]

    results = answers(all_at_once(committed_db, [booking(e) for e in events]))

    seller_rates = Counter(r["commissions"][0]["rate"] for r in results)
    assert seller_rates == {"25.00": 25, "30.00": 25}
    assert profile_totals(setup_conn, seller) == (
        Decimal("10000.00"),
        25 * Decimal("50.00") + 25 * Decimal("60.00"),
    )
    assert profile_totals(setup_conn, upline) == (Decimal(0), WORKERS * Decimal("10.00"))
    assert mismatches(setup_conn) == []


def test_a_refund_racing_its_sale_is_never_left_pending(
    committed_db: str, setup_conn: Conn
) -> None:
    for round_number in range(10):
        reference = f"shop-c4-{round_number}"
        calls = [
            booking(sale(reference, "MP-BEN02", [("MP-SLEEP-30", 2)])),
            booking(refund(reference, "49.00")),
        ]

        answers(all_at_once(committed_db, calls))

        assert setup_conn.execute(
            "select status from public.order_refunds where order_reference = %s", (reference,)
        ).fetchall() == [("applied",)]
    assert mismatches(setup_conn) == []


def test_fifty_concurrent_refunds_never_exceed_the_orders_total(
    committed_db: str, setup_conn: Conn
) -> None:
    book(setup_conn, sale("shop-c5", "MP-BEN02", [("MP-SLEEP-30", 2)]))  # 98.00

    results = all_at_once(
        committed_db, [booking(refund("shop-c5", "10.00")) for _ in range(WORKERS)]
    )

    refused = [r for r in results if isinstance(r, psycopg.Error)]
    assert len(refused) == WORKERS - 9
    assert {r.diag.constraint_name for r in refused} == {"refund_exceeds_total"}
    assert (
        count(
            setup_conn,
            "select sum(amount) from public.order_refunds where order_reference = 'shop-c5'",
        )
        == 90
    )
    assert mismatches(setup_conn) == []


def test_payout_runs_racing_refunds_and_each_other_pay_each_commission_once(
    committed_db: str, setup_conn: Conn
) -> None:
    _, code = make_distributor(setup_conn)
    references = [f"shop-c6-{n}" for n in range(20)]
    for reference in references:
        book(setup_conn, sale(reference, code, [("MP-COACH-1", 1)]))
    setup_conn.execute("select private.approve_due_commissions('0 days')")

    calls: list[Callable[[Conn], Any]] = [
        lambda conn: conn.execute("select * from private.create_payouts(0.01)").fetchall()
    ] * 5
    calls += [booking(refund(reference, "37.50")) for reference in references]
    results = all_at_once(committed_db, calls)

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert (
        count(
            setup_conn,
            "select count(*) from public.commissions as c join public.distributor_profiles as d"
            " on d.user_id = c.distributor_id where d.distributor_code = %s and c.status = 'paid'"
            " and c.payout_id is null",
            code,
        )
        == 0
    )
    assert mismatches(setup_conn) == []

"""Property: any interleaving of sales, refunds, redeliveries, approvals and payouts adds up.

Hypothesis draws sequences of events and runs each against the database (one
database for the module, one rolled-back transaction per example) and against
a plain-Python model of the rules. After every step the database's own check
finds no mismatch; at the end the distributors' totals and payouts equal the
model's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import money_model
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

Conn = psycopg.Connection[Any]
PRICES = (Decimal("19.99"), Decimal("49.00"), Decimal("0.30"), Decimal("12.35"))
# seller -> (own rate, upline index): C sells under B, B under A.
SELLERS = ((Decimal("25.00"), None), (Decimal("30.00"), 0), (Decimal("25.00"), 1))
OVERRIDES = {1: Decimal("5.00"), 2: Decimal("2.00")}
ORDERS = 5


@dataclass
class Commission:
    earner: int
    amount: Decimal
    status: str = "pending"
    reversed: Decimal = Decimal(0)
    reversed_before_payout: Decimal = Decimal(0)


@dataclass
class Order:
    seller: int
    total: Decimal
    commissions: list[Commission]
    refunded: Decimal = Decimal(0)


@dataclass
class Model:
    """The rules of the issue, written out plainly for a few distributors."""

    orders: dict[int, Order] = field(default_factory=dict)
    pending_refunds: dict[int, list[Decimal]] = field(default_factory=dict)
    sales: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * 3)
    earned: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * 3)
    paid_out: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * 3)
    clawbacks: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * 3)

    def sell(self, number: int, seller: int, lines: list[tuple[int, int]]) -> None:
        if number in self.orders:
            return
        commissions = []
        for product, quantity in lines:
            base = PRICES[product] * quantity
            for earner, rate in self.earners(seller):
                amount = money_model.commission_amount(base, rate)
                if amount > 0:
                    commissions.append(Commission(earner, amount))
                    self.earned[earner] += amount
        total = sum((PRICES[p] * q for p, q in lines), Decimal(0))
        self.orders[number] = Order(seller, total, commissions)
        self.sales[seller] += total
        for amount in self.pending_refunds.pop(number, []):
            self.refund(number, amount)

    def earners(self, seller: int) -> list[tuple[int, Decimal]]:
        chain = [(seller, max(SELLERS[seller][0], Decimal("25.00")))]
        upline = SELLERS[seller][1]
        for level in (1, 2):
            if upline is None:
                break
            chain.append((upline, OVERRIDES[level]))
            upline = SELLERS[upline][1]
        return chain

    def refund(self, number: int, amount: Decimal) -> bool:
        """False when the refund is refused (it would pass the order's total)."""
        order = self.orders.get(number)
        if order is None:
            self.pending_refunds.setdefault(number, []).append(amount)
            return True
        if order.refunded + amount > order.total:
            return False
        order.refunded += amount
        self.sales[order.seller] -= amount
        for c in order.commissions:
            share = money_model.prorate(c.amount, order.refunded, order.total) - c.reversed
            c.reversed += share
            self.earned[c.earner] -= share
            if c.status == "paid":
                self.clawbacks[c.earner] += share
            else:
                c.reversed_before_payout += share
                if c.reversed == c.amount:
                    c.status = "reversed"
        return True

    def approve(self) -> None:
        for c in self.all_commissions():
            if c.status == "pending":
                c.status = "approved"

    def pay(self, minimum: Decimal) -> None:
        for earner in range(3):
            due = [
                c for c in self.all_commissions() if c.earner == earner and c.status == "approved"
            ]
            amount = sum((c.amount - c.reversed for c in due), Decimal(0)) - self.clawbacks[earner]
            if due and amount >= max(minimum, Decimal("0.01")):
                for c in due:
                    c.status = "paid"
                self.paid_out[earner] += amount
                self.clawbacks[earner] = Decimal(0)

    def all_commissions(self) -> list[Commission]:
        return [c for order in self.orders.values() for c in order.commissions]


lines = st.lists(
    st.tuples(st.integers(0, len(PRICES) - 1), st.integers(1, 3)), min_size=1, max_size=3
)
operations = st.one_of(
    st.tuples(st.just("sale"), st.integers(0, ORDERS - 1), st.integers(0, 2), lines),
    st.tuples(st.just("refund"), st.integers(0, ORDERS - 1), st.integers(1, 10_000)),
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("approve")),
    st.tuples(st.just("payout"), st.sampled_from(["0.01", "5.00", "40.00"])),
)


@dataclass
class World:
    """The distributors and products one example sells with, in the database."""

    distributors: list[tuple[UUID, str]]
    skus: list[str]


def build_world(conn: Conn) -> World:
    conn.execute("insert into public.commission_override_rates (level, rate) values (2, 2.00)")
    distributors: list[tuple[UUID, str]] = []
    for rate, upline in SELLERS:
        upline_id = None if upline is None else distributors[upline][0]
        distributors.append(make_distributor(conn, upline=upline_id, rate=str(rate)))
    return World(distributors, [make_product(conn, str(price)) for price in PRICES])


def run_step(
    conn: Conn, world: World, model: Model, delivered: list[Event], step: tuple[Any, ...]
) -> None:
    kind = step[0]
    if kind == "sale":
        _, number, seller, items = step
        event = sale(
            f"prop-{number}", world.distributors[seller][1], [(world.skus[p], q) for p, q in items]
        )
        answer = book(conn, event)
        assert answer["duplicate"] is (number in model.orders)
        model.sell(number, seller, items)
        delivered.append(event)
    elif kind == "refund":
        _, number, cents = step
        event = refund(f"prop-{number}", str(Decimal(cents) / 100))
        accepted = model.refund(number, Decimal(cents) / 100)
        try:
            with conn.transaction():
                book(conn, event)
        except psycopg.Error as exc:
            assert not accepted
            assert exc.diag.constraint_name == "refund_exceeds_total"
        else:
            assert accepted
            delivered.append(event)
    elif kind == "redeliver" and delivered:
        before = conn.execute("select count(*), sum(amount) from public.ledger_entries").fetchone()
        assert book(conn, delivered[step[1] % len(delivered)])["duplicate"] is True
        assert (
            conn.execute("select count(*), sum(amount) from public.ledger_entries").fetchone()
            == before
        )
    elif kind == "approve":
        conn.execute("select private.approve_due_commissions('0 days')")
        model.approve()
    elif kind == "payout":
        conn.execute("select private.create_payouts(%s)", (Decimal(step[1]),))
        model.pay(Decimal(step[1]))


def paid_out(conn: Conn, distributor: UUID) -> Decimal:
    row = conn.execute(
        "select coalesce(sum(amount), 0) from public.payouts where distributor_id = %s",
        (distributor,),
    ).fetchone()
    assert row is not None
    return Decimal(row[0])


@pytest.fixture(scope="module")
def property_conn(database_factory: Any) -> Iterator[Conn]:
    """One database for every example; each example rolls back what it did."""
    with psycopg.connect(database_factory(migrated=True, seeded=True)) as conn:
        yield conn


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=25))
def test_any_interleaving_keeps_ledger_totals_and_payouts_equal(
    property_conn: Conn, steps: list[tuple[Any, ...]]
) -> None:
    conn, model, delivered = property_conn, Model(), []
    with conn.transaction(force_rollback=True):
        world = build_world(conn)
        for step in steps:
            run_step(conn, world, model, delivered, step)
            assert mismatches(conn) == []
        for index, (user_id, _) in enumerate(world.distributors):
            assert profile_totals(conn, user_id) == (model.sales[index], model.earned[index])
            assert paid_out(conn, user_id) == model.paid_out[index]
        pending = conn.execute(
            "select count(*) from public.order_refunds where status = 'pending'"
            " and order_reference like 'prop-%%'"
        ).fetchone()
        assert pending == (sum(len(r) for r in model.pending_refunds.values()),)

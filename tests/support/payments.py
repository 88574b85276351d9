"""Payment events for the commission tests, and booking them through the database's entry point.

`book(conn, event)` calls `private.process_payment_event` exactly as the
commission-processor function does (one statement). Events are built with
fresh ids; tests make their own distributors and products with codes that
no other test uses.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

Event = dict[str, Any]
Items = Sequence[tuple[str, int]]

PROCESS_EVENT = "select private.process_payment_event(%s)"
MISMATCHES = (
    "select invariant, subject, expected, actual from private.commission_ledger_mismatches()"
)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def sale(
    order_id: str,
    distributor_code: str,
    items: Items | None = (("MP-SLEEP-30", 1),),
    *,
    amount: str | None = None,
    currency: str = "USD",
    occurred_at: str | None = None,
    event_id: str | None = None,
) -> Event:
    """A `sale` event as the payment system sends it (after the function's validation)."""
    event: Event = {
        "eventId": event_id or new_id("evt"),
        "type": "sale",
        "orderId": order_id,
        "distributorCode": distributor_code,
        "currency": currency,
        "occurredAt": occurred_at,
        "amount": amount,
        "items": None if items is None else [{"sku": s, "quantity": q} for s, q in items],
    }
    return event


def refund(
    order_id: str, amount: str, *, currency: str | None = None, event_id: str | None = None
) -> Event:
    return {
        "eventId": event_id or new_id("evt"),
        "type": "refund",
        "orderId": order_id,
        "amount": amount,
        "currency": currency,
    }


def order_paid(order_id: uuid.UUID | str, *, event_id: str | None = None) -> Event:
    return {"eventId": event_id or new_id("evt"), "type": "order_paid", "orderId": str(order_id)}


def book(conn: psycopg.Connection[Any], event: Event) -> dict[str, Any]:
    """The answer of the database's entry point to `event`."""
    row = conn.execute(PROCESS_EVENT, (Jsonb(event),)).fetchone()
    assert row is not None
    answer: dict[str, Any] = row[0]
    return answer


@dataclass(frozen=True)
class Refusal:
    """An event the database refused: the field it blamed, the reason code, the sentence."""

    field: str | None
    reason: str | None
    message: str | None


def refusal(conn: psycopg.Connection[Any], event: Event) -> Refusal:
    """Book `event` in a savepoint, expecting SQLSTATE MP422; what the database said."""
    with pytest.raises(psycopg.Error) as caught, conn.transaction():
        book(conn, event)
    diag = caught.value.diag
    assert diag.sqlstate == "MP422", diag.message_primary
    return Refusal(diag.column_name, diag.constraint_name, diag.message_primary)


def mismatches(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """The broken invariants `maxpulse commissions verify` would report."""
    return conn.execute(MISMATCHES).fetchall()


def make_distributor(
    conn: psycopg.Connection[Any],
    *,
    upline: uuid.UUID | None = None,
    rate: str | None = None,
    status: str = "active",
    currency: str = "USD",
) -> tuple[uuid.UUID, str]:
    """A new distributor (by the sign-up trigger): their id and their code."""
    user_id = uuid.uuid4()
    code = "T-" + user_id.hex[:10].upper()
    conn.execute(
        "insert into auth.users (id, email, raw_app_meta_data) values (%s, %s, %s)",
        (
            user_id,
            f"{code.lower()}@test.example",
            Jsonb({"role": "distributor", "distributor_code": code}),
        ),
    )
    conn.execute(
        "update public.distributor_profiles set upline_id = %s, status = %s, currency = %s,"
        " commission_rate = coalesce(%s::numeric, commission_rate) where user_id = %s",
        (upline, status, currency, rate, user_id),
    )
    return user_id, code


def make_product(
    conn: psycopg.Connection[Any],
    price: str,
    *,
    is_commissionable: bool = True,
    is_open_amount: bool = False,
    currency: str = "USD",
) -> str:
    """A new active product at `price`; its SKU."""
    sku = "T-" + uuid.uuid4().hex[:12].upper()
    conn.execute(
        "insert into public.products (sku, name, price, currency, is_commissionable, is_open_amount)"
        " values (%s, %s, %s, %s, %s, %s)",
        (sku, f"Test product {sku}", Decimal(price), currency, is_commissionable, is_open_amount),
    )
    return sku


def profile_totals(conn: psycopg.Connection[Any], user_id: uuid.UUID) -> tuple[Decimal, Decimal]:
    """(total_sales, total_commissions) of a distributor."""
    row = conn.execute(
        "select total_sales, total_commissions from public.distributor_profiles where user_id = %s",
        (user_id,),
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def commission_amounts(answer: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    """(level, distributor code, rate, amount) of each commission in an answer."""
    return [
        (c["level"], c["distributorCode"], c["rate"], c["amount"]) for c in answer["commissions"]
    ]

"""Booking an event: one call of the database's entry point, its refusals as 422s.

`private.process_payment_event` does all the work in one statement (and so in
one transaction of its own): exactly once, commissions, refunds, totals. It
refuses input it cannot book with SQLSTATE MP422, naming the field (COLUMN)
and the reason (CONSTRAINT). Two deliveries that wait on each other's locks
in an unlucky order can be chosen as a deadlock victim; the event is then
simply booked again, as nothing of the failed attempt was kept.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from functions._shared.database import Database
from functions._shared.errors import ServiceUnavailable, ValidationFailed
from functions.commission_processor.events import OrderPaidEvent, RefundEvent, SaleEvent, event_json

PROCESS_EVENT = "select private.process_payment_event(%s)"
REFUSED = "MP422"
RETRIABLE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
ATTEMPTS = 3


async def book_event(
    db: Database, event: SaleEvent | RefundEvent | OrderPaidEvent
) -> dict[str, Any]:
    """The answer to `event`: its commissions or reversals, and whether it was a duplicate."""
    result = await _process(db, event_json(event))
    return {"eventId": event.event_id, "type": event.type, "orderId": str(event.order_id), **result}


async def _process(db: Database, payload: dict[str, Any]) -> dict[str, Any]:
    attempt = 1
    while True:
        try:
            rows = await db.fetch_all(PROCESS_EVENT, (Jsonb(payload),))
        except psycopg.Error as exc:
            if exc.sqlstate == REFUSED:
                raise refusal(exc) from None
            if exc.sqlstate not in RETRIABLE:
                raise
            if attempt == ATTEMPTS:
                raise ServiceUnavailable(
                    "the event collided with concurrent bookings; send it again",
                    code="booking_conflict",
                    headers={"retry-after": "1"},
                ) from exc
            attempt += 1
            continue
        result: dict[str, Any] = rows[0][0]
        return result


def refusal(exc: psycopg.Error) -> ValidationFailed:
    """The 422 for an event the database refused."""
    diag = exc.diag
    return ValidationFailed(
        diag.message_primary or "the event cannot be booked",
        field=diag.column_name or "body",
        code=diag.constraint_name or "invalid_event",
    )

"""Reading payment events from a raw body: decimal strings for money, the bad field named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from functions._shared.errors import BadRequest, ValidationFailed
from functions.commission_processor.events import SaleEvent, event_json, parse_event

SALE: dict[str, Any] = {
    "eventId": "evt_123",
    "type": "sale",
    "orderId": "shop-1001",
    "distributorCode": "MP-AVA01",
    "currency": "USD",
    "occurredAt": "2026-11-20T10:00:00Z",
    "amount": "98.00",
    "items": [{"sku": "MP-SLEEP-30", "quantity": 2}],
}


def body(event: dict[str, Any], **changes: Any) -> bytes:
    return json.dumps({**event, **changes}).encode()


def test_the_issues_three_events_are_read_as_the_database_takes_them() -> None:
    refund = {"eventId": "evt_124", "type": "refund", "orderId": "shop-1001", "amount": "49.00"}
    paid = {
        "eventId": "evt_125",
        "type": "order_paid",
        "orderId": "e1000000-0000-4000-8000-000000000003",
    }

    assert event_json(parse_event(body(SALE))) == {**SALE, "occurredAt": "2026-11-20T10:00:00Z"}
    assert event_json(parse_event(body(refund))) == {**refund, "currency": None}
    assert event_json(parse_event(body(paid))) == {**paid, "occurredAt": None}


@pytest.mark.parametrize(
    "moment",
    ["2026-11-20T11:00:00.25+01:00", "2026-11-20t10:00:00.250z", "2026-11-20T05:00:00.25-05:00"],
)
def test_occurred_at_is_any_rfc_3339_date_time_with_an_offset(moment: str) -> None:
    event = parse_event(body(SALE, occurredAt=moment))

    assert isinstance(event, SaleEvent)
    assert event.occurred_at == datetime(2026, 11, 20, 10, 0, 0, 250000, tzinfo=UTC)


def test_unknown_fields_are_ignored() -> None:
    assert parse_event(body(SALE, livemode=True)).event_id == "evt_123"


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"amount": 98.0}, "amount", "decimal strings"),
        ({"amount": 98}, "amount", "decimal strings"),
        ({"amount": "98.001"}, "amount", "at most two decimals"),
        ({"amount": "-98.00"}, "amount", "no sign"),
        ({"amount": "0.00"}, "amount", "greater than zero"),
        ({"amount": "1e2"}, "amount", "no sign or exponent"),
        ({"currency": "usd"}, "currency", "pattern"),
        ({"currency": "US"}, "currency", "pattern"),
        ({"distributorCode": "x"}, "distributorCode", "pattern"),
        ({"items": [{"sku": "MP-SLEEP-30", "quantity": 0}]}, "items[0].quantity", "greater than"),
        ({"items": [{"sku": "MP-SLEEP-30", "quantity": 2.0}]}, "items[0].quantity", "integer"),
        ({"items": [{"sku": "MP-SLEEP-30", "quantity": "2"}]}, "items[0].quantity", "integer"),
        ({"items": [{"sku": "mp sleep", "quantity": 1}]}, "items[0].sku", "pattern"),
        ({"items": [{"sku": "MP-SLEEP-30", "quantity": 1}] * 101}, "items", "at most 100"),
        ({"occurredAt": "2026-11-20T10:00:00"}, "occurredAt", "timezone"),
        ({"occurredAt": 0}, "occurredAt", "RFC 3339"),
        ({"occurredAt": "1732096800"}, "occurredAt", "RFC 3339"),
        ({"occurredAt": "2026-11-20 10:00:00Z"}, "occurredAt", "RFC 3339"),
        ({"occurredAt": "2999-01-01T00:00:00Z"}, "occurredAt", "future"),
        ({"eventId": ""}, "eventId", "at least 1"),
        ({"eventId": "evt 1"}, "eventId", "pattern"),
        ({"orderId": "x" * 256}, "orderId", "at most 255"),
        ({"type": "chargeback"}, "type", "one of sale, refund, order_paid"),
        ({"type": None}, "type", "one of sale, refund, order_paid"),
    ],
)
def test_bad_values_are_422_naming_the_field(
    changes: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_event(body(SALE, **changes))

    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")
    assert fragment in refused.value.message


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"eventId": "evt_1", "type": "refund", "orderId": "shop-1"}, "amount"),
        ({"type": "refund", "orderId": "shop-1", "amount": "1.00"}, "eventId"),
        ({"eventId": "evt_1", "type": "order_paid", "orderId": "shop-1"}, "orderId"),
        ({"eventId": "evt_1"}, "type"),
    ],
)
def test_missing_or_wrongly_typed_fields_per_event_type(event: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_event(json.dumps(event).encode())

    assert refused.value.field == field


@pytest.mark.parametrize("raw", [b"[]", b'"sale"', b"42", b"null"])
def test_a_body_that_is_not_an_object_is_422(raw: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_event(raw)

    assert refused.value.field == "body"


@pytest.mark.parametrize("raw", [b"{", b"", b'{"eventId": "evt_1",}', b"\xff"])
def test_a_body_that_is_not_json_is_400(raw: bytes) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_event(raw)

    assert refused.value.code == "invalid_json"

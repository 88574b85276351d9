"""The payment events the commission processor accepts, and reading them from a raw body.

Amounts are decimal strings ("98.00"), never JSON numbers: a float cannot
hold every amount of money exactly. The first problem found becomes a 422
naming its field the way the events spell it (`items[0].quantity`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from functions._shared.errors import BadRequest, ValidationFailed
from maxpulse_tools.finance.money import AMOUNT_PATTERN, parse_amount

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_ITEMS = 100
_RFC_3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _amount(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('amounts are decimal strings such as "98.00", not JSON numbers')
    return parse_amount(value)


def _rfc_3339(value: object) -> object:
    # pydantic alone would also take numbers and digit strings as Unix times,
    # and a space for the T: not the date-time the OpenAPI document declares.
    if not isinstance(value, str) or not _RFC_3339.fullmatch(value):
        raise ValueError(
            'must be an RFC 3339 date-time with a timezone, such as "2026-11-20T10:00:00Z"'
        )
    return value


def _not_in_the_future(moment: datetime) -> datetime:
    if moment > datetime.now(UTC) + MAX_CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return moment


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    # What a client must send (a decimal string), not what Decimal would take.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AMOUNT_PATTERN,
            "description": "a decimal string greater than zero, at most two decimals",
            "examples": ["98.00"],
        }
    ),
]
EventId = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")]
OrderReference = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")]
Moment = Annotated[AwareDatetime, BeforeValidator(_rfc_3339), AfterValidator(_not_in_the_future)]


class _Event(BaseModel):
    # Payment systems add fields over time; unknown ones are ignored, not refused.
    model_config = ConfigDict(extra="ignore", populate_by_name=False, frozen=True)

    event_id: EventId = Field(alias="eventId")


class SaleItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")
    quantity: StrictInt = Field(ge=1, le=10_000)


class SaleEvent(_Event):
    """A paid sale: creates the order at catalogue prices and books its commissions."""

    type: Literal["sale"]
    order_id: OrderReference = Field(alias="orderId")
    distributor_code: str = Field(
        alias="distributorCode", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{3,31}$"
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    occurred_at: Moment | None = Field(default=None, alias="occurredAt")
    amount: Amount | None = None
    items: list[SaleItem] | None = Field(default=None, max_length=MAX_ITEMS)


class RefundEvent(_Event):
    """Money given back on an order (by its orderId); partial refunds too."""

    type: Literal["refund"]
    order_id: OrderReference = Field(alias="orderId")
    amount: Amount
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class OrderPaidEvent(_Event):
    """An order of the database (by its id) has been paid."""

    type: Literal["order_paid"]
    order_id: UUID = Field(alias="orderId")
    occurred_at: Moment | None = Field(default=None, alias="occurredAt")


PaymentEvent = Annotated[SaleEvent | RefundEvent | OrderPaidEvent, Field(discriminator="type")]
_EVENT: TypeAdapter[SaleEvent | RefundEvent | OrderPaidEvent] = TypeAdapter(PaymentEvent)


def parse_event(body: bytes) -> SaleEvent | RefundEvent | OrderPaidEvent:
    """The event in a raw request body; BadRequest for broken JSON, ValidationFailed naming the field."""
    try:
        return _EVENT.validate_json(body)
    except ValidationError as exc:
        raise _first_problem(exc) from None


def event_json(event: SaleEvent | RefundEvent | OrderPaidEvent) -> dict[str, Any]:
    """The event as the database's entry point takes it (camelCase, amounts as strings)."""
    return event.model_dump(mode="json", by_alias=True)


def _first_problem(exc: ValidationError) -> BadRequest | ValidationFailed:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return BadRequest("the body is not valid JSON", code="invalid_json")
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return ValidationFailed("type: must be one of sale, refund, order_paid", field="type")
    if not first["loc"]:
        return ValidationFailed("the body must be a JSON object (a payment event)", field="body")
    field = _field_path(list(first["loc"])[1:])  # after the event type the union chose
    message = str(first["msg"]).removeprefix("Value error, ")
    return ValidationFailed(f"{field}: {message}", field=field)


def _field_path(location: list[int | str]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"

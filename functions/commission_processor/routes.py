"""The commission-processor's route.

POST /functions/v1/commission-processor   one payment event (sale, refund, order_paid)

The payment system signs the raw body and sends no JWT, so config.toml has
`verify_jwt = false` and the route checks the sender itself: a valid
`X-Maxpulse-Signature`, or else a service_role token. Anon and user tokens
get 403, a missing or bad token or signature 401.
"""

from __future__ import annotations

import time

import orjson
from fastapi import APIRouter, Request, Response
from starlette.requests import ClientDisconnect

from functions._shared.dependencies import Db, Settings, caller
from functions._shared.errors import BadRequest, Forbidden, ServiceUnavailable, Unauthorized
from functions._shared.openapi import error_responses, json_request_body
from functions._shared.settings import FunctionSettings
from functions.commission_processor.booking import book_event
from functions.commission_processor.events import PaymentEvent, parse_event
from functions.commission_processor.signatures import (
    SIGNATURE_HEADER,
    InvalidSignature,
    verify_signature,
)

router = APIRouter()

EXAMPLE_ANSWER = {
    "eventId": "evt_123",
    "type": "sale",
    "orderId": "shop-1001",
    "duplicate": False,
    "order": {
        "id": "5be0c0a4-7d0e-4c7e-9a57-1b1f0f1d2c3e",
        "orderNumber": "MP-3F2A9C1B7D04",
        "reference": "shop-1001",
        "distributorId": "a0000000-0000-4000-8000-000000000003",
        "total": "98.00",
        "currency": "USD",
        "paidAt": "2026-11-20T10:00:00Z",
    },
    "commissions": [
        {
            "id": "0f6b2d6e-3c1a-4a55-8f1e-6d2b9c0e4a11",
            "level": 0,
            "distributorId": "a0000000-0000-4000-8000-000000000003",
            "distributorCode": "MP-BEN02",
            "sku": "MP-SLEEP-30",
            "rate": "25.00",
            "base": "98.00",
            "amount": "24.50",
            "currency": "USD",
        }
    ],
}


@router.post(
    "/",
    summary="Book a payment event",
    description=(
        "A `sale` (creates the paid order at catalogue prices), a `refund` (by the order's "
        "orderId) or an `order_paid` (an order of the database, by id), booked exactly once: "
        "a redelivered event, or a second sale of the same order, answers the first result "
        'with `"duplicate": true`. Sent by the payment system with `X-Maxpulse-Signature: '
        't=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, or with a service_role token. '
        "Amounts are decimal strings."
    ),
    responses={
        200: {
            "description": "The commissions (or reversals) of the event",
            "content": {"application/json": {"example": EXAMPLE_ANSWER}},
        },
        **error_responses(400, 401, 403, 413, 415, 422, 503),
    },
    # The route reads the raw body (the signature covers its exact bytes), so
    # FastAPI cannot see the event: declared from the models that parse it.
    openapi_extra=json_request_body(
        PaymentEvent, "One payment event: a sale, refund or order_paid"
    ),
)
async def process_payment_event(request: Request, database: Db, settings: Settings) -> Response:
    """Book one payment event and answer its commissions, or the first answer for a duplicate."""
    try:
        body = await request.body()
    except ClientDisconnect:  # nobody to answer; not an error of ours worth a traceback
        raise BadRequest(
            "the client went away before the body arrived", code="client_gone"
        ) from None
    await check_sender(request, body, settings)
    answer = await book_event(database, parse_event(body))
    return Response(orjson.dumps(answer), media_type="application/json")


async def check_sender(request: Request, body: bytes, settings: FunctionSettings) -> None:
    """Let through a correctly signed body, else a service_role token; 401/403/503 otherwise."""
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is None:
        claims = await caller(request, None)
        if claims.role != "service_role":
            raise Forbidden(
                "payment events come signed (X-Maxpulse-Signature) or with a service_role token"
            )
        return
    if settings.maxpulse_webhook_secret is None:
        raise ServiceUnavailable(
            "signed events cannot be checked: MAXPULSE_WEBHOOK_SECRET is not set on the server",
            code="webhook_secret_missing",
        )
    secret = settings.maxpulse_webhook_secret.get_secret_value()
    try:
        verify_signature(signature, body, secret, now=time.time())
    except InvalidSignature as exc:
        raise Unauthorized(str(exc), code="invalid_signature") from None

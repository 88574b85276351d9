"""POST /functions/v1/commission-processor over HTTP: who may send events, and what they answer.

A gateway of its own (with MAXPULSE_WEBHOOK_SECRET) on the functions' database;
bodies are signed like the payment system signs them, over the exact bytes sent.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from functions.commission_processor.signatures import sign
from functions.gateway import create_gateway
from tests.functions.conftest import BASE_URL, Tokens, gateway_settings, serving
from tests.support.world import IDS

PATH = "/functions/v1/commission-processor"
SECRET = "whsec_test_" + uuid.uuid4().hex
Sql = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
async def processor(functions_db_url: str, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway that knows the webhook secret."""
    settings = gateway_settings(functions_db_url, tokens.secret, maxpulse_webhook_secret=SECRET)
    async with serving(create_gateway(settings)) as app:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 44000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http


def sale_body(**changes: Any) -> bytes:
    reference = "shop-" + uuid.uuid4().hex[:12]
    event = {
        "eventId": "evt_" + uuid.uuid4().hex,
        "type": "sale",
        "orderId": reference,
        "distributorCode": "MP-BEN02",
        "currency": "USD",
        "occurredAt": "2026-11-20T10:00:00Z",
        "amount": "98.00",
        "items": [{"sku": "MP-SLEEP-30", "quantity": 2}],
        **changes,
    }
    return json.dumps(event).encode()


def signed(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if at is None else at)
    return {
        "X-Maxpulse-Signature": sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


async def send(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post(PATH, content=body, headers=headers)


def orders_of(sql: Sql, body: bytes) -> int:
    reference = json.loads(body)["orderId"]
    return int(
        sql("select count(*) from public.orders where external_reference = %s", (reference,))[0][0]
    )


async def test_signed_sale_is_booked_and_answers_its_commissions(
    processor: httpx.AsyncClient, sql: Sql
) -> None:
    body = sale_body()

    response = await send(processor, body, signed(body))

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["eventId"] == json.loads(body)["eventId"]
    assert (answer["type"], answer["duplicate"]) == ("sale", False)
    assert answer["order"]["total"] == "98.00"
    assert [
        (c["level"], c["distributorCode"], c["rate"], c["base"], c["amount"])
        for c in answer["commissions"]
    ] == [
        (0, "MP-BEN02", "25.00", "98.00", "24.50"),
        (1, "MP-AVA01", "5.00", "98.00", "4.90"),
    ]
    assert response.headers["access-control-allow-origin"] == "*"
    assert orders_of(sql, body) == 1


async def test_service_role_token_may_send_events_without_a_signature(
    processor: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    body = sale_body()

    response = await send(processor, body, tokens.bearer(tokens.service_role))

    assert response.status_code == 200, response.text
    assert orders_of(sql, body) == 1


async def test_redelivery_answers_the_first_result_as_a_duplicate(
    processor: httpx.AsyncClient, sql: Sql
) -> None:
    body = sale_body()

    first = (await send(processor, body, signed(body))).json()
    again = await send(processor, body, signed(body))

    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert orders_of(sql, body) == 1


async def test_fifty_concurrent_deliveries_of_one_event_book_it_once(
    processor: httpx.AsyncClient, sql: Sql
) -> None:
    body = sale_body()

    responses = await asyncio.gather(*(send(processor, body, signed(body)) for _ in range(50)))

    assert Counter(r.status_code for r in responses) == {200: 50}
    assert Counter(r.json()["duplicate"] for r in responses) == {False: 1, True: 49}
    assert orders_of(sql, body) == 1
    order_id = responses[0].json()["order"]["id"]
    assert sql("select count(*) from public.commissions where order_id = %s", (order_id,)) == [(2,)]


# Who may send ----------------------------------------------------------------------------


def bad_credentials(tokens: Tokens, body: bytes) -> dict[str, dict[str, str]]:
    stale = time.time() - 301
    return {
        "nothing": {"Content-Type": "application/json"},
        "anon_key": tokens.bearer(tokens.anon),
        "user_token": tokens.bearer(tokens.user(IDS["distributor_b"])),
        "expired_service_role": tokens.bearer(tokens.for_role("service_role", expires_in=-10)),
        "forged_service_role": tokens.bearer(
            tokens.sign({"role": "service_role", "exp": 2**31}, secret="x" * 40)
        ),
        "wrong_secret": signed(body, secret="whsec_wrong"),
        "stale_signature": signed(body, at=stale),
        "other_body": signed(body + b" "),
        "malformed_signature": {"X-Maxpulse-Signature": "sha256=abc"},
        "signature_beats_service_role": {
            **tokens.bearer(tokens.service_role),
            "X-Maxpulse-Signature": signed(body, secret="whsec_wrong")["X-Maxpulse-Signature"],
        },
    }


@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        ("nothing", 401, "missing_authorization"),
        ("anon_key", 403, "forbidden"),
        ("user_token", 403, "forbidden"),
        ("expired_service_role", 401, "invalid_jwt"),
        ("forged_service_role", 401, "invalid_jwt"),
        ("wrong_secret", 401, "invalid_signature"),
        ("stale_signature", 401, "invalid_signature"),
        ("other_body", 401, "invalid_signature"),
        ("malformed_signature", 401, "invalid_signature"),
        ("signature_beats_service_role", 401, "invalid_signature"),
    ],
)
async def test_senders_without_a_valid_signature_or_service_role_token_are_refused(
    processor: httpx.AsyncClient, tokens: Tokens, sql: Sql, credentials: str, status: int, code: str
) -> None:
    body = sale_body()

    response = await send(processor, body, bad_credentials(tokens, body)[credentials])

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["error"]
    assert SECRET not in response.text
    assert orders_of(sql, body) == 0


async def test_signed_events_need_the_secret_on_the_server(
    client: httpx.AsyncClient, sql: Sql
) -> None:
    """The session's gateway has no MAXPULSE_WEBHOOK_SECRET: 503, so the sender retries later."""
    body = sale_body()

    response = await send(client, body, signed(body))

    assert (response.status_code, response.json()["code"]) == (503, "webhook_secret_missing")
    assert orders_of(sql, body) == 0


# What is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "field", "code"),
    [
        ({"amount": 98.0}, 422, "amount", "validation_failed"),
        ({"amount": "-98.00"}, 422, "amount", "validation_failed"),
        ({"amount": "97.00"}, 422, "amount", "amount_mismatch"),
        ({"currency": "XAU"}, 422, "currency", "unknown_currency"),
        ({"distributorCode": "MP-NOBODY"}, 422, "distributorCode", "unknown_distributor"),
        (
            {"items": [{"sku": "MP-NOPE", "quantity": 1}], "amount": None},
            422,
            "items[0].sku",
            "unknown_sku",
        ),
        (
            {"items": [{"sku": "MP-SLEEP-30", "quantity": 0}]},
            422,
            "items[0].quantity",
            "validation_failed",
        ),
        ({"type": "chargeback"}, 422, "type", "validation_failed"),
    ],
)
async def test_bad_events_are_4xx_naming_the_field_and_book_nothing(
    processor: httpx.AsyncClient,
    sql: Sql,
    changes: dict[str, Any],
    status: int,
    field: str,
    code: str,
) -> None:
    body = sale_body(**changes)

    response = await send(processor, body, signed(body))

    assert response.status_code == status, response.text
    assert (response.json()["field"], response.json()["code"]) == (field, code)
    assert orders_of(sql, body) == 0


@pytest.mark.parametrize("body", [b"{", b"[]", b""])
async def test_unreadable_bodies_are_4xx(processor: httpx.AsyncClient, body: bytes) -> None:
    response = await send(processor, body, signed(body))

    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid_json", "validation_failed")


async def test_only_post_is_routed(processor: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await processor.get(PATH, headers=tokens.bearer(tokens.service_role))

    assert response.status_code == 405


# Refunds and orders of the database ------------------------------------------------------


async def test_refund_over_http_reverses_and_past_the_total_is_refused(
    processor: httpx.AsyncClient,
) -> None:
    sale = sale_body()
    reference = json.loads(sale)["orderId"]
    await send(processor, sale, signed(sale))

    def refund(amount: str) -> bytes:
        event = {
            "eventId": "evt_" + uuid.uuid4().hex,
            "type": "refund",
            "orderId": reference,
            "amount": amount,
        }
        return json.dumps(event).encode()

    half, too_much = refund("49.00"), refund("49.01")
    applied = await send(processor, half, signed(half))
    refused = await send(processor, too_much, signed(too_much))

    assert applied.status_code == 200
    assert applied.json()["refund"]["status"] == "applied"
    assert [(r["level"], r["amount"]) for r in applied.json()["reversals"]] == [
        (0, "12.25"),
        (1, "2.45"),
    ]
    assert (refused.status_code, refused.json()["field"], refused.json()["code"]) == (
        422,
        "amount",
        "refund_exceeds_total",
    )


async def test_order_paid_over_http_books_an_order_of_the_database(
    processor: httpx.AsyncClient, sql: Sql
) -> None:
    [(order_id,)] = sql(
        "insert into public.orders (distributor_id) values (%s) returning id",
        (IDS["distributor_a"],),
    )
    sql(
        "insert into public.order_items (order_id, product_id, quantity) values (%s, %s, 1)",
        (order_id, IDS["product_greens"]),
    )
    body = json.dumps(
        {"eventId": "evt_" + uuid.uuid4().hex, "type": "order_paid", "orderId": str(order_id)}
    ).encode()

    response = await send(processor, body, signed(body))

    assert response.status_code == 200, response.text
    assert [(c["distributorCode"], c["amount"]) for c in response.json()["commissions"]] == [
        ("MP-AVA01", "11.85")
    ]
    assert sql("select status from public.orders where id = %s", (order_id,)) == [("paid",)]

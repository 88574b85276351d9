"""The HTTP server around the functions: request heads are bounded, slow and idle clients cut off.

A real uvicorn with the functions' protocol serves the real gateway; requests
are written as raw bytes, since a well-behaved client cannot send a 64 KB
header or a header one byte at a time. The deadlines are shortened here so
the tests take a second, not the production ten.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from functions._shared.http_protocol import MAX_HEAD_BYTES, BoundedHttpToolsProtocol
from tests.functions.conftest import Served
from tests.support.served import closed_within, raw_exchange, read_response, uvicorn_serving

HEALTH = b"GET /functions/v1/link-tracker/health HTTP/1.1\r\nHost: functions.test\r\n"
SHORT_DEADLINE = 0.5


class ShortDeadlines(BoundedHttpToolsProtocol):
    head_timeout = SHORT_DEADLINE
    body_timeout = SHORT_DEADLINE
    linger = SHORT_DEADLINE


@pytest.fixture(scope="module")
async def port(gateway: Served) -> AsyncIterator[int]:
    async with uvicorn_serving(gateway, http=ShortDeadlines, timeout_keep_alive=1) as port:
        yield port


def with_header(name: str, size: int) -> bytes:
    return HEALTH + f"{name}: ".encode() + b"a" * size + b"\r\n\r\n"


async def test_a_head_over_the_limit_is_431_in_the_json_error_shape(port: int) -> None:
    response = await raw_exchange(port, with_header("Authorization", 100_000))

    assert response.status == 431
    assert response.json() == {
        "error": "the request line and headers are larger than 32 KiB",
        "code": "request_header_fields_too_large",
    }
    assert response.headers["connection"] == "close"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_a_head_just_under_the_limit_is_served(port: int) -> None:
    response = await raw_exchange(port, with_header("X-Padding", MAX_HEAD_BYTES - 200))

    assert response.status == 200
    assert response.json()["status"] == "ok"


async def test_a_head_sent_a_byte_at_a_time_is_cut_off_with_408(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(read_response(reader))
    started = time.monotonic()
    writer.write(HEALTH)
    for byte in b"X-Slow: " + b"a" * 60:  # 20 bytes a second, for up to three seconds
        await asyncio.sleep(0.05)
        if answer.done():
            break
        writer.write(bytes([byte]))
    response = await asyncio.wait_for(answer, 1)
    elapsed = time.monotonic() - started
    writer.close()

    assert response.status == 408
    assert response.json()["code"] == "request_timeout"
    assert SHORT_DEADLINE <= elapsed < SHORT_DEADLINE + 0.5


async def test_a_connection_that_sends_nothing_is_closed_silently(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    received = await closed_within(reader, SHORT_DEADLINE + 1.0)
    writer.close()

    assert received == b""


async def test_a_body_that_stops_coming_ends_the_connection(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /functions/v1/link-tracker/events HTTP/1.1\r\nHost: functions.test\r\n"
        b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sessionId"'
    )

    received = await closed_within(reader, SHORT_DEADLINE + 1.0)
    writer.close()

    # verify_jwt is false on link-tracker: the endpoint was waiting for the body
    assert received == b""


async def test_an_idle_keep_alive_connection_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEALTH + b"\r\n")

    first = await read_response(reader)
    after_idling = await closed_within(reader, 2.0)
    writer.close()

    assert first.status == 200
    assert after_idling == b""


async def test_keep_alive_pipelined_and_split_requests_are_all_answered(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    options = b"OPTIONS /functions/v1/link-tracker/events HTTP/1.1\r\nHost: functions.test\r\n\r\n"

    writer.write(HEALTH + b"\r\n" + options)  # two requests in one write
    pipelined = [await read_response(reader), await read_response(reader)]
    writer.write(
        HEALTH[:10]
    )  # one request in pieces, slower than nothing but faster than the deadline
    await asyncio.sleep(0.1)
    writer.write(HEALTH[10:] + b"\r\n")
    split = await read_response(reader)
    writer.close()

    assert [response.status for response in pipelined] == [200, 200]
    assert pipelined[1].body == b"ok"
    assert split.status == 200

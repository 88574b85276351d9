"""A real uvicorn for tests where the server itself matters, and a raw HTTP/1.1 client for it.

`uvicorn_serving(app, **options)` runs uvicorn in the test's event loop on a
free port (the app's lifespan is the caller's business); `raw_exchange`
writes bytes exactly as given, which httpx cannot do for malformed, huge or
slow requests, and reads one response.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn

from maxpulse_tools.local.cluster import find_free_port


@asynccontextmanager
async def uvicorn_serving(app: Any, **options: Any) -> AsyncIterator[int]:
    """Serve `app` with uvicorn on 127.0.0.1 until the block ends; yields the port."""
    port = find_free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, **options
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    """One HTTP/1.1 response with a content-length (what the functions send)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawResponse(int(status_line.split()[1]), headers, body)


async def raw_exchange(port: int, request: bytes, *, timeout: float = 10.0) -> RawResponse:
    """Send `request` as it is on a new connection and read the response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """What the server sends until it closes the connection; fails if it is still open after `seconds`."""
    return await asyncio.wait_for(reader.read(), seconds)

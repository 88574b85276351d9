"""A real uvicorn for tests where the server itself matters, and a raw HTTP/1.1 client for it.

`uvicorn_serving(app, **options)` runs uvicorn in the test's event loop on a
free port (the app's lifespan is the caller's business);
`start_functions_server` runs `maxpulse functions serve` in a process of its
own, as `maxpulse start` and the image do; `raw_exchange` writes bytes
exactly as given, which httpx cannot do for malformed, huge or slow
requests, and reads one response.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from maxpulse_tools.local.cluster import find_free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


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


def start_functions_server(
    db_url: str, jwt_secret: str, port: int, *options: str, **env: str
) -> subprocess.Popen[bytes]:
    """`maxpulse functions serve --port PORT [OPTIONS]` in a process of its own; output in .stdout.

    It serves every function unless `env` names one (MAXPULSE_FUNCTION): the
    test process's own setting is not passed on.
    """
    inherited = {name: value for name, value in os.environ.items() if name != "MAXPULSE_FUNCTION"}
    environment = {
        **inherited,
        "SUPABASE_DB_URL": db_url,
        "SUPABASE_JWT_SECRET": jwt_secret,
        **env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "maxpulse_tools",
            "functions",
            "serve",
            "--port",
            str(port),
            *options,
        ],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Return once `url` answers 200; fail if the server exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"serve exited: {server.stdout.read().decode() if server.stdout else ''}"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the functions did not answer within {seconds:g} s")

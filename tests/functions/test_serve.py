"""`maxpulse functions serve`: the gateway under a real uvicorn, as `maxpulse start` runs it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import BROWSER_UA, Link, Tokens
from tests.support.served import read_response, start_functions_server, wait_until_healthy

Sql = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture
def restored_environment() -> Iterator[None]:
    """serve puts the functions' settings into os.environ; undo that after the test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_serve_help_names_the_options(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(app, ["functions", "serve", "--help"])

    assert result.exit_code == 0
    for option in ("--port", "--host", "--workers", "54321"):
        assert option in result.output


@pytest.mark.usefixtures("restored_environment")
def test_serve_refuses_an_unknown_function_in_one_line(
    cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAXPULSE_FUNCTION", "no-such-function")

    result = cli_runner.invoke(app, ["functions", "serve", "--port", str(find_free_port())])

    assert result.exit_code == 2
    assert "MAXPULSE_FUNCTION=no-such-function is not a function" in result.output
    assert "Traceback" not in result.output


def test_serve_answers_over_http_and_stops_on_sigterm(
    functions_db_url: str, tokens: Tokens, make_link: Callable[..., Link], sql: Sql
) -> None:
    port = find_free_port()
    server = start_functions_server(functions_db_url, tokens.secret, port, "--no-access-log")
    base = f"http://127.0.0.1:{port}/functions/v1"
    link = make_link()
    try:
        wait_until_healthy(f"{base}/link-tracker/health", server)
        redirect = httpx.get(
            f"{base}/link-tracker/{link.code}",
            headers={"User-Agent": BROWSER_UA, "X-Forwarded-For": "198.51.100.9"},
        )
        tokenless = httpx.post(f"{base}/ai-analysis", json={})
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()

    assert redirect.status_code == 302, output
    assert tokenless.status_code == 401  # verify_jwt from config.toml, under uvicorn too
    assert server.returncode == 0, output
    [(salt,)] = sql("select salt from private.link_visitor_salts")
    [(visitor_hash,)] = sql(
        "select visitor_hash from public.link_clicks where link_id = %s", (link.id,)
    )
    # behind a proxy on the same host, the visitor is the forwarded address
    assert (
        visitor_hash == hashlib.sha256(salt + b"198.51.100.9\0" + BROWSER_UA.encode()).hexdigest()
    )
    timings = sql(
        "select tags ->> 'route' from public.performance_metrics"
        " where component_name = 'functions/link-tracker' and tags ->> 'status' = '302'"
    )
    assert ("/{code}",) in timings


def resident_memory_mib(pid: int) -> float:
    """The resident set size of process `pid` (Linux), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


async def send_huge_authorization_header(port: int, size: int) -> int:
    """Send a request whose Authorization header is `size` bytes, as an attacker would; its status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(read_response(reader))
    writer.write(b"POST /functions/v1/ai-analysis HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
    chunk = b"a" * (1 << 20)
    try:
        for _ in range(size // len(chunk)):  # whatever the server answers meanwhile
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass  # the server has closed the connection
    response = await asyncio.wait_for(answer, 10)
    writer.close()
    return response.status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
async def test_four_64_mb_headers_are_refused_without_growing_the_server(
    functions_db_url: str, tokens: Tokens
) -> None:
    port = find_free_port()
    server = start_functions_server(functions_db_url, tokens.secret, port, "--no-access-log")
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/functions/v1/ai-analysis/health", server)
        before = resident_memory_mib(server.pid)
        statuses = await asyncio.gather(
            *(send_huge_authorization_header(port, 64 << 20) for _ in range(4))
        )
        after = resident_memory_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()

    assert statuses == [431] * 4, output
    assert after - before < 10, f"{before:.0f} MiB before, {after:.0f} MiB after"


async def test_the_access_log_never_shows_keys_or_tokens(
    functions_db_url: str, tokens: Tokens
) -> None:
    port = find_free_port()
    server = start_functions_server(functions_db_url, tokens.secret, port)
    base = f"http://127.0.0.1:{port}/functions/v1/link-tracker/health"
    try:
        wait_until_healthy(base, server)
        response = httpx.get(
            base, params={"apikey": tokens.anon, "access_token": "s3cret-token", "lang": "en"}
        )
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()

    assert response.status_code == 200
    assert (
        "/functions/v1/link-tracker/health?apikey=[redacted]&access_token=[redacted]&lang=en"
        in output
    )
    assert tokens.anon not in output
    assert "s3cret-token" not in output

"""`maxpulse functions serve`: the gateway under a real uvicorn, as `maxpulse start` runs it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import BROWSER_UA, REPO_ROOT, Link, Tokens

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
    env = {
        **os.environ,
        "SUPABASE_DB_URL": functions_db_url,
        "SUPABASE_JWT_SECRET": tokens.secret,
    }
    env.pop("MAXPULSE_FUNCTION", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "maxpulse_tools",
            "functions",
            "serve",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/functions/v1"
    link = make_link()
    try:
        _wait_until_healthy(f"{base}/link-tracker/health", server)
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


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
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
    raise AssertionError("the functions did not answer within 30 s")

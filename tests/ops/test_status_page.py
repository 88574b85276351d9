"""`maxpulse health --serve`: the status page, rendered by the server, read by headless Chromium."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from maxpulse_tools.local.cluster import find_free_port
from maxpulse_tools.ops.checks import CheckResult, Status
from maxpulse_tools.ops.health import HealthReport
from maxpulse_tools.ops.metrics import LatencyPoint
from maxpulse_tools.ops.status_page import render_status_page
from tests.ops.test_health import FUNCTIONS, REPO_ROOT
from tests.support.external import require_program

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
TIMINGS = """
insert into public.performance_metrics (component_name, metric_type, metric_value, unit, tags, recorded_at)
select 'functions/link-tracker', 'http_request_duration', 4.2, 'ms',
       jsonb_build_object('function', 'link-tracker', 'route', '/{code}', 'method', 'GET',
                          'status', 302, 'count', 40 + n, 'p50', 3.5 + n, 'p95', 9.0 + n),
       now() - make_interval(mins => n * 20)
from generate_series(0, 5) as n
"""


@pytest.fixture
def status_page(ops_db_url: str, ops_db: psycopg.Connection[Any]) -> Iterator[str]:
    """The page served by the CLI, with request timings stored and every function down."""
    ops_db.execute(TIMINGS)
    port = find_free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPABASE_")},
        "MAXPULSE_FUNCTIONS_URL": f"http://127.0.0.1:{find_free_port()}/functions/v1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "maxpulse_tools", "health", "--serve", "--port", str(port),
         "--db-url", ops_db_url, "--timeout", "2"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health.json", server)
        yield url
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


def test_page_in_chromium_shows_every_check_and_marks_the_unhealthy_ones(status_page: str) -> None:
    chromium = require_program("chromium")

    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", status_page],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip

    rows = dict(re.findall(r'data-check="([^"]+)" data-status="([^"]+)"', dom))
    assert rows == {
        "database": "healthy",
        "migrations": "healthy",
        "rest": "skipped",
        "auth": "skipped",
        "realtime": "skipped",
        **{f"function:{name}": "unhealthy" for name in FUNCTIONS},
    }
    assert 'id="verdict" class="verdict unhealthy"' in dom
    assert '<tr class="check unhealthy" data-check="function:link-tracker"' in dom
    chart = re.search(r'<figure data-function="link-tracker">(.*?)</figure>', dom, re.S)
    assert chart is not None and "<svg" in chart.group(1)
    assert "255 requests" in chart.group(1)  # 40 + 41 + ... + 45
    assert chart.group(1).count('<polyline class="p95"') == 1


def test_health_json_answers_503_while_unhealthy(status_page: str) -> None:
    response = httpx.get(f"{status_page}/health.json")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_rendered_page_escapes_details_and_says_when_timings_are_unreadable() -> None:
    report = HealthReport(
        (CheckResult("database", Status.unhealthy, "<script>alert(1)</script>", 3.0),)
    )

    html = render_status_page(report, None, hours=6, refresh_seconds=15)

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "the database could not be read" in html
    assert '<meta http-equiv="refresh" content="15">' in html


def test_chart_draws_a_point_per_bucket() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    points = [LatencyPoint(now - timedelta(minutes=m), 10, 2.0, 5.0) for m in (30, 20, 10)]
    report = HealthReport((), checked_at=now)

    html = render_status_page(report, {"ai-analysis": points}, hours=1, refresh_seconds=15)

    assert html.count('<circle class="p50"') == 3
    assert html.count('<rect class="bar"') == 3


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the status page did not answer (exit code {server.poll()})")

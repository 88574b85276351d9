"""`maxpulse health --serve`: the status page over HTTP, the checks re-run in the background.

A small Starlette app under uvicorn: `/` is the page, `/health.json` the
latest report as `maxpulse health --json` prints it. The checks run every
`interval` seconds (and once before the first request is answered), so a page
load never waits for them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maxpulse_tools.ops.health import HealthReport, HealthTarget

if TYPE_CHECKING:
    from starlette.applications import Starlette

CHART_HOURS = 6
CHART_BUCKET_SECONDS = 300


@dataclass
class StatusState:
    """The latest report, replaced by the background loop."""

    target: HealthTarget
    interval: float
    report: HealthReport | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


def create_status_app(target: HealthTarget, interval: float) -> Starlette:
    """The status page app for `target`, checking every `interval` seconds."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    status = StatusState(target, interval)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_check_periodically(status))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def page(request: Request) -> HTMLResponse:
        from maxpulse_tools.ops.status_page import render_status_page

        report = await _latest(status)
        series = await asyncio.to_thread(_read_series, target)
        html = render_status_page(
            report, series, hours=CHART_HOURS, refresh_seconds=max(5, round(interval))
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def report_json(request: Request) -> JSONResponse:
        report = await _latest(status)
        return JSONResponse(report.to_json(), status_code=200 if report.exit_code < 2 else 503)

    return Starlette(
        routes=[Route("/", page), Route("/health.json", report_json)], lifespan=lifespan
    )


def serve_status_page(target: HealthTarget, *, host: str, port: int, interval: float) -> None:
    """Serve the status page until Ctrl-C."""
    import uvicorn

    uvicorn.run(create_status_app(target, interval), host=host, port=port, log_level="warning")


async def _check_periodically(status: StatusState) -> None:
    from maxpulse_tools.ops.health import record_results, run_checks

    while True:
        results = await run_checks(status.target)
        recorded = await asyncio.to_thread(record_results, status.target.database, results)
        status.report = HealthReport(tuple(results), metrics_recorded=recorded)
        status.ready.set()
        await asyncio.sleep(status.interval)


async def _latest(status: StatusState) -> HealthReport:
    await status.ready.wait()
    assert status.report is not None
    return status.report


def _read_series(target: HealthTarget) -> dict[str, Any] | None:
    import psycopg

    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import DatabaseUnavailable
    from maxpulse_tools.ops.metrics import function_latency_series

    try:
        with connect(target.database) as conn:
            return function_latency_series(
                conn, hours=CHART_HOURS, bucket_seconds=CHART_BUCKET_SECONDS
            )
    except (DatabaseUnavailable, psycopg.Error):
        return None

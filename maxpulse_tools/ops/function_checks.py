"""Each function's `/health`, over HTTP, wherever the functions answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from maxpulse_tools.ops.checks import CheckResult, Status, by_latency

if TYPE_CHECKING:
    import httpx

FUNCTION_DEGRADED_AFTER_MS = 1000.0
DATABASE_BUSY = "HTTP 503: database busy (statements cancelled by lock or time bounds)"
DATABASE_UNREACHABLE = "HTTP 503: database unreachable"


async def check_functions(
    functions_url: str, names: Sequence[str], timeout: float
) -> list[CheckResult]:
    """GET <functions_url>/<name>/health for every function, at once."""
    import httpx

    async with httpx.AsyncClient(timeout=timeout) as http:
        return list(
            await asyncio.gather(*(check_function(http, functions_url, name) for name in names))
        )


async def check_function(http: httpx.AsyncClient, functions_url: str, name: str) -> CheckResult:
    """One function's health, from its /health answer (see `judge_function_health`)."""
    import httpx

    check = f"function:{name}"
    url = f"{functions_url.rstrip('/')}/{name}/health"
    started = time.perf_counter()
    try:
        response = await http.get(url)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        where = httpx.URL(url).netloc.decode()
        return CheckResult(
            check, Status.unhealthy, f"not answering at {where}: {reason}", _ms(started)
        )
    return judge_function_health(
        check, response.status_code, _json_or_none(response), response.reason_phrase, _ms(started)
    )


def judge_function_health(
    check: str, status_code: int, body: object, reason_phrase: str, latency_ms: float
) -> CheckResult:
    """The verdict on a /health answer: healthy, degraded (slow, or its database busy) or unhealthy.

    A busy database (statements cancelled by their lock or time bounds, e.g.
    while a migration holds a lock) makes every function answer 503 at once:
    they still run, so that is not a failure for --auto-rollback to act on.
    """
    if status_code == 200:
        return by_latency(check, latency_ms, FUNCTION_DEGRADED_AFTER_MS, Status.degraded)
    database = body.get("database") if isinstance(body, dict) else None
    if status_code == 503 and isinstance(database, dict):
        if database.get("reachable") is True and database.get("busy") is True:
            return CheckResult(check, Status.degraded, DATABASE_BUSY, latency_ms)
        if database.get("reachable") is False:
            return CheckResult(check, Status.unhealthy, DATABASE_UNREACHABLE, latency_ms)
    error = body.get("error") if isinstance(body, dict) else None
    reason = error if isinstance(error, str) else reason_phrase
    return CheckResult(check, Status.unhealthy, f"HTTP {status_code}: {reason}", latency_ms)


def _json_or_none(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000

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
    """One function's health: 200 is healthy (degraded past 1 s), anything else unhealthy."""
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
    latency_ms = _ms(started)
    if response.status_code != 200:
        return CheckResult(
            check, Status.unhealthy, f"HTTP {response.status_code}: {_reason(response)}", latency_ms
        )
    return by_latency(check, latency_ms, FUNCTION_DEGRADED_AFTER_MS, Status.degraded)


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return response.reason_phrase


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000

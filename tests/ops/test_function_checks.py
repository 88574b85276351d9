"""What `maxpulse health` makes of a function's /health answer: busy is not down."""

from __future__ import annotations

import pytest

from maxpulse_tools.ops.checks import Status
from maxpulse_tools.ops.function_checks import (
    DATABASE_BUSY,
    DATABASE_UNREACHABLE,
    judge_function_health,
)


def health_body(*, reachable: bool, busy: bool) -> dict[str, object]:
    """A function's /health document, as functions/_shared/health.py answers it."""
    return {
        "status": "degraded",
        "function": "link-tracker",
        "version": "0.1.0",
        "database": {"reachable": reachable, "latencyMs": 1.2 if reachable else None, "busy": busy},
    }


@pytest.mark.parametrize(
    ("status_code", "body", "latency_ms", "status", "detail"),
    [
        pytest.param(200, {"status": "ok"}, 12.0, Status.healthy, "answered in 12 ms", id="ok"),
        pytest.param(
            200, {"status": "ok"}, 1500.0, Status.degraded, "slow: 1500 ms (limit 1000 ms)", id="slow"
        ),
        pytest.param(
            503, health_body(reachable=True, busy=True), 8.0, Status.degraded, DATABASE_BUSY,
            id="database-busy",
        ),
        pytest.param(
            503, health_body(reachable=False, busy=False), 8.0, Status.unhealthy,
            DATABASE_UNREACHABLE, id="database-unreachable",
        ),
        pytest.param(
            503, {"error": "the database cannot be reached", "code": "database_unavailable"}, 8.0,
            Status.unhealthy, "HTTP 503: the database cannot be reached", id="503-error-envelope",
        ),
        pytest.param(
            503, None, 8.0, Status.unhealthy, "HTTP 503: Service Unavailable", id="503-not-json"
        ),
        pytest.param(
            500, health_body(reachable=True, busy=True), 8.0, Status.unhealthy,
            "HTTP 500: Internal Server Error", id="500-even-if-busy",
        ),
        pytest.param(
            404, {"error": "no function is called link-tracker", "code": "not_found"}, 8.0,
            Status.unhealthy, "HTTP 404: no function is called link-tracker", id="not-served",
        ),
    ],
)  # fmt: skip
def test_a_functions_health_answer_decides_its_check(
    status_code: int, body: object, latency_ms: float, status: Status, detail: str
) -> None:
    reason_phrase = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}.get(
        status_code, "Service Unavailable"
    )

    result = judge_function_health(
        "function:link-tracker", status_code, body, reason_phrase, latency_ms
    )

    assert (result.status, result.detail, result.latency_ms) == (status, detail, latency_ms)

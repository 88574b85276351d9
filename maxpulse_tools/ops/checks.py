"""What a health check reports, and the rules that turn reports into a verdict.

Pure logic: no I/O here. A check is healthy, degraded, unhealthy or skipped
(with the reason); the worst status of those that ran decides the exit code,
and more than one unhealthy check calls for the kill switch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The state of one check, or of a whole run."""

    healthy = "healthy"
    degraded = "degraded"
    unhealthy = "unhealthy"
    skipped = "skipped"


# Exit codes of `maxpulse health`, worst status wins.
EXIT_CODES = {Status.healthy: 0, Status.skipped: 0, Status.degraded: 1, Status.unhealthy: 2}
_SEVERITY = {Status.skipped: 0, Status.healthy: 1, Status.degraded: 2, Status.unhealthy: 3}

# More unhealthy checks than this at once pulls the kill switch (the seed's rule).
AUTO_ROLLBACK_UNHEALTHY_LIMIT = 1


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: its status, how long it took and why it says so."""

    name: str
    status: Status
    detail: str
    latency_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "latencyMs": None if self.latency_ms is None else round(self.latency_ms, 2),
            "detail": self.detail,
        }


def skipped(name: str, reason: str) -> CheckResult:
    """A check that did not run, and why."""
    return CheckResult(name, Status.skipped, reason)


def by_latency(name: str, latency_ms: float, limit_ms: float, over_limit: Status) -> CheckResult:
    """Healthy within `limit_ms`, else `over_limit` (degraded or unhealthy)."""
    if latency_ms <= limit_ms:
        return CheckResult(name, Status.healthy, f"answered in {latency_ms:.0f} ms", latency_ms)
    return CheckResult(
        name, over_limit, f"slow: {latency_ms:.0f} ms (limit {limit_ms:.0f} ms)", latency_ms
    )


def overall_status(results: Iterable[CheckResult]) -> Status:
    """The worst status among the checks that ran (healthy when none ran)."""
    worst = Status.healthy
    for result in results:
        if _SEVERITY[result.status] > _SEVERITY[worst]:
            worst = result.status
    return worst


def exit_code(results: Iterable[CheckResult]) -> int:
    """0 healthy, 1 degraded, 2 unhealthy."""
    return EXIT_CODES[overall_status(results)]


def unhealthy_checks(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The checks that failed."""
    return [result for result in results if result.status is Status.unhealthy]


def calls_for_rollback(results: Sequence[CheckResult]) -> bool:
    """True when more than one check is unhealthy at once."""
    return len(unhealthy_checks(results)) > AUTO_ROLLBACK_UNHEALTHY_LIMIT

"""`maxpulse health`: every check at once, the verdict, and the figures kept in the database.

Checks run concurrently: the database and its migrations (one connection, in
a thread), the hosted project's REST, Auth and Realtime (skipped on the local
stack, which does not run them), and each function's `/health`. Each run's
latencies are written to `performance_metrics`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maxpulse_tools.ops.checks import (
    CheckResult,
    Status,
    calls_for_rollback,
    exit_code,
    overall_status,
    skipped,
)

if TYPE_CHECKING:
    from maxpulse_tools.database import DbTarget

DEFAULT_TIMEOUT_SECONDS = 5.0
NOT_LOCAL = "the local stack does not run it; set SUPABASE_URL to check a hosted project"
NO_KEY = "no API key: set SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_ANON_KEY)"
HOSTED_CHECKS = ("rest", "auth", "realtime")


@dataclass(frozen=True)
class HealthTarget:
    """Where the checks look: the database, the project's migrations, the API, the functions."""

    database: DbTarget
    migrations_dir: Path
    functions_url: str
    function_names: tuple[str, ...]
    supabase_url: str | None = None
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class HealthReport:
    """One run: every check's result, when it ran, and whether its figures were stored."""

    results: tuple[CheckResult, ...]
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    metrics_recorded: bool = False

    @property
    def status(self) -> Status:
        return overall_status(self.results)

    @property
    def exit_code(self) -> int:
        return exit_code(self.results)

    @property
    def calls_for_rollback(self) -> bool:
        return calls_for_rollback(self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "checkedAt": self.checked_at.isoformat(),
            "checks": [result.to_json() for result in self.results],
            "metricsRecorded": self.metrics_recorded,
        }


def run_health(target: HealthTarget) -> HealthReport:
    """Run every check, then store the run's figures (when the database answers)."""
    results = asyncio.run(run_checks(target))
    recorded = record_results(target.database, results)
    return HealthReport(tuple(results), metrics_recorded=recorded)


async def run_checks(target: HealthTarget) -> list[CheckResult]:
    """Every check, concurrently, in a fixed order: database, migrations, API, functions."""
    from maxpulse_tools.ops.database_checks import check_database
    from maxpulse_tools.ops.function_checks import check_functions

    database_task = asyncio.to_thread(check_database, target.database, target.migrations_dir)
    database, hosted, functions = await asyncio.gather(
        database_task,
        hosted_checks(target),
        check_functions(target.functions_url, target.function_names, target.timeout),
    )
    return [database.database, database.migrations, *hosted, *functions]


async def hosted_checks(target: HealthTarget) -> list[CheckResult]:
    """REST, Auth and Realtime of the hosted project; skipped without SUPABASE_URL or a key."""
    if target.supabase_url is None:
        return [skipped(name, NOT_LOCAL) for name in HOSTED_CHECKS]
    if target.api_key is None:
        return [skipped(name, NO_KEY) for name in HOSTED_CHECKS]
    from maxpulse_tools.ops.api_checks import check_auth, check_rest
    from maxpulse_tools.ops.realtime_check import check_realtime

    url, key, timeout = target.supabase_url.rstrip("/"), target.api_key, target.timeout
    return list(
        await asyncio.gather(
            check_rest(url, key, timeout),
            check_auth(url, key, timeout),
            check_realtime(url, key, timeout),
        )
    )


def record_results(database: DbTarget, results: Sequence[CheckResult]) -> bool:
    """Write the run's latencies to performance_metrics; False when the database is down."""
    import psycopg

    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import DatabaseUnavailable
    from maxpulse_tools.ops.metrics import record_health

    try:
        with connect(database) as conn:
            record_health(conn, results)
    except (DatabaseUnavailable, psycopg.Error):
        return False  # the database check already says why
    return True


def enabled_function_names(config_toml: Path) -> tuple[str, ...]:
    """The functions supabase/config.toml declares and does not disable."""
    from functions._shared.config import ConfigFileError, read_function_configs
    from maxpulse_tools.errors import ConfigError

    try:
        configs = read_function_configs(config_toml if config_toml.is_file() else None)
    except ConfigFileError as exc:
        raise ConfigError(str(exc)) from None
    return tuple(name for name, config in configs.items() if config.enabled)


def auto_rollback(database: DbTarget, report: HealthReport, actor: str) -> str:
    """Pull the kill switch because of `report`; one line saying what happened."""
    import psycopg

    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import DatabaseUnavailable
    from maxpulse_tools.ops.checks import unhealthy_checks
    from maxpulse_tools.ops.rollback import run_rollback

    failing = ", ".join(result.name for result in unhealthy_checks(report.results))
    reason = f"maxpulse health --auto-rollback: unhealthy: {failing}"
    try:
        with connect(database) as conn:
            rollback = run_rollback(conn, actor=actor, reason=reason, dry_run=False)
    except (DatabaseUnavailable, psycopg.Error) as exc:
        return f"Auto-rollback FAILED ({failing} unhealthy): {exc}"
    switched = ", ".join(rollback.switched_off) or "none (all were off)"
    return (
        f"Auto-rollback ({failing} unhealthy): switched off {switched}; {rollback.traffic}; "
        f"audit {rollback.entry.id if rollback.entry else '-'}; undo with `maxpulse rollback --undo`."
    )


def watch_health(
    target: HealthTarget,
    interval: float,
    show: Callable[[HealthReport, str | None], None],
    *,
    auto_rollback_as: str | None = None,
    runs: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HealthReport:
    """Run the checks every `interval` seconds (`runs` times, else until interrupted).

    With `auto_rollback_as` (the actor), the kill switch is pulled the first
    time more than one check fails, and never again in this watch.
    """
    rolled_back: str | None = None
    count = 0
    while True:
        report = run_health(target)
        count += 1
        if auto_rollback_as and rolled_back is None and report.calls_for_rollback:
            rolled_back = auto_rollback(target.database, report, auto_rollback_as)
        show(report, rolled_back)
        if runs is not None and count >= runs:
            return report
        sleep(interval)

"""The database checks: reachable and quick, and its migrations in step with the files."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maxpulse_tools.ops.checks import CheckResult, Status, by_latency, skipped

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.database import DbTarget
    from maxpulse_tools.migrations.push import MigrationStatus

DATABASE_DEGRADED_AFTER_MS = 1000.0
CONNECT_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class DatabaseChecks:
    """The results of the database and migrations checks, made over one connection."""

    database: CheckResult
    migrations: CheckResult


def check_database(target: DbTarget, migrations_dir: Path) -> DatabaseChecks:
    """Connect, run a query (degraded past 1 s), then compare the history with the files."""
    import psycopg

    started = time.perf_counter()
    try:
        with _connect(target) as conn:
            conn.execute("select 1").fetchone()
            latency_ms = (time.perf_counter() - started) * 1000
            database = by_latency(
                "database", latency_ms, DATABASE_DEGRADED_AFTER_MS, Status.degraded
            )
            migrations = check_migrations(conn, migrations_dir)
    except psycopg.Error as exc:
        from maxpulse_tools.database import first_line

        latency_ms = (time.perf_counter() - started) * 1000
        down = CheckResult("database", Status.unhealthy, first_line(exc), latency_ms)
        return DatabaseChecks(down, skipped("migrations", "the database is unreachable"))
    return DatabaseChecks(database, migrations)


def check_migrations(conn: psycopg.Connection[Any], migrations_dir: Path) -> CheckResult:
    """Healthy when every file is applied unchanged; pending files degrade, drift fails."""
    from maxpulse_tools.migrations.files import read_local_migrations
    from maxpulse_tools.migrations.history import read_history
    from maxpulse_tools.migrations.push import migration_status

    started = time.perf_counter()
    rows = migration_status(read_local_migrations(migrations_dir), read_history(conn))
    latency_ms = (time.perf_counter() - started) * 1000
    status, detail = judge_migrations(rows)
    return CheckResult("migrations", status, detail, latency_ms)


def judge_migrations(rows: list[MigrationStatus]) -> tuple[Status, str]:
    """The migrations verdict from the status of every version, local or applied."""
    drifted = [row.version for row in rows if row.has_drifted]
    pending = [row.version for row in rows if row.is_local and not row.is_applied]
    unknown = [row.version for row in rows if row.is_applied and not row.is_local]
    if drifted:
        return Status.unhealthy, f"changed since applied: {', '.join(drifted)}"
    if pending or unknown:
        parts = []
        if pending:
            parts.append(f"{len(pending)} pending ({', '.join(pending)}); run maxpulse db push")
        if unknown:
            parts.append(f"applied but not in supabase/migrations: {', '.join(unknown)}")
        return Status.degraded, "; ".join(parts)
    return Status.healthy, f"{len(rows)} applied, none pending"


def _connect(target: DbTarget) -> psycopg.Connection[Any]:
    import psycopg

    from maxpulse_tools.database import is_transaction_pooler

    return psycopg.connect(
        target.url,
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        application_name="maxpulse health",
        prepare_threshold=None if is_transaction_pooler(target.url) else 5,
    )

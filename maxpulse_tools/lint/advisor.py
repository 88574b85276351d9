"""Run the database-advisor checks against a live database."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from maxpulse_tools.lint.checks import ADVISOR_CHECKS, SYSTEM_SCHEMAS, AdvisorCheck
from maxpulse_tools.lint.findings import Finding


def check_database(
    conn: psycopg.Connection[tuple[object, ...]],
    checks: Sequence[AdvisorCheck] = ADVISOR_CHECKS,
) -> list[Finding]:
    """Findings of `checks` on the database behind `conn`, read in a transaction rolled back after.

    Inside a transaction the caller opened, the checks run in a savepoint of it
    and see its uncommitted changes.
    """
    findings: list[Finding] = []
    is_idle = conn.info.transaction_status is psycopg.pq.TransactionStatus.IDLE
    with conn.transaction(force_rollback=True):
        if is_idle:
            conn.execute("set transaction read only")
        conn.execute("set local search_path = pg_catalog")
        cursor = psycopg.RawCursor(conn)
        for check in checks:
            cursor.execute(check.sql, (list(SYSTEM_SCHEMAS),))
            findings.extend(
                Finding(
                    source="advisor",
                    rule=check.name,
                    level=check.level,
                    category=check.category,
                    subject=str(subject),
                    message=str(message),
                )
                for subject, message in cursor.fetchall()
            )
    return findings

"""Run one SQL file (a migration or a seed) and record it, step by step as planned.

A single-transaction file runs inside one transaction that holds the
migration lock and ends with the record (history row or seed hash). A file
of several steps holds the lock for its session instead (the steps commit
one by one) and records itself in its last step; a failure then says which
statements were committed and how to finish.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maxpulse_tools.database import first_line, is_connection_failure
from maxpulse_tools.defaults import is_transaction_pooler_port
from maxpulse_tools.errors import (
    DatabaseUnavailable,
    MaxpulseError,
    MigrationError,
    MigrationFailed,
)
from maxpulse_tools.migrations import history
from maxpulse_tools.migrations.split import Statement
from maxpulse_tools.migrations.statements import Effect
from maxpulse_tools.migrations.steps import ExecutionPlan, Step, describe_numbers

if TYPE_CHECKING:
    import psycopg

_UNSAFE_NEW_ENUM_VALUE = "55P04"


@dataclass(frozen=True)
class SqlFile:
    """A file to run: how to name it in messages, its text, statements and steps."""

    label: str
    source: str
    statements: tuple[Statement, ...]
    plan: ExecutionPlan
    resume_hint: str | None  # how to record the file by hand after finishing it


def run_sql_file(
    conn: psycopg.Connection[Any],
    file: SqlFile,
    *,
    is_done: Callable[[psycopg.Connection[Any]], bool],
    record: Callable[[psycopg.Connection[Any]], object],
) -> bool:
    """Run `file` and `record` it unless `is_done` (checked under the lock); False when skipped."""
    if file.plan.is_single_transaction:
        with history.locked_transaction(conn):
            if is_done(conn):
                return False
            _run_step(conn, file, file.plan.steps[0], committed=())
            record(conn)
        return True
    _refuse_transaction_pooler(conn, file)
    with history.session_lock(conn):
        if is_done(conn):
            return False
        committed: tuple[int, ...] = ()
        for step in file.plan.steps:
            if step.in_transaction:
                with conn.transaction():
                    _run_step(conn, file, step, committed)
                    if step is file.plan.steps[-1]:
                        record(conn)
            else:
                _run_step(conn, file, step, committed)
            committed += step.numbers
    return True


def _refuse_transaction_pooler(conn: psycopg.Connection[Any], file: SqlFile) -> None:
    if is_transaction_pooler_port(str(conn.info.port)):
        raise MigrationError(
            f"{file.label} runs in {len(file.plan.steps)} steps ({'; '.join(file.plan.reasons)}), "
            "which needs one database session for the whole file, and the transaction pooler "
            "(port 6543) hands every transaction to another",
            hint="push through the session pooler or a direct connection (port 5432); "
            "nothing of this file was applied",
        )


def _run_step(
    conn: psycopg.Connection[Any], file: SqlFile, step: Step, committed: Sequence[int]
) -> None:
    import psycopg

    for number in step.numbers:
        if not file.plan.runs(number):
            continue  # BEGIN and COMMIT: the step is the transaction
        try:
            conn.execute(file.statements[number - 1].text.encode())
        except psycopg.Error as exc:
            raise statement_failure(file, number, exc, committed) from None


def statement_failure(
    file: SqlFile, number: int, exc: Exception, committed: Sequence[int]
) -> MaxpulseError:
    """The error for statement `number` failing: where, why, and what of the file stays applied."""
    import psycopg

    diag = exc.diag if isinstance(exc, psycopg.Error) else None
    raw_position = diag.statement_position if diag else None
    statement = file.statements[number - 1]
    line, column = statement.location(file.source, int(raw_position) if raw_position else None)
    reason = (diag.message_primary if diag else None) or first_line(exc)
    excerpt = file.source.splitlines()[line - 1].strip() if file.source.splitlines() else ""
    if len(excerpt) > 60:
        excerpt = excerpt[:57] + "..."
    hints = [diag.message_hint] if diag and diag.message_hint else []
    if diag and diag.sqlstate == _UNSAFE_NEW_ENUM_VALUE:
        hints.append(
            "a new enum value can be used once committed: put COMMIT; after the ALTER TYPE"
        )
    hints.append(_what_was_applied(file, number, committed))
    error = DatabaseUnavailable if is_connection_failure(exc) else MigrationFailed
    return error(
        f"{file.label}: statement {number} failed at line {line}, column {column}: "
        f"{reason} [{excerpt}]",
        hint="; ".join(hints),
    )


def _what_was_applied(file: SqlFile, number: int, committed: Sequence[int]) -> str:
    if not committed:
        return "nothing of this file was applied; fix it and push again"
    done = set(committed)
    rest = [n for step in file.plan.steps for n in step.numbers if n not in done]
    first_line_no, _ = file.statements[committed[0] - 1].location(file.source)
    last_line_no, _ = file.statements[committed[-1] - 1].location(file.source)
    by_hand = f"run {describe_numbers(rest)} yourself and {file.resume_hint}, or " * bool(
        file.resume_hint
    )
    were = "was" if len(committed) == 1 else "were"
    was = "was" if len(rest) == 1 else "were"
    advice = (
        f"{describe_numbers(committed)} (lines {first_line_no}-{last_line_no}) {were} committed "
        f"and stay applied; {describe_numbers(rest)} {was} not applied (rolled back or never "
        f"run), and the file is not recorded as applied. To finish, fix the cause, then "
        f"{by_hand}make the committed statements safe to run twice (IF NOT EXISTS) and push again"
    )
    failed = file.plan.effects[number - 1]
    if failed.effect is Effect.OUTSIDE and "INDEX" in failed.keywords:
        advice += (
            f". A failed {failed.keywords} can leave an invalid index behind: "
            "drop it (DROP INDEX CONCURRENTLY IF EXISTS ...) before you retry"
        )
    return advice

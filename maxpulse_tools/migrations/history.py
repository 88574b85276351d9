"""The applied-migration history, stored exactly as the Supabase CLI stores it.

`supabase_migrations.schema_migrations (version text primary key,
statements text[], name text)` and `supabase_migrations.seed_files (path text
primary key, hash text)`; the DDL below is the CLI's, so a project pushed by
either tool reads the same to the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

# Serializes bootstraps, pushes, repairs and seeding across processes. It is
# held per transaction (which also works through a transaction pooler), or per
# session while a file runs in several transactions.
MIGRATION_LOCK_KEY = 0x6D61_7870_756C_7365 & 0x7FFF_FFFF_FFFF_FFFF
TRY_XACT_LOCK = "SELECT pg_try_advisory_xact_lock(%s)"
TRY_SESSION_LOCK = "SELECT pg_try_advisory_lock(%s)"
SESSION_UNLOCK = "SELECT pg_advisory_unlock(%s)"
# Waiting is polling, never a blocked statement: a session blocked on a lock
# holds a snapshot, and CREATE INDEX CONCURRENTLY in the push holding the lock
# would wait for that snapshot to go away: a deadlock that PostgreSQL resolves
# by cancelling the index build.
_POLL_FIRST_SECONDS = 0.02
_POLL_MAX_SECONDS = 0.5

CREATE_HISTORY = (
    "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
    "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text",
)
CREATE_SEED_TABLE = (
    "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
    "CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL)",
)
SELECT_HISTORY = (
    "SELECT version, coalesce(name, '') AS name, statements "
    "FROM supabase_migrations.schema_migrations ORDER BY version"
)
SELECT_VERSION = "SELECT 1 FROM supabase_migrations.schema_migrations WHERE version = %s"
INSERT_VERSION = (
    "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) "
    "VALUES (%s, %s, %s)"
)
UPSERT_VERSION = INSERT_VERSION + (
    " ON CONFLICT (version) DO UPDATE SET name = excluded.name, statements = excluded.statements"
)
DELETE_VERSIONS = "DELETE FROM supabase_migrations.schema_migrations WHERE version = ANY(%s)"
SELECT_SEEDS = "SELECT path, hash FROM supabase_migrations.seed_files"
TABLE_EXISTS = (
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s)"
)
UPSERT_SEED = (
    "INSERT INTO supabase_migrations.seed_files (path, hash) VALUES (%s, %s) "
    "ON CONFLICT (path) DO UPDATE SET hash = excluded.hash"
)


@dataclass(frozen=True)
class AppliedMigration:
    """One row of the history table. `statements` is None when a tool recorded none."""

    version: str
    name: str
    statements: tuple[str, ...] | None


@contextmanager
def locked_transaction(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """A transaction that holds the migration lock from its first statement to its end."""
    delay = _POLL_FIRST_SECONDS
    while True:
        with conn.transaction():
            if _took(conn, TRY_XACT_LOCK):
                yield
                return
        time.sleep(delay)  # outside any transaction, so this session holds no snapshot
        delay = min(delay * 2, _POLL_MAX_SECONDS)


@contextmanager
def session_lock(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Hold the migration lock across several transactions of an autocommit session."""
    delay = _POLL_FIRST_SECONDS
    while not _took(conn, TRY_SESSION_LOCK):
        time.sleep(delay)
        delay = min(delay * 2, _POLL_MAX_SECONDS)
    try:
        yield
    finally:
        _unlock(conn)


def _unlock(conn: psycopg.Connection[Any]) -> None:
    import psycopg

    # If the session is gone, so is its lock: keep the error that ended it.
    with suppress(psycopg.Error):
        conn.execute(SESSION_UNLOCK, [MIGRATION_LOCK_KEY])


def _took(conn: psycopg.Connection[Any], query: str) -> bool:
    row = conn.execute(query, [MIGRATION_LOCK_KEY]).fetchone()
    return bool(row and row[0])


def ensure_history_table(conn: psycopg.Connection[Any]) -> None:
    """Create the history table (the CLI's DDL) if it is missing."""
    with locked_transaction(conn):
        for statement in CREATE_HISTORY:
            conn.execute(statement)


def ensure_seed_table(conn: psycopg.Connection[Any]) -> None:
    """Create the seed table (the CLI's DDL) if it is missing."""
    with locked_transaction(conn):
        for statement in CREATE_SEED_TABLE:
            conn.execute(statement)


def read_history(conn: psycopg.Connection[Any]) -> dict[str, AppliedMigration]:
    """Applied migrations by version; empty when the database has no history yet."""
    if not _table_exists(conn, "supabase_migrations.schema_migrations"):
        return {}
    rows = conn.execute(SELECT_HISTORY).fetchall()
    return {
        version: AppliedMigration(version, name, None if statements is None else tuple(statements))
        for version, name, statements in rows
    }


def is_applied(conn: psycopg.Connection[Any], version: str) -> bool:
    """Whether `version` is in the history (read inside the caller's transaction)."""
    return conn.execute(SELECT_VERSION, [version]).fetchone() is not None


def read_seed_hashes(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """Applied seed files by path; empty when none was ever applied."""
    if not _table_exists(conn, "supabase_migrations.seed_files"):
        return {}
    return {path: digest for path, digest in conn.execute(SELECT_SEEDS).fetchall()}


def _table_exists(conn: psycopg.Connection[Any], qualified_name: str) -> bool:
    # Read from the catalog tables (this statement's snapshot), not the session's
    # catalog cache: a concurrent push may have just created the table.
    schema, table = qualified_name.split(".")
    row = conn.execute(TABLE_EXISTS, [schema, table]).fetchone()
    return bool(row and row[0])

"""The applied-migration history, stored exactly as the Supabase CLI stores it.

`supabase_migrations.schema_migrations (version text primary key,
statements text[], name text)` and `supabase_migrations.seed_files (path text
primary key, hash text)`; the DDL below is the CLI's, so a project pushed by
either tool reads the same to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

# Serializes pushes, repairs and seeding across processes: held per transaction,
# so it also works through a transaction pooler.
MIGRATION_LOCK_KEY = 0x6D61_7870_756C_7365 & 0x7FFF_FFFF_FFFF_FFFF

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


def lock(conn: psycopg.Connection[Any]) -> None:
    """Take the migration lock until the current transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK_KEY])


def ensure_history_table(conn: psycopg.Connection[Any]) -> None:
    """Create the history table (the CLI's DDL) if it is missing."""
    with conn.transaction():
        lock(conn)
        for statement in CREATE_HISTORY:
            conn.execute(statement)


def ensure_seed_table(conn: psycopg.Connection[Any]) -> None:
    """Create the seed table (the CLI's DDL) if it is missing."""
    with conn.transaction():
        lock(conn)
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
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [qualified_name]).fetchone()
    return bool(row and row[0])

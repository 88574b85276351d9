"""Apply the Supabase surface (roles, auth schema, grants) to a local database.

See `sql/bootstrap.sql` for what it creates. It is idempotent and only ever
applied to databases of clusters we run ourselves, never to a hosted project.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


def bootstrap_sql() -> str:
    """The text of the bootstrap script shipped with the package."""
    return files("maxpulse_tools").joinpath("sql/bootstrap.sql").read_text(encoding="utf-8")


def apply_bootstrap(conn: psycopg.Connection[Any]) -> None:
    """Create what a hosted Supabase database has and our migrations need, in one transaction."""
    from maxpulse_tools.migrations.history import locked_transaction

    # Under the migration lock: a concurrent push must not grant or create
    # while this runs (it would fail with "tuple concurrently updated").
    with locked_transaction(conn):
        conn.execute(bootstrap_sql().encode())


def bootstrap_if_missing(conn: psycopg.Connection[Any]) -> bool:
    """Apply the bootstrap unless the database has Supabase's `auth` schema; True when applied.

    Checked under the migration lock, so of two first pushes at once one
    bootstraps and the other finds it done.
    """
    from maxpulse_tools.migrations.history import locked_transaction

    with locked_transaction(conn):
        if has_supabase_surface(conn):
            return False
        conn.execute(bootstrap_sql().encode())
    return True


def has_supabase_surface(conn: psycopg.Connection[Any]) -> bool:
    """True when the database already has Supabase's `auth` schema (every hosted project does).

    A plain PostgreSQL lacks it; `db push` then applies the bootstrap first so
    the migrations find the roles and `auth` functions they use. Because a
    hosted project always has `auth`, this never touches one.
    """
    # A scan of pg_namespace, not to_regnamespace(): under the migration lock the
    # answer must come from this statement's snapshot, not from this session's
    # catalog cache, which may predate the bootstrap a concurrent push just made.
    row = conn.execute(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'auth')"
    ).fetchone()
    return bool(row and row[0])

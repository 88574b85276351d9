"""Fixtures of the operations tests: a database of their own, and the CLI against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from click.testing import Result
from typer.testing import CliRunner

from maxpulse_tools.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def ops_db_url(database_factory: Callable[..., str]) -> str:
    """A fresh database with every migration and the seed: a test may commit to it."""
    return database_factory(migrated=True, seeded=True)


@pytest.fixture
def ops_db(ops_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to that database."""
    with psycopg.connect(ops_db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def maxpulse(cli_runner: CliRunner, ops_db_url: str) -> Invoke:
    """`maxpulse(*args)`: run the CLI against the test's database (`--db-url` appended)."""

    def invoke(*args: str, db_url: str | None = ops_db_url) -> Result:
        extra = ["--db-url", db_url] if db_url else []
        return cli_runner.invoke(app, [*args, *extra])

    return invoke


def flag_values(conn: psycopg.Connection[Any]) -> dict[str, bool]:
    """The flags as frontends see them with the anon key (feature_flag_map)."""
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('role', 'anon', true)")
        row = conn.execute("select public.feature_flag_map()").fetchone()
    assert row is not None
    return dict(row[0])

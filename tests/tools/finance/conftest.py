"""Fixtures of the commission commands: a committed database of their own and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

import psycopg
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.project import Project


class RunCli(Protocol):
    def __call__(self, *args: str) -> Result: ...


@pytest.fixture
def finance_db_url(database_factory: Callable[..., str]) -> str:
    """A database with every migration and the seed, for this test alone."""
    return database_factory(migrated=True, seeded=True)


@pytest.fixture
def finance_db(finance_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to it: what a test books stays."""
    with psycopg.connect(finance_db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def maxpulse(cli_runner: CliRunner, project: Project, finance_db_url: str) -> RunCli:
    """`maxpulse <args> --db-url <the test's database>` in a scratch project."""

    def invoke(*args: str) -> Result:
        return cli_runner.invoke(
            app,
            ["--workdir", str(project.root), *args, "--db-url", finance_db_url],
            env={"SUPABASE_DB_URL": ""},
        )

    return invoke

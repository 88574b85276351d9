"""Fixtures shared by the whole suite.

One throw-away PostgreSQL cluster per test session, started by the same code
as `maxpulse db start` (binaries from MAXPULSE_PG_BIN when set, else the
embedded default) on a free port, and removed afterwards. Databases are made
from templates built once per session: "bootstrap" (the Supabase surface),
"migrated" (plus every migration of supabase/), "seeded" (plus seed.sql).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from maxpulse_tools.errors import LocalStackError
from maxpulse_tools.local.bootstrap import apply_bootstrap
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.push import plan_push, push_migrations
from maxpulse_tools.migrations.seeds import apply_seeds
from maxpulse_tools.project import Project
from maxpulse_tools.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DatabaseFactory = Callable[..., str]


@pytest.fixture(scope="session")
def repo_project() -> Project:
    """This repository as a maxpulse project (its supabase/ directory)."""
    return Project(REPO_ROOT)


@pytest.fixture(scope="session")
def pg_binaries() -> PgBinaries:
    return PgBinaries.locate(load_settings(None).maxpulse_pg_bin)


@pytest.fixture(scope="session")
def pg_cluster(pg_binaries: PgBinaries) -> Iterator[LocalCluster]:
    """A running throw-away cluster (no fsync), removed when the session ends."""
    base = Path(tempfile.mkdtemp(prefix="maxpulse-test-"))
    cluster = None
    for attempt in range(3):  # a free port can be taken between lookup and start
        candidate = LocalCluster(
            base / f"db{attempt}", pg_binaries, port=find_free_port(), durable=False
        )
        try:
            candidate.start()
        except LocalStackError:
            if attempt == 2:
                raise
            continue
        cluster = candidate
        break
    assert cluster is not None
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


class _Databases:
    """Makes fresh databases by copying per-session templates."""

    def __init__(self, cluster: LocalCluster, project: Project) -> None:
        self.cluster = cluster
        self.project = project
        self.templates: dict[str, str] = {}
        self.counter = itertools.count()

    def create(self, *, migrated: bool = True, seeded: bool = False) -> str:
        kind = "seeded" if seeded else "migrated" if migrated else "bootstrap"
        return self._copy(self._template(kind), f"test_{next(self.counter)}")

    def _template(self, kind: str) -> str:
        if kind in self.templates:
            return self.templates[kind]
        name = f"template_{kind}"
        if kind == "bootstrap":
            self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            self._copy(self._template("migrated" if kind == "seeded" else "bootstrap"), name)
        with psycopg.connect(self.cluster.dsn(name), autocommit=True) as conn:
            if kind == "bootstrap":
                apply_bootstrap(conn)
            elif kind == "migrated":
                local = read_local_migrations(self.project.migrations_dir)
                push_migrations(conn, plan_push(local, {}))
            else:
                apply_seeds(conn, self.project)
        self.templates[kind] = name
        return name

    def _copy(self, template: str, name: str) -> str:
        self._execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        return self.cluster.dsn(name)

    def _execute(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            conn.execute(statement)


@pytest.fixture(scope="session")
def database_factory(pg_cluster: LocalCluster, repo_project: Project) -> DatabaseFactory:
    """`database_factory(migrated=True, seeded=False)` -> superuser URL of a brand-new database."""
    return _Databases(pg_cluster, repo_project).create


@pytest.fixture(scope="session")
def seeded_db_url(database_factory: DatabaseFactory) -> str:
    """A database with all migrations and the seed, shared by the session: don't commit to it."""
    return database_factory(migrated=True, seeded=True)


@pytest.fixture
def db(seeded_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A superuser connection to the shared database, inside a transaction rolled back after."""
    with psycopg.connect(seeded_db_url) as conn:
        yield conn
        conn.rollback()


@pytest.fixture
def empty_db_url(database_factory: DatabaseFactory) -> str:
    """A brand-new database with the bootstrap only: no migrations, no history."""
    return database_factory(migrated=False)


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()

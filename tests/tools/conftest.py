"""Fixtures for the toolkit's own tests: scratch projects and connections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from maxpulse_tools.project import Project

AddMigration = Callable[[str, str], Path]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty scratch project (supabase/migrations/ only)."""
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    return Project(tmp_path)


@pytest.fixture
def add_migration(project: Project) -> AddMigration:
    """`add_migration("20260101000000_name", "sql...")` writes a migration file."""

    def add(stem: str, body: str) -> Path:
        path = project.migrations_dir / f"{stem}.sql"
        path.write_text(body, encoding="utf-8")
        return path

    return add


@pytest.fixture
def empty_db(empty_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to a bootstrap-only database."""
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        yield conn


def relation_exists(conn: psycopg.Connection[Any], name: str) -> bool:
    row = conn.execute("select to_regclass(%s) is not null", [name]).fetchone()
    return bool(row and row[0])

"""Seed files are loaded once and tracked by path and SHA-256, as the Supabase CLI does."""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
import pytest

from maxpulse_tools.errors import MigrationFailed
from maxpulse_tools.migrations.history import read_seed_hashes
from maxpulse_tools.migrations.seeds import apply_seeds, find_seed_files
from maxpulse_tools.project import Project


@pytest.fixture
def seeded_project(project: Project, empty_db: psycopg.Connection[Any]) -> Project:
    empty_db.execute("create table fruit (name text)")
    project.seed_file.write_text("insert into fruit values ('apple');\n", encoding="utf-8")
    return project


def count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("select count(*) from fruit").fetchone()
    return int(row[0]) if row else -1


def test_seed_is_loaded_once_and_recorded_with_its_hash(
    seeded_project: Project, empty_db: psycopg.Connection[Any]
) -> None:
    first = apply_seeds(empty_db, seeded_project)
    second = apply_seeds(empty_db, seeded_project)

    assert [o.state for o in first] == ["applied"]
    assert [o.state for o in second] == ["unchanged"]
    assert count(empty_db) == 1
    digest = hashlib.sha256(seeded_project.seed_file.read_bytes()).hexdigest()
    assert read_seed_hashes(empty_db) == {"supabase/seed.sql": digest}


def test_changed_seed_is_not_rerun_but_its_hash_is_updated(
    seeded_project: Project, empty_db: psycopg.Connection[Any]
) -> None:
    apply_seeds(empty_db, seeded_project)
    seeded_project.seed_file.write_text("insert into fruit values ('pear');\n", encoding="utf-8")

    outcome = apply_seeds(empty_db, seeded_project)

    assert [o.state for o in outcome] == ["changed"]
    assert count(empty_db) == 1
    assert read_seed_hashes(empty_db)["supabase/seed.sql"] == outcome[0].seed.sha256


def test_failing_seed_loads_nothing_and_is_not_recorded(
    seeded_project: Project, empty_db: psycopg.Connection[Any]
) -> None:
    seeded_project.seed_file.write_text(
        "insert into fruit values ('kiwi');\ninsert into fruit values (1, 2);\n", encoding="utf-8"
    )
    with pytest.raises(MigrationFailed, match=r"supabase/seed.sql: statement 2 failed at line 2"):
        apply_seeds(empty_db, seeded_project)
    assert count(empty_db) == 0
    assert read_seed_hashes(empty_db) == {}


def test_seed_table_has_the_supabase_cli_columns(
    seeded_project: Project, empty_db: psycopg.Connection[Any]
) -> None:
    apply_seeds(empty_db, seeded_project)
    columns = empty_db.execute(
        """
        select column_name, data_type, is_nullable from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'seed_files'
        order by ordinal_position
        """
    ).fetchall()
    assert columns == [("path", "text", "NO"), ("hash", "text", "NO")]


def test_config_toml_chooses_seed_files(project: Project) -> None:
    (project.supabase_dir / "seeds").mkdir()
    for name in ("b.sql", "a.sql"):
        (project.supabase_dir / "seeds" / name).write_text("select 1;", encoding="utf-8")
    project.config_toml.write_text('[db.seed]\nsql_paths = ["./seeds/*.sql"]\n', encoding="utf-8")
    assert [s.recorded_path for s in find_seed_files(project)] == [
        "supabase/seeds/a.sql",
        "supabase/seeds/b.sql",
    ]
    project.config_toml.write_text("[db.seed]\nenabled = false\n", encoding="utf-8")
    assert find_seed_files(project) == []

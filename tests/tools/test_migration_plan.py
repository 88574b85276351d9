"""Planning a push: what runs, and when files and history disagree, a refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from maxpulse_tools.errors import ConfigError, MigrationDrift
from maxpulse_tools.migrations.files import (
    create_migration_file,
    read_local_migrations,
    slugify_name,
)
from maxpulse_tools.migrations.history import AppliedMigration
from maxpulse_tools.migrations.push import migration_status, plan_push


def write(directory: Path, filename: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / filename).write_text(body, encoding="utf-8")


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "supabase" / "migrations"
    write(directory, "20260101000000_first.sql", "create table a (x int);")
    write(directory, "20260102000000_second.sql", "create table b (x int);\ncreate index on b (x);")
    return directory


def recorded(directory: Path, *versions: str) -> dict[str, AppliedMigration]:
    local = {m.version: m for m in read_local_migrations(directory)}
    return {
        v: AppliedMigration(v, local[v].name, tuple(local[v].statement_texts)) for v in versions
    }


def test_fresh_database_gets_every_file_in_order(migrations_dir: Path) -> None:
    plan = plan_push(read_local_migrations(migrations_dir), {})
    assert [m.version for m in plan.pending] == ["20260101000000", "20260102000000"]


def test_applied_files_are_not_pending(migrations_dir: Path) -> None:
    local = read_local_migrations(migrations_dir)
    plan = plan_push(local, recorded(migrations_dir, "20260101000000", "20260102000000"))
    assert plan.is_up_to_date


def test_refuses_applied_version_missing_locally(migrations_dir: Path) -> None:
    applied = recorded(migrations_dir, "20260101000000")
    applied["20250101000000"] = AppliedMigration("20250101000000", "gone", ("select 1",))
    with pytest.raises(MigrationDrift, match="20250101000000") as refusal:
        plan_push(read_local_migrations(migrations_dir), applied)
    assert "--status reverted" in str(refusal.value)


def test_refuses_edited_migration(migrations_dir: Path) -> None:
    applied = recorded(migrations_dir, "20260101000000")
    write(migrations_dir, "20260101000000_first.sql", "create table a (x bigint);")
    with pytest.raises(MigrationDrift, match=r"20260101000000_first.sql changed .*statement 1"):
        plan_push(read_local_migrations(migrations_dir), applied)


def test_refuses_edit_that_adds_a_statement(migrations_dir: Path) -> None:
    applied = recorded(migrations_dir, "20260101000000")
    write(migrations_dir, "20260101000000_first.sql", "create table a (x int);\nselect 1;")
    with pytest.raises(MigrationDrift, match="2 statements now, 1 when applied"):
        plan_push(read_local_migrations(migrations_dir), applied)


def test_history_without_statements_cannot_drift(migrations_dir: Path) -> None:
    applied = {"20260101000000": AppliedMigration("20260101000000", "first", None)}
    plan = plan_push(read_local_migrations(migrations_dir), applied)
    assert [m.version for m in plan.pending] == ["20260102000000"]


def test_refuses_file_older_than_newest_applied_unless_include_all(migrations_dir: Path) -> None:
    applied = recorded(migrations_dir, "20260102000000")
    local = read_local_migrations(migrations_dir)
    with pytest.raises(MigrationDrift, match="--include-all"):
        plan_push(local, applied)
    plan = plan_push(local, applied, include_all=True)
    assert [m.version for m in plan.pending] == ["20260101000000"]


def test_status_lists_local_remote_and_drift(migrations_dir: Path) -> None:
    applied = recorded(migrations_dir, "20260101000000")
    write(migrations_dir, "20260101000000_first.sql", "create table a (y int);")
    rows = migration_status(read_local_migrations(migrations_dir), applied)
    assert [(r.version, r.is_local, r.is_applied, r.has_drifted) for r in rows] == [
        ("20260101000000", True, True, True),
        ("20260102000000", True, False, False),
    ]


@pytest.mark.parametrize("filename", ["create_users.sql", "2026_.sql", "v1_users.sql"])
def test_bad_file_name_is_a_clear_error(tmp_path: Path, filename: str) -> None:
    write(tmp_path, filename, "select 1;")
    with pytest.raises(ConfigError, match="bad migration file name"):
        read_local_migrations(tmp_path)


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "20260101000000_a.sql", "select 1;")
    write(tmp_path, "20260101000000_b.sql", "select 2;")
    with pytest.raises(ConfigError, match="share version 20260101000000"):
        read_local_migrations(tmp_path)


def test_files_that_are_not_sql_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "notes")
    write(tmp_path, "20260101000000_a.sql", "select 1;")
    assert [m.filename for m in read_local_migrations(tmp_path)] == ["20260101000000_a.sql"]


def test_new_file_is_named_by_utc_time_and_never_collides(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 25, 9, 30, 5, tzinfo=UTC)
    first = create_migration_file(tmp_path, "Add Orders-Index", now=moment)
    second = create_migration_file(tmp_path, "add orders index", now=moment)
    assert first.name == "20261125093005_add_orders_index.sql"
    assert second.name == "20261125093006_add_orders_index.sql"
    assert first.read_text() == ""


def test_name_without_letters_is_refused() -> None:
    with pytest.raises(ConfigError, match="no letters or digits"):
        slugify_name(" -- ")

"""Planning a push: what runs, and when files and history disagree, a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from maxpulse_tools.errors import ConfigError, MigrationDrift, MigrationFailed
from maxpulse_tools.migrations.files import read_local_migrations, scan_migrations, skip_warning
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


@pytest.mark.parametrize(
    "filename",
    [
        "notes.sql",
        "20270601000005.sql",
        "create_users.sql",
        "v1_users.sql",
        "20270601000003_upper.SQL",
        ".20270601000007_hidden.sql",
        "README.md",
    ],
)
def test_names_the_supabase_cli_skips_are_skipped_with_its_warning(
    tmp_path: Path, filename: str
) -> None:
    write(tmp_path, filename, "select 1;")
    write(tmp_path, "20260101000000_a.sql", "select 1;")

    folder = scan_migrations(tmp_path)

    assert [m.filename for m in folder.migrations] == ["20260101000000_a.sql"]
    assert folder.skipped == [filename]
    assert skip_warning(filename) == (
        f'Skipping migration {filename}... (file name must match pattern "<timestamp>_name.sql")'
    )


def test_an_empty_name_and_folders_are_the_clis_too(tmp_path: Path) -> None:
    write(tmp_path, "20260101000000_.sql", "select 1;")
    (tmp_path / "20260102000000_folder.sql").mkdir()

    folder = scan_migrations(tmp_path)

    assert [(m.version, m.name) for m in folder.migrations] == [("20260101000000", "")]
    assert folder.skipped == []


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "20260101000000_a.sql", "select 1;")
    write(tmp_path, "20260101000000_b.sql", "select 2;")
    with pytest.raises(ConfigError, match="share version 20260101000000"):
        read_local_migrations(tmp_path)


@pytest.mark.parametrize(
    ("statement", "keywords"),
    [
        ("rollback", "ROLLBACK"),
        ("ABORT", "ABORT"),
        ("prepare transaction 'x'", "PREPARE TRANSACTION"),
        ("commit prepared 'x'", "COMMIT PREPARED"),
        ("rollback /* undo */ work", "ROLLBACK"),
    ],
)
def test_a_pending_file_that_rolls_itself_back_is_refused_before_anything_runs(
    tmp_path: Path, statement: str, keywords: str
) -> None:
    write(tmp_path, "20260101000000_rb.sql", f"create table rb (id int);\n-- undo\n{statement};")
    with pytest.raises(MigrationFailed, match=rf"statement 2 \(line 2\) is {keywords}"):
        plan_push(read_local_migrations(tmp_path), {})

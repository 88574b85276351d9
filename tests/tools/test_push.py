"""Pushing migrations to a real database: history, atomicity, concurrency."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest

from maxpulse_tools.errors import MigrationFailed
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.history import read_history
from maxpulse_tools.migrations.push import plan_push, push_migrations, repair_history
from maxpulse_tools.project import Project
from tests.tools.conftest import AddMigration, relation_exists


def push(conn: psycopg.Connection[Any], project: Project, **options: bool) -> list[str]:
    local = read_local_migrations(project.migrations_dir)
    result = push_migrations(conn, plan_push(local, read_history(conn), **options))
    return [m.version for m in result.applied]


def test_first_push_applies_files_and_records_their_statements(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);\n-- done\n")
    add_migration("20260102000000_more", "insert into things values (1);")

    assert push(empty_db, project) == ["20260101000000", "20260102000000"]

    rows = empty_db.execute(
        "select version, name, statements from supabase_migrations.schema_migrations order by 1"
    ).fetchall()
    assert rows == [
        ("20260101000000", "things", ["create table things (id int)", "-- done"]),
        ("20260102000000", "more", ["insert into things values (1)"]),
    ]
    assert empty_db.execute("select count(*) from things").fetchone() == (1,)


def test_second_push_is_up_to_date_and_changes_nothing(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_counter", "create table runs (n int); insert into runs values (1);"
    )
    push(empty_db, project)

    local = read_local_migrations(project.migrations_dir)
    assert plan_push(local, read_history(empty_db)).is_up_to_date
    assert push(empty_db, project) == []
    assert empty_db.execute("select count(*) from runs").fetchone() == (1,)


def test_failing_file_leaves_schema_and_history_as_they_were(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_good", "create table good (id int);")
    add_migration(
        "20260102000000_bad",
        "create table half (id int);\ninsert into half values (1);\n\nselect * from missing_table;\n",
    )

    with pytest.raises(MigrationFailed) as failure:
        push(empty_db, project)

    message = str(failure.value)
    assert "20260102000000_bad.sql: statement 3 failed at line 4, column 15" in message
    assert 'relation "missing_table" does not exist' in message
    assert relation_exists(empty_db, "good")
    assert not relation_exists(empty_db, "half")
    assert list(read_history(empty_db)) == ["20260101000000"]


def test_statement_with_percent_signs_and_notices_runs_verbatim(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_percent",
        "create table p (label text default '100%');\n"
        "do $$ begin raise notice 'hello %', 'there'; end $$;",
    )
    push(empty_db, project)
    assert empty_db.execute(
        "select column_default from information_schema.columns where table_name = 'p'"
    ).fetchone() == ("'100%'::text",)


def test_begin_and_commit_around_a_file_keep_it_one_transaction(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_wrapped",
        "BEGIN;\ncreate table wrapped (id int);\nselect * from nowhere;\nCOMMIT;\n",
    )
    with pytest.raises(MigrationFailed, match="nothing of this file was applied"):
        push(empty_db, project)
    assert not relation_exists(empty_db, "wrapped")


def test_rollback_in_a_file_is_refused_and_nothing_runs(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_rb", "create table rb (id int);\n-- undo\nrollback;")
    with pytest.raises(MigrationFailed, match=r"statement 2 \(line 2\) is ROLLBACK"):
        push(empty_db, project)
    assert not relation_exists(empty_db, "rb")


def test_a_set_in_one_file_does_not_leak_into_the_next(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_path", "set search_path = nowhere;")
    add_migration("20260102000000_table", "create table after_reset (id int);")
    push(empty_db, project)
    assert relation_exists(empty_db, "public.after_reset")


def test_concurrent_pushes_apply_each_file_once(
    empty_db_url: str, project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_slow",
        "create table applied_log (file text);\n"
        "insert into applied_log values ('slow');\nselect pg_sleep(0.3);",
    )
    add_migration("20260102000000_next", "insert into applied_log values ('next');")
    barrier = threading.Barrier(3)
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    def pusher() -> None:
        with psycopg.connect(empty_db_url, autocommit=True) as conn:
            local = read_local_migrations(project.migrations_dir)
            plan = plan_push(local, read_history(conn))
            barrier.wait()
            try:
                outcomes.append([m.version for m in push_migrations(conn, plan).applied])
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=pusher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(version for applied in outcomes for version in applied) == [
        "20260101000000",
        "20260102000000",
    ]
    with psycopg.connect(empty_db_url) as conn:
        rows = conn.execute("select file from applied_log order by 1").fetchall()
    assert rows == [("next",), ("slow",)]


def test_repair_records_and_forgets_versions(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_manual", "create table manual (id int);")
    local = read_local_migrations(project.migrations_dir)

    repair_history(empty_db, local, ["20260101000000"], "applied")
    assert read_history(empty_db)["20260101000000"].statements == ("create table manual (id int)",)
    assert not relation_exists(empty_db, "manual")  # repair runs no migration SQL
    repair_history(empty_db, local, ["20260101000000"], "applied")  # idempotent
    assert plan_push(local, read_history(empty_db)).is_up_to_date

    repair_history(empty_db, local, ["20260101000000"], "reverted")
    assert read_history(empty_db) == {}


def test_repair_as_applied_accepts_an_intended_edit(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    path = add_migration("20260101000000_t", "create table t (id int);")
    push(empty_db, project)
    path.write_text("create table t (id int); -- reviewed", encoding="utf-8")
    local = read_local_migrations(project.migrations_dir)
    repair_history(empty_db, local, ["20260101000000"], "applied")
    assert plan_push(local, read_history(empty_db)).is_up_to_date


def test_history_table_reads_exactly_like_the_supabase_clis(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_t", "select 1;")
    push(empty_db, project)
    columns = empty_db.execute(
        """
        select column_name, data_type, is_nullable
        from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'
        order by ordinal_position
        """
    ).fetchall()
    assert columns == [
        ("version", "text", "NO"),
        ("statements", "ARRAY", "YES"),
        ("name", "text", "YES"),
    ]
    primary_key = empty_db.execute(
        """
        select a.attname from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = 'supabase_migrations.schema_migrations'::regclass and i.indisprimary
        """
    ).fetchall()
    assert primary_key == [("version",)]


def test_history_written_by_the_supabase_cli_is_read_as_applied(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    # What `supabase db push` leaves behind: the CLI's own DDL and insert.
    empty_db.execute("CREATE SCHEMA IF NOT EXISTS supabase_migrations")
    empty_db.execute(
        "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations "
        "(version text NOT NULL PRIMARY KEY)"
    )
    empty_db.execute(
        "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]"
    )
    empty_db.execute(
        "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text"
    )
    empty_db.execute("create table cli_made (id int)")
    empty_db.execute(
        "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) "
        "VALUES ('20260101000000', 'cli_made', ARRAY['create table cli_made (id int)'])"
    )
    add_migration("20260101000000_cli_made", "create table cli_made (id int);\n")
    add_migration("20260102000000_ours", "alter table cli_made add column label text;")

    assert push(empty_db, project) == ["20260102000000"]

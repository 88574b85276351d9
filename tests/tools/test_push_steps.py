"""Files that cannot run as one transaction: what runs when, what is recorded, what a failure says."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest

from maxpulse_tools.errors import DatabaseUnavailable, MigrationFailed
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.history import read_history
from maxpulse_tools.migrations.push import plan_push, push_migrations
from maxpulse_tools.migrations.split import split_statements
from maxpulse_tools.migrations.statements import Classified, Effect, classify
from maxpulse_tools.migrations.steps import plan_execution
from maxpulse_tools.project import Project
from tests.tools.conftest import AddMigration, relation_exists


def push(conn: psycopg.Connection[Any], project: Project) -> list[str]:
    local = read_local_migrations(project.migrations_dir)
    return [m.version for m in push_migrations(conn, plan_push(local, read_history(conn))).applied]


def steps_of(source: str) -> list[tuple[tuple[int, ...], bool]]:
    plan = plan_execution("f.sql", source, split_statements(source))
    return [(step.numbers, step.in_transaction) for step in plan.steps]


@pytest.mark.parametrize(
    ("source", "steps"),
    [
        ("create table a (x int); insert into a values (1);", [((1, 2), True)]),
        ("BEGIN;\ncreate table a (x int);\nCOMMIT;\n-- done\n", [((1, 2, 3, 4), True)]),
        (
            "create table a (x int);\ncreate index concurrently a_x on a (x);\ninsert into a values (1);",
            [((1,), True), ((2,), False), ((3,), True)],
        ),
        ("create index concurrently a_x on a (x);", [((1,), False), ((), True)]),
        (
            "alter type e add value 'b';\ncommit;\nselect 'b'::e;",
            [((1, 2), True), ((3,), True)],
        ),
        (
            "a; commit /* note */; b; commit and chain; c;",
            [((1, 2), True), ((3, 4), True), ((5,), True)],
        ),
        ("a;\nEnD\n  WoRk;\nb;", [((1, 2), True), ((3,), True)]),
        (
            "-- pg-delta: transaction=false\na; b; begin; c; commit;",
            [((1,), True), ((2,), True), ((3, 4, 5), True)],
        ),
        ("vacuum;", [((1,), False), ((), True)]),
        ("", [((), True)]),
    ],
)
def test_a_file_is_cut_into_steps_only_where_it_says_so(
    source: str, steps: list[tuple[tuple[int, ...], bool]]
) -> None:
    assert steps_of(source) == steps


@pytest.mark.parametrize(
    ("statement", "effect", "keywords"),
    [
        ("COMMIT", Effect.COMMIT, "COMMIT"),
        ("commit /* note */", Effect.COMMIT, "COMMIT"),
        ("commit -- note\n and chain", Effect.COMMIT, "COMMIT AND CHAIN"),
        ("Commit Work And No Chain", Effect.COMMIT, "COMMIT"),
        ("end transaction", Effect.COMMIT, "END"),
        ("/* first */ begin isolation level serializable", Effect.BEGIN, "BEGIN"),
        ("start transaction read write", Effect.BEGIN, "START TRANSACTION"),
        ("rollback", Effect.REFUSED, "ROLLBACK"),
        ("abort work", Effect.REFUSED, "ABORT"),
        ("rollback prepared 'x'", Effect.REFUSED, "ROLLBACK PREPARED"),
        ("rollback to savepoint before_change", Effect.ORDINARY, ""),
        ("savepoint before_change", Effect.ORDINARY, ""),
        (
            "create /* c */ unique index\nconcurrently i on t (x)",
            Effect.OUTSIDE,
            "CREATE UNIQUE INDEX CONCURRENTLY",
        ),
        ("drop index concurrently if exists i", Effect.OUTSIDE, "DROP INDEX CONCURRENTLY"),
        ("reindex (verbose, concurrently) table t", Effect.OUTSIDE, "REINDEX CONCURRENTLY"),
        ("vacuum (analyze) t", Effect.OUTSIDE, "VACUUM"),
        (
            "alter table t detach partition p concurrently",
            Effect.OUTSIDE,
            "DETACH PARTITION CONCURRENTLY",
        ),
        ("create index i on t (x)", Effect.ORDINARY, ""),
        ("comment on table t is 'commit'", Effect.ORDINARY, ""),
        ("-- only a comment; commit", Effect.NOTHING, ""),
    ],
)
def test_transaction_control_is_recognised_in_any_spelling(
    statement: str, effect: Effect, keywords: str
) -> None:
    assert classify(statement) == Classified(effect, keywords)


def test_create_index_concurrently_on_an_existing_table_is_pushed_and_recorded(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_orders", "create table orders (id int, total numeric);")
    add_migration(
        "20260102000000_orders_index",
        "create index concurrently orders_total_idx on orders (total);\n-- done\n",
    )

    assert push(empty_db, project) == ["20260101000000", "20260102000000"]

    valid = empty_db.execute(
        "select indisvalid from pg_index where indexrelid = 'orders_total_idx'::regclass"
    ).fetchone()
    assert valid == (True,)
    assert read_history(empty_db)["20260102000000"].statements == (
        "create index concurrently orders_total_idx on orders (total)",
        "-- done",
    )


def test_a_new_enum_value_is_usable_after_commit_in_the_same_file(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    empty_db.execute("create type status as enum ('draft')")
    add_migration(
        "20260101000000_live",
        "alter type status add value 'live';\ncommit;\n"
        "create table posts (status status not null default 'live');",
    )

    push(empty_db, project)

    assert empty_db.execute("select 'live'::status").fetchone() == ("live",)
    assert relation_exists(empty_db, "posts")


@pytest.mark.parametrize("commit", ["commit", "commit /* note */", "COMMIT AND CHAIN", "end work"])
def test_a_failure_after_a_commit_says_exactly_what_stays_applied(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration, commit: str
) -> None:
    add_migration(
        "20260101000000_half",
        f"create table first_half (id int);\n{commit};\n"
        "create table second_half (id int);\nselect * from nowhere;\n",
    )

    with pytest.raises(MigrationFailed) as failure:
        push(empty_db, project)

    message = str(failure.value)
    assert "statement 4 failed at line 4" in message
    assert "statements 1-2 (lines 1-2) were committed and stay applied" in message
    assert "statements 3-4 were not applied (rolled back or never run)" in message
    assert "migration repair 20260101000000 --status applied" in message
    assert relation_exists(empty_db, "first_half")
    assert not relation_exists(empty_db, "second_half")
    assert read_history(empty_db) == {}


def test_a_failure_in_a_file_run_as_one_transaction_leaves_nothing(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_t", "create table t (id int);\nselect * from nowhere;")
    with pytest.raises(MigrationFailed, match="nothing of this file was applied"):
        push(empty_db, project)
    assert not relation_exists(empty_db, "t")


def test_a_failed_concurrent_index_build_is_named_with_what_to_drop(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_t", "create table t (x int);\ninsert into t values (1), (1);")
    add_migration("20260102000000_unique", "create unique index concurrently t_x on t (x);")

    with pytest.raises(MigrationFailed) as failure:
        push(empty_db, project)

    message = str(failure.value)
    assert "20260102000000_unique.sql: statement 1 failed" in message
    assert "nothing of this file was applied" in message
    assert list(read_history(empty_db)) == ["20260101000000"]


def test_a_failed_concurrent_index_after_committed_steps_says_to_drop_the_invalid_index(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_unique",
        "create table t (x int);\ninsert into t values (1), (1);\n"
        "create unique index concurrently t_x on t (x);",
    )
    with pytest.raises(MigrationFailed, match="can leave an invalid index behind"):
        push(empty_db, project)
    assert relation_exists(empty_db, "t")


def test_the_no_transaction_marker_commits_each_statement(
    empty_db: psycopg.Connection[Any], project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_each",
        "-- pg-delta: transaction=false\ncreate table each_one (id int);\n"
        "insert into each_one values (1);\ninsert into each_one values ('x');",
    )
    with pytest.raises(MigrationFailed, match=r"statements 1-2 \(lines 1-3\) were committed"):
        push(empty_db, project)
    assert empty_db.execute("select count(*) from each_one").fetchone() == (1,)


def test_a_lost_connection_is_reported_as_unreachable_with_what_was_committed(
    empty_db_url: str, project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_slow",
        "create table before_loss (id int);\ncommit;\nselect pg_sleep(30);",
    )

    def terminate_when_sleeping() -> None:
        with psycopg.connect(empty_db_url, autocommit=True) as admin:
            for _ in range(200):
                row = admin.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where query like 'select pg_sleep(30)%' and pid <> pg_backend_pid()"
                ).fetchone()
                if row:
                    return
                admin.execute("select pg_sleep(0.05)")

    killer = threading.Thread(target=terminate_when_sleeping)
    killer.start()
    with (
        psycopg.connect(empty_db_url, autocommit=True) as conn,
        pytest.raises(DatabaseUnavailable) as failure,
    ):
        push(conn, project)
    killer.join(timeout=15)

    assert "statements 1-2 (lines 1-2) were committed" in str(failure.value)
    assert failure.value.exit_code == 3


def test_a_push_waiting_for_another_never_blocks_its_concurrent_index_build(
    empty_db_url: str, project: Project, add_migration: AddMigration
) -> None:
    add_migration(
        "20260101000000_big",
        "create table big (x int);\ninsert into big select generate_series(1, 50000);",
    )
    add_migration(
        "20260102000000_big_x",
        "select pg_sleep(0.3);\ncreate index concurrently big_x on big (x);",
    )
    add_migration("20260103000000_after", "create table after_big (id int);")
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    applied: list[str] = []

    def pusher() -> None:
        with psycopg.connect(empty_db_url, autocommit=True) as conn:
            local = read_local_migrations(project.migrations_dir)
            plan = plan_push(local, {})
            barrier.wait()
            try:
                applied.extend(m.version for m in push_migrations(conn, plan).applied)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=pusher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(applied) == ["20260101000000", "20260102000000", "20260103000000"]
    with psycopg.connect(empty_db_url) as conn:
        valid = conn.execute(
            "select indisvalid from pg_index where indexrelid = 'big_x'::regclass"
        ).fetchone()
    assert valid == (True,)

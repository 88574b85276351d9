"""`maxpulse db push` and `migration new` end to end: what they say before, during and after."""

from __future__ import annotations

import json
import subprocess
import sys

import psycopg
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.local.cluster import LocalCluster
from maxpulse_tools.project import Project
from tests.tools.conftest import AddMigration, relation_exists
from tests.tools.test_cli import RunCli, assert_one_line_error

CONCURRENT_FIRST_PUSHES = 10


@pytest.fixture
def run(cli_runner: CliRunner, project: Project) -> RunCli:
    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return cli_runner.invoke(
            app, ["--workdir", str(project.root), *args], env={"SUPABASE_DB_URL": "", **(env or {})}
        )

    return invoke


INDEX_FILE = (
    "create table orders (id int, total numeric);\n"
    "create index concurrently orders_total_idx on orders (total);\n"
    "insert into orders values (1, 9.5);\n"
)
STEPS_NOTE = (
    "Note: 20260101000000_orders.sql runs in 3 steps, not in one transaction "
    "(statement 2 is CREATE INDEX CONCURRENTLY): statement 1; statement 2 alone; "
    "statement 3 + history row."
)


def test_dry_run_says_which_file_runs_in_steps(
    run: RunCli, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_orders", INDEX_FILE)

    text = run("db", "push", "--db-url", empty_db_url, "--dry-run")
    as_json = json.loads(run("db", "push", "--db-url", empty_db_url, "--dry-run", "--json").stdout)

    assert text.stdout.splitlines()[:2] == [
        "Would apply migration 20260101000000_orders.sql",
        f"  {STEPS_NOTE}",
    ]
    assert as_json["stepwise"] == [
        {
            "file": "20260101000000_orders.sql",
            "reasons": ["statement 2 is CREATE INDEX CONCURRENTLY"],
            "steps": [
                {"statements": [1], "in_transaction": True},
                {"statements": [2], "in_transaction": False},
                {"statements": [3], "in_transaction": True},
            ],
        }
    ]


def test_push_says_so_before_a_file_runs_in_steps(
    run: RunCli, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_orders", INDEX_FILE)

    result = run("db", "push", "--db-url", empty_db_url)

    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines.index(STEPS_NOTE) < lines.index("Applying migration 20260101000000_orders.sql...")
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from orders").fetchone() == (1,)


def test_dry_run_looks_at_the_seeds_already_loaded(
    run: RunCli, project: Project, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);")
    project.seed_file.write_text("insert into things values (1);", encoding="utf-8")

    before = run("db", "push", "--db-url", empty_db_url, "--include-seed", "--dry-run")
    run("db", "push", "--db-url", empty_db_url, "--include-seed")
    loaded = run("db", "push", "--db-url", empty_db_url, "--include-seed", "--dry-run")
    project.seed_file.write_text("insert into things values (2);", encoding="utf-8")
    changed = run("db", "push", "--db-url", empty_db_url, "--include-seed", "--dry-run", "--json")

    assert "Would load seed supabase/seed.sql" in before.stdout
    assert loaded.stdout.strip() == "Remote database is up to date."
    assert json.loads(changed.stdout)["seeds"] == [
        {"path": "supabase/seed.sql", "state": "changed"}
    ]


def test_a_statement_the_database_refuses_outside_a_migration_is_not_unreachable(
    run: RunCli, empty_db_url: str
) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute("create schema supabase_migrations")
        conn.execute("create table supabase_migrations.schema_migrations (version int)")

    result = run("migration", "list", "--db-url", empty_db_url)

    assert_one_line_error(result, "database error: column", 1)


def test_concurrent_first_pushes_onto_a_plain_postgres_both_succeed(
    pg_cluster: LocalCluster, project: Project, add_migration: AddMigration
) -> None:
    """The bootstrap and a first migration of two pushes at once, ten times in a row."""
    add_migration(
        "20260101000000_grants",
        "grant usage on schema public to anon, authenticated;\n"
        "create table public.notes (id uuid primary key default gen_random_uuid());\n"
        "alter table public.notes enable row level security;\n"
        "grant select on public.notes to authenticated;",
    )
    command = [sys.executable, "-m", "maxpulse_tools", "--workdir", str(project.root)]
    for attempt in range(CONCURRENT_FIRST_PUSHES):
        name = f"first_push_{attempt}"
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        push = [*command, "db", "push", "--db-url", pg_cluster.dsn(name), "--yes", "--json"]
        pushers = [
            subprocess.Popen(push, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outcomes = [pusher.communicate(timeout=120) for pusher in pushers]

        assert [p.returncode for p in pushers] == [0, 0], [err for _, err in outcomes]
        reports = [json.loads(out) for out, _ in outcomes]
        assert sorted(len(report["applied"]) for report in reports) == [0, 1]
        assert sorted(report["bootstrap"] for report in reports) == [False, True]


def test_migration_new_explains_the_name_it_wrote(run: RunCli, project: Project) -> None:
    result = run("migration", "new", "Add Orders-Index")

    assert result.exit_code == 0
    assert "_add_orders_index.sql" in result.stdout
    assert "the Supabase CLI would keep 'Add Orders-Index' as typed" in result.stderr


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("x" * 300, "300 characters long; at most 236 fit in a file name"),
        ("?!", "has no letters or digits"),
    ],
)
def test_migration_new_refuses_a_bad_name_in_one_line(
    run: RunCli, project: Project, name: str, fragment: str
) -> None:
    assert_one_line_error(run("migration", "new", name), fragment, 2)
    assert list(project.migrations_dir.iterdir()) == []


def test_a_refused_file_is_reported_before_anything_runs(
    run: RunCli, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_ok", "create table fine (id int);")
    add_migration("20260102000000_rb", "create table rb (id int);\nrollback;")

    result = run("db", "push", "--db-url", empty_db_url)

    assert_one_line_error(result, "statement 2 (line 2) is ROLLBACK", 5)
    with psycopg.connect(empty_db_url) as conn:
        assert not relation_exists(conn, "fine")

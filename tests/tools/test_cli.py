"""The `maxpulse` command end to end: output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

import psycopg
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
from maxpulse_tools.project import Project
from tests.tools.conftest import AddMigration, relation_exists


class RunCli(Protocol):
    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result: ...


@pytest.fixture
def run(cli_runner: CliRunner, project: Project) -> RunCli:
    """Run `maxpulse` in the scratch project, with no SUPABASE_DB_URL from outside."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return cli_runner.invoke(
            app, ["--workdir", str(project.root), *args], env={"SUPABASE_DB_URL": "", **(env or {})}
        )

    return invoke


def assert_one_line_error(result: Result, fragment: str, exit_code: int) -> None:
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors == lines[-1:], result.stderr  # progress lines may come first
    assert fragment in errors[0]
    assert "Traceback" not in result.output


def test_help_lists_the_commands(run: RunCli) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("start", "stop", "status", "db", "migration"):
        assert command in result.stdout


def test_push_then_up_to_date(run: RunCli, empty_db_url: str, add_migration: AddMigration) -> None:
    add_migration("20260101000000_things", "create table things (id int);")

    first = run("db", "push", "--db-url", empty_db_url)
    second = run("db", "push", "--db-url", empty_db_url)

    assert first.exit_code == 0, first.output
    assert "Applying migration 20260101000000_things.sql..." in first.stderr
    assert "Applied 1 migration(s)" in first.stdout
    assert second.exit_code == 0
    assert "up to date" in second.stdout


def test_push_reads_supabase_db_url(
    run: RunCli, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);")
    result = run("db", "push", "--json", env={"SUPABASE_DB_URL": empty_db_url})
    report = json.loads(result.stdout)
    assert [a["file"] for a in report["applied"]] == ["20260101000000_things.sql"]
    assert "postgres:****@" in report["database"]


def test_dry_run_lists_and_changes_nothing(
    run, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);")

    result = run("db", "push", "--db-url", empty_db_url, "--dry-run", "--json")

    assert json.loads(result.stdout)["pending"] == ["20260101000000_things.sql"]
    with psycopg.connect(empty_db_url) as conn:
        assert not relation_exists(conn, "things")
        assert not relation_exists(conn, "supabase_migrations.schema_migrations")


def test_push_with_seed(
    run, project: Project, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);")
    project.seed_file.write_text("insert into things values (7);", encoding="utf-8")

    result = run("db", "push", "--db-url", empty_db_url, "--include-seed", "--json")

    assert json.loads(result.stdout)["seeds"] == [{"path": "supabase/seed.sql", "state": "applied"}]
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("select id from things").fetchall() == [(7,)]


def test_remote_push_needs_confirmation(
    run, pg_cluster: LocalCluster, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_things", "create table things (id int);")
    dbname = empty_db_url.rsplit("/", 1)[1]
    remote = f"postgresql://postgres:postgres@db.example.test:{pg_cluster.port}/{dbname}?hostaddr=127.0.0.1"

    refused = run("db", "push", "--db-url", remote)
    accepted = run("db", "push", "--db-url", remote, "--yes")

    assert_one_line_error(refused, "without confirmation (pass --yes)", 2)
    assert accepted.exit_code == 0, accepted.output


@pytest.mark.parametrize(
    ("url", "fragment", "code"),
    [
        ("not-a-url", "invalid database URL", 2),
        ("postgresql://u:secret@127.0.0.1:{free}/x", "Connection refused", 3),
    ],
)
def test_bad_database_urls_are_one_line_errors(
    run: RunCli, url: str, fragment: str, code: int
) -> None:
    result = run("migration", "list", "--db-url", url.format(free=find_free_port()))
    assert_one_line_error(result, fragment, code)
    assert "secret" not in result.output


def test_wrong_password_is_one_line(
    run: RunCli, pg_cluster: LocalCluster, empty_db_url: str
) -> None:
    url = empty_db_url.replace("postgres:postgres@", "postgres:wrong@")
    result = run("db", "push", "--db-url", url)
    assert_one_line_error(result, 'password authentication failed for user "postgres"', 3)


def test_files_named_against_the_rule_are_skipped_with_a_warning(
    run: RunCli, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("notes", "select 1;")
    add_migration("20270601000005", "select 2;")
    add_migration("20260101000000_things", "create table things (id int);")

    pushed = run("db", "push", "--db-url", empty_db_url)
    listed = run("migration", "list", "--db-url", empty_db_url)

    assert pushed.exit_code == 0, pushed.output
    for result in (pushed, listed):
        assert (
            'Skipping migration notes.sql... (file name must match pattern "<timestamp>_name.sql")'
            in result.stderr
        )
        assert "Skipping migration 20270601000005.sql..." in result.stderr
    assert "Applied 1 migration(s)" in pushed.stdout


def test_drift_is_one_line(run: RunCli, empty_db_url: str, add_migration: AddMigration) -> None:
    path = add_migration("20260101000000_things", "create table things (id int);")
    run("db", "push", "--db-url", empty_db_url)
    path.write_text("create table things (id bigint);", encoding="utf-8")
    result = run("db", "push", "--db-url", empty_db_url)
    assert_one_line_error(result, "changed after it was applied", 5)


def test_failed_migration_is_one_line_naming_file_and_position(
    run, empty_db_url: str, add_migration: AddMigration
) -> None:
    add_migration("20260101000000_typo", "create tabel things (id int);")
    result = run("db", "push", "--db-url", empty_db_url)
    assert_one_line_error(
        result, "20260101000000_typo.sql: statement 1 failed at line 1, column 8", 5
    )


def test_migration_new_list_and_repair(run: RunCli, project: Project, empty_db_url: str) -> None:
    created = run("migration", "new", "add orders")
    path = next(project.migrations_dir.glob("*_add_orders.sql"))
    path.write_text("create table orders (id int);", encoding="utf-8")
    version = path.name.split("_", 1)[0]

    before = json.loads(run("migration", "list", "--db-url", empty_db_url, "--json").stdout)
    repaired = run("migration", "repair", version, "--status", "applied", "--db-url", empty_db_url)
    after = run("migration", "list", "--db-url", empty_db_url).stdout

    assert created.exit_code == 0 and "supabase/migrations/" in created.stdout
    assert [(row["version"], row["applied"]) for row in before] == [(version, False)]
    assert repaired.exit_code == 0
    assert after.splitlines()[2].split()[:2] == [version, version]


def test_repair_with_bad_status_is_a_usage_error(run: RunCli) -> None:
    result = run("migration", "repair", "20260101000000", "--status", "done")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_outside_a_project_is_one_line(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(app, ["--workdir", str(tmp_path), "migration", "new", "x"])
    assert_one_line_error(result, "no supabase/ directory", 2)


def test_status_without_a_stack(run: RunCli) -> None:
    result = run("status", "--json")
    info = json.loads(result.stdout)
    assert result.exit_code == 3
    assert info["db_running"] is False
    assert info["anon_key"] is None


def test_local_stack_lifecycle(cli_runner: CliRunner, pg_binaries: PgBinaries) -> None:
    root = Path(tempfile.mkdtemp(prefix="maxpulse-cli-"))
    try:
        (root / "supabase" / "migrations").mkdir(parents=True)
        (root / "supabase" / "migrations" / "20260101000000_things.sql").write_text(
            "create table things (id int);"
        )
        (root / "supabase" / "seed.sql").write_text("insert into things values (1), (2);")
        port = str(find_free_port())

        def run_here(*args: str) -> Result:
            return cli_runner.invoke(
                app,
                ["--workdir", str(root), *args],
                env={"MAXPULSE_PG_BIN": str(pg_binaries.bin_dir), "SUPABASE_DB_URL": ""},
            )

        started = run_here("start", "--no-functions", "--port", port)
        status = json.loads(run_here("status", "--json").stdout)
        again = run_here("db", "start")
        with psycopg.connect(status["db_url"], autocommit=True) as conn:
            conn.execute("insert into things values (3)")
        reset = run_here("db", "reset")
        with psycopg.connect(status["db_url"]) as conn:
            rows = conn.execute("select id from things order by id").fetchall()
        stopped = run_here("stop")
        reset_when_stopped = run_here("db", "reset")

        assert started.exit_code == 0, started.output
        assert "Applying migration 20260101000000_things.sql" in started.stderr
        assert status["db_running"] and status["db_url"].endswith(f":{port}/postgres")
        assert status["anon_key"].count(".") == 2
        assert "already running" in again.stdout
        assert reset.exit_code == 0, reset.output
        assert rows == [(1,), (2,)]
        assert stopped.exit_code == 0 and "stopped" in stopped.stdout
        assert_one_line_error(reset_when_stopped, "not running", 4)
        assert oct((root / ".maxpulse" / "keys.json").stat().st_mode & 0o777) == "0o600"
    finally:
        cli_runner.invoke(app, ["--workdir", str(root), "stop"])
        shutil.rmtree(root, ignore_errors=True)


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['maxpulse', '--help']\n"
        "from maxpulse_tools.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['psycopg', 'pydantic', 'fastapi', 'uvicorn', 'supabase', 'jwt', 'httpx']\n"
        "print(','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    assert done.stderr.strip() == ""


def test_push_of_every_migration_to_a_plain_postgres(
    cli_runner: CliRunner, pg_cluster: LocalCluster, repo_project: Project
) -> None:
    # A database with no Supabase surface: the bootstrap is applied first.
    name = f"plain_{find_free_port()}"
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = pg_cluster.dsn(name)
    args = ["--workdir", str(repo_project.root), "db", "push", "--db-url", url, "--json"]

    first = cli_runner.invoke(app, args)
    second = cli_runner.invoke(app, args)

    report = json.loads(first.stdout)
    assert first.exit_code == 0, first.output
    assert report["bootstrap"] is True
    assert len(report["applied"]) == len(list(repo_project.migrations_dir.glob("*.sql")))
    assert json.loads(second.stdout)["applied"] == []
    assert json.loads(second.stdout)["bootstrap"] is False

"""Parity with the Supabase CLI: the same split, the same history, either tool up to date after the other.

`parity/supabase/` is a project of tricky migration files (a column named
atomic, a byte-order mark, dollar quotes, nested comments, CRLF, BEGIN ATOMIC,
`;;`, quoted semicolons, trailing comments, empty and comment-only files,
CREATE INDEX CONCURRENTLY, an enum value used after COMMIT, COMMIT spelled
several ways, the CLI's no-transaction marker, names the CLI skips) and a
seed. `parity/expected.json` holds what the CLI stored for each file and for
a few hundred edge cases (`python -m tests.tools.parity.record` re-records
it), so the split is checked on machines without Node too. Where the CLI is
installed, the tests push the project with it and with maxpulse onto real
databases and compare both ways.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from maxpulse_tools.migrations.split import split_statements
from tests.conftest import DatabaseFactory
from tests.support.supabase_cli import (
    PINNED_VERSION,
    cli_splits,
    cli_url,
    cli_version,
    run_supabase,
    stored_statements,
    supabase_cli,
)

PARITY = Path(__file__).resolve().parent / "parity"
EXPECTED: dict[str, Any] = json.loads((PARITY / "expected.json").read_text(encoding="utf-8"))
FILES: dict[str, list[str]] = EXPECTED["migrations"]
BY_VERSION = {name.split("_", 1)[0]: statements for name, statements in FILES.items()}


def texts(source: str) -> list[str]:
    return [statement.text for statement in split_statements(source)]


@pytest.mark.parametrize("filename", sorted(FILES))
def test_each_parity_file_splits_as_the_cli_stored_it(filename: str) -> None:
    source = (PARITY / "supabase" / "migrations" / filename).read_bytes().decode("utf-8")
    assert texts(source) == FILES[filename]


def test_every_recorded_edge_case_splits_as_the_cli_split_it() -> None:
    mismatches = [
        (case["source"], texts(case["source"]), case["statements"])
        for case in EXPECTED["cases"]
        if texts(case["source"]) != case["statements"]
    ]
    assert mismatches == []
    assert len(EXPECTED["cases"]) > 300


# With the real CLI (skipped where it is not installed; CI installs it).


@dataclass(frozen=True)
class Pushed:
    """The parity project pushed by the CLI into one database and by maxpulse into another."""

    program: Path
    project: Path
    by_cli: str
    by_maxpulse: str
    maxpulse_report: dict[str, Any]


@pytest.fixture(scope="module")
def pushed(database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Pushed:
    program = supabase_cli()
    version = cli_version(program)
    assert version == PINNED_VERSION, "expected.json was recorded with the pinned CLI"
    project = tmp_path_factory.mktemp("parity")
    shutil.copytree(PARITY / "supabase", project / "supabase")
    by_cli, by_maxpulse = database_factory(migrated=False), database_factory(migrated=False)

    done = run_supabase(
        program, project, "db", "push", "--include-seed", "--db-url", cli_url(by_cli)
    )
    push_args = ["db", "push", "--include-seed", "--json", "--db-url", by_maxpulse]
    ours = CliRunner().invoke(
        app, ["--workdir", str(project), *push_args], env={"SUPABASE_DB_URL": ""}
    )

    assert done.returncode == 0, done.stderr
    assert ours.exit_code == 0, ours.output
    return Pushed(program, project, by_cli, by_maxpulse, json.loads(ours.stdout))


def test_the_recorded_edge_cases_are_what_the_cli_stores_today(
    pushed: Pushed, database_factory: DatabaseFactory
) -> None:
    sources = [case["source"] for case in EXPECTED["cases"]]
    splits = cli_splits(pushed.program, database_factory(migrated=False), sources)
    assert splits == [case["statements"] for case in EXPECTED["cases"]]


def test_both_tools_store_the_recorded_statements(pushed: Pushed) -> None:
    assert stored_statements(pushed.by_cli) == BY_VERSION
    assert stored_statements(pushed.by_maxpulse) == BY_VERSION


def test_both_tools_build_the_same_schema_and_data(pushed: Pushed) -> None:
    assert snapshot(pushed.by_maxpulse) == snapshot(pushed.by_cli)


def test_a_project_pushed_by_the_cli_is_up_to_date_for_maxpulse(pushed: Pushed) -> None:
    root, target = ["--workdir", str(pushed.project)], ["--db-url", pushed.by_cli, "--json"]
    push = CliRunner().invoke(app, [*root, "db", "push", "--include-seed", *target])
    listed = CliRunner().invoke(app, [*root, "migration", "list", *target])

    report = json.loads(push.stdout)
    assert (report["applied"], report["pending"]) == ([], [])
    assert report["seeds"] == [{"path": "supabase/seed.sql", "state": "unchanged"}]
    rows = json.loads(listed.stdout)
    assert [(r["version"], r["local"], r["applied"], r["drifted"]) for r in rows] == [
        (version, True, True, False) for version in sorted(BY_VERSION)
    ]


def test_a_project_pushed_by_maxpulse_is_up_to_date_for_the_cli(pushed: Pushed) -> None:
    url = cli_url(pushed.by_maxpulse)
    dry_run = run_supabase(
        pushed.program, pushed.project, "db", "push", "--include-seed", "--dry-run", "--db-url", url
    )
    listed = run_supabase(pushed.program, pushed.project, "migration", "list", "--db-url", url)

    assert len(pushed.maxpulse_report["applied"]) == len(FILES)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "Remote database is up to date." in dry_run.stdout + dry_run.stderr
    assert "Would" not in dry_run.stdout + dry_run.stderr
    for version in BY_VERSION:
        assert f"`{version}` | `{version}`" in listed.stdout


def test_both_tools_skip_the_same_file_names_with_the_same_warning(pushed: Pushed) -> None:
    ours = CliRunner().invoke(
        app, ["--workdir", str(pushed.project), "migration", "list", "--db-url", pushed.by_cli]
    )
    theirs = run_supabase(
        pushed.program,
        pushed.project,
        "migration",
        "list",
        "--db-url",
        cli_url(pushed.by_cli),
    )
    for name in ("notes.sql", "20270601000005.sql"):
        warning = (
            f'Skipping migration {name}... (file name must match pattern "<timestamp>_name.sql")'
        )
        assert warning in ours.stderr
        assert warning in theirs.stderr


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the parity files made: columns, indexes (valid or not), enums, routines, rows."""
    queries = {
        "columns": "select table_name, column_name, data_type, column_default "
        "from information_schema.columns where table_schema = 'public' order by 1, 2",
        "indexes": "select c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) from pg_index i "
        "join pg_class c on c.oid = i.indexrelid "
        "where c.relnamespace = 'public'::regnamespace order by 1",
        "enums": "select enumlabel from pg_enum where enumtypid = 'public.parity_status'::regtype "
        "order by enumsortorder",
        "routines": "select proname, prokind from pg_proc "
        "where pronamespace = 'public'::regnamespace order by 1",
        "rows": "select 'jobs', count(*) from parity_jobs union all "
        "select 'jobs2', count(*) from parity_jobs2 union all "
        "select 'each', count(*) from parity_each union all "
        "select 'bom', count(*) from parity_bom",
    }
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in queries.items()}

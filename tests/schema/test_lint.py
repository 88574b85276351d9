"""`maxpulse db lint`: the clean schema passes, a deliberately broken one fails."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from maxpulse_tools.errors import LintFailed, MaxpulseError
from maxpulse_tools.lint import Category, Finding, Level, LintReport, lint_project
from maxpulse_tools.lint.advisor import check_database
from maxpulse_tools.lint.checks import ADVISOR_CHECKS
from maxpulse_tools.lint.squawk import lint_migration_files, parse_squawk_report
from maxpulse_tools.project import Project

# One mistake per advisor check, made on top of the real schema.
BREAKAGE = """
create table public.lint_open (id uuid primary key, owner_id uuid references public.users (id));
create table public.lint_ignored (id uuid primary key);
create policy lint_ignored_select on public.lint_ignored for select to authenticated using (true);
alter table public.lint_ignored disable row level security;
create table public.lint_locked (id uuid primary key);
alter table public.lint_locked enable row level security;
create function public.lint_mutable() returns integer language sql as $$ select 1 $$;
create view public.lint_everyone as select id, email from public.users;
create table public.lint_notes (id uuid primary key, user_id uuid, body text);
alter table public.lint_notes enable row level security;
create policy lint_notes_own on public.lint_notes for select to authenticated
  using (user_id = auth.uid());
create policy lint_notes_admin on public.lint_notes for select to authenticated
  using ((select private.is_admin()));
create policy lint_notes_update on public.lint_notes for update to authenticated using (true);
create index lint_notes_user_a on public.lint_notes (user_id);
create index lint_notes_user_b on public.lint_notes (user_id);
"""

EXPECTED_FINDINGS = {
    ("rls_disabled_in_public", "public.lint_open"),
    ("rls_disabled_in_public", "public.lint_ignored"),
    ("policy_exists_rls_disabled", "public.lint_ignored"),
    ("rls_enabled_no_policy", "public.lint_locked"),
    ("function_search_path_mutable", "public.lint_mutable()"),
    ("security_definer_view", "public.lint_everyone"),
    ("auth_rls_initplan", "public.lint_notes policy lint_notes_own"),
    ("unindexed_foreign_keys", "public.lint_open"),
    ("duplicate_index", "public.lint_notes"),
    ("multiple_permissive_policies", "public.lint_notes"),
    ("rls_policy_always_true", "public.lint_notes policy lint_notes_update"),
}


@pytest.fixture(scope="module")
def broken_db_url(database_factory: Any) -> str:
    url: str = database_factory(migrated=True, seeded=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BREAKAGE)
    return url


@pytest.fixture
def clean_db(seeded_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(seeded_db_url, autocommit=True) as conn:
        yield conn


def test_clean_schema_has_no_advisor_findings(clean_db: psycopg.Connection[Any]) -> None:
    findings = check_database(clean_db)
    assert [f.one_line() for f in findings] == []


def test_migration_files_pass_squawk(repo_project: Project) -> None:
    files = sorted(repo_project.migrations_dir.glob("*.sql"))
    findings = lint_migration_files(files, root=repo_project.root)
    assert [f.one_line() for f in findings] == []


def test_broken_schema_trips_every_advisor_check(broken_db_url: str) -> None:
    with psycopg.connect(broken_db_url, autocommit=True) as conn:
        findings = check_database(conn)

    assert {(f.rule, f.subject) for f in findings} == EXPECTED_FINDINGS
    assert {f.rule for f in findings} == {check.name for check in ADVISOR_CHECKS}


def test_only_security_findings_above_info_fail(broken_db_url: str) -> None:
    with psycopg.connect(broken_db_url, autocommit=True) as conn:
        report = LintReport.of(check_database(conn))

    assert report.failed
    assert {f.rule for f in report.failures} == {
        "rls_disabled_in_public",
        "policy_exists_rls_disabled",
        "function_search_path_mutable",
        "security_definer_view",
        "rls_policy_always_true",
    }


def test_checks_see_uncommitted_changes_of_the_callers_transaction(
    db: psycopg.Connection[Any],
) -> None:
    db.execute("create table public.lint_in_flight (id integer primary key)")

    findings = check_database(db)

    assert [(f.rule, f.subject) for f in findings] == [
        ("rls_disabled_in_public", "public.lint_in_flight")
    ]


# squawk -----------------------------------------------------------------------------


@pytest.fixture
def scratch_project(tmp_path: Path, repo_project: Project) -> Project:
    """A copy of this project's migrations to add bad ones to."""
    shutil.copytree(repo_project.migrations_dir, tmp_path / "supabase" / "migrations")
    return Project(tmp_path)


def test_squawk_reports_unsafe_migrations_with_their_location(scratch_project: Project) -> None:
    bad = scratch_project.migrations_dir / "20261201000000_unsafe.sql"
    bad.write_text(
        "set local lock_timeout = '5s';\n"
        "set local statement_timeout = '1min';\n"
        "create index users_last_login_idx on public.users (last_login);\n"
        "alter table public.users alter column email type varchar(320);\n",
        encoding="utf-8",
    )

    findings = lint_migration_files([bad], root=scratch_project.root)

    located = {(f.rule, f.subject.rsplit(":", 1)[0]) for f in findings}
    assert located >= {
        ("require-concurrent-index-creation", "supabase/migrations/20261201000000_unsafe.sql:3"),
        ("changing-column-type", "supabase/migrations/20261201000000_unsafe.sql:4"),
    }
    assert all(f.category is Category.MIGRATION_SAFETY and not f.is_failure for f in findings)


def test_a_plain_index_on_an_existing_table_is_told_to_go_concurrent(
    scratch_project: Project, seeded_db_url: str
) -> None:
    (scratch_project.migrations_dir / "20261201000000_plain.sql").write_text(
        "set local lock_timeout = '5s';\nset local statement_timeout = '1min';\n"
        "create index if not exists users_last_login_idx on public.users (last_login);\n",
        encoding="utf-8",
    )
    (scratch_project.migrations_dir / "20261201000001_concurrent.sql").write_text(
        "set lock_timeout = '5s';\nset statement_timeout = '1min';\n"
        "create index concurrently if not exists users_email_idx on public.users (email);\n",
        encoding="utf-8",
    )

    with psycopg.connect(seeded_db_url) as conn:
        report = lint_project(scratch_project, conn)

    findings = {(f.rule, f.subject.split(":")[0]): f for f in report.findings}
    plain = findings[
        ("require-concurrent-index-creation", "supabase/migrations/20261201000000_plain.sql")
    ]
    assert "Write CREATE INDEX CONCURRENTLY" in plain.message
    assert not [key for key in findings if key[1].endswith("_concurrent.sql")]


def test_squawk_output_is_read_with_one_based_positions() -> None:
    output = json.dumps(
        [
            {
                "file": "supabase/migrations/x.sql",
                "line": 0,
                "column": 4,
                "level": "Warning",
                "message": "Adding a column with a default.",
                "help": "Add the default later.",
                "rule_name": "adding-field-with-default",
            }
        ]
    )

    assert parse_squawk_report(output, returncode=1) == [
        Finding(
            source="squawk",
            rule="adding-field-with-default",
            level=Level.WARN,
            category=Category.MIGRATION_SAFETY,
            subject="supabase/migrations/x.sql:1:5",
            message="Adding a column with a default. Add the default later.",
        )
    ]


@pytest.mark.parametrize(
    ("stdout", "returncode"),
    [("not json", 1), ("", 1), ("[]", 2), ('{"a": 1}', 0)],
)
def test_squawk_failure_is_an_error_not_a_clean_result(stdout: str, returncode: int) -> None:
    with pytest.raises(MaxpulseError, match="squawk failed"):
        parse_squawk_report(stdout, returncode=returncode, stderr="boom")


# the command --------------------------------------------------------------------------


def run_lint(repo_project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--workdir", str(repo_project.root), "db", "lint", *args])


def test_lint_command_passes_on_the_clean_schema(repo_project: Project, seeded_db_url: str) -> None:
    result = run_lint(repo_project, "--db-url", seeded_db_url)

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no findings" in result.stderr
    assert "postgres:****@" in result.stderr


def test_lint_command_fails_on_the_broken_schema(repo_project: Project, broken_db_url: str) -> None:
    result = run_lint(repo_project, "--db-url", broken_db_url)

    assert result.exit_code == LintFailed.exit_code
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED_FINDINGS)
    assert lines[0].startswith("error ")
    assert any(
        line.startswith("warn  rls_policy_always_true public.lint_notes policy lint_notes_update: ")
        for line in lines
    )
    assert result.stderr.splitlines()[-1].startswith("error: db lint found 6 security finding(s)")


def test_lint_command_json_is_for_scripts(repo_project: Project, broken_db_url: str) -> None:
    result = run_lint(repo_project, "--db-url", broken_db_url, "--json")

    assert result.exit_code == LintFailed.exit_code
    report = json.loads(result.stdout)
    assert report["failed"] is True
    assert report["database"].startswith("postgresql://postgres:****@")
    failing = {(f["rule"], f["subject"]) for f in report["findings"] if f["fails"]}
    assert ("security_definer_view", "public.lint_everyone") in failing
    assert {f["source"] for f in report["findings"]} == {"advisor"}

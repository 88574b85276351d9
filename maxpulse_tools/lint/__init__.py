"""`maxpulse db lint`: squawk on the migration files, the database advisor on a database.

`lint_project` is what the command runs; `lint_migration_files` and
`check_database` are its two halves. Security findings (level error or warn)
make the report fail; everything else is shown and left to judgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maxpulse_tools.lint.findings import Category, Finding, Level, LintReport

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.migrations.files import LocalMigration
    from maxpulse_tools.project import Project

__all__ = ["Category", "Finding", "Level", "LintReport", "lint_project"]


def lint_project(project: Project, conn: psycopg.Connection[tuple[object, ...]]) -> LintReport:
    """Lint the project's migration files with squawk and the database behind `conn`."""
    from maxpulse_tools.lint.advisor import check_database
    from maxpulse_tools.lint.squawk import lint_migration_files
    from maxpulse_tools.migrations.files import scan_migrations

    migrations = scan_migrations(project.migrations_dir).migrations
    findings: list[Finding] = []
    for in_transaction in (True, False):
        files = [m.path for m in migrations if _runs_in_one_transaction(m) == in_transaction]
        findings += lint_migration_files(files, root=project.root, in_transaction=in_transaction)
    findings += check_database(conn)
    return LintReport.of(findings)


def _runs_in_one_transaction(migration: LocalMigration) -> bool:
    from maxpulse_tools.errors import MigrationFailed

    try:
        return migration.plan.is_single_transaction
    except MigrationFailed:
        return True  # refused by db push anyway; lint it as written

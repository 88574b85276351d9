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

    from maxpulse_tools.project import Project

__all__ = ["Category", "Finding", "Level", "LintReport", "lint_project"]


def lint_project(project: Project, conn: psycopg.Connection[tuple[object, ...]]) -> LintReport:
    """Lint the project's migration files with squawk and the database behind `conn`."""
    from maxpulse_tools.lint.advisor import check_database
    from maxpulse_tools.lint.squawk import lint_migration_files

    files = sorted(project.migrations_dir.glob("*.sql"))
    findings = lint_migration_files(files, root=project.root)
    findings += check_database(conn)
    return LintReport.of(findings)

"""`maxpulse db lint`: squawk on the migration files, Supabase's advisor checks on the database."""

from __future__ import annotations

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption


def lint(ctx: typer.Context, db_url: DbUrlOption = None, as_json: JsonOption = False) -> None:
    """Lint migrations (squawk) and the pushed database (advisor); fail on security findings."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import LintFailed
    from maxpulse_tools.lint import lint_project

    cli = state(ctx)
    target = cli.target(db_url)
    with connect(target) as conn:
        report = lint_project(cli.project, conn)
    if as_json:
        output.emit_json({"database": target.display, **report.to_json()})
    else:
        for finding in report.findings:
            output.result(finding.one_line())
        output.progress(f"db lint of {target.display}: {report.summary()}.")
    if report.failed:
        raise LintFailed(
            f"db lint found {len(report.failures)} security finding(s)",
            hint="fix them in a new migration; see the lines above",
        )

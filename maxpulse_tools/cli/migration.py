"""`maxpulse migration ...`: create migration files, list them, repair the history."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import CliState, state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption

if TYPE_CHECKING:
    from maxpulse_tools.migrations.files import LocalMigration

migration_app = typer.Typer(help="Migration files and the applied history.", no_args_is_help=True)


class RepairStatus(StrEnum):
    """What `migration repair` records for the given versions."""

    applied = "applied"
    reverted = "reverted"


def load_migrations(cli: CliState, *, quiet: bool = False) -> list[LocalMigration]:
    """The project's migrations; files the name rule skips are named on stderr, as the CLI does."""
    from maxpulse_tools.migrations.files import scan_migrations, skip_warning

    folder = scan_migrations(cli.project.migrations_dir)
    if not quiet:
        for filename in folder.skipped:
            output.progress(skip_warning(filename))
    return folder.migrations


@migration_app.command("new")
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_orders_index.")],
) -> None:
    """Create supabase/migrations/<UTC timestamp>_<snake_name>.sql (empty)."""
    from maxpulse_tools.migrations.naming import create_migration_file

    project = state(ctx).project
    created = create_migration_file(project.migrations_dir, name)
    output.result(f"Created new migration at {project.relative(created.path)}")
    if created.normalised_from is not None:
        output.progress(
            f"Note: the name is written in snake_case; the Supabase CLI would keep "
            f"{created.normalised_from!r} as typed."
        )


@migration_app.command("list")
def list_migrations(
    ctx: typer.Context, db_url: DbUrlOption = None, as_json: JsonOption = False
) -> None:
    """Show local migration files next to those applied to the database."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.migrations.files import version_time
    from maxpulse_tools.migrations.history import read_history
    from maxpulse_tools.migrations.push import migration_status

    cli = state(ctx)
    local = load_migrations(cli, quiet=as_json)
    with connect(cli.target(db_url)) as conn:
        rows = migration_status(local, read_history(conn))
    if as_json:
        output.emit_json(
            [
                {
                    "version": row.version,
                    "name": row.name,
                    "local": row.is_local,
                    "applied": row.is_applied,
                    "drifted": row.has_drifted,
                    "time": (t.isoformat() if (t := version_time(row.version)) else None),
                }
                for row in rows
            ]
        )
        return
    table_rows = []
    for row in rows:
        moment = version_time(row.version)
        table_rows.append(
            [
                row.version if row.is_local else "",
                row.version if row.is_applied else "",
                moment.strftime("%Y-%m-%d %H:%M:%S") if moment else row.version,
                row.name + ("  (changed since applied)" if row.has_drifted else ""),
            ]
        )
    output.table(["LOCAL", "REMOTE", "TIME (UTC)", "NAME"], table_rows)


@migration_app.command("repair")
def repair(
    ctx: typer.Context,
    versions: Annotated[list[str], typer.Argument(help="Migration versions to repair.")],
    status: Annotated[
        RepairStatus,
        typer.Option(
            "--status", help="applied: record the local file as applied; reverted: forget it."
        ),
    ],
    db_url: DbUrlOption = None,
) -> None:
    """Change the history without running SQL (after fixing a database by hand)."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.migrations.push import repair_history

    cli = state(ctx)
    local = load_migrations(cli)
    with connect(cli.target(db_url)) as conn:
        repair_history(conn, local, versions, status.value)
    output.result(f"Repaired migration history: {', '.join(versions)} => {status.value}.")

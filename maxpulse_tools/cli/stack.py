"""`maxpulse start | stop | status`: the whole local stack (database + functions)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import CliState, state
from maxpulse_tools.cli.options import JsonOption, PgBinOption, PortOption
from maxpulse_tools.defaults import LOOPBACK_HOST, local_api_url, local_functions_url

if TYPE_CHECKING:
    from maxpulse_tools.local.database import DatabaseStart
    from maxpulse_tools.local.stack import StackStatus

_NOT_MADE_YET = "(made on first start)"


def register_stack_commands(app: typer.Typer) -> None:
    """Add the top-level stack commands to the root app."""
    app.command("start")(start)
    app.command("stop")(stop)
    app.command("status")(status)


def start(
    ctx: typer.Context,
    pg_bin: PgBinOption = None,
    port: PortOption = None,
    functions_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Port of the functions gateway, the API URL's port (default: the last one"
            " used, else 54321).",
            show_default=False,
        ),
    ] = None,
    no_functions: Annotated[
        bool, typer.Option("--no-functions", help="Start the database only, then return.")
    ] = False,
) -> None:
    """Start the local stack: database, migrations, seed, then the functions (Ctrl-C stops all)."""
    from maxpulse_tools.local.functions_server import (
        check_functions_can_serve,
        recorded_functions_server,
        serve_functions,
    )
    from maxpulse_tools.local.keys import read_keys
    from maxpulse_tools.local.state import read_stack_state

    cli = state(ctx)
    serve_port = None
    if not no_functions:
        serve_port = functions_port or read_stack_state(cli.project).functions_port
        check_functions_can_serve(cli.project, serve_port)  # before touching the database
    started = _start_and_migrate(cli, pg_bin, port)
    if serve_port is None:
        output.result("Local stack is ready. `maxpulse status` shows how to reach it.")
        return
    keys = read_keys(cli.project.keys_file)
    output.progress(f"API URL: {local_api_url(serve_port)} (`maxpulse status` shows the keys)")
    output.progress(f"Serving functions on {local_functions_url(serve_port)} (Ctrl-C stops)")
    try:
        with recorded_functions_server(cli.project, serve_port):
            serve_functions(
                host=LOOPBACK_HOST,
                port=serve_port,
                workers=1,
                env={
                    "SUPABASE_DB_URL": started.url,
                    "SUPABASE_JWT_SECRET": keys.jwt_secret,
                    "MAXPULSE_PROJECT_DIR": str(cli.project.root),
                },
            )
    finally:
        from maxpulse_tools.local.database import stop_database

        stop_database(cli.project)
        output.progress("Local database stopped.")


def _start_and_migrate(cli: CliState, pg_bin: Path | None, port: int | None) -> DatabaseStart:
    from maxpulse_tools.local.database import migrate_local, start_database

    started = start_database(cli.project, cli.pg_bin(pg_bin), port)
    verb = "was already running" if started.was_running else "started"
    output.progress(
        f"Database {verb}: PostgreSQL {started.major_version} on 127.0.0.1:{started.server.port}"
    )
    migrate_local(started.url, cli.project, output.progress)
    return started


def stop(ctx: typer.Context) -> None:
    """Stop the local stack: the functions server `start` runs, and the database."""
    from maxpulse_tools.local.stack import stop_stack

    stopped = stop_stack(state(ctx).project)
    if stopped.functions_pid is not None:
        output.progress(f"Functions server (pid {stopped.functions_pid}) stopped.")
    output.result(
        "Local stack stopped." if stopped.stopped_anything else "Local stack is not running."
    )


def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show URLs and keys of the local stack (exit code 3 when the database is down)."""
    from maxpulse_tools.local.stack import stack_status

    cli = state(ctx)
    current = stack_status(cli.project, cli.settings)
    if as_json:
        output.emit_json(current.to_json())
    else:
        rows = _status_rows(current)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            output.result(f"{label.rjust(width)}: {value}")
    if not current.db_running:
        raise typer.Exit(3)


def _status_rows(current: StackStatus) -> list[tuple[str, str]]:
    keys = current.keys
    functions = "not running"
    if current.functions_running:
        functions = f"running (pid {current.functions_pid})" if current.functions_pid else "running"
    database = "stopped (start it with `maxpulse start`)"
    if current.db_running:
        database = f"running (pid {current.db_pid})"
    rows = [
        ("API URL", current.api_url),
        ("Functions URL", current.functions_url),
        ("Functions", functions),
        ("DB URL", current.db_url),
        ("Database", database),
        ("JWT secret", keys.jwt_secret if keys else _NOT_MADE_YET),
        ("anon key", keys.anon_key if keys else _NOT_MADE_YET),
        ("service_role key", keys.service_role_key if keys else _NOT_MADE_YET),
        (
            "Hosted API URL",
            f"{current.hosted_api_url} (REST, Auth, Realtime, Storage)"
            if current.hosted_api_url
            else "not set (SUPABASE_URL): REST, Auth, Realtime and Storage are not served locally",
        ),
    ]
    if current.hosted_anon_key:
        rows.append(("Hosted anon key", current.hosted_anon_key))
    if current.deployed_functions_url:
        rows.append(("Deployed functions", current.deployed_functions_url))
    if current.env_db_url:
        rows.append(("SUPABASE_DB_URL", f"{current.env_db_url} (db commands use it)"))
    return rows

"""`maxpulse start | stop | status`: the whole local stack (database + functions)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import CliState, state
from maxpulse_tools.cli.options import JsonOption, PgBinOption, PortOption
from maxpulse_tools.defaults import LOCAL_FUNCTIONS_PORT, LOOPBACK_HOST, local_functions_url

if TYPE_CHECKING:
    from maxpulse_tools.local.database import DatabaseStart


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
        int, typer.Option(min=1, max=65535, help="Port of the functions gateway.")
    ] = LOCAL_FUNCTIONS_PORT,
    no_functions: Annotated[
        bool, typer.Option("--no-functions", help="Start the database only, then return.")
    ] = False,
) -> None:
    """Start the local stack: database, migrations, seed, then the functions (Ctrl-C stops all)."""
    cli = state(ctx)
    started = _start_and_migrate(cli, pg_bin, port)
    if no_functions:
        output.result("Local stack is ready. `maxpulse status` shows how to reach it.")
        return
    from maxpulse_tools.local.functions_server import serve_functions
    from maxpulse_tools.local.keys import read_keys

    keys = read_keys(cli.project.keys_file)
    output.progress(f"Serving functions on {local_functions_url(functions_port)} (Ctrl-C stops)")
    try:
        serve_functions(
            host=LOOPBACK_HOST,
            port=functions_port,
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
    """Stop the local database (functions stop with the `start` that serves them)."""
    from maxpulse_tools.local.database import stop_database

    was_running = stop_database(state(ctx).project)
    output.result("Local stack stopped." if was_running else "Local stack is not running.")


def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show URLs and keys of the local stack (exit code 3 when the database is down)."""
    from maxpulse_tools.local.cluster import local_dsn, running_server
    from maxpulse_tools.local.database import read_state
    from maxpulse_tools.local.keys import read_keys

    cli = state(ctx)
    server = running_server(cli.project.db_dir)
    port = server.port if server else read_state(cli.project).port
    functions_url = cli.settings.maxpulse_functions_url or local_functions_url()
    keys = read_keys(cli.project.keys_file) if cli.project.keys_file.is_file() else None
    info = {
        "db_running": server is not None,
        "db_url": local_dsn(port),
        "functions_url": functions_url,
        "functions_running": _listening(LOOPBACK_HOST, LOCAL_FUNCTIONS_PORT),
        "jwt_secret": keys.jwt_secret if keys else None,
        "anon_key": keys.anon_key if keys else None,
        "service_role_key": keys.service_role_key if keys else None,
    }
    if as_json:
        output.emit_json(info)
    else:
        rows = [
            ("Database", "running" if server else "stopped (start it with `maxpulse start`)"),
            ("DB URL", str(info["db_url"])),
            ("Functions URL", functions_url),
            ("Functions", "running" if info["functions_running"] else "not running"),
            ("JWT secret", keys.jwt_secret if keys else "(made on first start)"),
            ("anon key", keys.anon_key if keys else "(made on first start)"),
            ("service_role key", keys.service_role_key if keys else "(made on first start)"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            output.result(f"{label.rjust(width)}: {value}")
    if server is None:
        raise typer.Exit(3)


def _listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0

"""`maxpulse functions ...`: the HTTP functions (serve locally; deploy comes with its issue)."""

from __future__ import annotations

from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX, LOCAL_FUNCTIONS_PORT, LOOPBACK_HOST

functions_app = typer.Typer(
    help="The HTTP functions at /functions/v1/<name>: serve them locally.", no_args_is_help=True
)


@functions_app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port to listen on.")
    ] = LOCAL_FUNCTIONS_PORT,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")
    ] = LOOPBACK_HOST,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
) -> None:
    """Serve all four functions at http://HOST:PORT/functions/v1/<name> (Ctrl-C stops).

    The database is SUPABASE_DB_URL, else the local stack; HS256 tokens are
    checked with SUPABASE_JWT_SECRET, else the local stack's secret.
    """
    from maxpulse_tools.local.functions_server import serve_functions
    from maxpulse_tools.local.keys import read_keys

    cli = state(ctx)
    settings = cli.settings
    env = {
        "SUPABASE_DB_URL": cli.target(None).url,
        "MAXPULSE_PROJECT_DIR": str(cli.project.root),
    }
    secret = settings.supabase_jwt_secret
    if secret is not None:
        env["SUPABASE_JWT_SECRET"] = secret.get_secret_value()
    elif cli.project.keys_file.is_file():
        env["SUPABASE_JWT_SECRET"] = read_keys(cli.project.keys_file).jwt_secret
    else:
        output.progress(
            "warning: no SUPABASE_JWT_SECRET and no local keys: HS256 tokens will be refused"
        )
    if settings.supabase_url:
        env["SUPABASE_URL"] = settings.supabase_url
    output.progress(
        f"Serving functions on http://{host}:{port}{FUNCTIONS_PATH_PREFIX} (Ctrl-C stops)"
    )
    serve_functions(host, port, workers, env, access_log=access_log)

"""`maxpulse health`: every check, a table or JSON, exit 0/1/2; --watch, --auto-rollback, --serve."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import CliState, state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption
from maxpulse_tools.defaults import LOCAL_STATUS_PAGE_PORT, LOOPBACK_HOST

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from maxpulse_tools.ops.health import HealthReport, HealthTarget

STATUS_COLOURS = {
    "healthy": "green",
    "degraded": "yellow",
    "unhealthy": "bold red",
    "skipped": "dim",
}


def health(
    ctx: typer.Context,
    as_json: JsonOption = False,
    watch: Annotated[
        float | None,
        typer.Option("--watch", min=1, help="Run again every SECONDS, redrawing in place."),
    ] = None,
    auto_rollback: Annotated[
        bool,
        typer.Option("--auto-rollback", help="Pull the kill switch once if 2+ checks fail."),
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="Serve the status page instead (Ctrl-C stops).")
    ] = False,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of the status page.")
    ] = LOCAL_STATUS_PAGE_PORT,
    host: Annotated[str, typer.Option(help="Address of the status page.")] = LOOPBACK_HOST,
    timeout: Annotated[float, typer.Option(min=0.5, help="Seconds each check may take.")] = 5.0,
    db_url: DbUrlOption = None,
) -> None:
    """Check database, migrations, REST, Auth, Realtime and every function: exit 0, 1 or 2."""
    cli = state(ctx)
    target = health_target(cli, db_url, timeout)
    if serve:
        from maxpulse_tools.ops.status_server import serve_status_page

        output.progress(f"Status page on http://{host}:{port}/ (Ctrl-C stops)")
        serve_status_page(target, host=host, port=port, interval=watch or 15.0)
        return
    if watch is not None:
        raise typer.Exit(_watch(target, watch, auto_rollback))
    report = _run_once(target)
    if as_json:
        output.emit_json(report.to_json())
    else:
        _console().print(health_table(report))
    if auto_rollback and report.calls_for_rollback:
        output.result(_pull_kill_switch(target, report))
    raise typer.Exit(report.exit_code)


def health_target(cli: CliState, db_url: str | None, timeout: float) -> HealthTarget:
    """What to check, from the flags and the environment (README's configuration table)."""
    from maxpulse_tools.defaults import local_functions_url
    from maxpulse_tools.ops.health import HealthTarget, enabled_function_names

    settings = cli.settings
    key = settings.supabase_service_role_key or settings.supabase_anon_key
    return HealthTarget(
        database=cli.target(db_url),
        migrations_dir=cli.project.migrations_dir,
        functions_url=settings.maxpulse_functions_url or local_functions_url(),
        function_names=enabled_function_names(cli.project.config_toml),
        supabase_url=settings.supabase_url,
        api_key=key.get_secret_value() if key else None,
        timeout=timeout,
    )


def health_table(report: HealthReport) -> Table:
    """The checks as a Rich table, worst status in the title."""
    from rich.table import Table

    status = report.status.value
    table = Table(
        title=f"maxpulse health: [{STATUS_COLOURS[status]}]{status}[/]", title_justify="left"
    )
    for column in ("CHECK", "STATUS", "LATENCY", "DETAIL"):
        table.add_column(column, justify="right" if column == "LATENCY" else "left")
    for result in report.results:
        latency = "" if result.latency_ms is None else f"{result.latency_ms:.0f} ms"
        colour = STATUS_COLOURS[result.status.value]
        table.add_row(result.name, f"[{colour}]{result.status.value}[/]", latency, result.detail)
    return table


def _run_once(target: HealthTarget) -> HealthReport:
    from maxpulse_tools.ops.health import run_health

    return run_health(target)


def _watch(target: HealthTarget, interval: float, auto_rollback: bool) -> int:
    """Redraw the table every `interval` seconds until Ctrl-C; the kill switch at most once.

    On a terminal the table is redrawn in place; into a pipe or a log, each run
    is printed after the previous one.
    """
    from rich.console import Group
    from rich.live import Live
    from rich.text import Text

    from maxpulse_tools.ops.audit import current_actor
    from maxpulse_tools.ops.health import watch_health

    console = _console()
    last: list[HealthReport] = []
    live = Live(console=console, auto_refresh=False) if console.is_terminal else None

    def show(report: HealthReport, rolled_back: str | None) -> None:
        last[:] = [report]
        footer = Text(f"{rolled_back or ''}\nnext run in {interval:g} s (Ctrl-C stops)")
        if live is None:
            console.print(health_table(report), footer)
        else:
            live.update(Group(health_table(report), footer), refresh=True)

    with live or contextlib.nullcontext(), contextlib.suppress(KeyboardInterrupt):
        actor = current_actor() if auto_rollback else None
        watch_health(target, interval, show, auto_rollback_as=actor)
    return last[0].exit_code if last else 0


def _pull_kill_switch(target: HealthTarget, report: HealthReport) -> str:
    from maxpulse_tools.ops.audit import current_actor
    from maxpulse_tools.ops.health import auto_rollback

    return auto_rollback(target.database, report, current_actor())


def _console() -> Console:
    from rich.console import Console

    # Wide enough for the details when the output is not a terminal (pipes, CI logs).
    console = Console()
    return console if console.is_terminal else Console(width=160)

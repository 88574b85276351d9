"""`maxpulse analytics ...`: the rollups behind the dashboards' get_distributor_analytics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption

analytics_app = typer.Typer(help="Analytics rollups for the dashboards.", no_args_is_help=True)

SinceOption = Annotated[
    datetime | None,
    typer.Option(
        "--since",
        formats=["%Y-%m-%d"],
        metavar="DATE",
        help="Also recount every day from DATE on (YYYY-MM-DD), e.g. after fixing old rows.",
        show_default=False,
    ),
]


@analytics_app.command("aggregate")
def aggregate(
    ctx: typer.Context,
    since: SinceOption = None,
    db_url: DbUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Roll new analytics events up into daily rows, from where the last run stopped."""
    from maxpulse_tools.analytics import aggregate_analytics
    from maxpulse_tools.database import connect

    target = state(ctx).target(db_url)
    with connect(target) as conn:
        run = aggregate_analytics(conn, since=since.date() if since else None)
    if as_json:
        output.emit_json({"database": target.display, **run.to_json()})
    else:
        output.result(run.one_line())

"""`maxpulse ai ...`: the ai-analysis function's statistics and its pattern cache."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption
from maxpulse_tools.errors import ConfigError

ai_app = typer.Typer(help="The ai-analysis function: usage, costs, cache.", no_args_is_help=True)
cache_app = typer.Typer(help="The pattern cache of ai-analysis.", no_args_is_help=True)
ai_app.add_typer(cache_app, name="cache")


@ai_app.command("stats")
def stats(
    ctx: typer.Context,
    db_url: DbUrlOption = None,
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=3650, help="Whole UTC days to report, today included."),
    ] = 7,
    as_json: JsonOption = False,
) -> None:
    """Show hit rate, LLM calls, tokens, cost and what the cache saved."""
    from maxpulse_tools.ai.stats import collect_stats, stats_json, stats_lines
    from maxpulse_tools.database import connect

    target = state(ctx).target(db_url)
    with connect(target) as conn:
        collected = collect_stats(conn, days)
    if as_json:
        output.emit_json({"database": target.display, **stats_json(collected)})
        return
    output.progress(
        f"ai-analysis on {target.display}, {days} day(s) since {collected.since} (UTC):"
    )
    for line in stats_lines(collected):
        output.result(line)


@cache_app.command("clear")
def clear(
    ctx: typer.Context,
    db_url: DbUrlOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
) -> None:
    """Delete every cached analysis: the next requests ask the LLM anew."""
    from maxpulse_tools.ai.cache import clear_cache, count_cached
    from maxpulse_tools.database import connect

    target = state(ctx).target(db_url)
    with connect(target) as conn:
        cached = count_cached(conn)
        if not yes:
            _confirm(f"Delete {cached} cached analyses from {target.display}?")
        deleted = clear_cache(conn)
    output.result(f"Deleted {deleted} cached analyses from {target.display}.")


def _confirm(question: str) -> None:
    if not sys.stdin.isatty():
        raise ConfigError("refusing to clear the cache without confirmation", hint="pass --yes")
    if not typer.confirm(question, default=False):
        raise typer.Abort()

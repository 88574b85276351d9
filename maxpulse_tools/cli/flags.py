"""`maxpulse flags list | set`: the feature flags frontends read with the anon key."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption, ReasonOption

flags_app = typer.Typer(
    help="Feature flags (feature_flags): list them, switch one; every change is audited.",
    no_args_is_help=True,
)


class Switch(StrEnum):
    """The value `flags set` gives a flag."""

    on = "on"
    off = "off"


@flags_app.command("list")
def list_flags(ctx: typer.Context, db_url: DbUrlOption = None, as_json: JsonOption = False) -> None:
    """Show every flag, whether it is on, and when it last changed."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.ops.flags import list_flags as read_flags

    with connect(state(ctx).target(db_url)) as conn:
        flags = read_flags(conn)
    if as_json:
        output.emit_json([flag.to_json() for flag in flags])
        return
    output.table(
        ["NAME", "ENABLED", "UPDATED (UTC)", "DESCRIPTION"],
        [
            [
                flag.name,
                "on" if flag.enabled else "off",
                flag.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
                flag.description or "",
            ]
            for flag in flags
        ],
    )


@flags_app.command("set")
def set_flag(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The flag, e.g. ai_edge_function.")],
    value: Annotated[Switch, typer.Argument(help="on or off.")],
    reason: ReasonOption = None,
    db_url: DbUrlOption = None,
) -> None:
    """Switch one flag on or off, recording who, when, why and its value before."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.ops.audit import current_actor
    from maxpulse_tools.ops.flags import set_flag as switch_flag

    with connect(state(ctx).target(db_url)) as conn:
        entry = switch_flag(conn, name, value is Switch.on, actor=current_actor(), reason=reason)
    before = entry.previous_flags[name]
    verb = "was already" if before is (value is Switch.on) else "is now"
    output.result(f"{name} {verb} {value.value} (audit {entry.id}, by {entry.actor}).")

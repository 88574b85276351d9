"""`maxpulse rollback`: the kill switch (every flag off, audited) and its `--undo`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption, ReasonOption

if TYPE_CHECKING:
    from maxpulse_tools.ops.rollback import RollbackReport, UndoReport


def rollback(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be switched off; change nothing.")
    ] = False,
    undo: Annotated[
        bool,
        typer.Option("--undo", help="Restore the flags as they were before the last rollback."),
    ] = False,
    reason: ReasonOption = None,
    db_url: DbUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Kill switch: every feature flag off in one audited transaction (--undo restores them)."""
    import time
    from dataclasses import replace

    from maxpulse_tools.database import connect
    from maxpulse_tools.ops.audit import current_actor
    from maxpulse_tools.ops.rollback import run_rollback, undo_rollback

    target = state(ctx).target(db_url)
    if not (yes or dry_run):
        what = "restore the flags of the last rollback" if undo else "switch every feature flag off"
        _confirm(f"{what.capitalize()} on {target.display}?")
    started = time.perf_counter()  # the whole operation, connecting included
    with connect(target) as conn:
        if undo:
            report: RollbackReport | UndoReport = undo_rollback(
                conn, actor=current_actor(), reason=reason
            )
        else:
            report = run_rollback(conn, actor=current_actor(), reason=reason, dry_run=dry_run)
    report = replace(report, seconds=time.perf_counter() - started)
    if as_json:
        output.emit_json(report.to_json())
    else:
        for line in describe(report):
            output.result(line)


def describe(report: RollbackReport | UndoReport) -> list[str]:
    """The lines `rollback` prints: what changed, the audit row, the time taken."""
    from maxpulse_tools.ops.rollback import RollbackReport

    if isinstance(report, RollbackReport):
        names = ", ".join(report.switched_off) or "none (all were off)"
        if report.is_dry_run:
            return [f"Would switch off: {names}", report.traffic]
        assert report.entry is not None
        return [
            f"Switched off: {names}",
            report.traffic,
            f"Audit {report.entry.id} by {report.entry.actor}; undo with `maxpulse rollback --undo`.",
            f"Rollback done in {report.seconds:.2f} s.",
        ]
    if report.entry is None:
        return ["Nothing to undo: every rollback has been undone already."]
    restored = ", ".join(
        f"{name} {'on' if on else 'off'}" for name, (_, on) in report.restored.items()
    )
    return [
        f"Restored: {restored or 'nothing (the flags were already as before)'}",
        f"Audit {report.entry.id} undoes {report.entry.undoes}.",
        f"Undo done in {report.seconds:.2f} s.",
    ]


def _confirm(question: str) -> None:
    import sys

    from maxpulse_tools.errors import ConfigError

    if not sys.stdin.isatty():
        raise ConfigError("refusing to roll back without confirmation", hint="pass --yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)

"""`maxpulse rollback`: the kill switch. Every flag off in one transaction, audited; undoable.

The database does the work (`private.kill_switch`, `private.undo_kill_switch`):
the flags' previous values go into the same transaction's audit row, so an
undo restores exactly what the rollback switched off. Moving the functions'
traffic back to a previous revision belongs to `functions deploy`, which
records revisions; until something was deployed by maxpulse there is nothing
to move.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from maxpulse_tools.ops.audit import AUDIT_COLUMNS, AuditEntry, changed_flags

KILL_SWITCH = f"select {AUDIT_COLUMNS} from private.kill_switch(%s, %s)"
UNDO_KILL_SWITCH = (
    f"select {AUDIT_COLUMNS} from private.undo_kill_switch(%s, %s) where id is not null"
)
FLAGS_ON = "select f.name from public.feature_flags as f where f.enabled order by f.name"
NOTHING_TO_MOVE = "functions: nothing to move (no deployment made by maxpulse is recorded)"


@dataclass(frozen=True)
class RollbackReport:
    """What a rollback (or its dry run) did, and how long it took."""

    switched_off: tuple[str, ...]
    traffic: str
    seconds: float
    entry: AuditEntry | None = None

    @property
    def is_dry_run(self) -> bool:
        return self.entry is None

    def to_json(self) -> dict[str, Any]:
        return {
            "dryRun": self.is_dry_run,
            "switchedOff": list(self.switched_off),
            "traffic": self.traffic,
            "seconds": round(self.seconds, 3),
            "audit": self.entry.to_json() if self.entry else None,
        }


@dataclass(frozen=True)
class UndoReport:
    """What an undo restored (nothing when no rollback was left to undo)."""

    restored: dict[str, tuple[bool | None, bool]]
    seconds: float
    entry: AuditEntry | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "undone": self.entry.undoes is not None if self.entry else False,
            "restored": {name: after for name, (_, after) in self.restored.items()},
            "seconds": round(self.seconds, 3),
            "audit": self.entry.to_json() if self.entry else None,
        }


def flags_on(conn: Any) -> list[str]:
    """The flags a rollback would switch off now."""
    return [name for (name,) in conn.execute(FLAGS_ON).fetchall()]


def run_rollback(conn: Any, *, actor: str, reason: str | None, dry_run: bool) -> RollbackReport:
    """Switch every flag off in one transaction with its audit row (or only say what would go)."""
    started = time.perf_counter()
    if dry_run:
        return RollbackReport(tuple(flags_on(conn)), move_function_traffic(), _since(started))
    row = conn.execute(KILL_SWITCH, (actor, reason)).fetchone()
    entry = AuditEntry.from_row(row)
    switched_off = tuple(changed_flags(entry.previous_flags, entry.new_flags))
    return RollbackReport(switched_off, move_function_traffic(), _since(started), entry)


def undo_rollback(conn: Any, *, actor: str, reason: str | None) -> UndoReport:
    """Restore the flags as they were before the latest rollback not yet undone."""
    started = time.perf_counter()
    row = conn.execute(UNDO_KILL_SWITCH, (actor, reason)).fetchone()
    if row is None:
        return UndoReport({}, _since(started))
    entry = AuditEntry.from_row(row)
    return UndoReport(entry.changed, _since(started), entry)


def move_function_traffic() -> str:
    """Send the functions' traffic back to their previous revisions (the deploy issue adds this)."""
    return NOTHING_TO_MOVE


def _since(started: float) -> float:
    return time.perf_counter() - started

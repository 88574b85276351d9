"""Rows of `operations_audit` (who changed which flags, when, why) and who is acting now."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

AUDIT_COLUMNS = "id, action, actor, reason, previous_flags, new_flags, undoes, created_at"


@dataclass(frozen=True)
class AuditEntry:
    """One audited operation, with the flags' values before and after it."""

    id: UUID
    action: str
    actor: str
    reason: str | None
    previous_flags: dict[str, bool]
    new_flags: dict[str, bool]
    undoes: UUID | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> AuditEntry:
        return cls(*row)

    @property
    def changed(self) -> dict[str, tuple[bool | None, bool]]:
        """The flags this operation changed: name -> (before, after)."""
        return changed_flags(self.previous_flags, self.new_flags)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "action": self.action,
            "actor": self.actor,
            "reason": self.reason,
            "previousFlags": self.previous_flags,
            "newFlags": self.new_flags,
            "undoes": str(self.undoes) if self.undoes else None,
            "createdAt": self.created_at.isoformat(),
        }


def changed_flags(
    previous: dict[str, bool], new: dict[str, bool]
) -> dict[str, tuple[bool | None, bool]]:
    """Flags whose value differs between two snapshots: name -> (before, after)."""
    return {
        name: (previous.get(name), value)
        for name, value in sorted(new.items())
        if previous.get(name) is not value
    }


def current_actor() -> str:
    """Who is operating: the login name and host, as recorded in the audit."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"[:200]

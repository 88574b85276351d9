"""`maxpulse flags`: the feature flags frontends read, listed and switched with an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.ops.audit import AUDIT_COLUMNS, AuditEntry

LIST_FLAGS = """
select f.name, f.enabled, f.description, f.updated_at
from public.feature_flags as f
order by f.name
"""

SET_FLAG = f"select {AUDIT_COLUMNS} from private.set_feature_flag(%s, %s, %s, %s)"


@dataclass(frozen=True)
class FeatureFlag:
    """One flag as frontends see it through feature_flag_map()."""

    name: str
    enabled: bool
    description: str | None
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "description": self.description,
            "updatedAt": self.updated_at.isoformat(),
        }


def list_flags(conn: Any) -> list[FeatureFlag]:
    """Every flag, by name."""
    return [FeatureFlag(*row) for row in conn.execute(LIST_FLAGS).fetchall()]


def set_flag(conn: Any, name: str, enabled: bool, *, actor: str, reason: str | None) -> AuditEntry:
    """Switch one flag and record who, when, why and the value before, in one transaction."""
    import psycopg

    try:
        row = conn.execute(SET_FLAG, (name, enabled, actor, reason)).fetchone()
    except psycopg.errors.NoDataFound as exc:
        raise ConfigError(
            f"there is no feature flag named {name!r}", hint="`maxpulse flags list` shows them"
        ) from exc
    return AuditEntry.from_row(row)

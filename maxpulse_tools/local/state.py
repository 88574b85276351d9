"""What the local stack's last start chose, kept in `.maxpulse/stack.json`.

The database's binaries and port, and the functions server's port and the pid
of the process serving them, so that `status` reports the ports actually in
use, `stop` finds what to stop, and the next start reuses the same ports.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maxpulse_tools.defaults import LOCAL_DB_PORT, LOCAL_FUNCTIONS_PORT
from maxpulse_tools.project import Project


@dataclass(frozen=True)
class StackState:
    """The remembered choices of this project's local stack."""

    pg_bin: Path | None = None
    port: int = LOCAL_DB_PORT
    functions_port: int = LOCAL_FUNCTIONS_PORT
    # The process serving the functions (`maxpulse start`), while it runs.
    functions_pid: int | None = None


def stack_state_file(project: Project) -> Path:
    """Where the state is kept."""
    return project.state_dir / "stack.json"


def read_stack_state(project: Project) -> StackState:
    """The remembered state, or the defaults (for a missing or unreadable file)."""
    try:
        data = json.loads(stack_state_file(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return StackState()
    if not isinstance(data, dict):
        return StackState()
    return StackState(
        pg_bin=Path(data["pg_bin"]) if isinstance(data.get("pg_bin"), str) else None,
        port=_port(data.get("port"), LOCAL_DB_PORT),
        functions_port=_port(data.get("functions_port"), LOCAL_FUNCTIONS_PORT),
        functions_pid=data["functions_pid"] if _is_pid(data.get("functions_pid")) else None,
    )


def write_stack_state(project: Project, state: StackState) -> None:
    """Replace the file in one step, so a concurrent reader never sees half of it."""
    path = stack_state_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "pg_bin": str(state.pg_bin) if state.pg_bin else None,
        "port": state.port,
        "functions_port": state.functions_port,
        "functions_pid": state.functions_pid,
    }
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    scratch.replace(path)


def _port(value: Any, default: int) -> int:
    return value if isinstance(value, int) and 1 <= value <= 65535 else default


def _is_pid(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0

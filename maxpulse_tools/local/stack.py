"""The whole local stack as `status` reports it and `stop` ends it: database and functions.

The local stack serves the database and the functions. REST, Auth, Realtime
and Storage come from the hosted project (`SUPABASE_URL`); the gateway answers
their prefixes with an error that says so. The API URL a frontend passes to
`createClient` is the gateway's base URL, as with `supabase status`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maxpulse_tools.defaults import LOOPBACK_HOST, local_api_url, local_db_url, local_functions_url
from maxpulse_tools.local.cluster import running_server
from maxpulse_tools.local.functions_server import running_functions_server, stop_functions_server
from maxpulse_tools.local.state import read_stack_state

if TYPE_CHECKING:
    from maxpulse_tools.local.keys import LocalKeys
    from maxpulse_tools.project import Project
    from maxpulse_tools.settings import Settings


@dataclass(frozen=True)
class StackStatus:
    """Where the local stack answers (the ports its last start chose) and whether it runs."""

    api_url: str
    functions_url: str
    functions_running: bool
    functions_pid: int | None
    db_url: str
    db_running: bool
    db_pid: int | None
    keys: LocalKeys | None
    # From the environment: where commands and frontends reach the hosted project.
    hosted_api_url: str | None
    hosted_anon_key: str | None
    deployed_functions_url: str | None
    env_db_url: str | None

    def to_json(self) -> dict[str, Any]:
        """The status for scripts (`status --json`); secrets of the local stack only."""
        return {
            "api_url": self.api_url,
            "functions_url": self.functions_url,
            "functions_running": self.functions_running,
            "functions_pid": self.functions_pid,
            "db_url": self.db_url,
            "db_running": self.db_running,
            "db_pid": self.db_pid,
            "jwt_secret": self.keys.jwt_secret if self.keys else None,
            "anon_key": self.keys.anon_key if self.keys else None,
            "service_role_key": self.keys.service_role_key if self.keys else None,
            "hosted_api_url": self.hosted_api_url,
            "hosted_anon_key": self.hosted_anon_key,
            "deployed_functions_url": self.deployed_functions_url,
            "env_db_url": self.env_db_url,
        }


@dataclass(frozen=True)
class StackStop:
    """What `stop` ended."""

    functions_pid: int | None
    database_was_running: bool

    @property
    def stopped_anything(self) -> bool:
        return self.functions_pid is not None or self.database_was_running


def stack_status(project: Project, settings: Settings) -> StackStatus:
    """The local stack's URLs, keys and state, with what the environment points elsewhere."""
    from maxpulse_tools.database import redact
    from maxpulse_tools.local.keys import read_keys

    remembered = read_stack_state(project)
    database = running_server(project.db_dir)
    functions = running_functions_server(project)
    functions_port = functions.port if functions else remembered.functions_port
    anon_key = settings.supabase_anon_key
    env_db_url = settings.supabase_db_url
    return StackStatus(
        api_url=local_api_url(functions_port),
        functions_url=local_functions_url(functions_port),
        # Without a record, something may still serve there (`maxpulse functions serve`).
        functions_running=functions is not None or _listening(functions_port),
        functions_pid=functions.pid if functions else None,
        db_url=local_db_url(database.port if database else remembered.port),
        db_running=database is not None,
        db_pid=database.pid if database else None,
        keys=read_keys(project.keys_file) if project.keys_file.is_file() else None,
        hosted_api_url=settings.supabase_url,
        hosted_anon_key=anon_key.get_secret_value() if anon_key else None,
        deployed_functions_url=settings.maxpulse_functions_url,
        env_db_url=redact(env_db_url.get_secret_value()) if env_db_url else None,
    )


def stop_stack(project: Project) -> StackStop:
    """Stop the functions server `start` runs (it stops its database), then the database."""
    from maxpulse_tools.local.database import stop_database

    database_was_running = running_server(project.db_dir) is not None
    functions_pid = stop_functions_server(project)
    stop_database(project)
    return StackStop(functions_pid, database_was_running)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((LOOPBACK_HOST, port)) == 0

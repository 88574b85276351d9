"""Per-invocation state shared by all commands: options of the root command,
the project and the settings (found and read once, when first needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from maxpulse_tools.database import DbTarget
    from maxpulse_tools.project import Project
    from maxpulse_tools.settings import Settings


@dataclass
class CliState:
    """What every command may need, computed lazily."""

    workdir: Path | None = None
    verbose: bool = False
    # Passwords of the databases this invocation was pointed at: no output may show them.
    secrets: set[str] = field(default_factory=set)

    @cached_property
    def project(self) -> Project:
        from maxpulse_tools.project import find_project

        return find_project(self.workdir)

    @cached_property
    def settings(self) -> Settings:
        from maxpulse_tools.settings import load_settings

        return load_settings(self.project.env_file)

    def pg_bin(self, flag: Path | None) -> Path | None:
        """PostgreSQL binaries to run: --pg-bin, else MAXPULSE_PG_BIN, else None (remembered/embedded)."""
        return flag or self.settings.maxpulse_pg_bin

    def target(self, db_url: str | None) -> DbTarget:
        """The database a command acts on: --db-url, SUPABASE_DB_URL, else the local stack."""
        from maxpulse_tools.database import resolve_target, secrets_in

        for url in (db_url, self.settings.supabase_db_url):
            if url is not None:
                self.secrets |= secrets_in(url if isinstance(url, str) else url.get_secret_value())
        return resolve_target(db_url, self.settings, self.project)


def state(ctx: typer.Context) -> CliState:
    """The state object the root callback put on the context."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj

"""Where a maxpulse project lives on disk and where its local state goes.

A project is the nearest directory, from the working directory upwards, that
holds `supabase/`, as the Supabase CLI finds it. The CLI never reads
migrations from where the package is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from maxpulse_tools.errors import ProjectNotFound


@dataclass(frozen=True)
class Project:
    """Paths of one project: its sources under `supabase/`, its state under `.maxpulse/`."""

    root: Path

    @property
    def supabase_dir(self) -> Path:
        return self.root / "supabase"

    @property
    def migrations_dir(self) -> Path:
        return self.supabase_dir / "migrations"

    @property
    def seed_file(self) -> Path:
        return self.supabase_dir / "seed.sql"

    @property
    def config_toml(self) -> Path:
        return self.supabase_dir / "config.toml"

    @property
    def state_dir(self) -> Path:
        return self.root / ".maxpulse"

    @property
    def db_dir(self) -> Path:
        return self.state_dir / "db"

    @property
    def keys_file(self) -> Path:
        return self.state_dir / "keys.json"

    @property
    def env_file(self) -> Path:
        return self.root / ".env"

    def relative(self, path: Path) -> str:
        """Path as shown to users and stored in history: relative to the project root."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def find_project(workdir: Path | None = None) -> Project:
    """Return the project that holds `workdir` (default: the current directory)."""
    start = (workdir or Path.cwd()).resolve()
    if workdir is not None and not start.is_dir():
        raise ProjectNotFound(f"--workdir {workdir} is not a directory")
    for candidate in (start, *start.parents):
        if (candidate / "supabase").is_dir():
            return Project(candidate)
    raise ProjectNotFound(
        f"no supabase/ directory in {start} or any parent",
        hint="run maxpulse inside a project, or pass --workdir",
    )

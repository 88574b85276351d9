"""Seed files: sample data loaded after the migrations, tracked like the Supabase CLI does.

The files are `[db.seed] sql_paths` of `supabase/config.toml` (globs relative
to `supabase/`, default `./seed.sql`). Each applied file is recorded in
`supabase_migrations.seed_files (path, hash)` with the SHA-256 of its bytes.
As with the Supabase CLI, a file already applied is not run again when it
changes (seed data is rarely safe to insert twice): its new hash is recorded
and the change is reported. `db reset` loads seeds into a fresh database.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations import history
from maxpulse_tools.migrations.push import execute_statements
from maxpulse_tools.migrations.split import split_statements

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.project import Project

SeedState = Literal["applied", "unchanged", "changed"]


@dataclass(frozen=True)
class SeedFile:
    """A seed file, its path as recorded (relative to the project root) and its hash."""

    path: Path
    recorded_path: str
    sha256: str


@dataclass(frozen=True)
class SeedOutcome:
    """What happened to one seed file."""

    seed: SeedFile
    state: SeedState


def find_seed_files(project: Project) -> list[SeedFile]:
    """The project's seed files in order, per config.toml (default: supabase/seed.sql)."""
    enabled, patterns = _seed_config(project)
    if not enabled:
        return []
    found: list[SeedFile] = []
    for pattern in patterns:
        relative = pattern.removeprefix("./")
        for path in sorted(project.supabase_dir.glob(relative)):
            if path.is_file() and all(seed.path != path for seed in found):
                data = path.read_bytes()
                found.append(
                    SeedFile(path, project.relative(path), hashlib.sha256(data).hexdigest())
                )
    return found


def apply_seeds(
    conn: psycopg.Connection[Any], project: Project, *, rerun_changed: bool = False
) -> list[SeedOutcome]:
    """Run seed files not applied yet; each in one transaction with its record."""
    seeds = find_seed_files(project)
    if not seeds:
        return []
    history.ensure_seed_table(conn)
    outcomes = []
    for seed in seeds:
        with conn.transaction():
            history.lock(conn)
            recorded = history.read_seed_hashes(conn).get(seed.recorded_path)
            if recorded == seed.sha256:
                outcomes.append(SeedOutcome(seed, "unchanged"))
                continue
            runs = recorded is None or rerun_changed
            if runs:
                source = seed.path.read_bytes().decode("utf-8")
                execute_statements(conn, seed.recorded_path, source, split_statements(source))
            conn.execute(history.UPSERT_SEED, [seed.recorded_path, seed.sha256])
            outcomes.append(SeedOutcome(seed, "applied" if runs else "changed"))
    return outcomes


def _seed_config(project: Project) -> tuple[bool, list[str]]:
    if not project.config_toml.is_file():
        return True, ["./seed.sql"]
    try:
        config = tomllib.loads(project.config_toml.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"supabase/config.toml is not valid TOML: {exc}") from None
    seed = config.get("db", {}).get("seed", {})
    paths = seed.get("sql_paths", ["./seed.sql"])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError("[db.seed] sql_paths in supabase/config.toml must be a list of paths")
    return bool(seed.get("enabled", True)), paths

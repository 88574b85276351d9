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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations import history
from maxpulse_tools.migrations.runner import SqlFile, run_sql_file
from maxpulse_tools.migrations.split import split_statements
from maxpulse_tools.migrations.steps import plan_execution

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.project import Project

SeedState = Literal["applied", "unchanged", "changed"]
PendingSeedState = Literal["new", "unchanged", "changed"]


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


def seed_states(conn: psycopg.Connection[Any], seeds: list[SeedFile]) -> list[PendingSeedState]:
    """What a push would do with each seed (read only): load it, leave it, or update its hash."""
    recorded = history.read_seed_hashes(conn)
    return [
        "new"
        if seed.recorded_path not in recorded
        else "unchanged"
        if recorded[seed.recorded_path] == seed.sha256
        else "changed"
        for seed in seeds
    ]


def apply_seeds(
    conn: psycopg.Connection[Any], project: Project, *, rerun_changed: bool = False
) -> list[SeedOutcome]:
    """Run seed files not applied yet; each with its record (a changed one: only its new hash)."""
    seeds = find_seed_files(project)
    if not seeds:
        return []
    history.ensure_seed_table(conn)
    outcomes = []
    for seed in seeds:
        with history.locked_transaction(conn):
            recorded = history.read_seed_hashes(conn).get(seed.recorded_path)
            if recorded == seed.sha256:
                outcomes.append(SeedOutcome(seed, "unchanged"))
                continue
            if recorded is not None and not rerun_changed:
                conn.execute(history.UPSERT_SEED, [seed.recorded_path, seed.sha256])
                outcomes.append(SeedOutcome(seed, "changed"))
                continue
        ran = run_sql_file(conn, _as_sql_file(seed), is_done=_is_loaded(seed), record=_record(seed))
        outcomes.append(SeedOutcome(seed, "applied" if ran else "unchanged"))
    return outcomes


def _is_loaded(seed: SeedFile) -> Callable[[psycopg.Connection[Any]], bool]:
    return lambda conn: history.read_seed_hashes(conn).get(seed.recorded_path) == seed.sha256


def _record(seed: SeedFile) -> Callable[[psycopg.Connection[Any]], object]:
    return lambda conn: conn.execute(history.UPSERT_SEED, [seed.recorded_path, seed.sha256])


def _as_sql_file(seed: SeedFile) -> SqlFile:
    source = seed.path.read_bytes().decode("utf-8")
    statements = tuple(split_statements(source))
    return SqlFile(
        label=seed.recorded_path,
        source=source,
        statements=statements,
        plan=plan_execution(seed.recorded_path, source, statements),
        resume_hint=None,
    )


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

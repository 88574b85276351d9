"""Plan and apply migrations: `db push`, `migration list`, `migration repair`.

Planning is pure (local files + history in, a plan or a refusal out) so the
rules are tested without a database; it also refuses, before anything runs, a
pending file that would roll back its own transaction. Applying runs each
file with `runner` (one transaction with its history row, or the file's
steps), under the advisory lock, and re-checks the history under that lock: a
concurrent push waits, then skips what the other one applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from maxpulse_tools.errors import ConfigError, MigrationDrift
from maxpulse_tools.migrations import history
from maxpulse_tools.migrations.files import LocalMigration
from maxpulse_tools.migrations.runner import run_sql_file

if TYPE_CHECKING:
    import psycopg

ProgressEvent = Literal["applying", "applied", "skipped"]
ProgressCallback = Callable[[ProgressEvent, LocalMigration, float], None]


@dataclass(frozen=True)
class PushPlan:
    """What a push would apply, in order."""

    pending: tuple[LocalMigration, ...]

    @property
    def is_up_to_date(self) -> bool:
        return not self.pending


@dataclass(frozen=True)
class PushResult:
    """What a push did: files applied by us, and files a concurrent push applied first."""

    applied: tuple[LocalMigration, ...]
    skipped: tuple[LocalMigration, ...]


@dataclass(frozen=True)
class MigrationStatus:
    """One line of `migration list`."""

    version: str
    name: str
    is_local: bool
    is_applied: bool
    has_drifted: bool


def plan_push(
    local: Sequence[LocalMigration],
    applied: dict[str, history.AppliedMigration],
    *,
    include_all: bool = False,
) -> PushPlan:
    """Decide what to apply, or refuse when files and history disagree."""
    local_versions = {migration.version for migration in local}
    missing = sorted(version for version in applied if version not in local_versions)
    if missing:
        raise MigrationDrift(
            f"the database has applied migrations that are not in supabase/migrations: "
            f"{', '.join(missing)}",
            hint="restore those files, or if they were removed on purpose run "
            f"`maxpulse migration repair {' '.join(missing)} --status reverted`",
        )
    for migration in local:
        recorded = applied.get(migration.version)
        if recorded is not None and (difference := describe_drift(migration, recorded)):
            raise MigrationDrift(
                f"{migration.filename} changed after it was applied ({difference})",
                hint="undo the edit and put the change in a new migration, or record the "
                f"new content with `maxpulse migration repair {migration.version} --status applied`",
            )
    pending = tuple(migration for migration in local if migration.version not in applied)
    for migration in pending:
        _ = migration.plan  # refuses a file that would roll back its own transaction
    newest_applied = max(applied, key=int, default=None)
    if newest_applied is not None and not include_all:
        older = [m.filename for m in pending if int(m.version) < int(newest_applied)]
        if older:
            raise MigrationDrift(
                f"{', '.join(older)} would run before {newest_applied}, the newest applied "
                "migration",
                hint="give the file a newer timestamp, or rerun with --include-all to apply it anyway",
            )
    return PushPlan(pending)


def describe_drift(migration: LocalMigration, recorded: history.AppliedMigration) -> str | None:
    """How the file differs from what was applied, or None when it does not (or is unknown)."""
    if recorded.statements is None:
        return None  # recorded without statements (an old CLI): nothing to compare
    current = migration.statement_texts
    for index, (now, then) in enumerate(zip(current, recorded.statements, strict=False)):
        if now != then:
            return f"statement {index + 1} differs"
    if len(current) != len(recorded.statements):
        return f"{len(current)} statements now, {len(recorded.statements)} when applied"
    return None


def migration_status(
    local: Sequence[LocalMigration], applied: dict[str, history.AppliedMigration]
) -> list[MigrationStatus]:
    """Every version known locally or remotely, in order, with where it is."""
    by_version = {migration.version: migration for migration in local}
    rows = []
    for version in sorted(set(by_version) | set(applied), key=int):
        migration, recorded = by_version.get(version), applied.get(version)
        rows.append(
            MigrationStatus(
                version=version,
                name=migration.name if migration else (recorded.name if recorded else ""),
                is_local=migration is not None,
                is_applied=recorded is not None,
                has_drifted=bool(migration and recorded and describe_drift(migration, recorded)),
            )
        )
    return rows


def push_migrations(
    conn: psycopg.Connection[Any],
    plan: PushPlan,
    on_progress: ProgressCallback | None = None,
) -> PushResult:
    """Apply the plan's files in order; stop at the first failure (which is rolled back)."""
    history.ensure_history_table(conn)
    applied: list[LocalMigration] = []
    skipped: list[LocalMigration] = []
    for migration in plan.pending:
        started = time.perf_counter()
        if on_progress:
            on_progress("applying", migration, 0.0)
        done = apply_migration(conn, migration)
        elapsed = time.perf_counter() - started
        (applied if done else skipped).append(migration)
        if on_progress:
            on_progress("applied" if done else "skipped", migration, elapsed)
    return PushResult(tuple(applied), tuple(skipped))


def apply_migration(conn: psycopg.Connection[Any], migration: LocalMigration) -> bool:
    """Run one file and record it (one transaction, or its steps); False when already applied."""
    # Like the Supabase CLI: a SET of an earlier file does not carry over into this one.
    conn.execute("RESET ALL")
    return run_sql_file(
        conn,
        migration.as_sql_file(),
        is_done=lambda c: history.is_applied(c, migration.version),
        record=lambda c: c.execute(
            history.INSERT_VERSION, [migration.version, migration.name, migration.statement_texts]
        ),
    )


def repair_history(
    conn: psycopg.Connection[Any],
    local: Sequence[LocalMigration],
    versions: Sequence[str],
    status: Literal["applied", "reverted"],
) -> None:
    """Mark versions applied (recording the local file's statements) or reverted, atomically."""
    for version in versions:
        if not version.isdigit():
            raise ConfigError(
                f"{version!r} is not a migration version (digits, e.g. 20261125000100)"
            )
    by_version = {migration.version: migration for migration in local}
    if status == "applied":
        missing = [version for version in versions if version not in by_version]
        if missing:
            raise ConfigError(
                f"no local migration file for version {', '.join(missing)}",
                hint="`--status applied` records a file's statements, so the file must exist",
            )
    history.ensure_history_table(conn)
    with history.locked_transaction(conn):
        if status == "reverted":
            conn.execute(history.DELETE_VERSIONS, [list(versions)])
            return
        for version in versions:
            migration = by_version[version]
            conn.execute(
                history.UPSERT_VERSION, [version, migration.name, migration.statement_texts]
            )

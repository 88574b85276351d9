"""Migration files on disk: `supabase/migrations/<version>_<name>.sql`.

The rule for which files count is the Supabase CLI's: a file whose name is
digits, `_`, anything, `.sql` is a migration; any other file in the folder is
skipped with a warning (`notes.sql`, `20270601000005.sql`, `README.md`), and
folders are ignored. Two files with the same version are refused: the history
keeps one row per version. Files are read as exact text, line endings
included, because their statements are compared with the applied history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations.runner import SqlFile
from maxpulse_tools.migrations.split import Statement, split_statements
from maxpulse_tools.migrations.steps import ExecutionPlan, plan_execution

FILE_PATTERN = re.compile(r"(?P<version>[0-9]+)_(?P<name>.*)\.sql")
VERSION_FORMAT = "%Y%m%d%H%M%S"
FILE_NAME_RULE = 'file name must match pattern "<timestamp>_name.sql"'


@dataclass(frozen=True)
class LocalMigration:
    """One migration file: its version, name, text and statements."""

    version: str
    name: str
    path: Path
    source: str
    statements: tuple[Statement, ...]

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def statement_texts(self) -> list[str]:
        """The statements as the history table stores them."""
        return [statement.text for statement in self.statements]

    @cached_property
    def plan(self) -> ExecutionPlan:
        """How the file runs: one transaction, or steps (refused when it would roll itself back)."""
        return plan_execution(self.filename, self.source, self.statements)

    def as_sql_file(self) -> SqlFile:
        """The file as the runner takes it."""
        return SqlFile(
            label=self.filename,
            source=self.source,
            statements=self.statements,
            plan=self.plan,
            resume_hint=f"record the file with `maxpulse migration repair {self.version} --status applied`",
        )


@dataclass(frozen=True)
class MigrationFolder:
    """The migrations of a project and the files the name rule skipped."""

    migrations: list[LocalMigration] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_migration(path: Path) -> LocalMigration:
    """Parse one file; its name must be `<digits>_<name>.sql`."""
    match = FILE_PATTERN.fullmatch(path.name)
    if match is None:
        raise ConfigError(
            f"bad migration file name {path.name!r} ({FILE_NAME_RULE})",
            hint="create migrations with `maxpulse migration new NAME`",
        )
    try:
        source = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name} is not UTF-8 text (byte {exc.start})") from None
    return LocalMigration(
        version=match["version"],
        name=match["name"],
        path=path,
        source=source,
        statements=tuple(split_statements(source)),
    )


def scan_migrations(migrations_dir: Path) -> MigrationFolder:
    """The migration files of a project in version order, and the names skipped as the CLI does."""
    if not migrations_dir.is_dir():
        return MigrationFolder()
    entries = sorted(path for path in migrations_dir.iterdir() if not path.is_dir())
    skipped = [path.name for path in entries if not FILE_PATTERN.fullmatch(path.name)]
    migrations = [read_migration(path) for path in entries if path.name not in skipped]
    seen: dict[str, str] = {}
    for migration in migrations:
        if migration.version in seen:
            raise ConfigError(
                f"two migration files share version {migration.version}: "
                f"{seen[migration.version]} and {migration.filename}",
                hint="give one of them a newer timestamp (the history keeps one row per version)",
            )
        seen[migration.version] = migration.filename
    migrations.sort(key=lambda migration: (int(migration.version), migration.version))
    return MigrationFolder(migrations, skipped)


def read_local_migrations(migrations_dir: Path) -> list[LocalMigration]:
    """All migration files of a project, in version order (skipping other names)."""
    return scan_migrations(migrations_dir).migrations


def skip_warning(filename: str) -> str:
    """What the Supabase CLI prints for a file it skips, word for word."""
    return f"Skipping migration {filename}... ({FILE_NAME_RULE})"


def version_time(version: str) -> datetime | None:
    """The UTC time a 14-digit version stands for, or None for other versions."""
    try:
        return datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None

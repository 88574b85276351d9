"""Migration files on disk: `supabase/migrations/<version>_<name>.sql`.

The version is the UTC timestamp the file was made at (14 digits from
`maxpulse migration new`; the Supabase CLI accepts any run of digits, and so
do we when reading). Files are read as exact text, line endings included,
because their statements are compared with the applied history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations.split import Statement, split_statements

FILE_PATTERN = re.compile(r"^(?P<version>[0-9]+)_(?P<name>.+)\.sql$")
VERSION_FORMAT = "%Y%m%d%H%M%S"


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


def read_migration(path: Path) -> LocalMigration:
    """Parse one file; its name must be `<digits>_<name>.sql`."""
    match = FILE_PATTERN.match(path.name)
    if match is None:
        raise ConfigError(
            f"bad migration file name {path.name!r}",
            hint="name it <YYYYMMDDHHMMSS>_<name>.sql, e.g. with `maxpulse migration new`",
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


def read_local_migrations(migrations_dir: Path) -> list[LocalMigration]:
    """All migration files of a project, in version order."""
    if not migrations_dir.is_dir():
        return []
    migrations = [read_migration(path) for path in sorted(migrations_dir.glob("*.sql"))]
    seen: dict[str, str] = {}
    for migration in migrations:
        if migration.version in seen:
            raise ConfigError(
                f"two migration files share version {migration.version}: "
                f"{seen[migration.version]} and {migration.filename}",
                hint="give one of them a newer timestamp",
            )
        seen[migration.version] = migration.filename
    return sorted(migrations, key=lambda migration: int(migration.version))


def slugify_name(name: str) -> str:
    """`Add Orders-Index` -> `add_orders_index`: the name part of a new file."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not slug:
        raise ConfigError(
            f"migration name {name!r} has no letters or digits", hint="e.g. add_orders_index"
        )
    return slug


def create_migration_file(migrations_dir: Path, name: str, now: datetime | None = None) -> Path:
    """Create an empty `<UTC timestamp>_<name>.sql`, one second later if that version is taken."""
    slug = slugify_name(name)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    migrations_dir.mkdir(parents=True, exist_ok=True)
    taken = {
        m["version"] for p in migrations_dir.glob("*.sql") if (m := FILE_PATTERN.match(p.name))
    }
    while moment.strftime(VERSION_FORMAT) in taken:
        moment += timedelta(seconds=1)
    path = migrations_dir / f"{moment.strftime(VERSION_FORMAT)}_{slug}.sql"
    path.touch(exist_ok=False)
    return path


def version_time(version: str) -> datetime | None:
    """The UTC time a 14-digit version stands for, or None for other versions."""
    try:
        return datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None

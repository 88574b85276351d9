"""`maxpulse migration new`: name and create a new, empty migration file.

The version is the current UTC second, as the Supabase CLI makes it. Unlike
the CLI, which writes the name as typed (spaces, capitals and all), the name
part is normalised to snake_case so file names stay easy to type; the command
says so when that changed what was typed. Two files made in the same second,
even by two processes at once, get different versions.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations.files import FILE_PATTERN, VERSION_FORMAT

# Most file systems allow 255 bytes per file name: version, "_" and ".sql" included.
_MAX_FILE_NAME_BYTES = 255
_SUFFIX = ".sql"


@dataclass(frozen=True)
class NewMigration:
    """The file created, and the name part written when it differs from the one asked for."""

    path: Path
    normalised_from: str | None


def slugify_name(name: str) -> str:
    """`Add Orders-Index` -> `add_orders_index`: the name part of a new file."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not slug:
        raise ConfigError(
            f"migration name {name[:40]!r} has no letters or digits", hint="e.g. add_orders_index"
        )
    return slug


def create_migration_file(
    migrations_dir: Path, name: str, now: datetime | None = None
) -> NewMigration:
    """Create an empty `<UTC timestamp>_<name>.sql`, a second later while that version is taken."""
    slug = slugify_name(name)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    longest = _MAX_FILE_NAME_BYTES - len(moment.strftime(VERSION_FORMAT)) - len("_" + _SUFFIX)
    if len(slug.encode()) > longest:
        raise ConfigError(
            f"migration name is {len(slug)} characters long; at most {longest} fit in a file name",
            hint="describe the change in a few words",
        )
    try:
        migrations_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(migrations_dir):
            taken = {
                match["version"]
                for entry in os.listdir(migrations_dir)
                if (match := FILE_PATTERN.fullmatch(entry))
            }
            while moment.strftime(VERSION_FORMAT) in taken:
                moment += timedelta(seconds=1)
            path = migrations_dir / f"{moment.strftime(VERSION_FORMAT)}_{slug}{_SUFFIX}"
            path.touch(exist_ok=False)
    except OSError as exc:
        raise ConfigError(
            f"cannot create a migration in {migrations_dir}: {exc.strerror}"
        ) from None
    return NewMigration(path, None if slug == name else name)


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` while a version is picked and its file made."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock

"""`maxpulse migration new`: file names, their limits, and versions that never collide."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.migrations.files import scan_migrations
from maxpulse_tools.migrations.naming import create_migration_file, slugify_name

MOMENT = datetime(2026, 11, 25, 9, 30, 5, tzinfo=UTC)


def test_new_file_is_named_by_utc_time_in_snake_case(tmp_path: Path) -> None:
    created = create_migration_file(tmp_path, "Add Orders-Index", now=MOMENT)

    assert created.path.name == "20261125093005_add_orders_index.sql"
    assert created.normalised_from == "Add Orders-Index"
    assert created.path.read_text() == ""


def test_a_snake_case_name_is_kept_as_typed(tmp_path: Path) -> None:
    created = create_migration_file(tmp_path, "add_orders_index", now=MOMENT)
    assert created.normalised_from is None


def test_files_made_in_the_same_second_get_the_next_free_version(tmp_path: Path) -> None:
    first = create_migration_file(tmp_path, "orders", now=MOMENT)
    second = create_migration_file(tmp_path, "invoices", now=MOMENT)
    assert (first.path.name, second.path.name) == (
        "20261125093005_orders.sql",
        "20261125093006_invoices.sql",
    )


def test_files_made_at_once_by_concurrent_commands_never_share_a_version(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)

    def make(index: int) -> None:
        barrier.wait()
        create_migration_file(tmp_path, f"change_{index}", now=MOMENT)

    threads = [threading.Thread(target=make, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    versions = [migration.version for migration in scan_migrations(tmp_path).migrations]
    assert len(versions) == 8 == len(set(versions))


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        (" -- ", "no letters or digits"),
        ("x" * 300, "300 characters long; at most 236 fit in a file name"),
        ("é" * 5, "no letters or digits"),
    ],
)
def test_unusable_names_are_refused_with_a_reason(tmp_path: Path, name: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        create_migration_file(tmp_path, name, now=MOMENT)
    assert list(tmp_path.iterdir()) == []


def test_the_longest_name_that_fits_is_accepted(tmp_path: Path) -> None:
    created = create_migration_file(tmp_path, "x" * 236, now=MOMENT)
    assert len(created.path.name) == 255


def test_names_with_slashes_or_control_characters_stay_in_the_folder(tmp_path: Path) -> None:
    created = create_migration_file(tmp_path, "../a/b\x00\nc", now=MOMENT)
    assert created.path == tmp_path / "20261125093005_a_b_c.sql"


def test_slug_of_punctuation_only_is_refused() -> None:
    with pytest.raises(ConfigError, match="no letters or digits"):
        slugify_name("!!!")

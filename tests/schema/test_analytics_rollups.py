"""The analytics aggregator: its daily rows equal a direct count of the raw rows.

Each test has a database of its own (the aggregator commits), distributors in
several time zones, and random events, many of them on the days clocks change.
The expected numbers come from `tests.support.analytics.expected_days`, which
counts the raw rows again in Python with `zoneinfo`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.history import read_history
from maxpulse_tools.migrations.push import plan_push, push_migrations
from maxpulse_tools.project import Project
from tests.support.analytics import (
    add_activity,
    expected_days,
    instants_around,
    make_distributor,
    rollup_days,
)

AGGREGATE = "select private.aggregate_analytics()"
# The migration from which bots' sessions are left out of the rollups.
BOTS_LEFT_OUT = "20261125226000"
ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # clocks move by 30 minutes
    "Asia/Kathmandu",  # UTC+05:45
    "Pacific/Chatham",  # UTC+13:45 in summer
    "UTC",
    "Not/A_Zone",  # unknown to PostgreSQL: counted in UTC
)
# 2026's clock changes (UTC) in those zones, where a local day has 23 or 25 hours.
CLOCK_CHANGES = tuple(
    datetime(*moment, tzinfo=UTC)
    for moment in (
        (2026, 3, 8, 7),  # New York, spring forward
        (2026, 3, 29, 1),  # Berlin, spring forward
        (2026, 4, 4, 15),  # Lord Howe, back 30 minutes
        (2026, 4, 4, 14),  # Chatham, back an hour
        (2026, 9, 26, 14),  # Chatham, forward an hour
        (2026, 10, 3, 15, 30),  # Lord Howe, forward 30 minutes
        (2026, 10, 25, 1),  # Berlin, fall back
        (2026, 11, 1, 6),  # New York, fall back
    )
)


@pytest.fixture
def db_url(database_factory: Callable[..., str]) -> str:
    """A database of the test's own, with every migration and no seed."""
    return database_factory(migrated=True)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to the test's database."""
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261125)


def now(conn: psycopg.Connection[Any]) -> datetime:
    value: datetime = conn.execute("select now()").fetchone()[0]  # type: ignore[index]
    return value


def aggregate(conn: psycopg.Connection[Any], *args: Any) -> dict[str, Any]:
    """One run of the aggregator; its summary."""
    placeholders = ", ".join(["%s"] * len(args))
    row = conn.execute(f"select private.aggregate_analytics({placeholders})", args).fetchone()
    assert row is not None
    summary: dict[str, Any] = row[0]
    return summary


def populate(conn: psycopg.Connection[Any], rng: random.Random, per_zone: int = 120) -> None:
    """Distributors in every zone of ZONES with events at clock changes and in recent days."""
    recent = now(conn) - timedelta(days=3)
    for zone in ZONES:
        distributor = make_distributor(conn, zone)
        instants = instants_around(rng, CLOCK_CHANGES, per_zone, timedelta(hours=30))
        instants += instants_around(rng, [recent], per_zone // 3, timedelta(days=3))
        add_activity(conn, rng, distributor, instants)


def test_rollups_equal_a_direct_count_in_every_time_zone(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    populate(conn, rng)

    summary = aggregate(conn)

    expected = expected_days(conn)
    assert rollup_days(conn) == expected
    assert summary["days_written"] == len(expected)
    assert summary["recounted_from"] == "-infinity"


def test_days_with_a_clock_change_hold_23_or_25_hours(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    """Events in the first and last minutes of New York's short and long days land on them."""
    distributor = make_distributor(conn, "America/New_York")
    edges = [
        datetime(2026, 3, 8, 5, 1, tzinfo=UTC),  # 00:01 EST on the 23-hour day
        datetime(2026, 3, 9, 3, 59, tzinfo=UTC),  # 23:59 EDT, same day
        datetime(2026, 11, 1, 4, 1, tzinfo=UTC),  # 00:01 EDT on the 25-hour day
        datetime(2026, 11, 2, 4, 59, tzinfo=UTC),  # 23:59 EST, same day
    ]
    for at in edges:
        conn.execute(
            "insert into public.clients (distributor_id, first_name, created_at) values (%s, 'E', %s)",
            (distributor, at),
        )

    aggregate(conn)

    days = {day: counters.new_clients for (_, day), counters in rollup_days(conn).items()}
    assert {str(day): count for day, count in days.items()} == {"2026-03-08": 2, "2026-11-01": 2}


def test_a_second_run_changes_nothing(conn: psycopg.Connection[Any], rng: random.Random) -> None:
    populate(conn, rng, per_zone=30)
    aggregate(conn)
    before = rollup_days(conn)

    summary = aggregate(conn)

    assert rollup_days(conn) == before
    assert summary["days_written"] == 0
    assert summary["days_removed"] == 0


def test_late_events_within_the_window_land_on_their_own_day(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    populate(conn, rng, per_zone=30)
    aggregate(conn)
    late = [now(conn) - timedelta(hours=hours) for hours in (2, 20, 40)]
    distributor = make_distributor(conn, "Asia/Kathmandu")
    add_activity(conn, rng, distributor, late * 5)

    aggregate(conn)

    assert rollup_days(conn) == expected_days(conn)


def test_events_older_than_the_window_wait_for_a_recount_since_their_day(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    distributor = make_distributor(conn, "Europe/Berlin")
    aggregate(conn)
    long_ago = now(conn) - timedelta(days=10)
    add_activity(conn, rng, distributor, [long_ago] * 8)

    aggregate(conn)
    missed = rollup_days(conn)
    aggregate(conn, (long_ago - timedelta(days=1)).date())

    assert missed == {}
    assert rollup_days(conn) == expected_days(conn) != {}


def test_deleted_events_leave_their_day(conn: psycopg.Connection[Any], rng: random.Random) -> None:
    distributor = make_distributor(conn, "America/New_York")
    conn.execute(
        "insert into public.analytics_events (distributor_id, event_type, occurred_at)"
        " values (%s, 'results.viewed', now() - interval '1 hour')",
        (distributor,),
    )
    aggregate(conn)
    conn.execute("delete from public.analytics_events where distributor_id = %s", (distributor,))

    summary = aggregate(conn)

    assert rollup_days(conn) == {}
    assert summary["days_removed"] == 1


def test_a_new_time_zone_recounts_all_the_distributors_days(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    populate(conn, rng, per_zone=30)
    aggregate(conn)
    moved = conn.execute(
        "update public.distributor_profiles set timezone = 'Pacific/Chatham'"
        " where timezone = 'America/New_York' returning user_id"
    ).fetchall()

    summary = aggregate(conn)

    assert summary["retimed_distributors"] == len(moved) == 1
    assert rollup_days(conn) == expected_days(conn)


def test_two_concurrent_runs_give_the_numbers_of_one(
    conn: psycopg.Connection[Any], rng: random.Random, db_url: str
) -> None:
    populate(conn, rng, per_zone=60)
    summaries: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def run() -> None:
        with psycopg.connect(db_url, autocommit=True) as own:
            start.wait()
            summaries.append(aggregate(own))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert rollup_days(conn) == expected_days(conn)
    first, second = sorted(summaries, key=lambda summary: summary["rolled_up_until"])
    # the second waited for the first and resumed from its watermark
    assert second["previously_rolled_up_until"] == first["rolled_up_until"]
    assert second["days_written"] == 0


def test_a_run_outside_read_committed_is_refused_and_changes_nothing(
    conn: psycopg.Connection[Any], rng: random.Random
) -> None:
    populate(conn, rng, per_zone=10)

    with (
        pytest.raises(psycopg.errors.InvalidTransactionState, match="READ COMMITTED"),
        conn.transaction(),
    ):
        conn.execute("set transaction isolation level repeatable read")
        conn.execute(AGGREGATE)

    assert rollup_days(conn) == {}
    assert conn.execute("select count(*) from private.analytics_rollup_state").fetchone() == (0,)


@pytest.mark.parametrize("window", ["-1 hour", None])
def test_a_negative_or_missing_window_is_refused(
    conn: psycopg.Connection[Any], window: str | None
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="recount_window"):
        conn.execute("select private.aggregate_analytics(null, %s::interval)", (window,))


def test_api_users_cannot_run_the_aggregator(conn: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute(AGGREGATE)


def test_days_rolled_up_with_bots_are_recounted_after_the_upgrade(
    database_factory: Callable[..., str], repo_project: Project, rng: random.Random
) -> None:
    """Rollups made before bots were left out: the next run recounts the distributors with bots."""
    url = database_factory(migrated=False)
    local = read_local_migrations(repo_project.migrations_dir)
    with psycopg.connect(url, autocommit=True) as conn:
        push_migrations(conn, plan_push([m for m in local if m.version < BOTS_LEFT_OUT], {}))
        populate(conn, rng, per_zone=30)
        # Before 20261125226100 the aggregator failed on refunds that name no currency.
        conn.execute(
            "update public.order_refunds as r set currency = o.currency"
            " from public.orders as o where o.id = r.order_id"
        )
        aggregate(conn)
        with_bots = conn.execute(
            "select count(distinct distributor_id) from public.assessment_sessions where is_bot"
        ).fetchone()[0]  # type: ignore[index]

        push_migrations(conn, plan_push(local, read_history(conn)))
        summary = aggregate(conn)

        assert summary["retimed_distributors"] == with_bots > 0
        assert rollup_days(conn) == expected_days(conn)

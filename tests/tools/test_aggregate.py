"""`maxpulse analytics aggregate`: one run of the rollups, for people and for scripts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.analytics import AggregationRun
from maxpulse_tools.cli import app

SUMMARY = {
    "rolled_up_until": "2026-11-25T22:30:00.5+00:00",
    "previously_rolled_up_until": "2026-11-25T22:25:00+00:00",
    "recounted_from": "2026-11-23T22:25:00+00:00",
    "distributors": 2,
    "retimed_distributors": 0,
    "days_counted": 5,
    "days_written": 1,
    "days_removed": 0,
    "seconds": 0.031,
    "zones_recorded": 0,
}


@pytest.fixture
def seeded_db_url(database_factory: Callable[..., str]) -> str:
    """A database of the test's own with every migration and the seed."""
    return database_factory(migrated=True, seeded=True)


def aggregate(cli_runner: CliRunner, tmp_path: Path, *args: str) -> Result:
    (tmp_path / "supabase").mkdir(exist_ok=True)
    return cli_runner.invoke(
        app,
        ["--workdir", str(tmp_path), "analytics", "aggregate", *args],
        env={"SUPABASE_DB_URL": ""},
    )


def test_a_summary_reads_as_one_sentence() -> None:
    run = AggregationRun.from_summary(SUMMARY)

    assert run.one_line() == (
        "Rolled up analytics until 2026-11-25 22:30:00 UTC: recounted 5 day(s) of 2"
        " distributor(s) since 2026-11-23 22:25:00 UTC, 1 written, 0 removed (0.03 s)."
    )
    assert run.to_json()["rolled_up_until"] == "2026-11-25T22:30:00.500000+00:00"


def test_a_first_run_counts_from_the_first_event() -> None:
    run = AggregationRun.from_summary(
        SUMMARY | {"recounted_from": "-infinity", "previously_rolled_up_until": None}
    )

    assert run.recounted_from is None and run.previously_rolled_up_until is None
    assert "since the first event" in run.one_line()


def test_aggregate_rolls_up_the_seed_then_finds_nothing_new(
    cli_runner: CliRunner, tmp_path: Path, seeded_db_url: str
) -> None:
    first = aggregate(cli_runner, tmp_path, "--db-url", seeded_db_url, "--json")
    second = aggregate(cli_runner, tmp_path, "--db-url", seeded_db_url)

    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["database"].startswith("postgresql://postgres:****@")
    assert (report["distributors"], report["recounted_from"]) == (2, None)
    assert report["days_written"] == report["days_counted"] > 0
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("Rolled up analytics until ")
    assert ", 0 written, 0 removed" in second.stdout
    with psycopg.connect(seeded_db_url) as conn:
        rows = conn.execute("select count(*) from public.distributor_daily_stats").fetchone()
    assert rows == (report["days_written"],)


def test_since_recounts_from_that_day(
    cli_runner: CliRunner, tmp_path: Path, seeded_db_url: str
) -> None:
    aggregate(cli_runner, tmp_path, "--db-url", seeded_db_url)

    result = aggregate(
        cli_runner, tmp_path, "--db-url", seeded_db_url, "--since", "2026-01-01", "--json"
    )

    assert result.exit_code == 0, result.output
    recounted_from = datetime.fromisoformat(json.loads(result.stdout)["recounted_from"])
    assert recounted_from == datetime(2025, 12, 31, tzinfo=UTC)


def test_since_must_be_a_date(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = aggregate(cli_runner, tmp_path, "--since", "last week")

    assert result.exit_code == 2
    assert "--since" in result.stderr


def test_a_database_without_the_rollups_is_one_line(
    cli_runner: CliRunner, tmp_path: Path, empty_db_url: str
) -> None:
    result = aggregate(cli_runner, tmp_path, "--db-url", empty_db_url)

    assert result.exit_code == 5, result.output
    assert result.stderr.strip().splitlines() == [
        "error: this database has no analytics rollups (apply"
        " 20261125223000_create_analytics_rollups.sql and later with `maxpulse db push`)"
    ]


def test_help_names_the_command(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(app, ["analytics", "--help"])

    assert result.exit_code == 0
    assert "aggregate" in result.stdout

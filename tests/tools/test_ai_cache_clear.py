"""`maxpulse ai cache clear`: every cached analysis goes; what it cost stays on record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.project import Project


@pytest.fixture
def db_url(database_factory: Callable[..., str]) -> str:
    """A migrated database with two cached analyses, a lease and a recorded generation."""
    url = database_factory(migrated=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into public.ai_analysis_results (input_hash, assessment_type, analysis_data)"
            " values (repeat('a', 64), 'health', '{}'), (repeat('b', 64), 'health', '{}')"
        )
        conn.execute(
            "insert into private.ai_analysis_leases (input_hash, state, held_until)"
            " values (repeat('c', 64), 'generating', now() + interval '1 minute')"
        )
        conn.execute(
            "insert into public.ai_analysis_generations (id, input_hash, key_version, model,"
            " outcome, duration_ms) values (gen_random_uuid(), repeat('a', 64),"
            " '0123456789abcdef', 'gpt-4.1-mini', 'stored', 1500)"
        )
    return url


def clear(cli_runner: CliRunner, project: Project, db_url: str, *args: str) -> Result:
    return cli_runner.invoke(
        app, ["--workdir", str(project.root), "ai", "cache", "clear", "--db-url", db_url, *args]
    )


def count(db_url: str, table: str) -> Any:
    with psycopg.connect(db_url) as conn:
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(*table.split(".")))
        row = conn.execute(query).fetchone()
        return row[0] if row else None


def test_clear_deletes_every_analysis_and_keeps_the_cost_record(
    cli_runner: CliRunner, project: Project, db_url: str
) -> None:
    result = clear(cli_runner, project, db_url, "--yes")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Deleted 2 cached analyses from postgresql://")
    assert count(db_url, "public.ai_analysis_results") == 0
    assert count(db_url, "private.ai_analysis_leases") == 0
    assert count(db_url, "public.ai_analysis_generations") == 1


def test_clear_without_yes_and_no_terminal_refuses(
    cli_runner: CliRunner, project: Project, db_url: str
) -> None:
    result = clear(cli_runner, project, db_url)

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: refusing to clear the cache without confirmation (pass --yes)"
    )
    assert count(db_url, "public.ai_analysis_results") == 2

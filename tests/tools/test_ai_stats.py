"""`maxpulse ai stats`: hit rate, LLM calls, tokens, cost and saving, from what the function recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.project import Project

GENERATION = (
    "insert into public.ai_analysis_generations (id, input_hash, key_version, model, outcome,"
    " prompt_tokens, completion_tokens, cost_usd, duration_ms, created_at)"
    " values (gen_random_uuid(), repeat('ab', 32), '0123456789abcdef', %s, %s, %s, %s, %s, 2000,"
    " now() - make_interval(days => %s))"
)


@pytest.fixture
def db_url(database_factory: Callable[..., str]) -> str:
    """A migrated database with ten days of recorded use."""
    url = database_factory(migrated=True)
    with psycopg.connect(url, autocommit=True) as conn:
        today = "(now() at time zone 'utc')::date"
        conn.execute(
            "insert into public.ai_analysis_usage (day, outcome, requests) values"
            f" ({today}, 'hit', 90), ({today}, 'miss', 10), ({today}, 'rules', 5),"
            f" ({today} - 9, 'hit', 1000), ({today} - 9, 'miss', 1)"
        )
        for model, outcome, prompt, completion, cost, days_ago in [
            ("gpt-4.1-mini", "stored", 300, 400, "0.00076000", 0),
            ("gpt-4.1-mini", "stored", 320, 420, "0.00080000", 0),
            ("gpt-4.1-mini", "refused", 300, 20, "0.00015200", 0),
            ("local-llama", "stored", 300, 400, None, 0),
            ("gpt-4.1-mini", "stored", 300, 400, "0.00076000", 9),
        ]:
            conn.execute(GENERATION, (model, outcome, prompt, completion, cost, days_ago))
        conn.execute(
            "insert into public.ai_analysis_results (input_hash, assessment_type, analysis_data,"
            " expires_at, created_at) values"
            " (repeat('a', 64), 'health', '{}', now() + interval '1 hour', now()),"
            " (repeat('b', 64), 'health', '{}', now() - interval '1 hour', now() - interval '2 hours')"
        )
    return url


def stats(cli_runner: CliRunner, project: Project, db_url: str, *args: str) -> Result:
    return cli_runner.invoke(
        app, ["--workdir", str(project.root), "ai", "stats", "--db-url", db_url, *args]
    )


def test_stats_as_json_count_the_period(
    cli_runner: CliRunner, project: Project, db_url: str
) -> None:
    result = stats(cli_runner, project, db_url, "--days", "7", "--json")

    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["requests"] == {"total": 105, "hit": 90, "miss": 10, "rules": 5}
    assert report["hit_rate"] == 0.9
    assert report["llm_calls"] == {"total": 4, "stored": 3, "failed": 1}
    assert report["tokens"] == {"prompt": 1220, "completion": 1240}
    assert report["cost_usd"] == "0.0017"  # 0.000760 + 0.000800 + 0.000152
    assert report["unpriced_calls"] == 1
    # 90 hits at the mean priced successful generation, (0.00076 + 0.00080) / 2
    assert report["saved_usd"] == "0.0702"
    assert report["cache"] == {"entries": 2, "fresh": 1, "expired": 1}


def test_a_longer_period_includes_older_days(
    cli_runner: CliRunner, project: Project, db_url: str
) -> None:
    result = stats(cli_runner, project, db_url, "--days", "10", "--json")

    report = json.loads(result.stdout)
    assert report["requests"]["hit"] == 1090
    assert report["llm_calls"]["total"] == 5


def test_stats_as_text(cli_runner: CliRunner, project: Project, db_url: str) -> None:
    result = stats(cli_runner, project, db_url)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "requests        105 (hit 90, miss 10, rules 5)"
    assert "hit rate        90.0% of the requests the LLM path answered" in lines
    assert "cost            $0.0017 estimated, 1 without a price" in lines
    assert "saved by cache  $0.0702" in lines
    assert "ai-analysis on postgresql://" in result.stderr


def test_stats_of_an_unused_function(
    cli_runner: CliRunner, project: Project, database_factory: Callable[..., str]
) -> None:
    result = stats(cli_runner, project, database_factory(migrated=True), "--json")

    report = json.loads(result.stdout)
    assert report["requests"]["total"] == 0
    assert report["hit_rate"] is None
    assert report["saved_usd"] is None


def test_stats_without_the_migrations_is_one_line(
    cli_runner: CliRunner, project: Project, empty_db_url: str
) -> None:
    result = stats(cli_runner, project, empty_db_url)

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: the database has no public.ai_analysis_results, public.ai_analysis_usage,"
        " public.ai_analysis_generations (apply the migrations first: maxpulse db push)"
    ]


@pytest.mark.parametrize("days", ["0", "-1", "x"])
def test_days_must_be_a_positive_number(
    cli_runner: CliRunner, project: Project, db_url: str, days: str
) -> None:
    result = stats(cli_runner, project, db_url, "--days", days)

    assert result.exit_code == 2
    assert "--days" in result.output

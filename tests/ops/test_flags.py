"""`maxpulse flags list | set` on a real database: audited, and what anon reads afterwards."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from tests.ops.conftest import Invoke, flag_values

SEEDED_FLAGS = {
    "ai_edge_function": False,
    "analytics_backend": False,
    "realtime_backend": False,
    "use_supabase": True,
}


def test_list_shows_every_flag_with_its_state(maxpulse: Invoke) -> None:
    result = maxpulse("flags", "list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "ENABLED", "UPDATED", "(UTC)", "DESCRIPTION"]
    states = {line.split()[0]: line.split()[1] for line in lines[2:]}
    assert states == {name: "on" if on else "off" for name, on in SEEDED_FLAGS.items()}


def test_list_as_json_for_scripts(maxpulse: Invoke) -> None:
    result = maxpulse("flags", "list", "--json")

    assert result.exit_code == 0, result.output
    flags = json.loads(result.output)
    assert {flag["name"]: flag["enabled"] for flag in flags} == SEEDED_FLAGS
    assert {"description", "updatedAt"} <= set(flags[0])


def test_set_switches_the_flag_anon_reads_and_audits_it(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("flags", "set", "ai_edge_function", "on", "--reason", "launch day")

    assert result.exit_code == 0, result.output
    assert "ai_edge_function is now on" in result.output
    assert flag_values(ops_db)["ai_edge_function"] is True
    [(action, actor, reason, before, after)] = ops_db.execute(
        "select action, actor, reason, previous_flags, new_flags from public.operations_audit"
    ).fetchall()
    assert (action, reason) == ("flag_set", "launch day")
    assert "@" in actor
    assert (before, after) == ({"ai_edge_function": False}, {"ai_edge_function": True})


def test_setting_a_flag_to_its_value_says_so_and_is_still_audited(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("flags", "set", "use_supabase", "on")

    assert result.exit_code == 0, result.output
    assert "use_supabase was already on" in result.output
    assert ops_db.execute("select count(*) from public.operations_audit").fetchone() == (1,)


def test_unknown_flag_is_one_line_and_changes_nothing(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("flags", "set", "no_such_flag", "off")

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: there is no feature flag named 'no_such_flag' (`maxpulse flags list` shows them)"
    ]
    assert ops_db.execute("select count(*) from public.operations_audit").fetchone() == (0,)
    assert flag_values(ops_db) == SEEDED_FLAGS

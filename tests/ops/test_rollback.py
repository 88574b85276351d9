"""`maxpulse rollback [--undo]`: the kill switch on a real database, audited and undoable."""

from __future__ import annotations

import json
import threading
from typing import Any

import psycopg
import pytest

from maxpulse_tools.ops.audit import changed_flags
from maxpulse_tools.ops.rollback import run_rollback, undo_rollback
from tests.ops.conftest import Invoke, flag_values
from tests.ops.test_flags import SEEDED_FLAGS

ALL_OFF = dict.fromkeys(SEEDED_FLAGS, False)


def audit_rows(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select action, reason, previous_flags, new_flags, undoes is not null"
        " from public.operations_audit order by created_at, action"
    ).fetchall()


def test_rollback_switches_every_flag_off_and_audits_the_previous_values(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    ops_db.execute("update public.feature_flags set enabled = true where name = 'ai_edge_function'")

    result = maxpulse("rollback", "--yes", "--reason", "error rate 12%")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Switched off: ai_edge_function, use_supabase"
    assert lines[1].startswith("functions: nothing to move")
    assert lines[-1].startswith("Rollback done in ") and lines[-1].endswith(" s.")
    assert flag_values(ops_db) == ALL_OFF
    assert audit_rows(ops_db) == [
        ("rollback", "error rate 12%", {**SEEDED_FLAGS, "ai_edge_function": True}, ALL_OFF, False)
    ]


def test_undo_restores_the_flags_as_they_were(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    maxpulse("rollback", "--yes")

    result = maxpulse("rollback", "--undo", "--yes", "--reason", "false alarm")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Restored: use_supabase on"
    assert flag_values(ops_db) == SEEDED_FLAGS
    assert [row[0] for row in audit_rows(ops_db)] == ["rollback", "rollback_undo"]
    assert audit_rows(ops_db)[1][4] is True


def test_undo_twice_restores_once(maxpulse: Invoke, ops_db: psycopg.Connection[Any]) -> None:
    maxpulse("rollback", "--yes")
    maxpulse("rollback", "--undo", "--yes")
    maxpulse("flags", "set", "use_supabase", "off")

    result = maxpulse("rollback", "--undo", "--yes")

    assert result.exit_code == 0, result.output
    assert "Nothing to undo" in result.output
    assert flag_values(ops_db)["use_supabase"] is False


def test_dry_run_says_what_would_go_and_changes_nothing(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("rollback", "--dry-run", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["dryRun"], report["switchedOff"], report["audit"]) == (
        True,
        ["use_supabase"],
        None,
    )
    assert flag_values(ops_db) == SEEDED_FLAGS
    assert audit_rows(ops_db) == []


def test_rollback_without_a_terminal_needs_yes(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("rollback")

    assert result.exit_code == 2
    assert "pass --yes" in result.output
    assert flag_values(ops_db) == SEEDED_FLAGS


def test_concurrent_undos_restore_the_flags_once(ops_db_url: str) -> None:
    with psycopg.connect(ops_db_url, autocommit=True) as conn:
        run_rollback(conn, actor="ops@a", reason=None, dry_run=False)
    reports = []

    def undo() -> None:
        with psycopg.connect(ops_db_url, autocommit=True) as conn:
            reports.append(undo_rollback(conn, actor="ops@b", reason=None))

    threads = [threading.Thread(target=undo) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(report.entry is not None for report in reports) == [False, False, False, True]


def test_a_failing_rollback_leaves_flags_and_audit_as_they_were(
    ops_db: psycopg.Connection[Any],
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        run_rollback(ops_db, actor="", reason=None, dry_run=False)  # actor must not be empty

    assert flag_values(ops_db) == SEEDED_FLAGS
    assert audit_rows(ops_db) == []


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ({"a": True, "b": False}, {"a": False, "b": False}, {"a": (True, False)}),
        ({"a": False}, {"a": False}, {}),
        ({}, {"new": True}, {"new": (None, True)}),
    ],
)
def test_changed_flags_lists_only_what_moved(
    before: dict[str, bool], after: dict[str, bool], changed: dict[str, Any]
) -> None:
    assert changed_flags(before, after) == changed

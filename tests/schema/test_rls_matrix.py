"""Row-level security for every table in public, caller by caller, as PostgREST runs requests.

The cases live in `tests/schema/rls_cases/` (see `tests.support.rls_matrix`
for how to read them). Each case runs once per actor, in a transaction rolled
back at the end, against the seeded world.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.schema.rls_cases import all_cases
from tests.support.postgrest import request_as
from tests.support.rls_matrix import ACTIONS, Outcome, RlsCase
from tests.support.world import ACTORS, DISTRIBUTOR_A, IDS, caller

CASES = all_cases()
PUBLIC_TABLES_SQL = """
    select c.relname
    from pg_class as c
    join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
"""


@pytest.fixture(scope="module")
def conn(seeded_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    # Not prepared: the same text runs under six roles, each with its own policies.
    with psycopg.connect(seeded_db_url, autocommit=True, prepare_threshold=None) as connection:
        yield connection


def run_case(conn: psycopg.Connection[Any], case: RlsCase, actor: str) -> Outcome:
    """What happens when `actor` runs the case's statement after its setup."""
    acting = caller(actor)
    params = {**IDS, "me": acting.user_id}
    with conn.transaction(force_rollback=True):
        for statement in case.setup:
            conn.execute(statement, params)
        try:
            with request_as(conn, acting) as cursor:
                affected = cursor.execute(case.sql, params).rowcount
        except psycopg.errors.InsufficientPrivilege as exc:
            # Policies, guards and revoked table privileges deny on purpose; a helper
            # the caller may not execute (or a schema it may not use) is a bug.
            if str(exc).startswith(
                ("permission denied for function", "permission denied for schema")
            ):
                raise AssertionError(f"{actor}: {exc}") from exc
            return Outcome.DENIED
    return Outcome.ALLOWED if affected > 0 else Outcome.HIDDEN


@pytest.mark.parametrize(
    ("case", "actor"),
    [pytest.param(case, actor, id=f"{case.name()}-{actor}") for case in CASES for actor in ACTORS],
)
def test_rls_outcome(conn: psycopg.Connection[Any], case: RlsCase, actor: str) -> None:
    assert run_case(conn, case, actor) is case.expected[actor]


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case.name()) for case in CASES if case.action != "insert"]
)
def test_case_reaches_its_rows_without_rls(conn: psycopg.Connection[Any], case: RlsCase) -> None:
    """Run as the owner (no RLS), the statement finds its target: "hidden" is never vacuous."""
    params = {**IDS, "me": DISTRIBUTOR_A}
    with conn.transaction(force_rollback=True):
        for statement in case.setup:
            conn.execute(statement, params)
        try:
            affected = conn.execute(case.sql, params).rowcount
        except psycopg.errors.ObjectNotInPrerequisiteState:
            return  # the append-only ledger's trigger: it fires only for a row that exists
    assert affected > 0, f"{case.name()}: the statement matches no row even without RLS"


def test_every_public_table_has_cases_for_every_action(conn: psycopg.Connection[Any]) -> None:
    tables = {name for (name,) in conn.execute(PUBLIC_TABLES_SQL)}
    covered = {(case.table, case.action) for case in CASES}
    missing = sorted(
        f"{table} {action}"
        for table in tables
        for action in ACTIONS
        if (table, action) not in covered
    )
    assert not missing, "add RLS cases (tests/schema/rls_cases/) for: " + ", ".join(missing)


def test_cases_name_only_existing_tables(conn: psycopg.Connection[Any]) -> None:
    tables = {name for (name,) in conn.execute(PUBLIC_TABLES_SQL)}
    assert {case.table for case in CASES} <= tables


def test_case_names_are_unique() -> None:
    names = [case.name() for case in CASES]
    assert len(names) == len(set(names))

"""Properties of the schema as a whole: privileges, helper functions, the seed."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from maxpulse_tools.project import Project
from tests.support.postgrest import ANON, request_as, signed_in
from tests.support.world import ADMIN


def test_every_table_in_public_has_row_level_security(db: psycopg.Connection[Any]) -> None:
    without = db.execute(
        "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity"
    ).fetchall()
    assert without == []


@pytest.mark.parametrize("role", ["anon", "authenticated"])
@pytest.mark.parametrize("privilege", ["TRUNCATE", "TRIGGER", "REFERENCES"])
def test_api_roles_hold_no_privilege_that_bypasses_rls(
    db: psycopg.Connection[Any], role: str, privilege: str
) -> None:
    granted = db.execute(
        "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('r', 'p')"
        " and has_table_privilege(%s, c.oid, %s)",
        (role, privilege),
    ).fetchall()
    assert granted == []


def test_admin_cannot_truncate_through_the_api(db: psycopg.Connection[Any]) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        request_as(db, signed_in(ADMIN)) as cur,
    ):
        cur.execute("truncate public.feature_flags")


def test_private_functions_are_not_executable_by_everyone(db: psycopg.Connection[Any]) -> None:
    public_execute = db.execute(
        "select p.proname from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace"
        " where n.nspname = 'private'"
        " and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a"
        "             where a.grantee = 0 and a.privilege_type = 'EXECUTE')"
    ).fetchall()
    assert public_execute == []


def test_security_definer_helpers_pin_an_empty_search_path(db: psycopg.Connection[Any]) -> None:
    loose = db.execute(
        "select p.proname, p.proconfig from pg_proc as p"
        " join pg_namespace as n on n.oid = p.pronamespace"
        " where n.nspname in ('public', 'private') and p.prosecdef"
        " and not coalesce(p.proconfig, '{}') @> array['search_path=\"\"']"
    ).fetchall()
    assert loose == []


def test_private_schema_is_not_reachable_as_an_rpc(db: psycopg.Connection[Any]) -> None:
    """PostgREST exposes public; anon reaching private.is_admin() directly learns nothing."""
    with request_as(db, ANON) as cur:
        assert cur.execute("select private.is_admin()").fetchone() == (False,)


def test_seed_loads_twice_without_changes(seeded_db_url: str, repo_project: Project) -> None:
    seed = repo_project.seed_file.read_text(encoding="utf-8")
    counts = (
        "select (select count(*) from auth.users), (select count(*) from public.orders),"
        " (select count(*) from public.commissions), (select count(*) from public.ledger_entries),"
        " (select count(*) from public.lesson_progress), (select sum(total_sales)"
        " from public.distributor_profiles)"
    )
    with psycopg.connect(seeded_db_url) as conn:
        before = conn.execute(counts).fetchone()
        conn.execute(seed)
        after = conn.execute(counts).fetchone()
        conn.rollback()
    assert before == after
    assert before is not None and before[0] == 6

"""What no API caller can do to their own rows: raise their role or rate, rewrite the ledger.

Row-level security decides which rows a caller reaches; these guards decide
which columns of a reachable row only an admin (or service_role) may change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.postgrest import SERVICE_ROLE, request_as, signed_in
from tests.support.world import ADMIN, DISTRIBUTOR_A, DISTRIBUTOR_B, IDS, PARTICIPANT, TRAINER

PARTICIPANT_CALLER = signed_in(PARTICIPANT)
DISTRIBUTOR_A_CALLER = signed_in(DISTRIBUTOR_A)
DISTRIBUTOR_B_CALLER = signed_in(DISTRIBUTOR_B)


@pytest.mark.parametrize(
    ("user_id", "role"),
    [
        (PARTICIPANT, "admin"),
        (PARTICIPANT, "distributor"),
        (DISTRIBUTOR_A, "admin"),
        (DISTRIBUTOR_A, "trainer"),
        (TRAINER, "admin"),
        (TRAINER, "distributor"),
    ],
)
def test_nobody_changes_their_own_role(
    db: psycopg.Connection[Any], user_id: Any, role: str
) -> None:
    before = db.execute("select role from public.users where id = %s", (user_id,)).fetchone()

    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        request_as(db, signed_in(user_id)) as cur,
    ):
        cur.execute("update public.users set role = %s where id = %s", (role, user_id))

    assert (
        db.execute("select role from public.users where id = %s", (user_id,)).fetchone() == before
    )


def test_user_cannot_deactivate_or_rename_themselves(db: psycopg.Connection[Any]) -> None:
    for change in (
        "update public.users set is_active = false where id = %s",
        "update public.users set email = 'other@example.com' where id = %s",
    ):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            request_as(db, PARTICIPANT_CALLER) as cur,
        ):
            cur.execute(psycopg.sql.SQL(change), (PARTICIPANT,))


def test_admin_changes_a_role_and_the_role_takes_effect(db: psycopg.Connection[Any]) -> None:
    with request_as(db, signed_in(ADMIN)) as cur:
        cur.execute("update public.users set role = 'admin' where id = %s", (PARTICIPANT,))
        assert cur.rowcount == 1
        with request_as(db, PARTICIPANT_CALLER) as as_new_admin:
            seen = as_new_admin.execute("select count(*) from public.clients").fetchone()

    assert seen is not None and seen[0] > 0  # clients are visible to admins only


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("commission_rate", 90),
        ("tier_level", 4),
        ("total_sales", 1_000_000),
        ("total_commissions", 1_000_000),
        ("status", "inactive"),
        ("upline_id", None),
        ("distributor_code", "MP-MINE"),
    ],
)
def test_distributor_cannot_change_their_own_terms(
    db: psycopg.Connection[Any], column: str, value: Any
) -> None:
    """Ben (tier 1, 25 %, sponsored by Ava) tries to improve his own terms."""
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match=column),
        request_as(db, DISTRIBUTOR_B_CALLER) as cur,
    ):
        cur.execute(
            psycopg.sql.SQL(
                "update public.distributor_profiles set {} = %s where user_id = %s"
            ).format(psycopg.sql.Identifier(column)),
            (value, DISTRIBUTOR_B),
        )


def test_distributor_edits_their_own_presentation(db: psycopg.Connection[Any]) -> None:
    with request_as(db, DISTRIBUTOR_A_CALLER) as cur:
        cur.execute(
            "update public.distributor_profiles set display_name = 'Ava Wellness', timezone = 'UTC'"
            " where user_id = %s",
            (DISTRIBUTOR_A,),
        )
        assert cur.rowcount == 1


def test_admin_and_service_role_set_commission_rates(db: psycopg.Connection[Any]) -> None:
    for caller, rate in ((signed_in(ADMIN), 35), (SERVICE_ROLE, 40)):
        with request_as(db, caller, commit=True) as cur:
            cur.execute(
                "update public.distributor_profiles set commission_rate = %s where user_id = %s",
                (rate, DISTRIBUTOR_B),
            )
            assert cur.rowcount == 1
    assert db.execute(
        "select commission_rate from public.distributor_profiles where user_id = %s",
        (DISTRIBUTOR_B,),
    ).fetchone() == (40,)


def test_participant_cannot_reassign_their_session(db: psycopg.Connection[Any]) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        request_as(db, PARTICIPANT_CALLER) as cur,
    ):
        cur.execute(
            "update public.assessment_sessions set distributor_id = %s where id = %s",
            (DISTRIBUTOR_B, IDS["session_participant"]),
        )


def test_distributor_cannot_pay_their_own_order(db: psycopg.Connection[Any]) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        request_as(db, DISTRIBUTOR_A_CALLER) as cur,
    ):
        cur.execute(
            "update public.orders set status = 'paid', paid_at = now() where id = %s",
            (IDS["order_pending_of_a"],),
        )


def test_order_items_sell_at_the_catalogue_price(db: psycopg.Connection[Any]) -> None:
    with request_as(db, DISTRIBUTOR_A_CALLER) as cur:
        cur.execute(
            "insert into public.order_items (order_id, product_id, quantity)"
            " values (%s, %s, 2) returning unit_price, currency, line_total",
            (IDS["order_pending_of_a"], IDS["product_sleep"]),
        )
        assert cur.fetchone() == (49, "USD", 98)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="catalogue price"):
            cur.execute(
                "update public.order_items set unit_price = 0.01 where order_id = %s",
                (IDS["order_pending_of_a"],),
            )


# The append-only ledger -----------------------------------------------------------

LEDGER_CHANGES = [
    "update public.ledger_entries set amount = amount * 10 where id = %(id)s",
    "delete from public.ledger_entries where id = %(id)s",
]


@pytest.mark.parametrize("statement", LEDGER_CHANGES, ids=["update", "delete"])
def test_ledger_refuses_changes_even_from_the_owner(
    db: psycopg.Connection[Any], statement: str
) -> None:
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="append-only"):
        db.execute(statement, {"id": IDS["ledger_commission_of_a"]})


@pytest.mark.parametrize("statement", LEDGER_CHANGES, ids=["update", "delete"])
def test_ledger_refuses_changes_from_service_role(
    db: psycopg.Connection[Any], statement: str
) -> None:
    with (
        pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState),
        request_as(db, SERVICE_ROLE) as cur,
    ):
        cur.execute(statement, {"id": IDS["ledger_commission_of_a"]})


def test_ledger_refuses_truncate(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        db.execute("truncate public.ledger_entries")


def test_ledger_takes_corrections_as_new_entries(db: psycopg.Connection[Any]) -> None:
    balance = "select sum(amount) from public.ledger_entries where distributor_id = %s"
    before = db.execute(balance, (DISTRIBUTOR_A,)).fetchone()

    with request_as(db, signed_in(ADMIN), commit=True) as cur:
        cur.execute(
            "insert into public.ledger_entries (entry_type, distributor_id, amount, currency,"
            " description) values ('adjustment', %s, -3.95, 'USD', 'reverse upline commission')"
            " returning created_by",
            (DISTRIBUTOR_A,),
        )
        assert cur.fetchone() == (ADMIN,)

    after = db.execute(balance, (DISTRIBUTOR_A,)).fetchone()
    assert before is not None and after is not None
    assert after[0] == before[0] - Decimal("3.95")


# updated_at ----------------------------------------------------------------------

TABLES_WITH_UPDATED_AT = [
    "users",
    "user_profiles",
    "distributor_profiles",
    "assessments",
    "assessment_sessions",
    "assessment_responses",
    "assessment_results",
    "clients",
    "client_interactions",
    "client_follow_ups",
    "products",
    "commission_tiers",
    "orders",
    "order_items",
    "payouts",
    "commissions",
    "courses",
    "course_modules",
    "lessons",
    "enrollments",
    "lesson_progress",
    "ai_analysis_results",
    "feature_flags",
]


def test_every_table_with_updated_at_is_listed_here(db: psycopg.Connection[Any]) -> None:
    """A new table with updated_at joins the behaviour test below (or is another area's)."""
    tables = {
        name
        for (name,) in db.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'public' and column_name = 'updated_at'"
        )
    }
    assert set(TABLES_WITH_UPDATED_AT) <= tables


def test_every_table_with_updated_at_has_a_trigger_that_sets_it(
    db: psycopg.Connection[Any],
) -> None:
    missing = db.execute(
        """
        select c.table_name
        from information_schema.columns as c
        where c.table_schema = 'public' and c.column_name = 'updated_at'
          and not exists (
              select from pg_trigger as t
              join pg_proc as p on p.oid = t.tgfoid
              where t.tgrelid = format('public.%I', c.table_name)::regclass
                and p.proname in ('set_updated_at', 'stamp_feature_flag_change')
          )
        """
    ).fetchall()
    assert missing == []


@pytest.mark.parametrize("table", TABLES_WITH_UPDATED_AT)
def test_updated_at_moves_on_every_update(db: psycopg.Connection[Any], table: str) -> None:
    """Seed rows were written in an earlier transaction; an update stamps this one's now()."""
    row = db.execute(
        psycopg.sql.SQL(
            "update public.{table} set updated_at = '2000-01-01'"
            " where ctid = (select ctid from public.{table} limit 1)"
            " returning updated_at = now()"
        ).format(table=psycopg.sql.Identifier(table))
    ).fetchone()
    assert row == (True,)

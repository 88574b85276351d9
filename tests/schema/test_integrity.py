"""Rules the database keeps by itself: derived columns, natural keys, references."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.postgrest import request_as, signed_in
from tests.support.world import DISTRIBUTOR_A, DISTRIBUTOR_B, IDS, PARTICIPANT, TRAINER


def test_tracking_events_belong_to_the_sessions_distributor(db: psycopg.Connection[Any]) -> None:
    """A writer cannot put events on another distributor's dashboard by naming them."""
    with request_as(db, signed_in(PARTICIPANT)) as cur:
        cur.execute(
            "insert into public.assessment_tracking (session_id, distributor_id, event_type)"
            " values (%s, %s, 'results_viewed')",
            (IDS["session_participant"], DISTRIBUTOR_B),
        )
    distributors = db.execute(
        "select distinct distributor_id from public.assessment_tracking where session_id = %s",
        (IDS["session_participant"],),
    ).fetchall()
    assert distributors == [(DISTRIBUTOR_A,)]


def test_tracking_events_take_the_sessions_bot_flag(db: psycopg.Connection[Any]) -> None:
    """Nobody flags their own events as a bot's to keep them off a dashboard, or unflags a bot's."""
    with db.transaction(force_rollback=True):
        with request_as(db, signed_in(PARTICIPANT), commit=True) as cur:
            cur.execute(
                "insert into public.assessment_tracking (session_id, event_type, is_bot)"
                " values (%s, 'results_viewed', true)",
                (IDS["session_participant"],),
            )
        flagged = db.execute(
            "select is_bot from public.assessment_tracking"
            " where session_id = %s and event_type = 'results_viewed'",
            (IDS["session_participant"],),
        ).fetchall()

    assert flagged == [(False,)]


def test_order_subtotal_follows_its_items(db: psycopg.Connection[Any]) -> None:
    order = IDS["order_pending_of_a"]
    totals = "select subtotal, total_amount from public.orders where id = %s"
    assert db.execute(totals, (order,)).fetchone() == (Decimal("39.50"), Decimal("39.50"))

    db.execute(
        "insert into public.order_items (order_id, product_id, quantity) values (%s, %s, 2)",
        (order, IDS["product_sleep"]),
    )
    db.execute("update public.orders set shipping_amount = 4.50 where id = %s", (order,))
    assert db.execute(totals, (order,)).fetchone() == (Decimal("137.50"), Decimal("142.00"))

    db.execute("delete from public.order_items where order_id = %s", (order,))
    assert db.execute(totals, (order,)).fetchone() == (Decimal("0.00"), Decimal("4.50"))


def test_item_moved_to_another_order_refreshes_both_subtotals(db: psycopg.Connection[Any]) -> None:
    pending, paid = IDS["order_pending_of_a"], IDS["order_paid_of_a"]
    subtotals = "select id, subtotal from public.orders where id in (%s, %s)"
    before = dict(db.execute(subtotals, (pending, paid)).fetchall())

    db.execute("update public.order_items set order_id = %s where order_id = %s", (paid, pending))

    assert dict(db.execute(subtotals, (pending, paid)).fetchall()) == {
        pending: Decimal("0.00"),
        paid: before[paid] + before[pending],
    }


def test_items_carry_their_orders_currency(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(
            "insert into public.order_items (order_id, product_id, quantity, unit_price, currency)"
            " values (%s, %s, 1, 10, 'EUR')",
            (IDS["order_pending_of_a"], IDS["product_sleep"]),
        )


def test_one_commission_per_order_item_and_level(db: psycopg.Connection[Any]) -> None:
    """Retrying the commission run pays nobody twice, even if the upline changed meanwhile."""
    insert = (
        "insert into public.commissions (order_item_id, order_id, distributor_id, level, rate,"
        " base_amount, amount, currency) values (%s, %s, %s, 1, 5, 79, 3.95, 'USD')"
    )
    args = (IDS["item_paid_of_b"], IDS["order_paid_of_b"])

    retried = db.execute(insert + " on conflict do nothing", (*args, DISTRIBUTOR_A)).rowcount
    assert retried == 0
    with pytest.raises(psycopg.errors.UniqueViolation, match="commissions_order_item_level_key"):
        db.execute(insert, (*args, DISTRIBUTOR_B))


def test_commission_names_an_item_of_its_order(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(
            "insert into public.commissions (order_item_id, order_id, distributor_id, level, rate,"
            " base_amount, amount, currency) values (%s, %s, %s, 2, 1, 1, 0.01, 'USD')",
            (IDS["item_paid_of_b"], IDS["order_paid_of_a"], DISTRIBUTOR_A),
        )


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        (
            "insert into public.clients (distributor_id, first_name) values (%s, 'X')",
            "distributor_id",
        ),
        ("insert into public.orders (distributor_id) values (%s)", "distributor_id"),
        ("insert into public.payouts (distributor_id, amount) values (%s, 1)", "distributor_id"),
        (
            "insert into public.assessment_sessions (participant_id, distributor_id)"
            " values (null, %s)",
            "distributor_id",
        ),
        (
            "insert into public.courses (trainer_id, slug, title) values (%s, 'x-y', 'X')",
            "trainer_id",
        ),
    ],
)
def test_role_references_must_name_a_user_with_that_role(
    db: psycopg.Connection[Any], statement: str, column: str
) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match=column):
        db.execute(statement, (PARTICIPANT,))


def test_upline_chain_never_loops(db: psycopg.Connection[Any]) -> None:
    """Ben's upline is Ava: making Ben Ava's upline would loop."""
    with pytest.raises(psycopg.errors.CheckViolation, match="own upline"):
        db.execute(
            "update public.distributor_profiles set upline_id = %s where user_id = %s",
            (DISTRIBUTOR_B, DISTRIBUTOR_A),
        )


def test_enrollment_progress_follows_lesson_progress(db: psycopg.Connection[Any]) -> None:
    enrollment = IDS["enrollment_participant"]
    progress = "select progress_percent, status, completed_at is not null from public.enrollments where id = %s"
    assert db.execute(progress, (enrollment,)).fetchone() == (Decimal("33.33"), "active", False)

    with request_as(db, signed_in(PARTICIPANT), commit=True) as cur:
        cur.execute(
            "update public.lesson_progress set status = 'completed', completed_at = now()"
            " where enrollment_id = %s",
            (enrollment,),
        )
        cur.execute(
            "insert into public.lesson_progress (enrollment_id, course_id, user_id, lesson_id,"
            " status, completed_at) values (%s, %s, %s, %s, 'completed', now())",
            (enrollment, IDS["course_published"], PARTICIPANT, IDS["lesson_without_progress"]),
        )
    assert db.execute(progress, (enrollment,)).fetchone() == (Decimal("100.00"), "completed", True)


def test_progress_must_be_for_a_lesson_of_the_enrolled_course(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(
            "insert into public.lesson_progress (enrollment_id, course_id, user_id, lesson_id)"
            " values (%s, %s, %s, %s)",
            (
                IDS["enrollment_participant"],
                IDS["course_published"],
                PARTICIPANT,
                IDS["lesson_draft"],
            ),
        )


def test_trainer_sees_the_progress_of_their_learners(db: psycopg.Connection[Any]) -> None:
    with request_as(db, signed_in(TRAINER)) as cur:
        learners = cur.execute(
            "select p.first_name, e.progress_percent from public.enrollments as e"
            " join public.user_profiles as p on p.user_id = e.user_id order by 1"
        ).fetchall()
    assert learners == [("Ava", Decimal("66.67")), ("Paula", Decimal("33.33"))]


@pytest.mark.parametrize("table", ["assessment_tracking", "analytics_events"])
def test_dashboard_tables_stream_through_realtime(db: psycopg.Connection[Any], table: str) -> None:
    published = db.execute(
        "select count(*) from pg_publication_tables"
        " where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = %s",
        (table,),
    ).fetchone()
    assert published == (1,)

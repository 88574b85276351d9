"""The RPC functions frontends call with supabase.rpc(...), run under the caller's RLS."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.support.postgrest import ANON, request_as, signed_in
from tests.support.world import ADMIN, DISTRIBUTOR_A, DISTRIBUTOR_B, PARTICIPANT

DASHBOARD = "select public.distributor_dashboard() - 'since'"


def test_anon_reads_the_feature_flags_before_sign_in(db: psycopg.Connection[Any]) -> None:
    with request_as(db, ANON) as cur:
        flags = cur.execute("select public.feature_flag_map()").fetchone()

    assert flags == (
        {
            "ai_edge_function": False,
            "analytics_backend": False,
            "realtime_backend": False,
            "use_supabase": True,
        },
    )


def test_distributor_dashboard_shows_the_callers_own_numbers(db: psycopg.Connection[Any]) -> None:
    with request_as(db, signed_in(DISTRIBUTOR_A)) as cur:
        (ava,) = cur.execute(DASHBOARD).fetchone() or (None,)
    with request_as(db, signed_in(DISTRIBUTOR_B)) as cur:
        (ben,) = cur.execute(DASHBOARD).fetchone() or (None,)

    assert ava == {
        "sessions_started": 2,
        "sessions_completed": 1,
        "completion_rate": 0.5,
        "paid_orders": 1,
        "sales": {"USD": 178.0},
        "commissions": {"paid": {"USD": 51.9}, "pending": {"USD": 3.95}},
    }
    assert ben == {
        "sessions_started": 1,
        "sessions_completed": 0,
        "completion_rate": 0,
        "paid_orders": 1,
        "sales": {"USD": 79.0},
        "commissions": {"pending": {"USD": 19.75}},
    }


def test_participant_dashboard_is_empty(db: psycopg.Connection[Any]) -> None:
    with request_as(db, signed_in(PARTICIPANT)) as cur:
        (dashboard,) = cur.execute(DASHBOARD).fetchone() or (None,)

    assert dashboard == {
        "sessions_started": 0,
        "sessions_completed": 0,
        "completion_rate": 0,
        "paid_orders": 0,
        "sales": {},
        "commissions": {},
    }


def test_anon_cannot_call_the_dashboards(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), request_as(db, ANON) as cur:
        cur.execute(DASHBOARD)


def test_assessment_funnel_counts_the_callers_referrals(db: psycopg.Connection[Any]) -> None:
    funnel = "select event_type, event_count, session_count from public.assessment_funnel()"
    with request_as(db, signed_in(DISTRIBUTOR_A)) as cur:
        ava = cur.execute(funnel).fetchall()
    with request_as(db, signed_in(DISTRIBUTOR_B)) as cur:
        ben = cur.execute(funnel).fetchall()

    assert ava == [
        ("link_clicked", 2, 2),
        ("assessment_completed", 1, 1),
        ("assessment_started", 1, 1),
        ("question_answered", 1, 1),
    ]
    assert ben == [("assessment_started", 1, 1), ("link_clicked", 1, 1)]


def test_assessment_funnel_of_another_distributor_is_for_admins(
    db: psycopg.Connection[Any],
) -> None:
    funnel = "select event_type from public.assessment_funnel(distributor_id => %s)"
    with request_as(db, signed_in(ADMIN)) as cur:
        for_admin = cur.execute(funnel, (DISTRIBUTOR_B,)).fetchall()
    with request_as(db, signed_in(DISTRIBUTOR_A)) as cur:
        for_ava = cur.execute(funnel, (DISTRIBUTOR_B,)).fetchall()

    assert for_admin == [("assessment_started",), ("link_clicked",)]
    assert for_ava == []


def test_bot_sessions_and_events_count_only_when_asked_for(db: psycopg.Connection[Any]) -> None:
    db.execute(
        "insert into public.assessment_sessions (id, distributor_id, source, is_bot)"
        " values ('c9000000-0000-4000-8000-000000000001', %s, 'link', true)",
        (DISTRIBUTOR_A,),
    )
    db.execute(
        "insert into public.assessment_tracking (session_id, event_type, timestamp)"
        " values ('c9000000-0000-4000-8000-000000000001', 'assessment_started',"
        " now() - interval '1 minute')"
    )
    started = "select public.distributor_dashboard(include_bots => %s) -> 'sessions_started'"
    funnel = (
        "select session_count from public.assessment_funnel(include_bots => %s)"
        " where event_type = 'assessment_started'"
    )
    with request_as(db, signed_in(DISTRIBUTOR_A)) as cur:
        sessions = [cur.execute(started, (flag,)).fetchone() for flag in (False, True)]
        funnels = [cur.execute(funnel, (flag,)).fetchone() for flag in (False, True)]

    assert sessions == [(2,), (3,)]
    assert funnels == [(1,), (2,)]

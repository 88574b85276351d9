"""supabase.rpc('get_distributor_analytics', {distributor_id, period_days}), run as PostgREST runs it.

Against the seeded world: Ava (America/New_York) and Ben (Europe/Berlin). The
aggregator runs inside the test's transaction, which is rolled back after.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from tests.support.analytics import decimal_json, make_distributor
from tests.support.payments import book, refund, sale
from tests.support.postgrest import ANON, SERVICE_ROLE, Caller, request_as, signed_in
from tests.support.world import (
    ADMIN,
    DISTRIBUTOR_A,
    DISTRIBUTOR_B,
    IDS,
    OTHER_PARTICIPANT,
    PARTICIPANT,
    TRAINER,
)

RPC = "select public.get_distributor_analytics(%s, %s)"
AVA = signed_in(DISTRIBUTOR_A)
AGGREGATE = "select private.aggregate_analytics()"


def analytics(
    db: psycopg.Connection[Any], caller: Caller, distributor: UUID | None, period_days: Any = 30
) -> dict[str, Any]:
    """The document `caller` gets for `distributor` (None: their own)."""
    decimal_json(db)
    with request_as(db, caller) as cur:
        row = cur.execute(RPC, (distributor, period_days)).fetchone()
    assert row is not None
    document: dict[str, Any] = row[0]
    return document


def without_watermark(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "rolled_up_until"}


def test_ava_gets_her_own_numbers_of_the_last_30_days(db: psycopg.Connection[Any]) -> None:
    document = analytics(db, AVA, None)

    today = datetime.now(ZoneInfo("America/New_York")).date()
    assert document["distributor_id"] == str(DISTRIBUTOR_A)
    assert document["timezone"] == "America/New_York"
    assert (document["period_days"], document["to"]) == (30, str(today))
    assert [day["day"] for day in document["daily"]][-1] == str(today)
    assert len(document["daily"]) == 30
    assert document["totals"] == {
        "link_clicks": 0,
        "unique_link_clicks": 0,
        "bot_link_clicks": 0,
        "assessments_started": 2,
        "assessments_completed": 1,
        "new_clients": 2,
        "paid_orders": 1,
        "ai_analyses": 1,
        "sales": {"USD": Decimal("178.00")},
        "commissions": {"USD": Decimal("55.85")},
        "refunds": {},
        "commission_reversals": {},
        "tracking_events": {
            "link_clicked": 2,
            "assessment_started": 1,
            "question_answered": 1,
            "assessment_completed": 1,
        },
        "analytics_events": {"results.viewed": 1},
    }
    assert document["funnel"] == {
        "clicks": 0,
        "started": 2,
        "completed": 1,
        "ordered": 1,
        "click_to_start": 0,
        "start_to_completion": Decimal("0.5"),
        "completion_to_order": 1,
        "click_to_order": 0,
    }
    assert document["top_links"] == []


def test_rollups_and_raw_rows_give_the_same_document(db: psycopg.Connection[Any]) -> None:
    from_raw_rows = analytics(db, AVA, None)

    db.execute(AGGREGATE)
    from_rollups = analytics(db, AVA, None)

    assert from_raw_rows["rolled_up_until"] is None
    assert from_rollups["rolled_up_until"] is not None
    assert without_watermark(from_rollups) == without_watermark(from_raw_rows)


def test_closed_days_are_as_of_the_last_run(db: psycopg.Connection[Any]) -> None:
    db.execute(AGGREGATE)
    db.execute(
        "insert into public.analytics_events (distributor_id, event_type, occurred_at)"
        " values (%s, 'share.clicked', now() - interval '1 day')",
        (DISTRIBUTOR_A,),
    )

    before_the_run = analytics(db, AVA, None)["totals"]["analytics_events"]
    db.execute(AGGREGATE)
    after_the_run = analytics(db, AVA, None)["totals"]["analytics_events"]

    assert before_the_run == {"results.viewed": 1}
    assert after_the_run == {"results.viewed": 1, "share.clicked": 1}


def test_events_since_the_last_run_count_at_once(db: psycopg.Connection[Any]) -> None:
    db.execute(AGGREGATE)
    db.execute(
        "insert into public.analytics_events (distributor_id, event_type, occurred_at)"
        " values (%s, 'share.clicked', clock_timestamp())",
        (DISTRIBUTOR_A,),
    )

    document = analytics(db, AVA, None)

    assert document["totals"]["analytics_events"] == {"results.viewed": 1, "share.clicked": 1}
    assert document["daily"][-1]["analytics_events"] == {"share.clicked": 1}


def test_a_new_time_zone_is_counted_from_the_raw_rows_until_the_next_run(
    db: psycopg.Connection[Any],
) -> None:
    db.execute(AGGREGATE)
    db.execute(
        "update public.distributor_profiles set timezone = 'Asia/Tokyo' where user_id = %s",
        (DISTRIBUTOR_A,),
    )

    before_the_run = analytics(db, AVA, None)
    db.execute(AGGREGATE)
    after_the_run = analytics(db, AVA, None)

    assert before_the_run["timezone"] == "Asia/Tokyo"
    assert before_the_run["rolled_up_until"] is None
    assert without_watermark(after_the_run) == without_watermark(before_the_run)


def test_top_links_rank_human_clicks(db: psycopg.Connection[Any]) -> None:
    link = IDS["spare"]
    db.execute(
        "insert into public.tracked_links (id, distributor_id, short_code, destination_url, label)"
        " values (%s, %s, 'ava-autumn', 'https://assessment.example/start', 'Autumn')",
        (link, DISTRIBUTOR_A),
    )
    clicks = [
        ("a4000000-0000-4000-8000-000000000001", False, True),  # ava-spring
        (str(link), False, True),
        (str(link), False, False),
        (str(link), True, False),  # a bot: not a click
    ]
    for link_id, is_bot, is_unique in clicks:
        db.execute(
            "insert into public.link_clicks (session_id, link_id, distributor_id, browser_family,"
            " os_family, device_family, is_bot, is_unique, visitor_hash)"
            " values (gen_random_uuid(), %s, %s, 'Chrome', 'iOS', 'mobile', %s, %s, repeat('b', 64))",
            (link_id, DISTRIBUTOR_A, is_bot, is_unique),
        )

    document = analytics(db, AVA, None)

    assert [
        (link["short_code"], link["clicks"], link["unique_clicks"])
        for link in document["top_links"]
    ] == [
        ("ava-autumn", 2, 1),
        ("ava-spring", 1, 1),
    ]
    assert document["top_links"][0]["label"] == "Autumn"
    assert (document["totals"]["link_clicks"], document["totals"]["bot_link_clicks"]) == (3, 1)
    assert document["funnel"]["click_to_start"] == Decimal("0.6667")


@pytest.mark.parametrize(
    ("caller", "distributor", "seen"),
    [
        pytest.param(signed_in(DISTRIBUTOR_A), DISTRIBUTOR_A, DISTRIBUTOR_A, id="ava-herself"),
        pytest.param(signed_in(DISTRIBUTOR_B), None, DISTRIBUTOR_B, id="ben-by-default"),
        pytest.param(signed_in(ADMIN), DISTRIBUTOR_B, DISTRIBUTOR_B, id="admin-anyone"),
        pytest.param(SERVICE_ROLE, DISTRIBUTOR_A, DISTRIBUTOR_A, id="service-role-anyone"),
    ],
)
def test_callers_read_what_they_may(
    db: psycopg.Connection[Any], caller: Caller, distributor: UUID | None, seen: UUID
) -> None:
    assert analytics(db, caller, distributor)["distributor_id"] == str(seen)


@pytest.mark.parametrize(
    ("caller", "distributor"),
    [
        pytest.param(signed_in(DISTRIBUTOR_A), DISTRIBUTOR_B, id="ava-asks-for-ben"),
        pytest.param(signed_in(DISTRIBUTOR_B), DISTRIBUTOR_A, id="ben-asks-for-his-upline"),
        pytest.param(signed_in(PARTICIPANT), DISTRIBUTOR_A, id="participant"),
        pytest.param(signed_in(TRAINER), DISTRIBUTOR_A, id="trainer"),
        pytest.param(ANON, DISTRIBUTOR_A, id="anon"),
    ],
)
def test_another_distributors_numbers_are_an_error_never_data(
    db: psycopg.Connection[Any], caller: Caller, distributor: UUID
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        analytics(db, caller, distributor)


@pytest.mark.parametrize(
    ("caller", "distributor", "message"),
    [
        pytest.param(signed_in(PARTICIPANT), None, "no distributor has the id", id="participant"),
        pytest.param(
            signed_in(ADMIN), OTHER_PARTICIPANT, "no distributor has the id", id="no-distributor"
        ),
        pytest.param(SERVICE_ROLE, None, "distributor_id is required", id="service-role-no-id"),
    ],
)
def test_who_is_no_distributor_gets_a_clear_error(
    db: psycopg.Connection[Any], caller: Caller, distributor: UUID | None, message: str
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=message):
        analytics(db, caller, distributor)


@pytest.mark.parametrize("period_days", [0, -1, 366, None])
def test_period_days_outside_1_to_365_is_refused(
    db: psycopg.Connection[Any], period_days: int | None
) -> None:
    with pytest.raises(
        psycopg.errors.InvalidParameterValue, match="period_days must be between 1 and 365"
    ):
        analytics(db, AVA, None, period_days)


@pytest.mark.parametrize("period_days", [1, 7, 365])
def test_the_series_has_one_entry_per_day_of_the_period(
    db: psycopg.Connection[Any], period_days: int
) -> None:
    document = analytics(db, AVA, None, period_days)

    assert len(document["daily"]) == document["period_days"] == period_days
    assert document["daily"][0]["day"] == document["from"]


def test_a_single_day_of_activity_is_the_periods_total(db: psycopg.Connection[Any]) -> None:
    """Totals add up the days' maps even when only one day of the period has any."""
    distributor = make_distributor(db, "Europe/Berlin")
    db.execute(
        "insert into public.analytics_events (distributor_id, event_type, occurred_at)"
        " values (%s, 'share.clicked', now() - interval '1 day')",
        (distributor,),
    )
    caller = signed_in(distributor)

    from_raw_rows = analytics(db, caller, None)
    db.execute(AGGREGATE)
    from_rollups = analytics(db, caller, None)

    for document in (from_raw_rows, from_rollups):
        assert document["totals"]["analytics_events"] == {"share.clicked": 1}
        active_days = [
            day["analytics_events"] for day in document["daily"] if day["analytics_events"]
        ]
        assert active_days == [{"share.clicked": 1}]


def test_a_refund_lands_on_its_own_day_and_leaves_the_sales_day_alone(
    db: psycopg.Connection[Any],
) -> None:
    db.execute(AGGREGATE)
    refund_id = db.execute(
        "insert into public.order_refunds (event_id, order_reference, order_id, distributor_id,"
        " amount, currency, status, settled_at)"
        " values ('evt_refund_test', 'MP-SEED-0001', %s, %s, 50.00, 'USD', 'applied', clock_timestamp())"
        " returning id",
        (IDS["order_paid_of_a"], DISTRIBUTOR_A),
    ).fetchone()[0]  # type: ignore[index]
    db.execute(
        "insert into public.commission_reversals (commission_id, refund_id, distributor_id, amount,"
        " currency, is_clawback, created_at)"
        " values (%s, %s, %s, 8.49, 'USD', true, clock_timestamp())",
        (IDS["commission_paid_of_a"], refund_id, DISTRIBUTOR_A),
    )

    live = analytics(db, AVA, None)
    db.execute(AGGREGATE)
    rolled_up = analytics(db, AVA, None)

    for document in (live, rolled_up):
        totals, today = document["totals"], document["daily"][-1]
        assert totals["sales"] == {"USD": Decimal("178.00")}
        assert totals["refunds"] == today["refunds"] == {"USD": Decimal("50.00")}
        assert totals["commission_reversals"] == {"USD": Decimal("8.49")}


def test_a_bots_session_and_its_events_count_neither_live_nor_rolled_up(
    db: psycopg.Connection[Any],
) -> None:
    """A headless browser's session, its events and its analysis stay out, as in the dashboards."""
    before = analytics(db, AVA, None)["totals"]
    bot_session = db.execute(
        "insert into public.assessment_sessions (distributor_id, status, started_at, completed_at,"
        " is_bot) values (%s, 'completed', now() - interval '2 hours', now() - interval '1 hour',"
        " true) returning id",
        (DISTRIBUTOR_A,),
    ).fetchone()[0]  # type: ignore[index]
    for event in ("assessment_started", "assessment_completed"):
        db.execute(
            'insert into public.assessment_tracking (session_id, event_type, "timestamp")'
            " values (%s, %s, now() - interval '90 minutes')",
            (bot_session, event),
        )
    db.execute(
        "insert into public.ai_analysis_results (input_hash, assessment_type, analysis_data,"
        " session_id, expires_at) values (md5('bot'), 'health_risk', '{}', %s, now() + interval '1 day')",
        (bot_session,),
    )

    live = analytics(db, AVA, None)["totals"]
    db.execute(AGGREGATE)
    rolled_up = analytics(db, AVA, None)["totals"]

    assert live == rolled_up == before


def test_a_refund_that_names_no_currency_counts_in_its_orders(db: psycopg.Connection[Any]) -> None:
    """Refund events may name no currency; neither the RPC nor the aggregator fails on them."""
    book(db, sale("shop-no-currency", "MP-AVA01", [("MP-SLEEP-30", 2)]))
    answer = book(db, refund("shop-no-currency", "49.00"))
    assert (answer["refund"]["status"], answer["refund"]["currency"]) == ("applied", "USD")

    live = analytics(db, AVA, None)
    db.execute(AGGREGATE)
    rolled_up = analytics(db, AVA, None)

    for document in (live, rolled_up):
        assert document["totals"]["refunds"] == document["daily"][-1]["refunds"]
        assert document["daily"][-1]["refunds"] == {"USD": Decimal("49.00")}

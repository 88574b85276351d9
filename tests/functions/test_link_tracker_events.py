"""POST /functions/v1/link-tracker/events: assessment progress of a session a link started."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest

from functions.link_tracker.routes import EVENTS_PER_MINUTE
from tests.functions.conftest import BROWSER_UA, Link, Tokens
from tests.support.postgrest import request_as, signed_in

Sql = Callable[..., list[tuple[Any, ...]]]
EVENTS = "/functions/v1/link-tracker/events"


async def start_session(client: httpx.AsyncClient, link: Link, user_agent: str = BROWSER_UA) -> str:
    """Follow the link like a visitor; the session id the redirect carries."""
    response = await client.get(
        f"/functions/v1/link-tracker/{link.code}", headers={"User-Agent": user_agent}
    )
    return parse_qs(urlsplit(response.headers["location"]).query)["sessionId"][0]


async def post_event(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], token: str | None = None
) -> httpx.Response:
    return await client.post(EVENTS, json=body, headers=tokens.bearer(token or tokens.anon))


async def test_anon_key_records_an_event_for_the_sessions_distributor(
    client: httpx.AsyncClient, tokens: Tokens, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()
    session_id = await start_session(client, link)

    response = await post_event(
        client,
        tokens,
        {"sessionId": session_id, "event": "assessment_started", "data": {"assessment": "health"}},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["sessionId"] == session_id
    assert body["event"] == "assessment_started"
    [row] = sql(
        "select distributor_id, event_type, event_data from public.assessment_tracking where id = %s",
        (body["id"],),
    )
    assert row == (link.distributor_id, "assessment_started", {"assessment": "health"})
    [session] = sql(
        "select distributor_id, referral_code, source from public.assessment_sessions where id = %s",
        (session_id,),
    )
    assert session == (link.distributor_id, link.code, "link")


async def test_the_body_cannot_name_a_distributor(
    client: httpx.AsyncClient, tokens: Tokens, make_link: Callable[..., Link]
) -> None:
    link = make_link()
    session_id = await start_session(client, link)

    response = await post_event(
        client,
        tokens,
        {"sessionId": session_id, "event": "question_answered", "distributorId": str(uuid4())},
    )

    assert response.status_code == 422
    assert response.json()["field"] == "distributorId"


async def test_tracking_rows_are_visible_to_that_distributor_only(
    client: httpx.AsyncClient,
    tokens: Tokens,
    make_link: Callable[..., Link],
    make_distributor: Callable[[], UUID],
    functions_db_url: str,
) -> None:
    link = make_link()
    other = make_distributor()
    session_id = await start_session(client, link)
    await post_event(client, tokens, {"sessionId": session_id, "event": "question_answered"})

    counts = {}
    with psycopg.connect(functions_db_url) as conn:
        for who in (link.distributor_id, other):
            with request_as(conn, signed_in(who)) as cursor:
                counts[who] = cursor.execute(
                    "select count(*) from public.assessment_tracking where session_id = %s",
                    (session_id,),
                ).fetchone()

    assert counts == {link.distributor_id: (1,), other: (0,)}


async def test_client_timestamp_is_kept(
    client: httpx.AsyncClient, tokens: Tokens, make_link: Callable[..., Link], sql: Sql
) -> None:
    session_id = await start_session(client, make_link())
    moment = datetime.now(UTC) - timedelta(minutes=3)

    response = await post_event(
        client,
        tokens,
        {"sessionId": session_id, "event": "question_answered", "timestamp": moment.isoformat()},
    )

    [(stored,)] = sql(
        'select "timestamp" from public.assessment_tracking where id = %s', (response.json()["id"],)
    )
    assert abs(stored - moment) < timedelta(milliseconds=1)


async def test_unknown_session_is_404(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await post_event(
        client, tokens, {"sessionId": str(uuid4()), "event": "assessment_started"}
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " HeadlessChrome/131.0.6778.33 Safari/537.36"
)


@pytest.mark.parametrize(
    "user_agent", [HEADLESS_CHROME, "Twitterbot/1.0"], ids=["playwright", "crawler"]
)
async def test_a_bots_session_posts_events_flagged_and_left_out_of_the_numbers(
    client: httpx.AsyncClient,
    tokens: Tokens,
    make_link: Callable[..., Link],
    sql: Sql,
    functions_db_url: str,
    user_agent: str,
) -> None:
    link = make_link()
    session_id = await start_session(client, link, user_agent=user_agent)

    response = await post_event(
        client, tokens, {"sessionId": session_id, "event": "assessment_started"}
    )

    assert response.status_code == 201
    assert sql(
        "select s.is_bot, t.is_bot from public.assessment_sessions as s"
        " join public.assessment_tracking as t on t.session_id = s.id where s.id = %s",
        (session_id,),
    ) == [(True, True)]
    assert sql(
        "select clicks, unique_clicks, bot_clicks from public.tracked_link_stats"
        " where link_id = %s",
        (link.id,),
    ) == [(0, 0, 1)]
    funnel = "select event_type, session_count from public.assessment_funnel(include_bots => %s)"
    dashboard = "select public.distributor_dashboard(include_bots => %s) ->> 'sessions_started'"
    with (
        psycopg.connect(functions_db_url) as conn,
        request_as(conn, signed_in(link.distributor_id)) as cursor,
    ):
        counted = cursor.execute(funnel, (False,)).fetchall()
        asked_for = cursor.execute(funnel, (True,)).fetchall()
        sessions = [cursor.execute(dashboard, (flag,)).fetchone() for flag in (False, True)]
    assert counted == []
    assert asked_for == [("assessment_started", 1)]
    assert sessions == [("0",), ("1",)]


async def test_more_events_than_the_per_minute_limit_are_429(
    client: httpx.AsyncClient, tokens: Tokens, make_link: Callable[..., Link], sql: Sql
) -> None:
    # The limit counts per clock minute: start right after a minute begins, so
    # that a slow (loaded) machine cannot see the window reset half way.
    await asyncio.sleep(max(0.0, 60 - time.time() % 60) if time.time() % 60 > 50 else 0.0)
    session_id = await start_session(client, make_link())
    body = {"sessionId": session_id, "event": "question_answered"}

    statuses = [
        (await post_event(client, tokens, body)).status_code for _ in range(EVENTS_PER_MINUTE + 1)
    ]

    assert statuses[:EVENTS_PER_MINUTE] == [201] * EVENTS_PER_MINUTE
    assert statuses[-1] == 429
    limited = await post_event(client, tokens, body)
    assert limited.json()["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "60"
    stored = sql(
        "select count(*) from public.assessment_tracking where session_id = %s", (session_id,)
    )
    assert stored == [(EVENTS_PER_MINUTE,)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event": "assessment_started"}, "sessionId"),
        ({"sessionId": "not-a-uuid", "event": "assessment_started"}, "sessionId"),
        ({"sessionId": "00000000-0000-4000-8000-000000000000"}, "event"),
        ({"sessionId": "00000000-0000-4000-8000-000000000000", "event": "Bad Event"}, "event"),
        ({"sessionId": "00000000-0000-4000-8000-000000000000", "event": 42}, "event"),
        (
            {"sessionId": "00000000-0000-4000-8000-000000000000", "event": "x_y", "data": [1]},
            "data",
        ),
        (
            {
                "sessionId": "00000000-0000-4000-8000-000000000000",
                "event": "x_y",
                "timestamp": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            },
            "timestamp",
        ),
        (
            {
                "sessionId": "00000000-0000-4000-8000-000000000000",
                "event": "x_y",
                "timestamp": "2026-01-01T10:00:00",
            },
            "timestamp",
        ),
    ],
)
async def test_invalid_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], field: str
) -> None:
    response = await post_event(client, tokens, body)

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "validation_failed"
    assert error["field"] == field
    assert error["error"].startswith(f"{field}: ")


async def test_events_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post(
        EVENTS, json={"sessionId": str(uuid4()), "event": "assessment_started"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "missing_authorization"


async def test_get_on_events_is_405_not_a_link_lookup(client: httpx.AsyncClient) -> None:
    response = await client.get(EVENTS)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"

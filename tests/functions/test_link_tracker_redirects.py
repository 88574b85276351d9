"""GET/HEAD /functions/v1/link-tracker/<code>: the redirect, and the click it stores first."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import httpx
import psycopg
import pytest

from functions.gateway import create_gateway
from tests.functions.conftest import (
    BASE_URL,
    BROWSER_UA,
    Link,
    Tokens,
    gateway_settings,
    serving,
)
from tests.support.postgrest import request_as, signed_in

Sql = Callable[..., list[tuple[Any, ...]]]


async def follow(client: httpx.AsyncClient, code: str, **kwargs: Any) -> httpx.Response:
    headers = {"User-Agent": BROWSER_UA, **kwargs.pop("headers", {})}
    return await client.get(f"/functions/v1/link-tracker/{code}", headers=headers, **kwargs)


def clicks_of(sql: Sql, link: Link) -> list[tuple[Any, ...]]:
    return sql(
        "select session_id, is_bot, is_unique, visitor_hash, referrer_host, utm_source,"
        " utm_medium, browser_family, os_family, device_family"
        " from public.link_clicks where link_id = %s order by clicked_at",
        (link.id,),
    )


async def test_redirects_to_the_destination_with_session_and_code(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link(destination_url="https://assessment.example/start?lang=en#intro")

    response = await follow(client, link.code)

    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["access-control-allow-origin"] == "*"
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "assessment.example",
        "/start",
    )
    assert location.fragment == "intro"
    assert query["lang"] == ["en"]
    assert query["code"] == [link.code]
    [(session_id, *_)] = clicks_of(sql, link)
    assert query["sessionId"] == [str(session_id)]


async def test_link_utm_defaults_are_added_and_the_click_may_override_them(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link(utm_source="whatsapp", utm_campaign="spring")

    response = await follow(client, link.code, params={"utm_source": "instagram", "x": "y"})

    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["utm_source"] == ["instagram"]
    assert query["utm_campaign"] == ["spring"]
    assert "x" not in query  # only UTM values pass from the clicked URL
    [click] = clicks_of(sql, link)
    assert click[5] == "instagram"


async def test_the_destination_never_comes_from_the_request(
    client: httpx.AsyncClient, make_link: Callable[..., Link]
) -> None:
    link = make_link(destination_url="https://assessment.example/start")

    response = await follow(
        client,
        link.code,
        params={"url": "https://evil.example", "next": "//evil.example", "redirect": "x"},
        headers={"Referer": "https://evil.example/phish", "Host": "evil.example"},
    )

    assert urlsplit(response.headers["location"]).netloc == "assessment.example"


@pytest.mark.parametrize("code", ["no-such-link", "x", "a" * 40, "bad%20code"])
async def test_unknown_or_malformed_code_is_404(client: httpx.AsyncClient, code: str) -> None:
    response = await follow(client, code)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_inactive_link_is_410_and_stores_nothing(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link(is_active=False)

    response = await follow(client, link.code)

    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert clicks_of(sql, link) == []


async def test_click_records_client_families_and_referrer_host_only(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()

    await follow(client, link.code, headers={"Referer": "https://m.facebook.com/story?id=42"})

    [click] = clicks_of(sql, link)
    assert click[4] == "m.facebook.com"
    assert click[7:] == ("Safari", "iOS", "mobile")


async def test_no_raw_ip_is_stored_only_the_salted_visitor_hash(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()

    await follow(client, link.code)

    [(salt,)] = sql("select salt from private.link_visitor_salts")
    [row] = sql(
        "select row_to_json(c)::text, visitor_hash from public.link_clicks as c where link_id = %s",
        (link.id,),
    )
    assert "203.0.113.7" not in row[0]
    expected = hashlib.sha256(salt + b"203.0.113.7" + b"\0" + BROWSER_UA.encode()).hexdigest()
    assert row[1] == expected


async def test_head_requests_are_redirected_but_stored_as_bots(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()

    response = await client.head(
        f"/functions/v1/link-tracker/{link.code}", headers={"User-Agent": BROWSER_UA}
    )

    assert response.status_code == 302
    [click] = clicks_of(sql, link)
    assert click[1:3] == (True, False)


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "",
    ],
)
async def test_bots_are_redirected_but_kept_out_of_counts(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql, user_agent: str
) -> None:
    link = make_link()

    response = await follow(client, link.code, headers={"User-Agent": user_agent})

    assert response.status_code == 302
    [click] = clicks_of(sql, link)
    assert click[1:3] == (True, False)
    [stats] = sql(
        "select clicks, unique_clicks, bot_clicks from public.tracked_link_stats where link_id = %s",
        (link.id,),
    )
    assert stats == (0, 0, 1)


async def test_same_visitor_counts_once_an_hour_as_unique(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()

    for _ in range(3):
        await follow(client, link.code)
    await follow(client, link.code, headers={"User-Agent": BROWSER_UA + " other-device"})
    sql(
        "update private.link_visitors set counted_at = counted_at - interval '61 minutes'"
        " where link_id = %s",
        (link.id,),
    )
    await follow(client, link.code)

    uniques = [click[2] for click in clicks_of(sql, link)]
    assert uniques == [True, False, False, True, True]
    [stats] = sql(
        "select clicks, unique_clicks from public.tracked_link_stats where link_id = %s",
        (link.id,),
    )
    assert stats == (5, 3)


async def test_concurrent_clicks_of_one_visitor_count_once(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    link = make_link()

    responses = await asyncio.gather(*(follow(client, link.code) for _ in range(40)))

    assert {response.status_code for response in responses} == {302}
    uniques = [click[2] for click in clicks_of(sql, link)]
    assert len(uniques) == 40
    assert uniques.count(True) == 1


async def test_every_answered_redirect_has_its_click_stored(
    client: httpx.AsyncClient, make_link: Callable[..., Link], sql: Sql
) -> None:
    links = [make_link() for _ in range(4)]
    visitors = [f"{BROWSER_UA} visitor-{n}" for n in range(300)]

    responses = await asyncio.gather(
        *(
            follow(client, links[n % 4].code, headers={"User-Agent": agent})
            for n, agent in enumerate(visitors)
        )
    )

    session_ids = {
        parse_qs(urlsplit(r.headers["location"]).query)["sessionId"][0]
        for r in responses
        if r.status_code == 302
    }
    assert len(session_ids) == 300
    stored = {
        str(session_id)
        for (session_id,) in sql(
            "select session_id from public.link_clicks where link_id = any(%s)",
            ([link.id for link in links],),
        )
    }
    assert stored == session_ids


def test_visitor_salt_rotates_daily_and_old_salts_are_deleted(
    database_factory: Callable[..., str],
) -> None:
    with psycopg.connect(database_factory(migrated=True), autocommit=True) as conn:
        [(first_salt,)] = conn.execute("select private.current_link_visitor_salt()").fetchall()
        conn.execute("update private.link_visitor_salts set day = day - 1")

        [(next_salt,)] = conn.execute("select private.current_link_visitor_salt()").fetchall()

        assert next_salt != first_salt
        assert len(next_salt) == 32
        assert conn.execute("select count(*) from private.link_visitor_salts").fetchall() == [(1,)]


async def test_clicks_are_visible_to_the_links_owner_only(
    client: httpx.AsyncClient,
    make_link: Callable[..., Link],
    make_distributor: Callable[[], UUID],
    functions_db_url: str,
) -> None:
    link = make_link()
    other = make_distributor()
    await follow(client, link.code)

    with psycopg.connect(functions_db_url) as conn:
        with request_as(conn, signed_in(link.distributor_id)) as cursor:
            owner_sees = cursor.execute(
                "select count(*) from public.link_clicks where link_id = %s", (link.id,)
            ).fetchone()
        with request_as(conn, signed_in(other)) as cursor:
            other_sees = cursor.execute(
                "select count(*) from public.link_clicks where link_id = %s", (link.id,)
            ).fetchone()

    assert owner_sees == (1,)
    assert other_sees == (0,)


async def test_while_clicks_are_locked_health_is_degraded_and_redirects_answer_503_fast(
    functions_db_url: str, tokens: Tokens, make_link: Callable[..., Link], sql: Sql
) -> None:
    # A gateway of its own: the shared one should not remember a busy database.
    link = make_link()
    async with serving(create_gateway(gateway_settings(functions_db_url, tokens.secret))) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            await follow(http, link.code)  # warm: the salt is fetched, a connection is open
            with psycopg.connect(functions_db_url) as migration:
                migration.execute("lock table public.link_clicks in share mode")
                health = await http.get("/functions/v1/link-tracker/health")
                started = time.monotonic()
                locked = await asyncio.gather(*(follow(http, link.code) for _ in range(5)))
                elapsed = time.monotonic() - started
                migration.rollback()
            after = await follow(http, link.code)

    assert health.status_code == 503
    assert health.json()["status"] == "degraded"
    assert health.json()["database"]["busy"] is True
    assert [response.status_code for response in locked] == [503] * 5
    assert locked[0].json()["code"] == "database_busy"
    assert locked[0].headers["retry-after"] == "5"
    assert elapsed < 0.6
    assert after.status_code == 302
    assert len(clicks_of(sql, link)) == 2  # the warm-up and the one after: none while locked


async def test_a_link_older_than_the_url_check_with_a_broken_destination_is_404_and_stores_nothing(
    database_factory: Callable[..., str], tokens: Tokens
) -> None:
    # A hosted project's row written before the check existed (it was added NOT VALID).
    db_url = database_factory(migrated=True, seeded=True)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "alter table public.tracked_links drop constraint tracked_links_destination_url_http_check"
        )
        conn.execute(
            "insert into public.tracked_links (distributor_id, short_code, destination_url)"
            " values ('a0000000-0000-4000-8000-000000000002', 'legacy-broken', 'https://[x')"
        )
        conn.execute(
            "alter table public.tracked_links add constraint tracked_links_destination_url_http_check"
            " check (private.is_http_url(destination_url)) not valid"
        )
    async with serving(create_gateway(gateway_settings(db_url, tokens.secret))) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            broken, working = await asyncio.gather(
                follow(http, "legacy-broken"), follow(http, "ava-spring")
            )

    assert broken.status_code == 404
    assert broken.json()["code"] == "invalid_destination"
    assert working.status_code == 302
    with psycopg.connect(db_url) as conn:
        stored = conn.execute(
            "select l.short_code from public.link_clicks as c"
            " join public.tracked_links as l on l.id = c.link_id"
        ).fetchall()
    assert stored == [("ava-spring",)]

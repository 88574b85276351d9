"""Link destinations are real absolute http(s) URLs, checked by the database wherever they are written.

The database's rule (private.is_http_url) and the redirect's URL handling
must agree: every destination the table accepts is one the link-tracker can
build a Location from, so no click is ever stored for a redirect that fails.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from functions.link_tracker.redirects import NO_UTM, build_location
from tests.support.postgrest import request_as, signed_in
from tests.support.world import DISTRIBUTOR_A

VALID = [
    "https://assessment.example/start",
    "http://example.com",
    "HTTPS://EXAMPLE.COM/Start",
    "https://example.com:8443/a/b?c=d&e=f#g",
    "https://xn--bcher-kva.example/buch",
    "https://sub_domain.example./trailing-dot",
    "https://192.0.2.10/ip",
    "https://[2001:db8::1]/ipv6",
    "https://[::ffff:192.0.2.1]:8080/mapped",
    "https://example.com/ünïcödé?q=日本#frag",
    "https://example.com?only=query",
    "https://example.com#only-fragment",
    "https://example.com/already%20escaped",
    "https://example.com/a[b]c?x=[1]",
    "https://example.com/" + "a" * 2000,
]
INVALID = [
    "https://[x",
    "https://[x]/",
    "https://[192.0.2.1]/",
    "https://[2001:db8::1/",
    "https://x]/",
    "https://user@example.com/",
    "https://user:password@example.com/",
    "https://example.com\\@evil.example/",
    "https://example.com:99999/",
    "https://example.com:/",
    "https://example.com:8o/",
    "https://exa mple.com/",
    "https://example.com/a b",
    "https://example.com/a\x01b",
    "https://example.com/\ttab",
    "https://bücher.example/",
    "https://ex%61mple.com/",
    "https://.example/",
    "https://",
    "https:///path",
    "//example.com/",
    "example.com/start",
    "ftp://example.com/",
    "javascript:alert(1)",
    "https://example.com/" + "a" * 2100,
]


def accepts(db: psycopg.Connection[Any], url: str) -> bool:
    [(accepted,)] = db.execute("select private.is_http_url(%s)", (url,)).fetchall()
    return bool(accepted)


@pytest.mark.parametrize("url", VALID)
def test_valid_destinations_are_accepted_and_redirect_where_they_say(
    db: psycopg.Connection[Any], url: str
) -> None:
    assert accepts(db, url)
    location = build_location(url, NO_UTM, "0f8e3c1a-1111-4222-8333-444455556666", "c0de")
    assert location.isascii()
    assert urlsplit(location).hostname == urlsplit(url).hostname


@pytest.mark.parametrize("url", INVALID)
def test_invalid_destinations_are_refused(db: psycopg.Connection[Any], url: str) -> None:
    assert not accepts(db, url)


def test_a_distributor_writing_an_unparsable_destination_gets_a_check_violation(
    db: psycopg.Connection[Any],
) -> None:
    insert = (
        "insert into public.tracked_links (distributor_id, short_code, destination_url)"
        " values (%s, %s, %s)"
    )
    with request_as(db, signed_in(DISTRIBUTOR_A)) as cursor:
        cursor.execute(insert, (DISTRIBUTOR_A, "ava-good", "https://assessment.example/go"))
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            cursor.execute(insert, (DISTRIBUTOR_A, "ava-broken", "https://[x"))

    assert refused.value.diag.constraint_name == "tracked_links_destination_url_http_check"


def test_every_seeded_destination_is_valid(db: psycopg.Connection[Any]) -> None:
    rows = db.execute(
        "select short_code from public.tracked_links where not private.is_http_url(destination_url)"
    ).fetchall()

    assert rows == []


def test_a_batch_of_clicks_checks_its_link_destination_once(db: psycopg.Connection[Any]) -> None:
    """The check is a PL/pgSQL function call: once per link of a batch, not once per click."""
    db.execute("set local track_functions = 'pl'")
    [(code,)] = db.execute(
        "select short_code from public.tracked_links where is_active order by short_code limit 1"
    ).fetchall()
    clicks = [
        {
            "code": code,
            "session_id": str(uuid.uuid4()),
            "visitor_hash": uuid.uuid4().hex * 2,
            "browser_family": "Chrome",
            "os_family": "Android",
            "device_family": "Smartphone",
            "is_bot": False,
        }
        for _ in range(20)
    ]

    [(outcome,)] = db.execute(
        "select outcome from private.record_link_clicks(%s::json)", (json.dumps(clicks),)
    ).fetchall()
    [(checks,)] = db.execute(
        "select pg_stat_get_xact_function_calls('private.is_http_url(text)'::regprocedure)"
    ).fetchall()

    assert outcome == "stored"
    assert checks == 1

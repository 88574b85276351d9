"""The pure pieces of a redirect: user agents, codes, referrers, UTM values, the Location."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.link_tracker.clicks import new_session_id
from functions.link_tracker.redirects import (
    NO_UTM,
    ShortCodeConvertor,
    build_location,
    referrer_host,
    utm_from_query,
)
from functions.link_tracker.user_agents import classify_user_agent

SESSION = "0f8e3c1a-1111-4222-8333-444455556666"


@pytest.mark.parametrize(
    ("user_agent", "families"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0.0.0 Safari/537.36",
            ("Chrome", "Windows", "desktop"),
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
            ("Edge", "Windows", "desktop"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko)"
            " SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            ("Samsung Internet", "Android", "mobile"),
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            " Version/17.4 Mobile/15E148 Safari/604.1",
            ("Safari", "iOS", "tablet"),
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
            ("Firefox", "macOS", "desktop"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0",
            ("Instagram", "iOS", "mobile"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/120.0 Mobile Safari/537.36",
            ("Chrome", "Android", "mobile"),
        ),
    ],
)
def test_browsers_are_people(user_agent: str, families: tuple[str, str, str]) -> None:
    client = classify_user_agent(user_agent)

    assert (client.browser_family, client.os_family, client.device_family) == families
    assert client.is_bot is False


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0 Safari/537.36",
        "python-requests/2.32.0",
        "Go-http-client/1.1",
        "Wget/1.21.4",
    ],
)
def test_crawlers_previews_and_scripts_are_bots(user_agent: str) -> None:
    client = classify_user_agent(user_agent)

    assert client.is_bot is True
    assert client.device_family == "bot"


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("abc", True),
        ("Ava-Spring_24", True),
        ("ab", False),
        ("-abc", False),
        ("a b c", False),
        ("events", False),
        ("health", False),
        ("eventsx", True),
    ],
)
def test_short_code_form_matches_the_table_check(code: str, valid: bool) -> None:
    assert (re.fullmatch(ShortCodeConvertor.regex, code) is not None) is valid


@pytest.mark.parametrize(
    ("referer", "host"),
    [
        ("https://m.facebook.com/story.php?id=1&name=Paula", "m.facebook.com"),
        ("android-app://com.google.android.gm/", "com.google.android.gm"),
        ("not a url", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_referrer_keeps_the_host_only(referer: str, host: str | None) -> None:
    assert referrer_host(referer) == host


def test_utm_values_come_from_the_query_first_value_trimmed() -> None:
    values = utm_from_query(
        b"utm_source=%20insta%20&utm_source=second&utm_medium=&utm_term=" + b"x" * 300 + b"&q=1"
    )

    assert values == ("insta", None, None, "x" * 200, None)
    assert utm_from_query(b"q=1") == NO_UTM


def test_location_keeps_the_destination_and_adds_session_and_code() -> None:
    location = build_location(
        "https://assessment.example/start?lang=en&code=old#top",
        ("fb", None, "spring", None, None),
        SESSION,
        "ava-1",
    )

    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path, parts.fragment) == ("assessment.example", "/start", "top")
    assert query == {
        "lang": ["en"],
        "utm_source": ["fb"],
        "utm_campaign": ["spring"],
        "sessionId": [SESSION],
        "code": ["ava-1"],
    }


def test_destination_utm_values_win_over_the_links_defaults() -> None:
    location = build_location(
        "https://a.example/?utm_source=newsletter", ("fb", None, None, None, None), SESSION, "c1d"
    )

    assert parse_qs(urlsplit(location).query)["utm_source"] == ["newsletter"]


def test_location_is_ascii_even_for_unicode_destinations() -> None:
    location = build_location("https://a.example/café?q=ü", NO_UTM, SESSION, "c1d")

    location.encode("ascii")
    assert urlsplit(location).path == "/caf%C3%A9"


def test_non_http_destinations_are_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        build_location("javascript:alert(1)", NO_UTM, SESSION, "c1d")


def test_session_ids_are_time_ordered_version_7_uuids() -> None:
    from uuid import UUID

    ids = [new_session_id() for _ in range(1000)]
    later = new_session_id()
    time.sleep(0.002)
    latest = new_session_id()

    assert len(set(ids)) == 1000
    assert all(UUID(value).version == 7 for value in ids)
    assert all(UUID(value).variant == "specified in RFC 4122" for value in ids)
    assert later[:13] < latest[:13]  # the leading 48 bits are the time in milliseconds
    milliseconds = int(UUID(latest).hex[:12], 16)
    assert abs(milliseconds - time.time() * 1000) < 1000

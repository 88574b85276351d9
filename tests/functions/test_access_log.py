"""Secret-bearing query parameters are redacted before an access log line is written."""

from __future__ import annotations

import logging

import pytest

from functions._shared.access_log import RedactSecrets, redact_query


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/functions/v1/x?apikey=eyJh.b.c", "/functions/v1/x?apikey=[redacted]"),
        ("/x?APIKEY=k&lang=en", "/x?APIKEY=[redacted]&lang=en"),
        (
            "/x?token=t&access_token=a&refresh_token=r",
            "/x?token=[redacted]&access_token=[redacted]&refresh_token=[redacted]",
        ),
        ("/x?api%6Bey=k", "/x?api%6Bey=[redacted]"),  # an encoded name is still the key
        ("/x?utm_source=ig&code=ava-spring", "/x?utm_source=ig&code=ava-spring"),
        ("/x?apikey", "/x?apikey"),  # no value, nothing to hide
        ("/x", "/x"),
    ],
)
def test_secret_query_values_are_redacted(path: str, logged: str) -> None:
    assert redact_query(path) == logged


def test_the_filter_rewrites_uvicorns_access_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5000", "GET", "/functions/v1/x?apikey=secret", "1.1", 200),
        None,
    )

    assert RedactSecrets().filter(record) is True
    assert (
        record.getMessage()
        == '203.0.113.7:5000 - "GET /functions/v1/x?apikey=[redacted] HTTP/1.1" 200'
    )

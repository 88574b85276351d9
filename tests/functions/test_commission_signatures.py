"""X-Maxpulse-Signature: HMAC-SHA256 of "<t>.<raw body>", five minutes either way, any v1 of several."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from functions.commission_processor.signatures import InvalidSignature, sign, verify_signature

SECRET = "whsec_test_4f1c"
BODY = b'{"eventId": "evt_1", "type": "refund", "orderId": "shop-1", "amount": "1.00"}'
NOW = 1_795_000_000


def test_a_signature_made_as_documented_verifies() -> None:
    """What the README tells senders to compute, byte for byte."""
    digest = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()

    verify_signature(f"t={NOW},v1={digest}", BODY, SECRET, now=NOW)

    assert sign(SECRET, NOW, BODY) == f"t={NOW},v1={digest}"


@pytest.mark.parametrize("skew", [-300, -1, 0, 1, 300])
def test_timestamps_within_five_minutes_either_way_are_accepted(skew: int) -> None:
    verify_signature(sign(SECRET, NOW + skew, BODY), BODY, SECRET, now=NOW)


@pytest.mark.parametrize("skew", [-301, 301, -86_400])
def test_stale_or_future_signatures_are_refused(skew: int) -> None:
    with pytest.raises(InvalidSignature, match="5 minutes"):
        verify_signature(sign(SECRET, NOW + skew, BODY), BODY, SECRET, now=NOW)


def test_any_of_several_v1_values_may_match_while_a_secret_rotates() -> None:
    old = sign("whsec_old", NOW, BODY).split(",")[1]
    new = sign(SECRET, NOW, BODY).split(",")[1]

    verify_signature(f"t={NOW},{old},{new}", BODY, SECRET, now=NOW)
    verify_signature(
        f"t={NOW}, {new.upper().replace('V1', 'v1')}, v0=legacy", BODY, SECRET, now=NOW
    )


@pytest.mark.parametrize(
    ("header", "body", "reason"),
    [
        (sign(SECRET, NOW, BODY), BODY + b" ", "does not match"),
        (sign("another secret", NOW, BODY), BODY, "does not match"),
        (sign(SECRET, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"), BODY, "does not match"),
        (None, BODY, "no x-maxpulse-signature header"),
        ("", BODY, "no x-maxpulse-signature header"),
        ("v1=" + "0" * 64, BODY, "must be t=<unix time>"),
        (f"t={NOW}", BODY, "must be t=<unix time>"),
        (f"t={NOW},v1=abc", BODY, "must be t=<unix time>"),
        (f"t=soon,v1={'0' * 64}", BODY, "must be t=<unix time>"),
        (f"t={NOW},t={NOW},v1={'0' * 64}", BODY, "must be t=<unix time>"),
        (f"t={NOW},v1={'é' * 64}", BODY, "must be t=<unix time>"),
    ],
    ids=[
        "body_changed",
        "wrong_secret",
        "timestamp_changed",
        "missing",
        "empty",
        "no_timestamp",
        "no_v1",
        "short_v1",
        "timestamp_not_a_number",
        "two_timestamps",
        "not_hex",
    ],
)
def test_bad_signatures_are_refused_saying_why(
    header: str | None, body: bytes, reason: str
) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify_signature(header, body, SECRET, now=NOW)

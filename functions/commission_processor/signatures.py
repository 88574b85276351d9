"""Signed payment events: `X-Maxpulse-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`.

The payment system signs `"<t>.<raw body>"` with the shared secret
(MAXPULSE_WEBHOOK_SECRET). A signature counts when one of its `v1` values
matches, compared in constant time, and `t` is within five minutes of our
clock, so a captured request cannot be replayed later. Several `v1` values
let the sender sign with an old and a new secret while the secret rotates.
"""

from __future__ import annotations

import hashlib
import hmac
import re

SIGNATURE_HEADER = "x-maxpulse-signature"
TOLERANCE_SECONDS = 300
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class InvalidSignature(Exception):
    """The header is missing, malformed, stale, or signs something else; says which."""


def signature_digest(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a sender puts on `body` at `timestamp`."""
    return f"t={timestamp},v1={signature_digest(secret, timestamp, body)}"


def verify_signature(header: str | None, body: bytes, secret: str, now: float) -> None:
    """Return when `header` signs `body` with `secret` within the tolerance; InvalidSignature otherwise."""
    if not header:
        raise InvalidSignature(f"the request has no {SIGNATURE_HEADER} header")
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature(
            "the signature's timestamp is more than 5 minutes away from the server's clock"
        )
    expected = signature_digest(secret, timestamp, body)
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    if not any(matches):
        raise InvalidSignature("the signature does not match the body")


def _parse(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamps.append(value)
        elif key == "v1" and _HEX_DIGEST.fullmatch(value.lower()):
            candidates.append(value.lower())
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]) or not candidates:
        raise InvalidSignature(
            f"the {SIGNATURE_HEADER} header must be t=<unix time>,v1=<hex HMAC-SHA256>"
        )
    return int(timestamps[0]), candidates

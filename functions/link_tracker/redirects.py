"""The pieces of a redirect: which code was asked for, what the request tells us, where it goes.

The destination is always the link's own URL from the database; the request
contributes only UTM values (as query parameters), never a URL, so the
tracker cannot be used as an open redirect.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from starlette.convertors import Convertor

SHORT_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{2,31}"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
SESSION_PARAMETER = "sessionId"
CODE_PARAMETER = "code"
MAX_UTM_LENGTH = 200
MAX_HOST_LENGTH = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters left as they are when making the Location header ASCII; '%' keeps
# escapes the destination already has from being escaped twice.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


class ShortCodeConvertor(Convertor[str]):
    """The `{code:short_code}` path segment: the form tracked_links.short_code allows.

    The link-tracker's own routes (`events`, `health`) are never codes, so a
    GET of /events is that route's 405, not the redirect's 404.
    """

    regex = r"(?!(?:events|health)$)" + SHORT_CODE_PATTERN

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def referrer_host(referer: str) -> str | None:
    """The host of a Referer header (no path or query: those can carry personal data)."""
    if not referer:
        return None
    try:
        host = urlsplit(referer).hostname
    except ValueError:
        return None
    if not host or len(host) > MAX_HOST_LENGTH or _CONTROL.search(host):
        return None
    return host


NO_UTM: tuple[str | None, ...] = (None,) * len(UTM_KEYS)


def utm_from_query(query_string: bytes) -> tuple[str | None, ...]:
    """The utm_* parameters of the clicked URL, in UTM_KEYS order (first value of each, trimmed)."""
    if b"utm_" not in query_string:
        return NO_UTM
    values: dict[str, str] = {}
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=False):
        if key in UTM_KEYS and key not in values:
            cleaned = _CONTROL.sub("", value).strip()[:MAX_UTM_LENGTH]
            if cleaned:
                values[key] = cleaned
    return tuple(values.get(key) for key in UTM_KEYS)


def build_location(
    destination: str, utm_values: tuple[str | None, ...], session_id: str, code: str
) -> str:
    """The Location of a click: the destination, UTM values (in UTM_KEYS order), session id and code."""
    base, fragment = _destination_base(destination, utm_values)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{SESSION_PARAMETER}={session_id}&{CODE_PARAMETER}={code}{fragment}"


@lru_cache(maxsize=1024)
def _destination_base(destination: str, utm_values: tuple[str | None, ...]) -> tuple[str, str]:
    parts = urlsplit(destination)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) destination: {destination!r}")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in (SESSION_PARAMETER, CODE_PARAMETER)
    ]
    present = {key for key, _ in query}
    query += [
        (key, value)
        for key, value in zip(UTM_KEYS, utm_values, strict=True)
        if value and key not in present
    ]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    fragment = "#" + parts.fragment if parts.fragment else ""
    return quote(base, safe=_URL_SAFE), quote(fragment, safe=_URL_SAFE)

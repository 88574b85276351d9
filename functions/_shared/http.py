"""Raw ASGI responses with the CORS headers of Supabase Edge Functions.

Functions answer browsers on other origins exactly as the Supabase docs have
Edge Functions do: any origin, the headers supabase-js sends, the usual methods,
on every response (errors included) and on the OPTIONS preflight.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from starlette.types import Send

from functions._shared.errors import FunctionError

HeaderList = list[tuple[bytes, bytes]]

ALLOWED_HEADERS = "authorization, x-client-info, apikey, content-type, x-retry-count"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"

CORS_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
    (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
)
_CORS_NAMES = frozenset(name for name, _ in CORS_HEADERS)
_JSON = (b"content-type", b"application/json")


def with_cors(headers: Iterable[tuple[bytes, bytes]]) -> HeaderList:
    """`headers` with the CORS headers, replacing any the handler set itself."""
    merged = [(name, value) for name, value in headers if name.lower() not in _CORS_NAMES]
    merged.extend(CORS_HEADERS)
    return merged


async def send_response(
    send: Send,
    status: int,
    body: bytes = b"",
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    include_body: bool = True,
) -> None:
    """Send one complete response; CORS headers and content-length are added here."""
    all_headers = [*headers, *CORS_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body if include_body else b""})


async def send_redirect(send: Send, status: int, location: bytes, headers: HeaderList) -> None:
    """Send a bodiless redirect; `headers` must already hold the CORS headers and content-length."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"location", location), *headers],
        }
    )
    await send({"type": "http.response.body", "body": b""})


REDIRECT_HEADERS: HeaderList = [*CORS_HEADERS, (b"content-length", b"0")]


async def send_json(
    send: Send,
    status: int,
    payload: object,
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    include_body: bool = True,
) -> None:
    """Send `payload` as a JSON response."""
    await send_response(
        send, status, orjson.dumps(payload), [_JSON, *headers], include_body=include_body
    )


async def send_error(send: Send, error: FunctionError, *, include_body: bool = True) -> None:
    """Send `error` in the JSON envelope with its status and headers."""
    extra = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in error.headers.items()
    ]
    await send_response(
        send, error.status, error.body(), [_JSON, *extra], include_body=include_body
    )


async def send_preflight(send: Send) -> None:
    """Answer a CORS preflight (OPTIONS) the way Supabase's examples do: 200 "ok"."""
    await send_response(send, 200, b"ok", [(b"content-type", b"text/plain; charset=utf-8")])

"""Raw ASGI responses, and the CORS headers of Supabase Edge Functions.

Functions answer browsers on other origins exactly as the Supabase docs have
Edge Functions do: any origin, the headers supabase-js sends, the usual
methods. The edge middleware adds `CORS_HEADERS` to every response it passes
on, so nothing here (and no handler) adds them itself.
"""

from __future__ import annotations

from collections.abc import Iterable

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
JSON_CONTENT_TYPE = (b"content-type", b"application/json")


async def send_response(
    send: Send, status: int, body: bytes = b"", headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send one complete response; content-length is added here."""
    all_headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, error: FunctionError) -> None:
    """Send `error` in the JSON envelope with its status and headers."""
    extra = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in error.headers.items()
    ]
    await send_response(send, error.status, error.body(), [JSON_CONTENT_TYPE, *extra])


async def send_preflight(send: Send) -> None:
    """Answer a CORS preflight (OPTIONS) the way Supabase's examples do: 200 "ok"."""
    await send_response(send, 200, b"ok", [(b"content-type", b"text/plain; charset=utf-8")])


def header_value(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header `name` (lower case) in an ASGI header list."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None

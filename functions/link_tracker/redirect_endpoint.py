"""GET|HEAD /functions/v1/link-tracker/<code>: store the click, then 302 to the link's destination.

The one route where every microsecond counts, so it is a plain ASGI endpoint
on the app's router rather than a FastAPI route: no request object, no
dependency solving, headers built once. It reads the process's click writer
and visitor hasher from the lifespan state, raises `FunctionError`s like any
handler, and leaves CORS to the edge middleware.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Receive, Scope, Send

from functions._shared.errors import Gone, NotFound
from functions._shared.openapi import ERROR_RESPONSES, ERROR_SCHEMA_REF
from functions.link_tracker.clicks import Click, ClickWriter, new_session_id
from functions.link_tracker.redirects import (
    MAX_UTM_LENGTH,
    UTM_KEYS,
    build_location,
    referrer_host,
    utm_from_query,
)
from functions.link_tracker.user_agents import classify_user_agent
from functions.link_tracker.visitors import VisitorHasher

CLICK_WRITER_KEY = "link_tracker_clicks"
VISITOR_HASHER_KEY = "link_tracker_visitors"
_REDIRECT_HEADERS = ((b"cache-control", b"no-store"), (b"content-length", b"0"))


class RedirectEndpoint:
    """The ASGI app of the redirect route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        code: str = scope["path_params"]["code"]
        state = scope["state"]
        writer: ClickWriter = state[CLICK_WRITER_KEY]
        click = await read_click(scope, code, state[VISITOR_HASHER_KEY])
        stored = await writer.store(click)
        if stored.outcome == "unknown":
            raise NotFound(f"there is no link with code {code!r}")
        if stored.outcome == "inactive":
            raise Gone(f"the link {code!r} has been deactivated by its owner")
        if stored.outcome == "invalid_destination":
            # A row older than the database's URL check: no click was stored.
            raise NotFound(
                f"the link {code!r} has no valid destination; its owner must correct it",
                code="invalid_destination",
            )
        assert stored.destination_url is not None
        location = build_location(stored.destination_url, stored.utm, click.session_id, code)
        await send(
            {
                "type": "http.response.start",
                "status": 302,
                "headers": [(b"location", location.encode("ascii")), *_REDIRECT_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def read_click(scope: Scope, code: str, visitors: VisitorHasher) -> Click:
    """What the request tells about the click (its IP only as part of the visitor hash)."""
    user_agent = referer = ""
    for name, value in scope["headers"]:
        if name == b"user-agent":
            user_agent = value.decode("latin-1")
        elif name == b"referer":
            referer = value.decode("latin-1")
    client = classify_user_agent(user_agent)
    utm_source, utm_medium, utm_campaign, utm_term, utm_content = utm_from_query(
        scope["query_string"]
    )
    address = scope["client"][0] if scope.get("client") else ""
    return Click(
        code,
        new_session_id(),
        await visitors.hash(address, user_agent),
        referrer_host(referer),
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        client.browser_family,
        client.os_family,
        client.device_family,
        client.is_bot or scope["method"] == "HEAD",
    )


REDIRECT_OPENAPI: dict[str, Any] = {
    "get": {
        "tags": ["link-tracker"],
        "summary": "Follow a tracked link",
        "description": (
            "Stores the click (durably, before answering) and redirects to the link's own "
            "destination with `sessionId` and `code` added, and the link's UTM values unless "
            "the destination has its own. No token needed. Bots are redirected but stored as "
            "bots; the same visitor on the same link counts once an hour as unique."
        ),
        "operationId": "link-tracker-redirect",
        "parameters": [
            {
                "name": "code",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$"},
            },
            *[
                {
                    "name": key,
                    "in": "query",
                    "required": False,
                    "description": (
                        f"Overrides the link's own value. Cut to {MAX_UTM_LENGTH} characters"
                        " (control characters dropped); an empty value is ignored."
                    ),
                    "schema": {"type": "string"},
                }
                for key in UTM_KEYS
            ],
        ],
        "responses": {
            "302": {
                "description": "Redirect to the destination",
                "headers": {
                    "Location": {"schema": {"type": "string"}},
                    "Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}},
                },
            },
            "404": {
                "description": "No link has this code, or its destination is not a valid URL",
                "content": {"application/json": {"schema": ERROR_SCHEMA_REF}},
            },
            "410": {
                "description": "The link is deactivated",
                "content": {"application/json": {"schema": ERROR_SCHEMA_REF}},
            },
            "503": ERROR_RESPONSES[503],
        },
    }
}

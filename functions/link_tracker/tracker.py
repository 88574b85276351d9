"""link-tracker: redirects of distributors' short links, and the assessment events they lead to.

GET  /functions/v1/link-tracker/<code>   302 to the link's destination (no token)
HEAD /functions/v1/link-tracker/<code>   the same, stored as a bot
POST /functions/v1/link-tracker/events   one assessment event (the anon key is enough)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status
from psycopg.types.json import Jsonb
from starlette.types import Receive, Scope, Send

from functions._shared.auth import Claims
from functions._shared.dependencies import require_role
from functions._shared.errors import Gone, NotFound, RateLimited
from functions._shared.function import FastRoute, Function
from functions._shared.http import REDIRECT_HEADERS, send_redirect
from functions._shared.openapi import ERROR_RESPONSES, ERROR_SCHEMA_REF
from functions._shared.runtime import Runtime
from functions.link_tracker.clicks import Click, ClickWriter, new_session_id
from functions.link_tracker.models import AssessmentEvent, TrackedEvent
from functions.link_tracker.redirects import (
    build_location,
    is_short_code,
    match_code_segment,
    referrer_host,
    utm_from_query,
)
from functions.link_tracker.user_agents import classify_user_agent
from functions.link_tracker.visitors import VisitorHasher

EVENTS_PER_MINUTE = 120
TRACK_EVENT = "select outcome, tracking_id from private.track_assessment_event(%s, %s, %s, %s, %s)"
_REDIRECT_HEADERS = [(b"cache-control", b"no-store"), *REDIRECT_HEADERS]


class LinkTracker(Function):
    """Short-link redirects that record every click, and the assessment events that follow."""

    name = "link-tracker"
    summary = "Tracked links and assessment events"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.clicks = ClickWriter(self.runtime.database)
        self.visitors = VisitorHasher(self.runtime.database)

    async def startup(self) -> None:
        self.clicks.start()

    async def shutdown(self) -> None:
        await self.clicks.stop()

    def fast_routes(self) -> tuple[FastRoute, ...]:
        return (
            FastRoute(
                label="/{code}",
                methods=frozenset({"GET", "HEAD"}),
                match=match_code_segment,
                handler=self.redirect,
                openapi=REDIRECT_OPENAPI,
            ),
        )

    async def redirect(self, scope: Scope, receive: Receive, send: Send, code: str) -> int:
        """Store the click on `code`, then answer 302 to the link's destination."""
        if not is_short_code(code):
            raise NotFound(f"there is no link with code {code!r}")
        click = await self._click(scope, code)
        stored = await self.clicks.store(click)
        if stored.outcome == "unknown":
            raise NotFound(f"there is no link with code {code!r}")
        if stored.outcome == "inactive":
            raise Gone(f"the link {code!r} has been deactivated by its owner")
        assert stored.destination_url is not None
        location = build_location(stored.destination_url, stored.utm, click.session_id, code)
        await send_redirect(send, 302, location.encode("ascii"), _REDIRECT_HEADERS)
        return 302

    async def _click(self, scope: Scope, code: str) -> Click:
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
            await self.visitors.hash(address, user_agent),
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

    def api_router(self) -> APIRouter:
        router = APIRouter()
        database = self.runtime.database

        @router.post(
            "/events",
            status_code=status.HTTP_201_CREATED,
            response_model=TrackedEvent,
            summary="Record an assessment event",
            description=(
                "Records one step of the assessment a tracked link started. The session's "
                "distributor is looked up on the server and sees the event through Realtime "
                f"(assessment_tracking). At most {EVENTS_PER_MINUTE} events per session per minute."
            ),
            responses={
                code: ERROR_RESPONSES[code] for code in (400, 401, 404, 413, 415, 422, 429, 503)
            },
        )
        async def track_event(
            event: AssessmentEvent,
            _caller: Claims = Depends(require_role("anon", "authenticated", "service_role")),
        ) -> TrackedEvent:
            rows = await database.fetch_all(
                TRACK_EVENT,
                (
                    event.session_id,
                    event.event,
                    Jsonb(event.data),
                    event.timestamp,
                    EVENTS_PER_MINUTE,
                ),
            )
            outcome, tracking_id = rows[0]
            if outcome == "unknown_session":
                raise NotFound(f"there is no assessment session {event.session_id}")
            if outcome == "rate_limited":
                raise RateLimited(
                    f"more than {EVENTS_PER_MINUTE} events a minute for this session; slow down",
                    headers={"retry-after": "60"},
                )
            return TrackedEvent(id=tracking_id, session_id=event.session_id, event=event.event)

        return router


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
                    "schema": {"type": "string", "maxLength": 200},
                }
                for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
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
                "description": "No link has this code",
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

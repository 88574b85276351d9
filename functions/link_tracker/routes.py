"""The link-tracker's routes, and what it keeps for the life of the process.

GET  /functions/v1/link-tracker/<code>   302 to the link's destination (no token)
HEAD /functions/v1/link-tracker/<code>   the same, stored as a bot
POST /functions/v1/link-tracker/events   one assessment event (the anon key is enough)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, status
from psycopg.types.json import Jsonb
from starlette.convertors import register_url_convertor

from functions._shared.dependencies import Caller, Db
from functions._shared.errors import NotFound, RateLimited
from functions._shared.openapi import error_responses
from functions._shared.routing import AsgiRoute
from functions._shared.runtime import Runtime
from functions.link_tracker.clicks import ClickWriter
from functions.link_tracker.models import AssessmentEvent, TrackedEvent
from functions.link_tracker.redirect_endpoint import (
    CLICK_WRITER_KEY,
    VISITOR_HASHER_KEY,
    RedirectEndpoint,
)
from functions.link_tracker.redirects import ShortCodeConvertor
from functions.link_tracker.visitors import VisitorHasher

EVENTS_PER_MINUTE = 120
# What /health checks besides the database: a click could be written right now.
# ROW EXCLUSIVE is the lock every insert takes; NOWAIT fails at once when a
# migration (or anyone) holds or awaits a lock that would make inserts wait.
CLICKS_WRITABLE = "lock table public.link_clicks in row exclusive mode nowait"
TRACK_EVENT = "select outcome, tracking_id from private.track_assessment_event(%s, %s, %s, %s, %s)"

router = APIRouter()


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[Mapping[str, Any]]:
    """The click writer (group commit of clicks) and the visitor hasher of this process."""
    clicks = ClickWriter(runtime.database)
    clicks.start()
    try:
        yield {CLICK_WRITER_KEY: clicks, VISITOR_HASHER_KEY: VisitorHasher(runtime.database)}
    finally:
        await clicks.stop()


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
    responses=error_responses(400, 401, 404, 413, 415, 422, 429, 503),
)
async def track_event(event: AssessmentEvent, _caller: Caller, database: Db) -> TrackedEvent:
    """Store one event of the session's assessment, as its distributor will see it."""
    rows = await database.fetch_all(
        TRACK_EVENT,
        (event.session_id, event.event, Jsonb(event.data), event.timestamp, EVENTS_PER_MINUTE),
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


register_url_convertor("short_code", ShortCodeConvertor())
asgi_routes = (AsgiRoute("/{code:short_code}", RedirectEndpoint(), methods=("GET", "HEAD")),)

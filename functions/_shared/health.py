"""GET /functions/v1/<name>/health: the function's status, version and database reachability.

No token needed (the edge middleware lets `/health` through), so load
balancers and `maxpulse health` can ask. 503 "degraded" while the database
cannot be reached, and while it is busy: statements were cancelled by their
time or lock bounds in the last seconds, or the function's own probe (the
link-tracker: can clicks be written right now?) finds what it needs locked.
"""

from __future__ import annotations

import logging
from typing import LiteralString

import orjson
import psycopg
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from functions._shared.database import Database
from functions._shared.dependencies import app_runtime
from functions._shared.errors import DatabaseBusy, DatabaseUnavailable, MethodNotAllowed
from functions._shared.runtime import package_version

logger = logging.getLogger(__name__)

_OTHER_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
_probes_reported: set[str] = set()


class DatabaseHealth(BaseModel):
    """Whether the database answered, how fast, and whether the function's statements get through."""

    reachable: bool
    latency_ms: float | None = Field(alias="latencyMs")
    busy: bool = Field(
        description="statements are being cancelled by their time or lock bounds"
        " (a lock held by a migration, an overloaded database)"
    )


class Health(BaseModel):
    """The health document of one function."""

    status: str = Field(description='"ok", or "degraded" while the database is unreachable or busy')
    function: str
    version: str
    database: DatabaseHealth


async def database_health(database: Database, probe: LiteralString | None) -> DatabaseHealth:
    """Reachability and latency of `database`, and whether `probe` (if any) gets through at once."""
    try:
        latency_ms = round(await database.ping(), 2)
    except DatabaseUnavailable:
        return DatabaseHealth.model_validate({"reachable": False, "latencyMs": None, "busy": False})
    probe_waits = False
    if probe is not None:
        try:
            await database.probe(probe)
        except DatabaseBusy:
            probe_waits = True
        except psycopg.Error as exc:
            # Not a wait (e.g. the project has no such table): the probe cannot
            # tell, so the answer rests on reachability. Said once per process.
            if probe not in _probes_reported:
                _probes_reported.add(probe)
                logger.warning("health probe %r failed: %s", probe, exc)
    return DatabaseHealth.model_validate(
        {"reachable": True, "latencyMs": latency_ms, "busy": probe_waits or database.is_busy}
    )


def health_router(name: str, probe: LiteralString | None = None) -> APIRouter:
    """The /health route of function `name`; `probe` is a statement that must not have to wait."""
    router = APIRouter()
    version = package_version()

    # Other methods get 405 here, before a catch-all route of the function
    # (a pending function's) could claim /health.
    @router.api_route("/health", methods=_OTHER_METHODS, include_in_schema=False)
    async def other_method(request: Request) -> None:
        raise MethodNotAllowed(
            f"{request.method} is not allowed on {request.url.path}", headers={"allow": "GET, HEAD"}
        )

    @router.head("/health", include_in_schema=False)
    @router.get(
        "/health",
        response_model=Health,
        response_model_by_alias=True,
        summary=f"Health of {name}",
        description="Status, version and the database's reachability. No token needed.",
        operation_id=f"{name}-health",
        responses={503: {"description": "The database is unreachable or busy", "model": Health}},
    )
    async def health(request: Request) -> Response:
        database = await database_health(app_runtime(request).database, probe)
        healthy = database.reachable and not database.busy
        document = Health(
            status="ok" if healthy else "degraded",
            function=name,
            version=version,
            database=database,
        )
        return Response(
            orjson.dumps(document.model_dump(by_alias=True)),
            status_code=200 if healthy else 503,
            media_type="application/json",
            headers={"cache-control": "no-store"},
        )

    return router

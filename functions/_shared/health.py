"""GET /functions/v1/<name>/health: the function's status, version and database reachability.

No token needed (the edge middleware lets `/health` through), so load
balancers and `maxpulse health` can ask. 503 while the database cannot be
reached.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from functions._shared.dependencies import app_runtime
from functions._shared.errors import DatabaseUnavailable
from functions._shared.runtime import package_version


class DatabaseHealth(BaseModel):
    """Whether the database answered, and how fast."""

    reachable: bool
    latency_ms: float | None = Field(alias="latencyMs")


class Health(BaseModel):
    """The health document of one function."""

    status: str = Field(description='"ok", or "degraded" while the database is unreachable')
    function: str
    version: str
    database: DatabaseHealth


def health_router(name: str) -> APIRouter:
    """The /health route of function `name`."""
    router = APIRouter()
    version = package_version()

    @router.head("/health", include_in_schema=False)
    @router.get(
        "/health",
        response_model=Health,
        response_model_by_alias=True,
        summary=f"Health of {name}",
        description="Status, version and database reachability. No token needed.",
        operation_id=f"{name}-health",
        responses={503: {"description": "The database cannot be reached", "model": Health}},
    )
    async def health(request: Request) -> Response:
        try:
            latency_ms: float | None = round(await app_runtime(request).database.ping(), 2)
        except DatabaseUnavailable:
            latency_ms = None
        reachable = latency_ms is not None
        document = Health(
            status="ok" if reachable else "degraded",
            function=name,
            version=version,
            database=DatabaseHealth.model_validate(
                {"reachable": reachable, "latencyMs": latency_ms}
            ),
        )
        return Response(
            orjson.dumps(document.model_dump(by_alias=True)),
            status_code=200 if reachable else 503,
            media_type="application/json",
            headers={"cache-control": "no-store"},
        )

    return router

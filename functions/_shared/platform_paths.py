"""The hosted platform's paths (REST, Auth, Realtime, Storage), answered with where to find them.

A frontend pointed at the functions gateway (the local stack's API URL) sends
its REST, Auth, Realtime and Storage requests here too. The gateway serves
only the functions, so each of those gets a JSON error with CORS that says
so and what to do, instead of a 404 the browser reports as a CORS failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter

from functions._shared.errors import FunctionError
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

PLATFORM_SERVICES = {
    "rest": "REST (PostgREST)",
    "auth": "Auth (GoTrue)",
    "realtime": "Realtime",
    "storage": "Storage",
    "graphql": "GraphQL",
}
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


class NotServedHere(FunctionError):
    """A Supabase platform path that this gateway does not serve."""

    status = 501
    code = "not_served_here"


def not_served_message(prefix: str, service: str) -> str:
    """What a caller of /<prefix>/v1 on this gateway should do instead."""
    return (
        f"this gateway serves only the functions ({FUNCTIONS_PATH_PREFIX}/<name>); {service} at "
        f"/{prefix}/v1 comes from the hosted Supabase project: create the supabase-js client with "
        "the project's URL (SUPABASE_URL) and call the functions through a client whose URL is "
        "this gateway"
    )


def platform_paths_router() -> APIRouter:
    """Routes answering every method under /rest/v1, /auth/v1, ... with NotServedHere."""
    router = APIRouter(include_in_schema=False)
    for prefix, service in PLATFORM_SERVICES.items():
        endpoint = _refusal(not_served_message(prefix, service))
        for path in (f"/{prefix}/v1", f"/{prefix}/v1/{{rest:path}}"):
            router.add_api_route(path, endpoint, methods=_METHODS, name=f"{prefix}-not-served")
    return router


def _refusal(message: str) -> Callable[[], Awaitable[None]]:
    async def not_served() -> None:
        raise NotServedHere(message)

    return not_served

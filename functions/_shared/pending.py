"""Functions whose issues have not landed yet: routed, healthy, and answering 501."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter

from functions._shared.errors import NotImplementedYet
from functions._shared.function import Function
from functions._shared.openapi import error_responses

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def pending_function(name: str, summary: str, planned: str) -> Function:
    """A function that exists in the routing table but answers every route with 501."""
    message = (
        f"{name} is not implemented yet: {planned} "
        "It lands with its own issue; until then every route answers 501."
    )
    router = APIRouter()
    endpoint = _not_implemented(message)
    for path in ("/", "/{subpath:path}"):
        for method in _METHODS:
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                operation_id=f"{name}-{method.lower()}",
                summary=f"{summary} (not implemented yet)",
                description=message,
                responses=error_responses(501),
                include_in_schema=path == "/",
                status_code=501,
            )
    return Function(name=name, summary=summary, router=router)


def _not_implemented(message: str) -> Callable[[], Awaitable[None]]:
    async def not_implemented() -> None:
        raise NotImplementedYet(message)

    return not_implemented

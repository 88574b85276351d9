"""Functions whose issues have not landed yet: they are routed, healthy, and answer 501."""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from functions._shared.errors import NotImplementedYet
from functions._shared.function import Function
from functions._shared.openapi import ERROR_RESPONSES

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class PendingFunction(Function):
    """A function that exists in the routing table but is not implemented yet."""

    planned: ClassVar[str]

    def api_router(self) -> APIRouter:
        router = APIRouter()
        message = (
            f"{self.name} is not implemented yet: {self.planned} "
            "It lands with its own issue; until then every route answers 501."
        )

        async def not_implemented() -> None:
            raise NotImplementedYet(message)

        for path in ("/", "/{subpath:path}"):
            for method in _METHODS:
                router.add_api_route(
                    path,
                    not_implemented,
                    methods=[method],
                    operation_id=f"{self.name}-{method.lower()}",
                    summary=f"{self.summary} (not implemented yet)",
                    description=message,
                    responses={501: ERROR_RESPONSES[501]},
                    include_in_schema=path == "/",
                    status_code=501,
                )
        return router

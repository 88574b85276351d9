"""What a function is to the runtime: a name, its routes, and what it starts and stops.

Most routes are FastAPI routes on `api_router()`: typed, validated, documented.
A route where every microsecond counts (the link-tracker redirect) can be a
`FastRoute` instead: a plain ASGI handler the runtime calls directly, which
describes itself for the OpenAPI document by hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import APIRouter
from starlette.types import Receive, Scope, Send

from functions._shared.runtime import Runtime

# (scope, receive, send, path parameter) -> the status it sent
FastHandler = Callable[[Scope, Receive, Send, str], Awaitable[int]]


@dataclass(frozen=True)
class FastRoute:
    """A route answered without FastAPI. It sends its own response, or raises FunctionError."""

    label: str
    methods: frozenset[str]
    match: Callable[[str], str | None]
    handler: FastHandler
    openapi: Mapping[str, Any]


class Function:
    """Base class of the four functions; one instance per process."""

    name: ClassVar[str]
    summary: ClassVar[str]

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def api_router(self) -> APIRouter:
        """The FastAPI routes of this function, relative to /functions/v1/<name>."""
        return APIRouter()

    def fast_routes(self) -> Sequence[FastRoute]:
        """Routes served before FastAPI is consulted, in order."""
        return ()

    async def startup(self) -> None:
        """Start background work (after the shared runtime has started)."""

    async def shutdown(self) -> None:
        """Finish background work (before the shared runtime stops)."""

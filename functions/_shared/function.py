"""What a function is to the gateway: a name, a router, and what it holds while the process runs.

A function package exports one `Function`:

    function = Function(name="ai-analysis", summary="...", router=router, lifespan=lifespan)

`router` is a plain FastAPI `APIRouter` whose paths are relative to
`/functions/v1/<name>` (its root is `"/"`). `asgi_routes` are routes to plain
ASGI apps, for a hot path that needs no request object, dependencies or
validation (the link-tracker's redirect): the gateway puts them first on the
app's own router, where they skip FastAPI's included-router matching. `lifespan`, when given, starts
what the function keeps for the life of the process (a click writer, an LLM
client) and yields it as a mapping: the gateway merges it into the app's
lifespan state, so handlers read it from `request.state.<key>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, LiteralString

from fastapi import APIRouter

from functions._shared.routing import AsgiRoute
from functions._shared.runtime import Runtime
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

FunctionLifespan = Callable[[Runtime], AbstractAsyncContextManager[Mapping[str, Any]]]


@dataclass(frozen=True)
class Function:
    """One HTTP function: its route name, its routes, and what it starts and stops."""

    name: str
    summary: str
    router: APIRouter
    lifespan: FunctionLifespan | None = None
    asgi_routes: Sequence[AsgiRoute] = ()
    # OpenAPI path items (relative paths) of routes FastAPI cannot describe itself:
    # the plain ASGI routes.
    openapi_paths: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # A statement /health runs to show that what the function needs is usable
    # now (e.g. a table it writes is not locked); it must fail rather than wait.
    health_probe: LiteralString | None = None

    @property
    def prefix(self) -> str:
        """Where the function answers: /functions/v1/<name>."""
        return f"{FUNCTIONS_PATH_PREFIX}/{self.name}"

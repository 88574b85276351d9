"""Routes to plain ASGI apps, for the few paths where FastAPI's per-request work is too much.

An `AsgiRoute` is a Starlette `Route` whose endpoint is an ASGI app. It puts
itself in `scope["route"]` when it matches, as FastAPI's own routes do, which
is how the edge middleware labels each request's timing with its template.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Scope


class AsgiRoute(Route):
    """A route to an ASGI app, visible in `scope["route"]` once matched."""

    def __init__(self, path: str, app: ASGIApp, *, methods: Collection[str]) -> None:
        super().__init__(path, app, methods=list(methods), include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope

    def with_prefix(self, prefix: str) -> AsgiRoute:
        """The same route below `prefix`."""
        return AsgiRoute(prefix + self.path, self.app, methods=self.methods or ())

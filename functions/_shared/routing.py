"""Routes to plain ASGI apps, for the few paths where FastAPI's per-request work is too much.

An `AsgiRoute` is a Starlette `Route` whose endpoint is an ASGI app. It puts
itself in `scope["route"]` when it matches, as FastAPI's own routes do, which
is how the edge middleware labels each request's timing with its template.

`FastLane` is asked first, before the app does anything: a request one of
those routes answers goes through an edge middleware of its own straight to
the route, skipping the layers FastAPI puts around every request (error and
exception middleware, telemetry, body limit, exit stack, router), which cost
more than the redirect's whole answer. Everything else, a request for such a
path with another method included (its 405), takes the app's usual way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send


class AsgiRoute(Route):
    """A route to an ASGI app, visible in `scope["route"]` once matched."""

    def __init__(self, path: str, app: ASGIApp, *, methods: Collection[str]) -> None:
        super().__init__(path, app, methods=list(methods), include_in_schema=False)
        # Starlette would take a plain function for a request-response handler.
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope

    def answers(self, scope: Scope) -> Scope | None:
        """The child scope when this route answers `scope` (path and method), else None.

        `matches` in short, for the fast lane: no partial match to report, and
        the path taken as it is (Starlette's way is kept for a root path).
        """
        if scope.get("root_path"):
            match, child_scope = self.matches(scope)
            return child_scope if match is Match.FULL else None
        if self.methods is not None and scope["method"] not in self.methods:
            return None
        found = self.path_regex.match(scope["path"])
        if found is None:
            return None
        params = found.groupdict()
        for key, convertor in self.param_convertors.items():
            params[key] = convertor.convert(params[key])
        return {"endpoint": self.endpoint, "path_params": params, "route": self}

    def with_prefix(self, prefix: str) -> AsgiRoute:
        """The same route below `prefix`."""
        return AsgiRoute(prefix + self.path, self.app, methods=self.methods or ())


class FastLane:
    """Answers the requests the plain routes take, each route behind an edge middleware of its own."""

    def __init__(self, routes: Sequence[AsgiRoute], edge: Callable[[ASGIApp], ASGIApp]) -> None:
        self.lanes = tuple((route, edge(route.app)) for route in routes)

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Whether one of the routes took the request (it has then been answered)."""
        if scope["type"] != "http":
            return False
        for route, app in self.lanes:
            child_scope = route.answers(scope)
            if child_scope is not None:
                scope.update(child_scope)
                await app(scope, receive, send)
                return True
        return False

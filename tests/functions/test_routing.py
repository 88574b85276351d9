"""The fast lane for plain ASGI routes: it takes exactly what the route's Starlette match takes."""

from __future__ import annotations

import pytest
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import functions.link_tracker.routes  # noqa: F401  (registers the short_code convertor)
from functions._shared.routing import AsgiRoute, FastLane

PREFIX = "/functions/v1/link-tracker"


async def _endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("not called in these tests")


ROUTE = AsgiRoute("/{code:short_code}", _endpoint, methods=("GET", "HEAD")).with_prefix(PREFIX)


def _scope(method: str, path: str, root_path: str = "") -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": root_path}


@pytest.mark.parametrize(
    ("method", "path", "root_path"),
    [
        ("GET", f"{PREFIX}/bench-link", ""),
        ("HEAD", f"{PREFIX}/Ab3", ""),
        ("POST", f"{PREFIX}/bench-link", ""),
        ("OPTIONS", f"{PREFIX}/bench-link", ""),
        ("GET", f"{PREFIX}/events", ""),
        ("GET", f"{PREFIX}/health", ""),
        ("GET", f"{PREFIX}/ab", ""),
        ("GET", f"{PREFIX}/a/b", ""),
        ("GET", f"{PREFIX}/", ""),
        ("GET", PREFIX, ""),
        ("GET", f"/api{PREFIX}/bench-link", "/api"),
        ("GET", f"{PREFIX}/bench-link", "/api"),
        ("POST", f"/api{PREFIX}/bench-link", "/api"),
    ],
)
def test_answers_is_the_full_match_of_starlette(method: str, path: str, root_path: str) -> None:
    scope = _scope(method, path, root_path)
    match, child_scope = ROUTE.matches(scope)

    answered = ROUTE.answers(scope)

    assert answered == (child_scope if match is Match.FULL else None)
    if answered is not None:
        assert answered["route"] is ROUTE
        assert answered["path_params"] == {"code": path.rsplit("/", 1)[1]}


async def test_the_fast_lane_answers_what_its_route_answers_through_the_edge_and_nothing_else() -> (
    None
):
    reached: list[Scope] = []

    async def route_app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(dict(scope))

    def edge(app: ASGIApp) -> ASGIApp:
        async def edged(scope: Scope, receive: Receive, send: Send) -> None:
            scope["edged"] = True
            await app(scope, receive, send)

        return edged

    route = AsgiRoute("/{code:short_code}", route_app, methods=("GET", "HEAD")).with_prefix(PREFIX)
    lane = FastLane([route], edge)

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        return None

    taken = [
        await lane.answer(_scope(method, PREFIX + path), receive, send)
        for method, path in [("GET", "/bench-link"), ("POST", "/bench-link"), ("GET", "/events")]
    ]
    taken.append(await lane.answer({"type": "lifespan"}, receive, send))

    assert taken == [True, False, False, False]
    [scope] = reached
    assert scope["edged"] is True
    assert scope["route"] is route
    assert scope["path_params"] == {"code": "bench-link"}

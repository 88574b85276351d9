"""The fast lane for plain ASGI routes: it takes exactly what the route's Starlette match takes."""

from __future__ import annotations

from typing import Any

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


class _Recorder:
    """An ASGI app that notes which scopes reach it."""

    def __init__(self, name: str, seen: list[tuple[str, dict[str, Any]]]) -> None:
        self.name, self.seen = name, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append((self.name, dict(scope)))


async def test_fast_lane_sends_what_the_route_answers_through_its_edge_and_the_rest_to_the_app() -> (
    None
):
    seen: list[tuple[str, dict[str, Any]]] = []

    def edge(app: ASGIApp) -> ASGIApp:
        recorder = _Recorder("edge", seen)

        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            await recorder(scope, receive, send)
            assert scope["route"] is ROUTE

        return wrapped

    lane = FastLane(_Recorder("app", seen), [ROUTE], edge)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        return None

    for method, path in [("GET", "/bench-link"), ("POST", "/bench-link"), ("GET", "/events")]:
        await lane(_scope(method, PREFIX + path), receive, send)
    await lane({"type": "lifespan"}, receive, send)

    assert [name for name, _ in seen] == ["edge", "app", "app", "app"]
    assert seen[0][1]["path_params"] == {"code": "bench-link"}

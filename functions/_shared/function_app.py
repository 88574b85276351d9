"""One function as an ASGI app: the part of every request that is the same for all functions.

In order: the CORS preflight, the health endpoint, JWT verification when
config.toml says `verify_jwt = true`, the fast routes, the 64 KiB body limit,
then FastAPI. Every response leaves with the CORS headers; every failure in
the JSON error envelope; every request's latency goes to the timings.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from functions._shared.api import build_api
from functions._shared.config import FunctionConfig
from functions._shared.dependencies import AUTH_SCOPE_KEY, RequestAuth
from functions._shared.errors import (
    DatabaseUnavailable,
    FunctionError,
    PayloadTooLarge,
)
from functions._shared.function import Function
from functions._shared.http import send_error, send_json, send_preflight, with_cors
from functions._shared.runtime import Runtime, package_version
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
HEALTH_PATH = "/health"
UNMATCHED_ROUTE = "unmatched"


class ClientDisconnected(Exception):
    """The client went away before its request body arrived."""


class FunctionApp:
    """The ASGI app of one function, mounted by the gateway at /functions/v1/<name>."""

    def __init__(self, function: Function, config: FunctionConfig, runtime: Runtime) -> None:
        self.function = function
        self.name = function.name
        self.config = config
        self.runtime = runtime
        self.prefix = f"{FUNCTIONS_PATH_PREFIX}/{function.name}"
        self.router = function.api_router()
        self.api = build_api(self.router)
        self.fast_routes = tuple(function.fast_routes())
        self.runtime_version = package_version()

    async def handle(self, scope: Scope, receive: Receive, send: Send, subpath: str) -> None:
        """Answer one HTTP request whose path below the function's prefix is `subpath`."""
        started = time.perf_counter()
        route, status = UNMATCHED_ROUTE, 500
        try:
            route, status = await self._dispatch(scope, receive, send, subpath or "/")
        except ClientDisconnected:
            route, status = UNMATCHED_ROUTE, 499
        finally:
            self.runtime.timings.record(
                self.name, route, scope["method"], status, time.perf_counter() - started
            )

    async def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, subpath: str
    ) -> tuple[str, int]:
        method: str = scope["method"]
        if method == "OPTIONS":
            await send_preflight(send)
            return "preflight", 200
        if subpath == HEALTH_PATH and method in ("GET", "HEAD"):
            return HEALTH_PATH, await self._health(send, include_body=method == "GET")
        route = UNMATCHED_ROUTE
        auth: RequestAuth | None = None
        try:
            if self.config.verify_jwt:
                auth = self._request_auth(scope)
                await auth.claims()
            for fast in self.fast_routes:
                if method in fast.methods:
                    parameter = fast.match(subpath)
                    if parameter is not None:
                        route = fast.label
                        return route, await fast.handler(scope, receive, send, parameter)
            body = await _read_body(scope, receive)
        except FunctionError as error:
            await send_error(send, error, include_body=method != "HEAD")
            return route, error.status
        except Exception:
            logger.exception("unexpected error in %s %s%s", method, self.prefix, subpath)
            await send_error(
                send, FunctionError("an unexpected error occurred; it has been logged")
            )
            return route, 500
        return await self._call_api(
            scope, receive, send, subpath, body, auth or self._request_auth(scope)
        )

    def _request_auth(self, scope: Scope) -> RequestAuth:
        return RequestAuth(self.runtime.verifier, _header(scope, b"authorization"))

    async def _call_api(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        subpath: str,
        body: bytes,
        auth: RequestAuth,
    ) -> tuple[str, int]:
        root_path = scope.get("root_path", "") + self.prefix
        child: dict[str, Any] = dict(scope)
        child.update(root_path=root_path, path=root_path + subpath)
        child[AUTH_SCOPE_KEY] = auth
        status_sent: int | None = None
        body_sent = False

        async def replay_body() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def send_with_cors(message: Message) -> None:
            nonlocal status_sent
            if message["type"] == "http.response.start":
                status_sent = message["status"]
                message = {**message, "headers": with_cors(message.get("headers", ()))}
            await send(message)

        try:
            await self.api(child, replay_body, send_with_cors)
        except Exception:
            # build_api's handler has logged it and answered 500 in the envelope;
            # FastAPI re-raises only for the server's log, which needs no second copy.
            if status_sent is None:
                logger.exception(
                    "unexpected error in %s %s%s", scope["method"], self.prefix, subpath
                )
                await send_error(
                    send, FunctionError("an unexpected error occurred; it has been logged")
                )
                status_sent = 500
        matched = child.get("route")
        return getattr(matched, "path", UNMATCHED_ROUTE), status_sent or 500

    async def _health(self, send: Send, *, include_body: bool) -> int:
        try:
            latency_ms: float | None = round(await self.runtime.database.ping(), 2)
        except DatabaseUnavailable:
            latency_ms = None
        reachable = latency_ms is not None
        status = 200 if reachable else 503
        payload = {
            "status": "ok" if reachable else "degraded",
            "function": self.name,
            "version": self.runtime_version,
            "database": {"reachable": reachable, "latencyMs": latency_ms},
        }
        await send_json(
            send, status, payload, [(b"cache-control", b"no-store")], include_body=include_body
        )
        return status


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    """The whole request body, refused with 413 beyond MAX_BODY_BYTES (before reading it when announced)."""
    declared = _header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB")

"""What Supabase's edge runtime does around every function, written once as pure ASGI middleware.

In the style of Starlette's CORS middleware, it wraps the one FastAPI app:

1. `OPTIONS` anywhere is a CORS preflight: 200 "ok".
2. For a path under `/functions/v1/<name>`, `verify_jwt` of that function
   (supabase/config.toml) is enforced before routing, as on Supabase: without
   a valid token even an unknown sub-path is a 401. `/health` needs no token.
3. Request bodies over 64 KiB are refused with 413 (before reading them when
   Content-Length says so).
4. Every response leaves with the CORS headers, errors included.
5. An exception no handler turned into a response becomes one log entry and
   a 500 in the error envelope; a `FunctionError` raised here becomes its own
   answer.
6. Every request to a served function is timed, per route template.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from functions._shared.config import FunctionConfig
from functions._shared.dependencies import AUTH_SCOPE_KEY, RequestAuth
from functions._shared.errors import FunctionError, PayloadTooLarge
from functions._shared.http import CORS_HEADERS, header_value, send_error, send_preflight
from functions._shared.runtime import Runtime
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
HEALTH_SUBPATH = "/health"
UNMATCHED_ROUTE = "unmatched"
PREFLIGHT_ROUTE = "preflight"
# nginx's status for a request whose client went away before the answer.
CLIENT_CLOSED_REQUEST = 499
_PREFIX = FUNCTIONS_PATH_PREFIX + "/"
_BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ResponseWithCors:
    """The `send` of one request: adds the CORS headers and remembers the status sent."""

    __slots__ = ("_send", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [*message.get("headers", ()), *CORS_HEADERS]
        await self._send(message)


class LimitedBody:
    """The `receive` of one request: refuses a body that grows past the limit."""

    __slots__ = ("_receive", "_size")

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._size = 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > MAX_BODY_BYTES:
                raise body_too_large()
        return message


def body_too_large() -> PayloadTooLarge:
    """The 413 of a body over the limit."""
    return PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB")


class EdgeMiddleware:
    """Preflight, verify_jwt, body limit, CORS, the error fallback and timings around the app."""

    def __init__(
        self, app: ASGIApp, *, runtime: Runtime, functions: Mapping[str, FunctionConfig]
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.functions = dict(functions)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        response = ResponseWithCors(send)
        name = self._function_of(scope)
        label: str | None = None
        try:
            if scope["method"] == "OPTIONS":
                label = PREFLIGHT_ROUTE
                await send_preflight(response)
            else:
                await self._forward(scope, receive, response, name)
        except FunctionError as error:
            await self._answer(response, error, scope)
        except ClientDisconnect:
            # Gone before its body arrived: nobody to answer, nothing to log.
            response.status = response.status or CLIENT_CLOSED_REQUEST
        except Exception:
            logger.exception("unexpected error in %s %s", scope["method"], scope["path"])
            await self._answer(
                response, FunctionError("an unexpected error occurred; it has been logged"), scope
            )
        finally:
            if name is not None:
                self.runtime.timings.record(
                    name,
                    label or _route_label(scope, name),
                    scope["method"],
                    response.status or 500,
                    time.perf_counter() - started,
                )

    async def _forward(
        self, scope: Scope, receive: Receive, response: ResponseWithCors, name: str | None
    ) -> None:
        if name is not None and self.functions[name].verify_jwt:
            await self._verify_jwt(scope, name)
        if scope["method"] not in _BODYLESS_METHODS:
            declared = header_value(scope["headers"], b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise body_too_large()
            receive = LimitedBody(receive)
        await self.app(scope, receive, response)

    def _function_of(self, scope: Scope) -> str | None:
        """The served function the path names; its root gets the router's trailing slash."""
        path: str = scope["path"]
        if not path.startswith(_PREFIX):
            return None
        name, slash, _ = path[len(_PREFIX) :].partition("/")
        if name not in self.functions:
            return None
        if not slash:
            # supabase-js invokes /functions/v1/<name>; routers declare their root as "/".
            scope["path"] = path + "/"
        return name

    async def _verify_jwt(self, scope: Scope, name: str) -> None:
        if scope["path"] == f"{_PREFIX}{name}{HEALTH_SUBPATH}":
            return
        auth = RequestAuth(self.runtime.verifier, header_value(scope["headers"], b"authorization"))
        await auth.claims()
        scope[AUTH_SCOPE_KEY] = auth

    @staticmethod
    async def _answer(response: ResponseWithCors, error: FunctionError, scope: Scope) -> None:
        if response.status is not None:
            logger.error("%s %s failed after its response started", scope["method"], scope["path"])
            return
        await send_error(response, error)


def _route_label(scope: Scope, name: str) -> str:
    """The route template below the function's prefix (`/{code}`), for the timings."""
    path = getattr(scope.get("route"), "path_format", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    return path.removeprefix(f"{_PREFIX}{name}") or "/"
